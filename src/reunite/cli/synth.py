"""`reunite synth`: write synthetic populations with known truth (filled in by the synth work)."""

import typer

app = typer.Typer(no_args_is_help=True)
