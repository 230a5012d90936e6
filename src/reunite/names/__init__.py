"""reunite.names engine (no Django import)."""
