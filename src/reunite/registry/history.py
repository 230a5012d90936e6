"""A record's audited changes as its page shows them (children, tracing requests, cases)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from reunite.accounts import policy
from reunite.audit.models import AuditEvent

# Newest changes a record's page shows; the full trail is in the audit log.
MAX_SHOWN = 50


def record_history(user: Any, record: Model) -> list[dict[str, Any]]:
    """The record's audited changes, newest first, with restricted values hidden if need be."""
    show_restricted = policy.can_see_restricted(user, record)
    rows = []
    events = (
        AuditEvent.objects.filter(object_type=record._meta.model_name, object_id=str(record.pk))
        .exclude(action__in=["view", "list"])
        .order_by("-sequence")[:MAX_SHOWN]
    )
    for event in events:
        changes = event.changes if isinstance(event.changes, dict) else {}
        shown = {
            field: values
            if show_restricted or field not in policy.RESTRICTED_FIELDS
            else ["(restricted)", "(restricted)"]
            for field, values in changes.items()
        }
        rows.append({"event": event, "changes": shown})
    return rows
