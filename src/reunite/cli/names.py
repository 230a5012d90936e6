"""`reunite names …`: the names engine for people and scripts (filled in by the names issue)."""

import typer

app = typer.Typer(no_args_is_help=True)
