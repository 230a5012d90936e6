"""Reunite: tracing and reuniting children separated from their families by war."""

__version__ = "0.1.0"
