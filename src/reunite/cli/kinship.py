"""`reunite kinship …`: DNA kinship for labs and scripts (filled in by the kinship work)."""

import typer

app = typer.Typer(no_args_is_help=True)
