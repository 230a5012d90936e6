"""reunite.kinship engine (no Django import)."""
