"""The one place that decides who may see or do what.

Views, the REST API and the CLI all ask this module; nothing else compares roles.

Two questions are asked of every request:

1. *Visibility*: a record is visible to its owning organisation and to the organisations it
   is explicitly shared with. Invisible records are reported as "not found", never as
   "forbidden", so an id reveals nothing.
2. *Permission*: the user's role allows the action (``ROLE_PERMISSIONS``), and writes to a
   record are made by its owner only. Case transitions have their own table
   (``TRANSITION_ROLES``), since the parties move a shared case along together.

The restricted details of a child (current location, custodian, institution) and an
enquirer's contact details are shown only to roles that need them (``RESTRICTED_ROLES``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from reunite.accounts.models import Membership, Organization, Role

CASEWORKER, VERIFIER, COORDINATOR = Role.CASEWORKER, Role.VERIFIER, Role.COORDINATOR
TRANSFER_OFFICER, AUDITOR, ADMINISTRATOR = Role.TRANSFER_OFFICER, Role.AUDITOR, Role.ADMINISTRATOR

_READ_RECORDS = {"child.view", "enquiry.view", "person.view", "case.view"}
# Matching (reunite.matching): run linkage, see the review queue, decide on candidate pairs.
_MATCH_RUN, _MATCH_REVIEW, _MATCH_DECIDE = "match.run", "match.review", "match.decide"
# Verification (reunite.verification): evidence, DNA kinship, four-eyes approval, best interests.
_EVIDENCE_VIEW, _EVIDENCE_ADD = "evidence.view", "evidence.add"
_KINSHIP_RUN, _REL_APPROVE, _REL_COUNTERSIGN = (
    "kinship.run",
    "relationship.approve",
    "relationship.countersign",
)
_BID_VIEW, _BID_RECORD = "bid.view", "bid.record"
# Follow-up after reunification (reunite.reunification): see the plan; plan and record visits.
_FOLLOWUP_VIEW, _FOLLOWUP_MANAGE = "followup.view", "followup.manage"

# Actions each role may take (on records its organisation can see).
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    CASEWORKER: frozenset(
        _READ_RECORDS
        | {
            "child.create", "child.change", "enquiry.create", "enquiry.change",
            "person.create", "person.change", "case.create", "case.assign", "record.share",
            "attachment.add", "records.import", "records.export",
            _MATCH_RUN, _MATCH_REVIEW, _EVIDENCE_VIEW, _EVIDENCE_ADD, _BID_VIEW, _BID_RECORD,
            _FOLLOWUP_VIEW, _FOLLOWUP_MANAGE,
        }
    ),
    VERIFIER: frozenset(
        _READ_RECORDS
        | {
            _MATCH_REVIEW, _MATCH_DECIDE, _EVIDENCE_VIEW, _EVIDENCE_ADD, _KINSHIP_RUN,
            _REL_APPROVE, _BID_VIEW, _FOLLOWUP_VIEW, "case.unlink",
        }
    ),
    COORDINATOR: frozenset(
        _READ_RECORDS
        | {
            "case.create", "case.assign", "record.share", "records.export", _MATCH_RUN,
            _MATCH_REVIEW,
            _EVIDENCE_VIEW, _REL_COUNTERSIGN, _BID_VIEW, _BID_RECORD, _FOLLOWUP_VIEW,
        }
    ),
    TRANSFER_OFFICER: frozenset(_READ_RECORDS | {_BID_VIEW, _FOLLOWUP_VIEW}),
    AUDITOR: frozenset(
        _READ_RECORDS
        | {"audit.view", "audit.verify", _MATCH_REVIEW, _EVIDENCE_VIEW, _BID_VIEW, _FOLLOWUP_VIEW}
    ),
    ADMINISTRATOR: frozenset(
        _READ_RECORDS
        | {
            "child.delete", "enquiry.delete", "person.delete", "users.manage",
            "audit.view", "audit.verify", "records.import",
        }
    ),
}  # fmt: skip

# The direct channel (reunite.exchange): see peers and bundles, send lists of sought
# children, answer the other party's lists, write on threads, sign joint reports.
EXCHANGE_VIEW, EXCHANGE_LIST_SEND, EXCHANGE_LIST_ANSWER = (
    "exchange.view",
    "exchange.list_send",
    "exchange.list_answer",
)
EXCHANGE_MESSAGE, EXCHANGE_REPORT_SIGN = "exchange.message", "exchange.report_sign"
EXCHANGE_CASE_SHARE = "exchange.case_share"
_EXCHANGE_PERMISSIONS: dict[str, frozenset[str]] = {
    CASEWORKER: frozenset(
        {EXCHANGE_VIEW, EXCHANGE_LIST_SEND, EXCHANGE_LIST_ANSWER, EXCHANGE_MESSAGE,
         EXCHANGE_CASE_SHARE}
    ),
    VERIFIER: frozenset({EXCHANGE_VIEW, EXCHANGE_MESSAGE, EXCHANGE_REPORT_SIGN}),
    COORDINATOR: frozenset(
        {EXCHANGE_VIEW, EXCHANGE_LIST_SEND, EXCHANGE_MESSAGE, EXCHANGE_CASE_SHARE}
    ),
    AUDITOR: frozenset({EXCHANGE_VIEW}),
    ADMINISTRATOR: frozenset({EXCHANGE_VIEW}),
}
ROLE_PERMISSIONS = {
    role: actions | _EXCHANGE_PERMISSIONS.get(role, frozenset())
    for role, actions in ROLE_PERMISSIONS.items()
}
# Reunification rounds (reunite.reunification.rounds): coordinators plan rounds and
# transfers; transfer officers plan itineraries and confirm handovers; manifests go to both.
_ROUND_PERMISSIONS: dict[str, frozenset[str]] = {
    COORDINATOR: frozenset({"round.view", "round.plan", "transfer.plan", "manifest.view",
                            "stats.view", "stats.export"}),
    TRANSFER_OFFICER: frozenset({"round.view", "transfer.plan", "handover.confirm",
                                 "manifest.view", "stats.view"}),
    # A caseworker of the receiving party confirms the legal representative's receipt.
    CASEWORKER: frozenset({"round.view", "stats.view", "handover.confirm"}),
    VERIFIER: frozenset({"round.view"}),
    AUDITOR: frozenset({"round.view", "stats.view"}),
}
for _role, _allowed in _ROUND_PERMISSIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _allowed

# Actions that change a record: only its owning organisation may take them.
OWNER_ONLY = frozenset(
    {
        "child.change", "child.delete", "enquiry.change", "enquiry.delete",
        "person.change", "person.delete", "record.share", "attachment.add",
    }
)  # fmt: skip

# Roles that see where a child is and who holds them, and how to reach an enquirer.
RESTRICTED_ROLES = frozenset({CASEWORKER, COORDINATOR, TRANSFER_OFFICER})

# Fields of those records that only RESTRICTED_ROLES see (also hidden in record histories).
RESTRICTED_FIELDS = frozenset({"custodian", "institution", "current_location", "contact"})

# Who may move a case into each state (one step forward at a time).
TRANSITION_ROLES: dict[str, frozenset[str]] = {
    "tracing": frozenset({CASEWORKER}),
    "match_proposed": frozenset({CASEWORKER, COORDINATOR}),
    "verification": frozenset({VERIFIER, COORDINATOR}),
    "best_interests": frozenset({VERIFIER}),
    "approved": frozenset({COORDINATOR}),
    "scheduled": frozenset({COORDINATOR, TRANSFER_OFFICER}),
    "in_transit": frozenset({TRANSFER_OFFICER}),
    "reunified": frozenset({TRANSFER_OFFICER}),
    "follow_up": frozenset({CASEWORKER}),
    "closed": frozenset({CASEWORKER, COORDINATOR}),
}


def membership_of(user: Any) -> Membership | None:
    """The user's membership, or None for anonymous, inactive or unattached users."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.membership  # type: ignore[no-any-return]
    except Membership.DoesNotExist:
        return None


