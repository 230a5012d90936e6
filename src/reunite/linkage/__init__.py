"""reunite.linkage engine (no Django import)."""
