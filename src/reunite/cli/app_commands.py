"""Application commands that need Django: serve, demo, import, export, audit, createuser."""

import typer


def register(app: typer.Typer) -> None:
    """Add the application commands to the top-level app."""
