"""Audit logins, failed logins and logouts (the username tried, never the password)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from reunite.audit.log import Actor, log_event
from reunite.core.acting import Acting


@receiver(user_logged_in, dispatch_uid="reunite_audit_login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    log_event(
        Acting(user, getattr(request, "request_id", "")).audit_actor, "login", "user", user.pk
    )


@receiver(user_logged_out, dispatch_uid="reunite_audit_logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        log_event(
            Acting(user, getattr(request, "request_id", "")).audit_actor, "logout", "user", user.pk
        )


@receiver(user_login_failed, dispatch_uid="reunite_audit_login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    actor = Actor(
        user_id=None,
        username=str(credentials.get("username", ""))[:150],
        organization="",
        request_id=getattr(request, "request_id", "") if request else "",
    )
    log_event(actor, "login_failed", "user", "")
