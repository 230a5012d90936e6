"""`reunite accounts`: login lockouts and API tokens, for administrators of the server."""

from __future__ import annotations

from typing import Annotated

import typer

from reunite.cli.django_setup import setup

app = typer.Typer(no_args_is_help=True, help="Login lockouts and API tokens.")


@app.command()
def lockouts() -> None:
    """List accounts and addresses with failed logins counted (locked ones marked)."""
    setup()
    from django.utils.translation import gettext as _
    from rich.console import Console
    from rich.table import Table

    from reunite.web.lockout import locked_out

    rows = locked_out()
    if not rows:
        typer.echo(_("No failed logins are being counted."))
        return
    table = Table(_("username"), _("address"), _("failures"), _("last"), _("locked"))
    for row in rows:
        table.add_row(
            row["username"], row["ip_address"], str(row["failures"]),
            row["last"].isoformat(timespec="seconds"), _("yes") if row["locked"] else "",
        )  # fmt: skip
    Console().print(table)


@app.command()
def unlock(
    username: Annotated[str, typer.Option("--user", help="Unlock this account.")] = "",
    address: Annotated[str, typer.Option("--address", help="Unlock this IP address.")] = "",
) -> None:
    """Clear the failed-login count of an account or an address (audited)."""
    setup()
    from django.utils.translation import gettext as _

    from reunite.audit.log import Actor, log_event
    from reunite.web.lockout import unlock as do_unlock

    if not username and not address:
        typer.secho(_("Name an account (--user) or an address (--address)."), fg="red", err=True)
        raise typer.Exit(2)
    cleared = do_unlock(username=username or None, ip_address=address or None)
    log_event(
        Actor.system("cli-unlock"), "unlock", "user", "",
        {"username": username, "ip_address": address, "cleared": cleared},
    )  # fmt: skip
    typer.secho(_("Cleared %(count)s failed-login record(s).") % {"count": cleared}, fg="green")


@app.command()
def tokens() -> None:
    """List every API token (first characters of the key only) with its expiry."""
    setup()
    from django.utils.translation import gettext as _
    from rest_framework.authtoken.models import Token
    from rich.console import Console
    from rich.table import Table

    from reunite.core.tokens import describe

    table = Table(_("username"), _("organisation"), _("key"), _("issued"), _("expires"))
    for token in Token.objects.select_related("user").order_by("created"):
        row = describe(token)
        expires = row["expires"].isoformat(timespec="minutes")
        table.add_row(
            row["username"], row["organization"], row["key_start"] + "…",
            row["created"].isoformat(timespec="minutes"),
            expires + (" " + _("(expired)") if row["expired"] else ""),
        )  # fmt: skip
    Console().print(table)


@app.command("revoke-token")
def revoke_token(
    username: Annotated[str, typer.Argument(help="Whose API token to revoke.")],
) -> None:
    """Revoke a user's API token (audited)."""
    setup()
    from django.utils.translation import gettext as _

    from reunite.audit.log import Actor
    from reunite.core.tokens import revoke

    if not revoke(Actor.system("cli-revoke-token"), username):
        typer.secho(_("%(user)s has no API token.") % {"user": username}, fg="yellow")
        raise typer.Exit(1)
    typer.secho(_("Revoked the API token of %(user)s.") % {"user": username}, fg="green")


@app.command("demo-code")
def demo_code() -> None:
    """Print the current second-factor code of the demo users (debug installations only)."""
    setup()
    from django.conf import settings
    from django.utils.translation import gettext as _

    if not settings.DEBUG:
        typer.secho(_("Only for the demo (REUNITE_DEBUG=1)."), fg="red", err=True)
        raise typer.Exit(2)
    import base64

    from django_otp.oath import TOTP

    from reunite.demo import DEMO_TOTP_SECRET

    typer.echo(f"{TOTP(base64.b32decode(DEMO_TOTP_SECRET)).token():06d}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="accounts")
