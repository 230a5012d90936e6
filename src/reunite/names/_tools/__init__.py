"""Maintenance scripts that regenerate the engine's data files (not imported at run time)."""
