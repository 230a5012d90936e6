"""A record's audited changes as its page shows them (children, tracing requests, cases).

The audit log keeps raw values (field names, choice codes, ISO dates, lists); the page
shows labels and values in words, in the current language: "Legal status: Under
guardianship → Adopted".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils import formats
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reunite.accounts import policy
from reunite.audit.models import AuditEvent

# Newest changes a record's page shows; the full trail is in the audit log.
MAX_SHOWN = 50

# Labels of the audited fields (the models leave verbose names to Django's defaults).
FIELD_LABELS: dict[str, Promise] = {
    "record_id": _("Your reference"),
    "sex": _("Sex"),
    "birth_date": _("Birth date"),
    "birth_date_precision": _("Precision of the birth date"),
    "estimated_age": _("Estimated age"),
    "estimated_age_on": _("Age estimated on"),
    "birth_place": _("Birthplace"),
    "separation_date": _("Separation date"),
    "separation_date_precision": _("Precision of the separation date"),
    "separation_place": _("Place of separation"),
    "custodian": _("Custodian"),
    "institution": _("Institution"),
    "current_location": _("Current location"),
    "current_region": _("Region"),
    "citizenships": _("Citizenships"),
    "legal_status": _("Legal status"),
    "personal_status_altered": _("Personal status altered"),
    "altered_fields": _("Altered details"),
    "consent_for_tracing": _("Consent for tracing"),
    "sibling_group": _("Sibling group"),
    "mother_name": _("Mother"),
    "father_name": _("Father"),
    "notes": _("Notes"),
    "names": _("Names"),
    "surname": _("Surname"),
    "given_name": _("Given name"),
    "patronymic": _("Patronymic"),
    "full_name": _("Full name"),
    "other_names": _("Other names"),
    "enquirer": _("Enquirer"),
    "enquirer_relationship": _("Relationship to the child"),
    "circumstances": _("Circumstances of separation"),
    "contact": _("Contact"),
    "state": _("State"),
    "closing_reason": _("Closing reason"),
    "child": _("Child"),
    "enquiry": _("Tracing request"),
    "shared_with": _("Shared with"),
    "restricted_shown": _("Restricted details shown"),
    "note": _("Note"),
    "reference": _("Case reference"),
    "owner": _("Owner"),
    "kind": _("Kind"),
    "title": _("Title"),
    "decision": _("Decision"),
    "reason": _("Reason"),
}

ACTION_LABELS: dict[str, Promise] = {
    "view": _("Viewed"),
    "list": _("Listed"),
    "search": _("Searched"),
    "login": _("Logged in"),
    "logout": _("Logged out"),
    "login_failed": _("Failed log-in"),
    "decide": _("Decided"),
    "run": _("Run"),
    "retrain": _("Retrained"),
    "approve": _("Approved"),
    "reject": _("Rejected"),
    "countersign": _("Countersigned"),
    "withdraw": _("Withdrawn"),
    "create": _("Created"),
    "update": _("Changed"),
    "delete": _("Deleted"),
    "transition": _("Case moved"),
    "share": _("Shared"),
    "attach": _("File attached"),
    "link": _("Linked"),
    "import": _("Imported"),
    "export": _("Exported"),
    "download": _("Downloaded"),
    "tracing": _("Tracing"),
}

OBJECT_LABELS: dict[str, Promise] = {
    "child": _("Child"),
    "enquiry": _("Tracing request"),
    "person": _("Person"),
    "case": _("Case"),
    "attachment": _("File"),
    "evidence": _("Evidence"),
    "kinship_report": _("DNA kinship report"),
    "case_verification": _("Verification"),
    "candidate_pair": _("Candidate pair"),
    "match_run": _("Match run"),
    "user": _("User"),
    "search_index": _("Search index"),
    "records": _("Records"),
}

RESTRICTED = _("(restricted)")


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str
    after: str


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action.replace("_", " ").capitalize()


def object_label(object_type: str) -> str:
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else object_type.replace("_", " ")


def field_label(model: type[Model] | None, field: str) -> str:
    label = FIELD_LABELS.get(field)
    if label is not None:
        return str(label)
    if model is not None:
        try:
            return str(capfirst(getattr(model._meta.get_field(field), "verbose_name", field)))
        except FieldDoesNotExist:
            pass
    return field.replace("_", " ").capitalize()


def _choice_label(model: type[Model] | None, field: str, value: Any) -> str | None:
    if model is None:
        return None
    try:
        model_field = model._meta.get_field(field)
    except FieldDoesNotExist:
        return None
    for code, label in getattr(model_field, "flatchoices", None) or ():
        if code == value:
            return str(label)
    return None


def _name_text(value: dict[str, Any]) -> str:
    parts = [value.get("surname"), value.get("given_name"), value.get("patronymic")]
    return " ".join(str(p) for p in parts if p) or str(value.get("full_name") or "")


def format_value(model: type[Model] | None, field: str, value: Any) -> str:
    """One audited value in words; '' for an empty one."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    choice = _choice_label(model, field, value)
    if choice is not None:
        return choice
    if isinstance(value, list):
        return "; ".join(
            text for text in (format_value(model, field, item) for item in value) if text
        )
    if isinstance(value, dict):
        return (
            _name_text(value)
            if ("surname" in value or "full_name" in value)
            else ", ".join(
                f"{field_label(None, k)}: {format_value(None, k, v)}" for k, v in value.items()
            )
        )
    if isinstance(value, str) and field.endswith(("_date", "_on")):
        try:
            return str(formats.date_format(dt.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT"))
        except ValueError:
            return str(value)
    if field in {"enquirer", "child", "enquiry"} and isinstance(value, int):
        return f"#{value}"
    return str(value)


def describe_changes(
    model: type[Model] | None, changes: Any, hidden_fields: frozenset[str] | set[str] = frozenset()
) -> list[ChangeLine]:
    """The changes of one audit event as lines; values of ``hidden_fields`` are not shown."""
    if not isinstance(changes, dict):
        return []
    lines = []
    for field, values in changes.items():
        if isinstance(values, list | tuple) and len(values) == 2:
            before, after = values
        else:
            before, after = None, values
        if field in hidden_fields:
            lines.append(ChangeLine(field_label(model, field), str(RESTRICTED), str(RESTRICTED)))
            continue
        lines.append(
            ChangeLine(
                field_label(model, field),
                format_value(model, field, before),
                format_value(model, field, after),
            )
        )
    return lines


def record_history(user: Any, record: Model) -> list[dict[str, Any]]:
    """The record's audited changes, newest first, in words; restricted values hidden if need be."""
    show_restricted = policy.can_see_restricted(user, record)
    hidden = set() if show_restricted else set(policy.RESTRICTED_FIELDS)
    events = (
        AuditEvent.objects.filter(object_type=record._meta.model_name, object_id=str(record.pk))
        .exclude(action__in=["view", "list"])
        .order_by("-sequence")[:MAX_SHOWN]
    )
    return [
        {
            "event": event,
            "action_label": action_label(event.action),
            "changes": describe_changes(type(record), event.changes, hidden),
        }
        for event in events
    ]
