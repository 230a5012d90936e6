"""`reunite import …` and `reunite export`: list files in the interchange format (filled in by the import/export work)."""

import typer


def register(app: typer.Typer) -> None:
    """Add the import and export commands to the top-level app."""
