"""Every write to the registry: checked against the policy, audited in the same transaction.

Views, the API, the importer and the CLI call these functions and never save records
themselves (the Zulip "actions" rule). Each function takes an ``Acting``
(``reunite.core.acting``: the user, their organisation and the request id) first. Cases
have their own actions in ``reunite.cases.actions``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from reunite import bulk_insert
from reunite.accounts import policy
from reunite.accounts.models import Organization
from reunite.audit.log import Actor, log_event, log_events
from reunite.core.acting import Acting
from reunite.core.locking import StaleRecord, bump_version, check_version
from reunite.registry.models import (
    Attachment,
    Child,
    ChildName,
    Enquiry,
    IdentityDocument,
    OwnedRecord,
    Person,
)
from reunite.registry.search import search_text_for

__all__ = ["StaleRecord"]  # re-exported: callers of the update actions catch it from here


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


@functools.cache
def _field_rules(model: type[Model]) -> dict[str, tuple[str, int | None, frozenset[Any] | None,
                                                     bool, bool, Any]]:
    """Per field: (kind, max_length, choices, blank, null, field) for :func:`clean_is_needed`."""
    rules = {}
    for field in model._meta.concrete_fields:
        internal = field.get_internal_type()
        if internal in ("CharField", "TextField"):
            kind = "str"
        elif internal == "DateField":
            kind = "date"
        elif internal in ("PositiveSmallIntegerField", "PositiveIntegerField", "IntegerField"):
            kind = "int"
        elif internal == "BooleanField":
            kind = "bool"
        else:
            kind = "other"
        choices = frozenset(v for v, _ in field.flatchoices) if field.choices else None
        rules[field.name] = (kind, field.max_length, choices, field.blank, field.null, field)
    return rules


def clean_is_needed(model: type[Model], values: Mapping[str, Any]) -> bool:
    """False when ``values`` certainly pass the model's field validation.

    The model's own ``full_clean`` costs about half a millisecond per row; a national
    list of 200,000 rows is checked twice (before and while writing). This checks the
    same rules for the plain field types the registry uses (length, choices, blank, null,
    type, integer bounds) in a few microseconds; anything else, and any value that fails,
    answers True so that ``full_clean`` runs and gives Django's own messages.
    """
    rules = _field_rules(model)
    for name, value in values.items():
        rule = rules.get(name)
        if rule is None:
            return True
        kind, max_length, choices, blank, null, field = rule
        if kind == "str" and type(value) is str:  # the common case, first
            if not value:
                if not blank:
                    return True
                continue
            if (max_length is not None and len(value) > max_length) or "\x00" in value:
                return True
            if choices is not None and value not in choices:
                return True
            continue
        if value is None:
            if not null:
                return True
            continue
        if value == "" and kind == "str":
            if not blank:
                return True
            continue
        if kind == "str":
            if not isinstance(value, str) or "\x00" in value:
                return True
            if max_length is not None and len(value) > max_length:
                return True
        elif kind == "date":
            if type(value) is not dt.date:
                return True
        elif kind == "int":
            if type(value) is not int:
                return True
            try:
                field.run_validators(value)
            except ValidationError:
                return True
        elif kind == "bool":
            if type(value) is not bool:
                return True
        else:
            return True
        if choices is not None and value not in choices:
            return True
    return False


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
def create_children(
    acting: Acting, items: Sequence[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]]
) -> list[int]:
    """Create many children at once: ``items`` are ``(fields, names)`` as for create_child.

    The same checks, the same rows and the same audit events (one ``create`` per child, in
    the hash chain) as calling :func:`create_child` for each, written with one insert per
    table and batch (``reunite.bulk_insert``): this is what lets a national list be
    imported at thousands of rows a second. Returns the new children's ids, in order.
    """
    policy.require(acting.user, "child.create")
    organization = acting.organization
    if not items:
        return []
    child_template = bulk_insert.defaults(Child, owner=organization, created_by=acting.user)
    name_template = bulk_insert.defaults(ChildName)
    now = timezone.now()
    child_template["created_at"] = child_template["updated_at"] = now
    pks = bulk_insert.reserve_ids(Child, len(items))
    children: list[dict[str, Any]] = []
    names_out: list[dict[str, Any]] = []
    events: list[tuple[str, str, int, dict[str, Any]]] = []
    for pk, (fields, names) in zip(pks, items, strict=True):
        _check_names(names)
        unknown = set(fields) - set(CHILD_FIELDS)
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        if clean_is_needed(Child, fields):
            child = Child(owner=organization, created_by=acting.user)
            _apply(child, fields, CHILD_FIELDS)
            child.full_clean(exclude=["owner"])
            values = {**child_template, **{f: getattr(child, f) for f in CHILD_FIELDS}}
        else:
            values = {**child_template, **fields}
        values["id"] = pk
        rows = _quick_name_values(names, name_template, pk)
        values["search_text"] = search_text_for(
            part for n in rows for part in (n["surname"], n["given_name"], n["patronymic"],
                                            n["full_name"])
        )  # fmt: skip
        children.append(values)
        names_out += rows
        changes: dict[str, Any] = {}
        for k in CHILD_FIELDS:  # what create_child records: every value that is not empty
            v = values[k]
            if v is not None and v != "" and v is not False and v != 0 and v != []:
                changes[k] = [None, v]
        changes["names"] = [None, [{f: n[f] for f in NAME_FIELDS} for n in rows]]
        events.append(("create", "child", pk, changes))
    bulk_insert.insert_values(Child, children, with_pk=True)
    bulk_insert.insert_values(ChildName, names_out, with_pk=False)
    log_events(acting.audit_actor, events)
    return pks


def _quick_name_values(
    names: Sequence[Mapping[str, Any]], template: Mapping[str, Any], child_id: int
) -> list[dict[str, Any]]:
    """A child's names as row values, validated like :func:`_name_rows` (the first is primary
    unless one says so)."""
    rows = []
    has_primary = any(n.get("is_primary") for n in names)
    for index, data in enumerate(names):
        unknown = set(data) - set(NAME_FIELDS)
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        values = {**template, **data, "child_id": child_id}
        if index == 0 and not has_primary:
            values["is_primary"] = True
        if clean_is_needed(ChildName, data):
            name = ChildName(**data)
            name.full_clean(exclude=["child"])
            values.update({f: getattr(name, f) for f in NAME_FIELDS})
        rows.append(values)
    return rows


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
    check_version(child, expected_version)
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
        bump_version(child)
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
    bump_version(child)
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
    check_version(person, expected_version)
    before = snapshot(person, PERSON_FIELDS)
    _apply(person, fields, PERSON_FIELDS)
    person.full_clean(exclude=["owner"])
    person.save()
    changes = diff(before, snapshot(person, PERSON_FIELDS))
    if changes:
        bump_version(person)
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
    check_version(enquiry, expected_version)
    before = snapshot(enquiry, ENQUIRY_FIELDS)
    _apply(enquiry, fields, ENQUIRY_FIELDS)
    enquiry.search_text = search_text_for(_enquiry_search_names(enquiry))
    enquiry.full_clean(exclude=["owner", "enquirer"])
    enquiry.save()
    changes = diff(before, snapshot(enquiry, ENQUIRY_FIELDS))
    if changes:
        bump_version(enquiry)
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
def share_record(acting: Acting, record: OwnedRecord, organization: Organization) -> None:
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
