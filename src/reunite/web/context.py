from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from reunite.accounts import policy


def membership(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    m = policy.membership_of(user)
    return {
        "membership": m,
        "can_create_child": policy.has_permission(user, "child.create"),
        "can_create_enquiry": policy.has_permission(user, "enquiry.create"),
        "can_view_audit": policy.has_permission(user, "audit.view"),
        "can_review_matches": policy.has_permission(user, "match.review"),
        "can_view_exchange": policy.has_permission(user, "exchange.view"),
    }