def role_of(user: Any) -> str | None:
    membership = membership_of(user)
    return membership.role if membership else None


def organization_of(user: Any) -> Organization | None:
    membership = membership_of(user)
    return membership.organization if membership else None


def has_permission(user: Any, action: str) -> bool:
    """Whether the user's role allows the action at all (ignoring which record)."""
    role = role_of(user)
    return role is not None and action in ROLE_PERMISSIONS.get(role, frozenset())


def is_visible(user: Any, record: Model) -> bool:
    """Whether the record is owned by, or shared with, the user's organisation."""
    organization = organization_of(user)
    if organization is None:
        return False
    owner_id = getattr(record, "owner_id", None)
    if owner_id == organization.pk:
        return True
    if record.pk is None:
        return False
    return record.shared_with.filter(pk=organization.pk).exists()  # type: ignore[attr-defined]


def can(user: Any, action: str, record: Model | None = None) -> bool:
    """Whether the user may take the action, on the record if one is given."""
    if not has_permission(user, action):
        return False
    if record is None:
        return True
    if not is_visible(user, record):
        return False
    if action in OWNER_ONLY:
        organization = organization_of(user)
        return organization is not None and record.owner_id == organization.pk  # type: ignore[attr-defined]
    return True


def can_see_restricted(user: Any, record: Model) -> bool:
    """Whether the user may see a child's location and custodian, or an enquirer's contact."""
    return role_of(user) in RESTRICTED_ROLES and is_visible(user, record)


