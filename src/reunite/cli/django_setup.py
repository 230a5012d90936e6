"""Start Django for the application commands (never for the engine commands)."""

from __future__ import annotations

import os
import uuid
from typing import Any

import typer


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reunite.config.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        typer.secho(f"Configuration error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from exc


def acting_as(username: str) -> Any:
    """The ``Acting`` for a CLI run by the named user (who must belong to an organisation)."""
    from django.contrib.auth import get_user_model

    from reunite.accounts import policy
    from reunite.core.acting import Acting

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or policy.membership_of(user) is None:
        typer.secho(f"No active user {username!r} with an organisation.", fg="red", err=True)
        raise typer.Exit(2)
    return Acting(user=user, request_id=f"cli-{uuid.uuid4().hex[:16]}")
