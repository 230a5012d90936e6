from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from reunite.accounts import policy
from reunite.web.waiting import WaitingWork, waiting_for


class LazyWaiting:
    """Counted only when a template reads it (htmx fragments never do)."""

    def __init__(self, user: Any) -> None:
        self._user = user
        self._work: WaitingWork | None = None

    def __getattr__(self, name: str) -> Any:
        if self._work is None:
            self._work = waiting_for(self._user)
        return getattr(self._work, name)


def membership(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    m = policy.membership_of(user)
    return {
        "membership": m,
        "can_create_child": policy.has_permission(user, "child.create"),
        "can_create_enquiry": policy.has_permission(user, "enquiry.create"),
        "can_view_audit": policy.has_permission(user, "audit.view"),
        "can_review_matches": policy.has_permission(user, "match.review"),
        "can_view_followup": policy.has_permission(user, "followup.view"),
        # What waits for the user: a count in the header, the details on the dashboard.
        "waiting": LazyWaiting(user) if m is not None else None,
        "can_view_exchange": policy.has_permission(user, "exchange.view"),
    }
