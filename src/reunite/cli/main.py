"""The `reunite` command: one Typer app that gathers each area's sub-commands.

Engine commands (names, kinship, match) never start Django; application commands
(serve, demo, import, export, audit, createuser) set Django up on first use.
"""

from __future__ import annotations

import typer

from reunite.cli import (
    accounts,
    app_commands,
    exchange,
    kinship,
    linkage,
    names,
    pprl,
    rounds,
    routes,
    synth,
)

app = typer.Typer(
    name="reunite",
    help="Reunite: trace and reunite children separated from their families.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # never print child data from a traceback
)

app_commands.register(app)
app.add_typer(names.app, name="names", help="Compare names, list spellings, look up places.")
app.add_typer(kinship.app, name="kinship", help="DNA kinship likelihood ratios and screening.")
app.add_typer(synth.app, name="synth", help="Synthetic populations with known truth.")
app.add_typer(routes.app, name="routes", help="Plan transfer routes; check route files.")
app.add_typer(rounds.rounds_app, name="rounds")
app.add_typer(rounds.custody_app, name="custody")
app.add_typer(rounds.stats_app, name="stats")
linkage.register(app)
app.add_typer(pprl.app, name="pprl", help="Privacy-preserving linkage through a mediator.")
exchange.register(app)
accounts.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
