"""reunite.synth engine (no Django import)."""
