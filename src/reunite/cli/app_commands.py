"""Application commands that need Django: serve, demo, migrate, audit, users, import, export."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from reunite.cli import followup as followup_cli
from reunite.cli import lists
from reunite.cli import matching as matching_cli
from reunite.cli import verification as verification_cli
from reunite.cli.django_setup import setup

audit_app = typer.Typer(no_args_is_help=True, help="Check the audit trail.")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[
        bool, typer.Option(help="Also start a background worker (matching runs, imports).")
    ] = True,
) -> None:
    """Serve the web application (development server; use a WSGI server in production)."""
    import subprocess

    setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from reunite.web.catalogues import compile_catalogues

    compile_catalogues()  # the pages' Ukrainian and Russian, when a catalogue changed
    process = None
    if worker:
        # A separate process: long jobs never share the web server's interpreter.
        process = subprocess.Popen([sys.executable, "-m", "reunite.cli.main", "worker"])
        typer.echo(f"Background worker started (pid {process.pid}).")
    typer.echo(f"Reunite is at http://{host}:{port}/  (Ctrl+C stops it)")
    try:
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def worker(
    batch: Annotated[
        bool, typer.Option("--batch", help="Run the queued jobs, then stop.")
    ] = False,
    interval: Annotated[
        float, typer.Option(help="Seconds between looks at an empty queue.")
    ] = 1.0,
) -> None:
    """Run a background worker: takes queued jobs (matching runs, imports) one at a time.

    `reunite serve` starts one; run more (or run this under a service manager) in
    production. Ctrl+C finishes the current job, then stops.
    """
    setup()
    from django.core.management import call_command

    from reunite.jobs.api import run_worker

    call_command("migrate", interactive=False, verbosity=0)
    run_worker(batch=batch, interval=interval)


def migrate() -> None:
    """Create or update the database tables."""
    setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False)


def demo(
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data.")] = 0,
    children: Annotated[
        int, typer.Option(help="Synthetic children in the other party's registry.")
    ] = 120,
    enquiries: Annotated[int, typer.Option(help="Synthetic tracing requests.")] = 40,
) -> None:
    """Migrate, create demo organisations and users, and load synthetic children and cases."""
    setup()
    from django.core.management import call_command

    from reunite.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo

    call_command("migrate", interactive=False, verbosity=0)
    summary = load_demo(seed=seed, children=children, enquiries=enquiries, progress=True)
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if summary.already_loaded:
        console.print("[yellow]Demo data was already loaded; nothing added.[/yellow]")
    console.print(
        f"[bold]Demo data:[/bold] {summary.children} children, "
        f"{summary.enquiries} tracing requests, "
        f"{summary.cases} cases (synthetic people only)."
    )
    if summary.matching_status:
        console.print(
            f"Matching run: {summary.matching_status}, {summary.candidates} candidate pairs "
            "in the review queue."
        )
    table = Table(title=f"Demo logins (password for all: {DEMO_PASSWORD})")
    for column in ("username", "organisation", "role"):
        table.add_column(column)
    for username, organization, role in summary.logins:
        table.add_row(username, organization, role)
    console.print(table)
    console.print(
        f"Second login step: add the secret [bold]{DEMO_TOTP_SECRET}[/bold] to an authenticator "
        "app (one entry serves every demo user), or print a code with "
        "`reunite accounts demo-code`."
    )


def verify() -> None:
    """Walk the hash chain; name the first broken or missing event and exit non-zero."""
    setup()
    from reunite.audit.log import chain_head, verify_chain

    count, problem = verify_chain()
    if problem is not None:
        typer.secho(
            f"Audit trail BROKEN at {problem} ({count} events checked).", fg="red", err=True
        )
        raise typer.Exit(1)
    typer.secho(f"Audit trail intact: {count} events; head {chain_head()}", fg="green")


def createuser(
    username: Annotated[str, typer.Argument(help="Login name.")],
    organization: Annotated[str, typer.Option(help="Short name of the organisation.")],
    role: Annotated[
        str,
        typer.Option(
            help="caseworker, verifier, coordinator, transfer_officer, auditor or administrator."
        ),
    ],
    email: Annotated[str, typer.Option(help="E-mail address.")] = "",
    password_env: Annotated[
        str,
        typer.Option(help="Read the password from this environment variable instead of a prompt."),
    ] = "",
) -> None:
    """Create a user in an organisation with a role (password prompted, or from --password-env)."""
    setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from reunite.accounts.models import Membership, Organization, Role
    from reunite.audit.log import Actor, log_event

    if role not in Role.values:
        typer.secho(
            f"Unknown role {role!r}; choose one of: {', '.join(Role.values)}.", fg="red", err=True
        )
        raise typer.Exit(2)
    org = Organization.objects.filter(short_name=organization).first()
    if org is None:
        names = ", ".join(Organization.objects.values_list("short_name", flat=True)) or "none yet"
        typer.secho(f"No organisation {organization!r} (known: {names}).", fg="red", err=True)
        raise typer.Exit(2)
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        typer.secho(f"User {username!r} already exists.", fg="red", err=True)
        raise typer.Exit(2)
    if password_env:
        password = os.environ.get(password_env, "")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        typer.secho("No terminal for a password prompt: use --password-env.", fg="red", err=True)
        raise typer.Exit(2)
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        typer.secho("Password rejected: " + " ".join(exc.messages), fg="red", err=True)
        raise typer.Exit(2) from exc
    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email, password=password)
        Membership.objects.create(user=user, organization=org, role=role)
        log_event(
            Actor.system("cli-createuser"),
            "user_created",
            "user",
            user.pk,
            {
                "username": [None, username],
                "organization": [None, org.short_name],
                "role": [None, role],
            },
        )
    typer.secho(f"Created {username} ({role}, {org.short_name}).", fg="green")


def createorg(
    short_name: Annotated[str, typer.Argument(help="Short name, e.g. UA-NIB.")],
    name: Annotated[str, typer.Option(help="Full name of the organisation.")],
    kind: Annotated[
        str,
        typer.Option(
            help="state_authority, ombudsman, information_bureau, ngo, international or mediator."
        ),
    ],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 country code.")],
) -> None:
    """Register an organisation (a party to the process)."""
    setup()
    from reunite.accounts.models import Organization, OrganizationKind
    from reunite.audit.log import Actor, log_event

    if kind not in OrganizationKind.values:
        typer.secho(
            f"Unknown kind {kind!r}; choose one of: {', '.join(OrganizationKind.values)}.",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    if len(country) != 2 or not country.isalpha():
        typer.secho(f"{country!r} is not a two-letter country code.", fg="red", err=True)
        raise typer.Exit(2)
    if (
        Organization.objects.filter(short_name=short_name).exists()
        or Organization.objects.filter(name=name).exists()
    ):
        typer.secho(
            f"An organisation named {short_name!r} or {name!r} already exists.", fg="red", err=True
        )
        raise typer.Exit(2)
    org = Organization.objects.create(
        short_name=short_name, name=name, kind=kind, country=country.upper()
    )
    log_event(
        Actor.system("cli-createorg"),
        "create",
        "organization",
        org.pk,
        {"short_name": [None, short_name], "kind": [None, kind], "country": [None, org.country]},
    )
    typer.secho(f"Created organisation {short_name}.", fg="green")


def reindex() -> None:
    """Recompute the name-search keys of every child and tracing request."""
    setup()
    from rich.progress import Progress

    from reunite.registry.actions import rebuild_search_index

    with Progress(transient=True) as bar:
        task = bar.add_task("Re-indexing names", total=None)
        count = rebuild_search_index(
            lambda done, total: bar.update(task, completed=done, total=total)
        )
    typer.secho(f"Re-indexed {count} records.", fg="green")


def register(app: typer.Typer) -> None:
    """Add the application commands to the top-level app."""
    app.command()(serve)
    app.command()(worker)
    app.command()(migrate)
    app.command()(demo)
    app.command()(createorg)
    app.command()(reindex)
    app.command()(createuser)
    audit_app.command()(verify)
    app.add_typer(audit_app, name="audit")
    lists.register(app)
    matching_cli.register(app)
    verification_cli.register(app)
    followup_cli.register(app)
