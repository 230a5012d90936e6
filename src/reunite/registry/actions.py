"""Every write to the registry: checked against the policy, audited in the same transaction.

Views, the API, the importer and the CLI call these functions and never save records
themselves (the Zulip "actions" rule). Each function takes an ``Acting`` (the user, their
organisation and the request id) first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone

from reunite.accounts import policy
from reunite.accounts.models import Organization
from reunite.audit.log import Actor, log_event
from reunite.registry.models import (
    CASE_STATE_ORDER,
    Attachment,
    Case,
    CaseEvent,
    CaseState,
    Child,
    ChildName,
    ClosingReason,
    Enquiry,
    IdentityDocument,
    Person,
)
from reunite.registry.search import search_text_for


@dataclass(frozen=True)
class Acting:
    """A user acting for their organisation within one request (or CLI run)."""

    user: Any
    request_id: str

    @property
    def organization(self) -> Organization:
        organization = policy.organization_of(self.user)
        if organization is None:
            raise PermissionDenied("This account does not belong to an organisation.")
        return organization

    @property
    def audit_actor(self) -> Actor:
        organization = policy.organization_of(self.user)
        return Actor(
            user_id=self.user.pk,
            username=self.user.get_username(),
            organization=organization.short_name if organization else "",
            request_id=self.request_id,
        )

    @classmethod
    def from_request(cls, request: Any) -> Acting:
        return cls(user=request.user, request_id=getattr(request, "request_id", ""))


class StaleRecord(Exception):
    """The record changed since the caller read it (optimistic locking): nothing was saved.

    ``current`` is the record as stored now; its ``version`` is what to base a retry on.
    """

    def __init__(self, current: Model) -> None:
        self.current = current
        super().__init__(
            f"{current._meta.verbose_name} #{current.pk} was changed by someone else "
            f"(now version {getattr(current, 'version', '?')})"
        )


def _check_version(record: Model, expected_version: int | None) -> None:
    if expected_version is not None and getattr(record, "version", None) != expected_version:
        raise StaleRecord(record)


def _bump_version(record: Model) -> None:
    """Count one more saved change; refuse if another transaction got there first.

    The conditional UPDATE is the check that holds where row locks are not available
    (SQLite ignores ``select_for_update``).
    """
    model = type(record)
    version = getattr(record, "version")  # noqa: B009
    if not model._default_manager.filter(pk=record.pk, version=version).update(
        version=F("version") + 1
    ):
        raise StaleRecord(model._default_manager.get(pk=record.pk))
    record.version = version + 1  # type: ignore[attr-defined]


CHILD_FIELDS = (
    "record_id", "sex", "birth_date", "birth_date_precision", "estimated_age",
    "estimated_age_on", "birth_place", "separation_date", "separation_date_precision",
    "separation_place", "custodian", "institution", "current_location", "current_region",
    "citizenships", "legal_status", "personal_status_altered", "altered_fields",
    "consent_for_tracing", "sibling_group", "mother_name", "father_name", "notes",
)  # fmt: skip
NAME_FIELDS = (
    "surname", "given_name", "patronymic", "full_name", "script", "language", "source",
    "is_primary",
)  # fmt: skip
ENQUIRY_FIELDS = (
    "record_id", "enquirer_relationship", "surname", "given_name", "patronymic", "full_name",
    "other_names", "sex", "birth_date", "birth_date_precision", "birth_place",
    "separation_date", "separation_date_precision", "separation_place", "circumstances",
    "mother_name", "father_name", "consent_for_tracing", "notes",
)  # fmt: skip
PERSON_FIELDS = (
    "record_id", "surname", "given_name", "patronymic", "full_name", "other_names", "sex",
    "birth_date", "contact", "notes",
)  # fmt: skip


def snapshot(record: Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as ``{field: [before, after]}``."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def _apply(record: Model, fields: Mapping[str, Any], allowed: Sequence[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(record, name, value)


def _names_snapshot(child: Child) -> list[dict[str, Any]]:
    return [snapshot(n, NAME_FIELDS) for n in child.names.all()]


def _refresh_child_search(child: Child) -> None:
    child.search_text = _search_text_of(list(child.names.all()))
    child.save(update_fields=["search_text"])


def _enquiry_search_names(enquiry: Enquiry) -> list[str]:
    return [
        enquiry.surname, enquiry.given_name, enquiry.patronymic, enquiry.full_name,
        *enquiry.other_names,
    ]  # fmt: skip


def _name_rows(child: Child, names: Sequence[Mapping[str, Any]]) -> list[ChildName]:
    """Validated ChildName objects (unsaved); the first is primary unless one says so."""
    rows = []
    has_primary = any(n.get("is_primary") for n in names)
    for index, data in enumerate(names):
        name = ChildName(child=child)
        _apply(name, data, NAME_FIELDS)
        if index == 0 and not has_primary:
            name.is_primary = True
        name.full_clean(exclude=["child"])
        rows.append(name)
    return rows


def _search_text_of(rows: Sequence[ChildName]) -> str:
    return search_text_for(
        part for n in rows for part in (n.surname, n.given_name, n.patronymic, n.full_name)
    )


def _replace_names(child: Child, names: Sequence[Mapping[str, Any]]) -> None:
    rows = _name_rows(child, names)
    child.names.all().delete()
    ChildName.objects.bulk_create(rows)
    child.search_text = _search_text_of(rows)
    child.save(update_fields=["search_text"])


def _check_names(names: Sequence[Mapping[str, Any]]) -> None:
    if not names or not any(
        (n.get("surname") or n.get("given_name") or n.get("full_name")) for n in names
    ):
        raise ValidationError(
            {"names": "Give at least one name (a surname, given name or full name)."}
        )


# Children ---------------------------------------------------------------------------------


@transaction.atomic
def create_child(
    acting: Acting, fields: Mapping[str, Any], names: Sequence[Mapping[str, Any]]
) -> Child:
    policy.require(acting.user, "child.create")
    _check_names(names)
    child = Child(owner=acting.organization, created_by=acting.user)
    _apply(child, fields, CHILD_FIELDS)
    child.full_clean(exclude=["owner"])
    rows = _name_rows(child, names)
    child.search_text = _search_text_of(rows)
    child.save()
    for row in rows:
        row.child = child
    ChildName.objects.bulk_create(rows)
    after = snapshot(child, CHILD_FIELDS)
    changes = {k: [None, v] for k, v in after.items() if v not in (None, "", [], False)}
    changes["names"] = [None, [snapshot(n, NAME_FIELDS) for n in rows]]
    log_event(acting.audit_actor, "create", "child", child.pk, changes)
    return child


@transaction.atomic
def update_child(
    acting: Acting,
    child: Child,
    fields: Mapping[str, Any],
    names: Sequence[Mapping[str, Any]] | None = None,
    *,
    expected_version: int | None = None,
) -> Child:
    """Change a child's fields (and, when given, replace its names).

    ``expected_version``: the version the caller's copy was read at; if the child changed
    since, :class:`StaleRecord` is raised and nothing is saved.
    """
    policy.require(acting.user, "child.change", child)
    child = Child.objects.select_for_update().get(pk=child.pk)
    _check_version(child, expected_version)
    before = snapshot(child, CHILD_FIELDS)
    names_before = _names_snapshot(child)
    _apply(child, fields, CHILD_FIELDS)
    child.full_clean(exclude=["owner"])
    child.save()
    changes = diff(before, snapshot(child, CHILD_FIELDS))
    if names is not None:
        _check_names(names)
        _replace_names(child, names)
        names_after = _names_snapshot(child)
        if names_after != names_before:
            changes["names"] = [names_before, names_after]
    if changes:
        _bump_version(child)
        log_event(acting.audit_actor, "update", "child", child.pk, changes)
    return child


@transaction.atomic
def add_child_name(acting: Acting, child: Child, name: Mapping[str, Any]) -> Child:
    """Append one name (alias) to a child, keeping every other name as stored now.

    Concurrent appends are serialised on the child's row, so none is lost (a client that
    read-modify-writes the whole list instead must send the version it read).
    """
    policy.require(acting.user, "child.change", child)
    child = Child.objects.select_for_update().get(pk=child.pk)
    if not (name.get("surname") or name.get("given_name") or name.get("full_name")):
        raise ValidationError(
            {"names": "Give at least one name (a surname, given name or full name)."}
        )
    names_before = _names_snapshot(child)
    (row,) = _name_rows(child, [{**name, "is_primary": False}])
    row.save()
    rows = list(child.names.all())
    child.search_text = _search_text_of(rows)
    child.save(update_fields=["search_text"])
    _bump_version(child)
    log_event(
        acting.audit_actor, "update", "child", child.pk,
        {"names": [names_before, _names_snapshot(child)]},
    )  # fmt: skip
    return child


@transaction.atomic
def delete_child(acting: Acting, child: Child) -> None:
    policy.require(acting.user, "child.delete", child)
    child = Child.objects.select_for_update().get(
        pk=child.pk
    )  # audit what is stored, not a stale copy
    if child.cases.exists():
        raise ValidationError("This child is part of a case; close the case instead of deleting.")
    before = snapshot(child, CHILD_FIELDS)
    before["names"] = _names_snapshot(child)
    pk = child.pk
    child.delete()
    log_event(acting.audit_actor, "delete", "child", pk, {k: [v, None] for k, v in before.items()})


def record_view(acting: Acting, record: Model, *, restricted_shown: bool = False) -> None:
    """Audit that the user saw a record (and whether its restricted details were shown)."""
    changes = {"restricted_shown": restricted_shown} if restricted_shown else {}
    log_event(acting.audit_actor, "view", record._meta.model_name or "", record.pk, changes)


def record_list(acting: Acting, object_type: str, ids: Sequence[int], query: str = "") -> None:
    """Audit that a list of records was shown (their ids and the search used)."""
    log_event(acting.audit_actor, "list", object_type, "", {"ids": list(ids), "query": query})


# Persons and enquiries --------------------------------------------------------------------


@transaction.atomic
def create_person(acting: Acting, fields: Mapping[str, Any]) -> Person:
    policy.require(acting.user, "person.create")
    person = Person(owner=acting.organization, created_by=acting.user)
    _apply(person, fields, PERSON_FIELDS)
    person.full_clean(exclude=["owner"])
    if not (person.surname or person.given_name or person.full_name):
        raise ValidationError({"surname": "Give the person's name."})
    person.save()
    after = snapshot(person, PERSON_FIELDS)
    log_event(
        acting.audit_actor, "create", "person", person.pk,
        {k: [None, v] for k, v in after.items() if v not in (None, "", [])},
    )  # fmt: skip
    return person


@transaction.atomic
def update_person(
    acting: Acting,
    person: Person,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Person:
    policy.require(acting.user, "person.change", person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_version(person, expected_version)
    before = snapshot(person, PERSON_FIELDS)
    _apply(person, fields, PERSON_FIELDS)
    person.full_clean(exclude=["owner"])
    person.save()
    changes = diff(before, snapshot(person, PERSON_FIELDS))
    if changes:
        _bump_version(person)
        log_event(acting.audit_actor, "update", "person", person.pk, changes)
    return person


@transaction.atomic
def delete_person(acting: Acting, person: Person) -> None:
    policy.require(acting.user, "person.delete", person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.enquiries.exists():
        raise ValidationError("This person made an enquiry; delete the enquiry first.")
    before = snapshot(person, PERSON_FIELDS)
    pk = person.pk
    person.delete()
    log_event(acting.audit_actor, "delete", "person", pk, {k: [v, None] for k, v in before.items()})


@transaction.atomic
def create_enquiry(
    acting: Acting, fields: Mapping[str, Any], enquirer: Mapping[str, Any] | Person
) -> Enquiry:
    policy.require(acting.user, "enquiry.create")
    if isinstance(enquirer, Person):
        policy.require(acting.user, "person.change", enquirer)
        person = enquirer
    else:
        person = create_person(acting, enquirer)
    enquiry = Enquiry(owner=acting.organization, created_by=acting.user, enquirer=person)
    _apply(enquiry, fields, ENQUIRY_FIELDS)
    if not (enquiry.surname or enquiry.given_name or enquiry.full_name):
        raise ValidationError(
            {"surname": "Give at least the sought child's surname, given name or full name."}
        )
    enquiry.search_text = search_text_for(_enquiry_search_names(enquiry))
    enquiry.full_clean(exclude=["owner", "enquirer"])
    enquiry.save()
    after = snapshot(enquiry, ENQUIRY_FIELDS)
    changes = {k: [None, v] for k, v in after.items() if v not in (None, "", [], False)}
    changes["enquirer"] = [None, person.pk]
    log_event(acting.audit_actor, "create", "enquiry", enquiry.pk, changes)
    return enquiry


@transaction.atomic
def update_enquiry(
    acting: Acting,
    enquiry: Enquiry,
    fields: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Enquiry:
    policy.require(acting.user, "enquiry.change", enquiry)
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    _check_version(enquiry, expected_version)
    before = snapshot(enquiry, ENQUIRY_FIELDS)
    _apply(enquiry, fields, ENQUIRY_FIELDS)
    enquiry.search_text = search_text_for(_enquiry_search_names(enquiry))
    enquiry.full_clean(exclude=["owner", "enquirer"])
    enquiry.save()
    changes = diff(before, snapshot(enquiry, ENQUIRY_FIELDS))
    if changes:
        _bump_version(enquiry)
        log_event(acting.audit_actor, "update", "enquiry", enquiry.pk, changes)
    return enquiry


@transaction.atomic
def delete_enquiry(acting: Acting, enquiry: Enquiry) -> None:
    policy.require(acting.user, "enquiry.delete", enquiry)
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if enquiry.cases.exists():
        raise ValidationError("This enquiry is part of a case; close the case instead of deleting.")
    before = snapshot(enquiry, ENQUIRY_FIELDS)
    pk = enquiry.pk
    enquiry.delete()
    log_event(
        acting.audit_actor, "delete", "enquiry", pk, {k: [v, None] for k, v in before.items()}
    )


# Sharing and files --------------------------------------------------------------------------


@transaction.atomic
def share_record(
    acting: Acting, record: Child | Enquiry | Person | Case, organization: Organization
) -> None:
    """Share a record with another organisation (only its owner can)."""
    policy.require(acting.user, "record.share", record)
    if organization.pk == record.owner_id:
        return
    if record.shared_with.filter(pk=organization.pk).exists():
        return
    record.shared_with.add(organization)
    log_event(
        acting.audit_actor, "share", record._meta.model_name or "", record.pk,
        {"shared_with": [None, organization.short_name]},
    )  # fmt: skip


def _sniff_content_type(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


@transaction.atomic
def add_attachment(
    acting: Acting,
    record: Child | Enquiry,
    upload: UploadedFile,
    kind: str,
    description: str = "",
) -> Attachment:
    """Store a photo or document: size- and type-checked (by content, not name), checksummed."""
    policy.require(acting.user, "attachment.add", record)
    limit = settings.REUNITE_MAX_ATTACHMENT_BYTES
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": "The file is empty."})
    if upload.size > limit:
        raise ValidationError({"file": f"The file is larger than {limit // (1024 * 1024)} MB."})
    upload.seek(0)
    content_type = _sniff_content_type(upload.read(16))
    if content_type not in settings.REUNITE_ATTACHMENT_TYPES:
        raise ValidationError({"file": "Only JPEG, PNG and PDF files are accepted."})
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": f"Unknown kind {kind!r}."})
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        kind=kind,
        description=description[:200],
        original_name=(upload.name or "file")[-200:],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=acting.user,
        **({"child": record} if isinstance(record, Child) else {"enquiry": record}),
    )
    attachment.file.save(f"{digest.hexdigest()[:16]}.bin", upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)  # leave no orphan file behind
        raise
    log_event(
        acting.audit_actor, "create", "attachment", attachment.pk,
        {
            "record": [None, f"{record._meta.model_name}:{record.pk}"],
            "sha256": [None, attachment.sha256], "size": [None, attachment.size],
            "kind": [None, kind],
        },
    )  # fmt: skip
    return attachment


# Cases ------------------------------------------------------------------------------------


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
TRANSITION_GUARDS: dict[str, list[Callable[[Case], list[str]]]] = {}


def register_transition_guard(state: str, guard: Callable[[Case], list[str]]) -> None:
    guards = TRANSITION_GUARDS.setdefault(state, [])
    if guard not in guards:
        guards.append(guard)


def missing_for_transition(case: Case, to_state: str) -> list[str]:
    """What still stops the case from entering ``to_state`` (empty when nothing does)."""
    missing: list[str] = []
    for guard in TRANSITION_GUARDS.get(to_state, []):
        missing += guard(case)
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
    missing = missing_for_transition(case, to_state)
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
    return case


@transaction.atomic
def link_case(
    acting: Acting, case: Case, *, child: Child | None = None, enquiry: Enquiry | None = None
) -> Case:
    """Attach the missing side (child or enquiry) to a case."""
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
        if record.owner_id != case.owner_id:
            case.shared_with.add(record.owner)
    case.save()
    if changes:
        log_event(acting.audit_actor, "update", "case", case.pk, changes)
    return case


def rebuild_search_index(progress: Any = None) -> int:
    """Recompute every child's and enquiry's search keys (after the names engine changed).

    Search keys are derived from names already audited, so only one summary event is logged.
    """
    count = 0
    with transaction.atomic():
        children = Child.objects.prefetch_related("names")
        enquiries = Enquiry.objects.all()
        total = children.count() + enquiries.count()
        for child in children.iterator(chunk_size=500):
            _refresh_child_search(child)
            count += 1
            if progress:
                progress(count, total)
        for enquiry in enquiries.iterator(chunk_size=500):
            enquiry.search_text = search_text_for(_enquiry_search_names(enquiry))
            enquiry.save(update_fields=["search_text"])
            count += 1
            if progress:
                progress(count, total)
        log_event(Actor.system("reindex"), "update", "search_index", "", {"records": count})
    return count


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


_DOCUMENT_FIELDS = ("kind", "number", "issuing_country", "issued_on")


@transaction.atomic
def add_identity_document(
    acting: Acting, child: Child, fields: Mapping[str, Any]
) -> IdentityDocument:
    """Record an identity document of a child (birth certificate, passport …)."""
    policy.require(acting.user, "child.change", child)
    document = IdentityDocument(child=child)
    _apply(document, fields, _DOCUMENT_FIELDS)
    document.full_clean()
    document.save()
    log_event(
        acting.audit_actor, "update", "child", child.pk,
        {"identity_document": [None, {k: fields.get(k) for k in _DOCUMENT_FIELDS}]},
    )  # fmt: skip
    return document
