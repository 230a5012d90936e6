"""`reunite match` and `reunite dedupe`: record linkage over interchange files."""

import typer


def register(app: typer.Typer) -> None:
    """Add the linkage commands to the top-level app."""
