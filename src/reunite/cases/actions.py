"""Every write to a case: opening, linking, moving along the states; checked and audited.

A case moves one step at a time along ``CASE_STATE_ORDER`` (or is closed), by the roles
``reunite.accounts.policy.allowed_transitions`` allows. Apps above this one add conditions
on entering a state with :func:`register_transition_guard` (verification: "approved" needs a
verified relationship and a best-interests decision) instead of this app importing them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reunite.accounts import policy
from reunite.audit.log import log_event
from reunite.cases.models import CASE_STATE_ORDER, Case, CaseEvent, CaseState, ClosingReason
from reunite.core.acting import Acting
from reunite.registry.models import Child, Enquiry


def _next_reference() -> str:
    year = timezone.now().year
    last = Case.objects.filter(reference__startswith=f"C-{year}-").order_by("-reference").first()
    number = int(last.reference.rsplit("-", 1)[1]) + 1 if last else 1
    return f"C-{year}-{number:06d}"


@transaction.atomic
def open_case(
    acting: Acting, *, enquiry: Enquiry | None = None, child: Child | None = None, note: str = ""
) -> Case:
    """Open a case for an enquiry and/or a child, shared with the owners of both."""
    policy.require(acting.user, "case.create")
    if enquiry is None and child is None:
        raise ValidationError("A case needs an enquiry or a child.")
    for record in (enquiry, child):
        if record is not None and not policy.is_visible(acting.user, record):
            raise PermissionDenied("Record not visible.")
    organization = acting.organization
    case = Case.objects.create(
        owner=organization, created_by=acting.user, reference=_next_reference(),
        enquiry=enquiry, child=child,
    )  # fmt: skip
    for record in (enquiry, child):
        if record is not None and record.owner_id != organization.pk:
            case.shared_with.add(record.owner)
    CaseEvent.objects.create(
        case=case, from_state="", to_state=case.state, actor=acting.user,
        organization=organization, note=note,
    )  # fmt: skip
    log_event(
        acting.audit_actor, "create", "case", case.pk,
        {
            "reference": [None, case.reference],
            "enquiry": [None, enquiry.pk if enquiry else None],
            "child": [None, child.pk if child else None],
            "state": [None, case.state],
        },
    )  # fmt: skip
    return case


# Extra conditions on entering a state, registered by other apps in their AppConfig.ready()
# (e.g. verification: "approved" needs a verified relationship and a best-interests decision).
# Each guard returns the list of what is missing; an empty list lets the step happen.
TRANSITION_GUARDS: dict[str, list[Callable[..., list[str]]]] = {}
# Reactions to entering a state, registered the same way (e.g. reunification: entering
# "reunified" starts the follow-up plan). Each runs in the transaction of the step, after
# it is written, as ``hook(acting, case)``; an exception undoes the step.
TRANSITION_HOOKS: dict[str, list[Callable[[Acting, Case], object]]] = {}


def register_transition_guard(state: str, guard: Callable[..., list[str]]) -> None:
    """Add a condition on entering ``state``: ``guard(case)`` lists what is missing.

    A guard that takes a ``note`` keyword also gets the note given with the step (so a
    condition can be waived by saying why, e.g. closing before the follow-up plan is done).
    """
    guards = TRANSITION_GUARDS.setdefault(state, [])
    if guard not in guards:
        guards.append(guard)


def register_transition_hook(state: str, hook: Callable[[Acting, Case], object]) -> None:
    hooks = TRANSITION_HOOKS.setdefault(state, [])
    if hook not in hooks:
        hooks.append(hook)


def _takes_note(guard: Callable[..., list[str]]) -> bool:
    try:
        return "note" in inspect.signature(guard).parameters
    except (TypeError, ValueError):
        return False


def missing_for_transition(case: Case, to_state: str, note: str = "") -> list[str]:
    """What still stops the case from entering ``to_state`` (empty when nothing does)."""
    missing: list[str] = []
    for guard in TRANSITION_GUARDS.get(to_state, []):
        missing += guard(case, note=note) if _takes_note(guard) else guard(case)
    return missing


@transaction.atomic
def transition_case(
    acting: Acting, case: Case, to_state: str, *, note: str = "", closing_reason: str = ""
) -> Case:
    """Move a case one step forward (or close it), if the user's role allows that step."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to_state not in CASE_STATE_ORDER:
        raise ValidationError({"to_state": f"Unknown state {to_state!r}."})
    if to_state not in policy.allowed_transitions(acting.user, case):
        if not case.is_open:
            raise ValidationError({"to_state": "The case is closed."})
        if to_state != "closed" and to_state != case.next_state:
            raise ValidationError(
                {"to_state": f"A case in state '{case.get_state_display()}' can only move to "
                 f"'{CaseState(case.next_state or 'closed').label}' or be closed."}
            )  # fmt: skip
        raise PermissionDenied("Your role does not allow this step.")
    if to_state == CaseState.CLOSED:
        if closing_reason not in ClosingReason.values:
            raise ValidationError({"closing_reason": "Choose why the case is closed."})
        if closing_reason == ClosingReason.REUNIFIED and case.state != CaseState.FOLLOW_UP:
            raise ValidationError(
                {"closing_reason": "Only a case in follow-up can be closed as reunified."}
            )
        if closing_reason == ClosingReason.OTHER and not note.strip():
            raise ValidationError({"note": "Say why the case is closed."})
    elif to_state == CaseState.MATCH_PROPOSED and case.child_id is None:
        raise ValidationError({"to_state": "Link a child record before proposing a match."})
    elif to_state == CaseState.MATCH_PROPOSED and case.enquiry_id is None:
        raise ValidationError({"to_state": "Link a tracing request before proposing a match."})
    missing = missing_for_transition(case, to_state, note)
    if missing:
        raise ValidationError({"to_state": [f"Missing: {m}" for m in missing]})
    return _move_case(acting, case, to_state, note=note, closing_reason=closing_reason)