def visible(user: Any, queryset: QuerySet) -> QuerySet:
    """Narrow a queryset of owned records to those the user's organisation can see."""
    organization = organization_of(user)
    if organization is None or not has_permission(user, f"{queryset.model._meta.model_name}.view"):
        return queryset.none()
    return queryset.filter(Q(owner=organization) | Q(shared_with=organization)).distinct()


def get_visible_or_404(user: Any, queryset: QuerySet, pk: Any, action: str = "") -> Model:
    """Fetch one record for the user: 404 when missing or invisible, 403 when not allowed.

    This is the only way views, the API and the CLI look a record up by id.
    """
    try:
        record = visible(user, queryset).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        # OverflowError: an id beyond a database integer does not exist either.
        raise Http404("No such record.") from exc
    if action and not can(user, action, record):
        raise PermissionDenied("Your role does not allow this.")
    return record  # type: ignore[no-any-return]


def allowed_transitions(user: Any, case: Any) -> list[str]:
    """The states this user may move the case into now."""
    if not is_visible(user, case) or not case.is_open:
        return []
    role = role_of(user)
    options = []
    nxt = case.next_state
    if nxt and nxt != "closed" and role in TRANSITION_ROLES[nxt]:
        options.append(nxt)
    if role in TRANSITION_ROLES["closed"]:
        options.append("closed")
    return options


def can_be_assigned(user: Any, case: Any) -> bool:
    """Whether the user may carry the case: a caseworker of a party that can see it."""
    return role_of(user) == CASEWORKER and is_visible(user, case)


def sees_coordination_summary(user: Any, case: Any) -> bool:
    """Whether the user sees the minimum of a case's child and request to coordinate it.

    A mediator's coordinator countersigns and plans cases shared with the mediator without
    the child's or the request's own record being shared: they see the names, age,
    direction, state and verification status on the case, nothing else (no location,
    custodian, contact, notes or history of those records).
    """
    return is_mediator_coordinator(user) and is_visible(user, case)


def is_mediator_coordinator(user: Any) -> bool:
    """A coordinator of a mediator organisation (who coordinates the cases shared with it)."""
    organization = organization_of(user)
    return role_of(user) == COORDINATOR and organization is not None and organization.is_mediator


def require(user: Any, action: str, record: Model | None = None) -> None:
    """Raise PermissionDenied unless ``can(user, action, record)``."""
    if not can(user, action, record):
        raise PermissionDenied("Your role does not allow this.")


def visible_jobs(user: Any, queryset: QuerySet) -> QuerySet:
    """Background jobs (``reunite.jobs``) a user may follow: their own and their
    organisation's (a job's page shows progress and a summary, never child data)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    organization = organization_of(user)
    mine = Q(owner=user)
    if organization is not None:
        mine |= Q(organization=organization)
    return queryset.filter(mine)
