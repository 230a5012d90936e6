"""Login lockout (django-axes): the page or API answer, the audit event, the unlock."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from reunite.audit.log import Actor, log_event


def _cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request: HttpRequest, *args: Any) -> HttpResponse:
    """429 for a locked-out login: a page for the browser, JSON for the API."""
    minutes = _cooloff_minutes()
    if request.path.startswith("/api/") or "/api/" in request.path:
        detail = _(
            "Too many failed logins for this account or address: try again in %(minutes)s "
            "minutes, or ask an administrator to unlock the account."
        ) % {"minutes": minutes}
        return JsonResponse({"detail": detail}, status=429)
    return render(request, "web/locked_out.html", {"cooloff_minutes": minutes}, status=429)


@receiver(user_locked_out, dispatch_uid="reunite_audit_locked_out")
def _locked_out(
    sender: Any, request: Any = None, username: str = "", ip_address: str = "", **kwargs: Any
) -> None:
    actor = Actor(
        user_id=None,
        username=str(username or "")[:150],
        organization="",
        request_id=getattr(request, "request_id", "") if request is not None else "",
    )
    log_event(actor, "locked_out", "user", "", {"ip_address": ip_address or ""})


def unlock(*, username: str | None = None, ip_address: str | None = None) -> int:
    """Clear the failed-login counts of an account or an address; how many were cleared."""
    from axes.utils import reset

    if username is None and ip_address is None:
        raise ValueError("name a username or an address")
    return int(reset(ip=ip_address, username=username))


def locked_out() -> list[dict[str, Any]]:
    """Accounts and addresses with failed logins still counted (newest first)."""
    from axes.models import AccessAttempt

    return [
        {
            "username": a.username or "",
            "ip_address": a.ip_address or "",
            "failures": a.failures_since_start,
            "last": a.attempt_time,
            "locked": a.failures_since_start >= settings.AXES_FAILURE_LIMIT,
        }
        for a in AccessAttempt.objects.order_by("-attempt_time")
    ]