def _move_case(
    acting: Acting, case: Case, to_state: str, *, note: str = "", closing_reason: str = ""
) -> Case:
    """Write a state change, its timeline entry and its audit event (checks done by callers)."""
    from_state = case.state
    case.state = to_state
    update_fields = ["state", "updated_at"]
    if to_state == CaseState.CLOSED:
        case.closing_reason = closing_reason
        case.closed_at = timezone.now()
        update_fields += ["closing_reason", "closed_at"]
    case.save(update_fields=update_fields)
    CaseEvent.objects.create(
        case=case, from_state=from_state, to_state=to_state, actor=acting.user,
        organization=acting.organization, note=note,
    )  # fmt: skip
    changes: dict[str, Any] = {"state": [from_state, to_state]}
    if closing_reason:
        changes["closing_reason"] = [None, closing_reason]
    if note:
        changes["note"] = [None, note]
    log_event(acting.audit_actor, "transition", "case", case.pk, changes)
    for hook in TRANSITION_HOOKS.get(to_state, []):
        hook(acting, case)
    return case


@transaction.atomic
def assign_case(acting: Acting, case: Case, assignee: Any | None) -> Case:
    """Give the case to a caseworker (or to nobody, with ``None``)."""
    policy.require(acting.user, "case.assign", case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if assignee is not None and not policy.can_be_assigned(assignee, case):
        raise ValidationError(
            {"assigned_to": _("Choose a caseworker of a party that can see this case.")}
        )
    before = case.assigned_to.get_username() if case.assigned_to else None
    after = assignee.get_username() if assignee is not None else None
    if before == after:
        return case
    case.assigned_to = assignee
    case.save(update_fields=["assigned_to", "updated_at"])
    log_event(acting.audit_actor, "update", "case", case.pk, {"assigned_to": [before, after]})
    return case


# Birth years further apart than this contradict each other (many ages are estimates).
MAX_BIRTH_YEAR_GAP = 2
# A wrong link can be undone up to verification; later steps rest on the link.
UNLINKABLE_STATES = ("registered", "tracing", "match_proposed", "verification")


def _birth_year(record: Child | Enquiry) -> int | None:
    if record.birth_date and record.birth_date_precision != "unknown":
        return record.birth_date.year
    estimated = getattr(record, "estimated_age", None)
    on = getattr(record, "estimated_age_on", None)
    if estimated is not None and on is not None:
        return int(on.year - estimated)
    return None


def link_contradictions(child: Child, enquiry: Enquiry) -> list[str]:
    """Where a child record and a tracing request contradict each other (empty if nowhere)."""
    differences = []
    if child.sex and enquiry.sex and child.sex != enquiry.sex:
        differences.append(
            _("Sex: the child record says “%(child)s”, the tracing request “%(enquiry)s”.")
            % {"child": child.get_sex_display(), "enquiry": enquiry.get_sex_display()}
        )
    child_year, enquiry_year = _birth_year(child), _birth_year(enquiry)
    if child_year and enquiry_year and abs(child_year - enquiry_year) > MAX_BIRTH_YEAR_GAP:
        differences.append(
            _("Birth year: %(child)d on the child record, %(enquiry)d on the tracing request.")
            % {"child": child_year, "enquiry": enquiry_year}
        )
    return differences


@transaction.atomic
def link_case(
    acting: Acting,
    case: Case,
    *,
    child: Child | None = None,
    enquiry: Enquiry | None = None,
    confirm: bool = False,
) -> Case:
    """Attach the missing side (child or enquiry) to a case.

    A link whose two records contradict each other (sex, birth years far apart) is refused
    with the differences (``confirm`` field) unless ``confirm`` is true; the differences a
    user confirmed are kept in the audit event.
    """
    policy.require(acting.user, "case.create")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not policy.is_visible(acting.user, case):
        raise PermissionDenied("Record not visible.")
    changes: dict[str, Any] = {}
    for field, record in (("child", child), ("enquiry", enquiry)):
        if record is None:
            continue
        if not policy.is_visible(acting.user, record):
            raise PermissionDenied("Record not visible.")
        if getattr(case, f"{field}_id") is not None:
            raise ValidationError({field: f"The case already has a {field}."})
        setattr(case, field, record)
        changes[field] = [None, record.pk]
    if case.child is not None and case.enquiry is not None and changes:
        differences = link_contradictions(case.child, case.enquiry)
        if differences and not confirm:
            raise ValidationError({"confirm": differences}, code="contradiction")
        if differences:
            changes["confirmed_differences"] = [None, differences]
    for field in ("child", "enquiry"):
        record = getattr(case, field)
        if field in changes and record.owner_id != case.owner_id:
            case.shared_with.add(record.owner)
    case.save()
    if changes:
        log_event(acting.audit_actor, "update", "case", case.pk, changes)
    return case


@transaction.atomic
def unlink_case(acting: Acting, case: Case, field: str, reason: str) -> Case:
    """Undo a wrong link (a verifier's correction): the case loses its child or its request.

    Allowed up to *verification*; a case past *tracing* goes back to *tracing*, since the
    match it was in no longer stands. The other side stays; a case never ends up empty.
    """
    policy.require(acting.user, "case.unlink", case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if field not in ("child", "enquiry"):
        raise ValidationError({"field": _("Say which link to undo: child or enquiry.")})
    record_id = getattr(case, f"{field}_id")
    if record_id is None:
        raise ValidationError({"field": _("The case has no such link.")})
    other = "enquiry" if field == "child" else "child"
    if getattr(case, f"{other}_id") is None:
        raise ValidationError({"field": _("A case keeps at least a child or a tracing request.")})
    if case.state not in UNLINKABLE_STATES:
        raise ValidationError(
            {"field": _("Links can be undone only up to verification; this case is past it.")}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the link was wrong.")})
    setattr(case, field, None)
    case.save(update_fields=[field, "updated_at"])
    log_event(
        acting.audit_actor, "update", "case", case.pk,
        {field: [record_id, None], "unlink_reason": [None, reason.strip()]},
    )  # fmt: skip
    if CASE_STATE_ORDER.index(case.state) > CASE_STATE_ORDER.index("tracing"):
        case = _move_case(acting, case, "tracing", note=_("Link undone: %(reason)s") % {
            "reason": reason.strip()
        })  # fmt: skip
    return case


@transaction.atomic
def record_confirmed_match(
    acting: Acting, enquiry: Enquiry, child: Child, *, note: str = ""
) -> Case:
    """A reviewer confirmed that a tracing request and a child are the same child.

    Links the two on the request's open case (opening one, shared with the child's owner, if
    there is none) and moves the case up to *match proposed* (a case already further along
    stays where it is). Allowed to users who may decide on matches (``match.decide``), whose
    decision stands in for the caseworker's step; every change is audited.
    """
    policy.require(acting.user, "match.decide")
    for record in (enquiry, child):
        if not policy.is_visible(acting.user, record):
            raise PermissionDenied("Record not visible.")
    case = (
        Case.objects.select_for_update()
        .filter(enquiry=enquiry, state__in=CASE_STATE_ORDER[:-1])
        .order_by("pk")
        .first()
    )
    if case is not None and case.child_id not in (None, child.pk):
        raise ValidationError(
            f"Tracing request {enquiry.pk} is already linked to child {case.child_id} on case "
            f"{case.reference}; close that case before confirming another child."
        )
    if case is None:
        organization = acting.organization
        case = Case.objects.create(
            owner=enquiry.owner, created_by=acting.user, reference=_next_reference(),
            enquiry=enquiry,
        )  # fmt: skip
        if organization.pk != enquiry.owner_id:
            case.shared_with.add(organization)
        CaseEvent.objects.create(
            case=case, from_state="", to_state=case.state, actor=acting.user,
            organization=organization, note=note or "opened by a confirmed match",
        )  # fmt: skip
        log_event(
            acting.audit_actor, "create", "case", case.pk,
            {
                "reference": [None, case.reference],
                "enquiry": [None, enquiry.pk],
                "state": [None, case.state],
            },
        )  # fmt: skip
    if case.child_id is None:
        case.child = child
        case.save(update_fields=["child", "updated_at"])
        if child.owner_id != case.owner_id:
            case.shared_with.add(child.owner)
        log_event(acting.audit_actor, "update", "case", case.pk, {"child": [None, child.pk]})
    for state in ("tracing", "match_proposed"):
        if CASE_STATE_ORDER.index(case.state) < CASE_STATE_ORDER.index(state):
            case = _move_case(acting, case, state, note=note or "confirmed match")
    return case
