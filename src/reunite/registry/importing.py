"""Import a list file of children or tracing requests (CSV or XLSX, interchange format).

The Django side of ``reunite import children|enquiries`` (and of any web upload): it turns
validated interchange rows into registry records through ``reunite.registry.actions``, so
every record is permission-checked and audited like one typed in by hand.

The import is all or nothing:

1. :func:`reunite.interchange.read_file` validates every row of the file (format, encoding,
   dates, enumerations, duplicate ids, limits). A bad file is refused with every problem.
2. Every row is then checked against the registry: a name to file the record under, an
   enquirer and a known relationship for a tracing request, field lengths the database
   keeps, and ids that already exist for the organisation (refused, or updated with
   ``update=True``). Again every problem is listed, and nothing is written.
3. The rows are written in one transaction, followed by one ``import`` audit event. Any
   failure on the way (a crash included) rolls the whole import back: the database, the
   audit trail included, is exactly as it was.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import pickle
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Literal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model

from reunite.accounts import policy
from reunite.accounts.models import Organization
from reunite.audit.log import log_event
from reunite.core.acting import Acting
from reunite.interchange import (
    ALL_COLUMNS,
    RELATIONSHIP_WORDS,
    InterchangeError,
    InterchangeRecord,
    Problem,
    ReadResult,
    columns_for,
    known_relationship,
    open_records,
)
from reunite.registry import actions
from reunite.registry.actions import NAME_FIELDS, clean_is_needed
from reunite.registry.exporting import (
    LIST_KINDS,
    MODEL_OF,
    OBJECT_TYPE,
    ListKind,
    current_estimated_age,
    enquirer_name,
    generated_id,
    name_text,
)
from reunite.registry.models import (
    Child,
    ChildName,
    Enquiry,
    Language,
    LegalStatus,
    NameSource,
    Person,
    Relationship,
    Script,
)

Progress = Callable[[str, int, int], None]  # (phase, done, total); phases: read, check, import
MAX_PROBLEMS = 1_000


class ImportRefused(Exception):
    """The file was not imported: ``problems`` lists everything wrong with it."""

    def __init__(self, problems: Sequence[Problem], warnings: Sequence[Problem] = ()) -> None:
        self.problems = list(problems)
        self.warnings = list(warnings)
        super().__init__(str(InterchangeError(self.problems)))


class ImportFailed(Exception):
    """Writing failed part-way (row ``row``); the transaction was rolled back, nothing kept."""

    def __init__(self, row: int | None, record_id: str, message: str) -> None:
        self.row = row
        self.record_id = record_id
        self.message = message
        where = f"row {row} (record_id {record_id!r})" if row is not None else "the summary"
        super().__init__(f"import failed at {where}: {message}")


@dataclass(frozen=True)
class RowOutcome:
    row: int | None
    record_id: str
    action: Literal["create", "update", "unchanged"]
    pk: int | None


@dataclass
class ImportReport:
    """What an import did (or, with ``checked_only``, would do)."""

    kind: ListKind
    file: str
    format: str
    sha256: str
    outcomes: list[RowOutcome]
    warnings: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    consent_for_tracing: bool | None = None
    checked_only: bool = False

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "checked_only": self.checked_only,
            "kind": self.kind,
            "file": self.file,
            "format": self.format,
            "sha256": self.sha256,
            "rows": len(self.outcomes),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "records": [
                {"row": o.row, "record_id": o.record_id, "action": o.action, "id": o.pk}
                for o in self.outcomes
            ],
            "ignored_columns": self.ignored_columns,
            "consent_for_tracing": self.consent_for_tracing,
            "warnings": [
                {"row": w.row, "column": w.column, "message": w.message, "text": str(w)}
                for w in self.warnings
            ],
        }


# Row values -> model values (pure functions: no database) ----------------------------------

_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_UK_LETTERS = set("іїєґІЇЄҐ")
_RU_LETTERS = set("ыэъёЫЭЪЁ")


@lru_cache(maxsize=100_000)
def script_of(text: str) -> str:
    """Which alphabet a name is written in (Cyrillic, Latin, mixed or unknown)."""
    cyr = lat = 0
    for ch in text:
        if not ch.isalpha():
            continue
        if _CYRILLIC.match(ch):
            cyr += 1
        elif unicodedata.name(ch, "").startswith("LATIN"):
            lat += 1
    if cyr and lat:
        return Script.MIXED
    if cyr:
        return Script.CYRILLIC
    if lat:
        return Script.LATIN
    return Script.UNKNOWN


@lru_cache(maxsize=100_000)
def language_of(text: str) -> str:
    """Ukrainian or Russian when letters only one of them has say so; else unknown."""
    letters = set(text)
    uk, ru = bool(letters & _UK_LETTERS), bool(letters & _RU_LETTERS)
    if uk and not ru:
        return Language.UKRAINIAN
    if ru and not uk:
        return Language.RUSSIAN
    return Language.UNKNOWN


def _name(parts: Mapping[str, str], *, primary: bool) -> dict[str, Any]:
    text = " ".join(parts.values())
    return {
        "surname": parts.get("surname", ""),
        "given_name": parts.get("given_name", ""),
        "patronymic": parts.get("patronymic", ""),
        "full_name": parts.get("full_name", ""),
        "script": script_of(text),
        "language": language_of(text),
        "source": NameSource.REPORTED,
        "is_primary": primary,
    }


def child_names(record: InterchangeRecord) -> list[dict[str, Any]]:
    """The child's names: the primary one from the name columns, then each other name."""
    names = []
    parts = {c: getattr(record, c) for c in ("surname", "given_name", "patronymic", "full_name")}
    if any(parts.values()):
        names.append(_name(parts, primary=True))
    for alias in record.other_names:
        names.append(_name({"full_name": alias}, primary=not names))
    return names


def child_fields(record: InterchangeRecord, today: dt.date) -> dict[str, Any]:
    """The ``Child`` fields a list row sets (consent is set by the import options)."""
    return {
        "record_id": record.record_id,
        "sex": record.sex,
        "birth_date": record.birth_date.to_date(),
        "birth_date_precision": record.birth_date.precision,
        "estimated_age": record.estimated_age,
        "estimated_age_on": today if record.estimated_age is not None else None,
        "birth_place": record.birth_place,
        "separation_date": record.separation_date.to_date(),
        "separation_date_precision": record.separation_date.precision,
        "separation_place": record.separation_place,
        "mother_name": record.mother_name,
        "father_name": record.father_name,
        "notes": record.notes,
        "institution": record.institution,
        "current_region": record.current_region,
        "legal_status": record.legal_status or LegalStatus.UNKNOWN,
    }


def enquiry_fields(record: InterchangeRecord, relationship: str) -> dict[str, Any]:
    """The ``Enquiry`` fields a list row sets."""
    return {
        "record_id": record.record_id,
        "enquirer_relationship": relationship,
        "surname": record.surname,
        "given_name": record.given_name,
        "patronymic": record.patronymic,
        "full_name": record.full_name,
        "other_names": list(record.other_names),
        "sex": record.sex,
        "birth_date": record.birth_date.to_date(),
        "birth_date_precision": record.birth_date.precision,
        "birth_place": record.birth_place,
        "separation_date": record.separation_date.to_date(),
        "separation_date_precision": record.separation_date.precision,
        "separation_place": record.separation_place,
        "mother_name": record.mother_name,
        "father_name": record.father_name,
        "notes": record.notes,
    }


def enquirer_fields(record: InterchangeRecord) -> dict[str, Any]:
    """The enquirer ``Person``: the list gives one full name and a contact."""
    return {"full_name": record.enquirer_name, "contact": record.enquirer_contact}


# Families describe themselves in many words; the registry keeps one of Relationship's values.
# The words are the interchange format's known words (docs/interchange.md, "Known words").
_RELATIONSHIP_WORDS = RELATIONSHIP_WORDS


def parse_relationship(text: str) -> str:
    """The ``Relationship`` value for how an enquirer describes themselves; ValueError if none."""
    if not text.strip():
        raise ValueError(
            "is empty: say how the enquirer is related to the child "
            f"(one of: {', '.join(Relationship.values)})"
        )
    value = known_relationship(text)
    if value is None or value not in Relationship.values:
        raise ValueError(
            f"{text!r} is not a relationship Reunite knows "
            f"(use one of: {', '.join(Relationship.values)})"
        )
    return value


def merge_names(
    existing: Iterable[ChildName], wanted: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The names to keep when a list row updates a child.

    The list decides which names the child has and which is primary; a name already on
    record keeps its details (source, script, language, name parts) when the list gives the
    same name, so an export followed by an import changes nothing.
    """
    pool = list(existing)
    merged: list[dict[str, Any]] = []
    for name in wanted:
        parts = tuple(name.get(c, "") for c in ("surname", "given_name", "patronymic", "full_name"))
        alias_only = not any(parts[:3])
        match = None
        for old in pool:
            old_parts = (old.surname, old.given_name, old.patronymic, old.full_name)
            if old_parts == parts or (alias_only and name_text(old) == parts[3]):
                match = old
                break
        if match is None:
            merged.append(dict(name))
        else:
            pool.remove(match)
            kept = {f: getattr(match, f) for f in NAME_FIELDS}
            kept["is_primary"] = name["is_primary"]
            merged.append(kept)
    return merged


def _names_of(child: Child) -> list[dict[str, Any]]:
    ordered = sorted(child.names.all(), key=lambda n: (not n.is_primary, n.pk))
    return [{f: getattr(n, f) for f in NAME_FIELDS} for n in ordered]


# Planning: every row checked against the registry before anything is written ---------------


@dataclass
class _Plan:
    row: int | None
    record_id: str
    fields: dict[str, Any]
    names: list[dict[str, Any]] | None = None  # children
    enquirer: dict[str, Any] | None = None  # enquiries
    existing: Any = None  # the record to update
    existing_pk: int | None = None
    person_changes: dict[str, Any] | None = None
    names_changed: bool = False

    @property
    def action(self) -> Literal["create", "update", "unchanged"]:
        if self.existing is None:
            return "create"
        if self.fields or self.names_changed or self.person_changes:
            return "update"
        return "unchanged"


_FIELD_COLUMN = {
    "birth_date_precision": "birth_date",
    "separation_date_precision": "separation_date",
    "estimated_age_on": "estimated_age",
}


def _clean_problems(
    row: int | None, instance: Model, exclude: list[str], column_of: Callable[[str], str | None]
) -> list[Problem]:
    """Run the model's own validation on an unsaved instance; its errors as row problems."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        problems = []
        for name, messages in exc.message_dict.items():
            column = None if name == NON_FIELD_ERRORS else column_of(name)
            problems += [Problem(row, column, m) for m in messages]
        return problems
    return []


def _row_column(kind: str) -> Callable[[str], str | None]:
    columns = set(columns_for(kind))

    def column_of(name: str) -> str | None:
        name = _FIELD_COLUMN.get(name, name)
        return name if name in columns else None

    return column_of


def _primary_name_column(name: str) -> str | None:
    return name if name in ("surname", "given_name", "patronymic", "full_name") else None


def _alias_column(name: str) -> str | None:
    return "other_names"


def _existing_index(kind: ListKind, organization: Organization) -> dict[str, list[int]]:
    """The organisation's records by list id (their record_id, or the generated one)."""
    index: dict[str, list[int]] = defaultdict(list)
    rows = MODEL_OF[kind].objects.filter(owner=organization).values_list("pk", "record_id")
    for pk, record_id in rows.iterator(chunk_size=5000):
        index[record_id or generated_id(kind, organization.short_name, pk)].append(pk)
    return index


def _require_permissions(user: Any, kind: ListKind, update: bool) -> None:
    single = OBJECT_TYPE[kind]
    needed = ["records.import", f"{single}.create"]
    if kind == "enquiries":
        needed.append("person.create")
    if update:
        needed.append(f"{single}.change")
        if kind == "enquiries":
            needed.append("person.change")
    missing = [a for a in needed if not policy.has_permission(user, a)]
    if missing:
        role = policy.role_of(user) or "no role"
        raise PermissionDenied(
            f"Your role ({role}) may not {'update' if update else 'import'} {kind} "
            f"(it lacks: {', '.join(missing)})."
        )


class _Planner:
    """Checks rows against the registry one at a time; keeps only what updates need."""

    def __init__(
        self,
        acting: Acting,
        kind: ListKind,
        *,
        update: bool,
        consent_for_tracing: bool | None,
        today: dt.date,
    ) -> None:
        organization = acting.organization
        self.kind = kind
        self.update = update
        self.consent_for_tracing = consent_for_tracing
        self.today = today
        self.index = _existing_index(kind, organization)
        self.other_parties = set(
            Organization.objects.exclude(pk=organization.pk).values_list("short_name", flat=True)
        )
        self.single = OBJECT_TYPE[kind]
        self.generated = re.compile(
            re.escape(generated_id(kind, organization.short_name, 0))[:-1] + r"\d+"
        )
        self.column_of = _row_column(kind)
        self.to_update: dict[int, _Plan] = {}

    def plan(self, record: InterchangeRecord) -> tuple[_Plan, list[Problem]]:
        kind = self.kind
        row = record.source_row
        row_problems: list[Problem] = []
        prefix = record.record_id.split(":", 1)[0] if ":" in record.record_id else ""
        if prefix in self.other_parties:
            row_problems.append(
                Problem(
                    row, "record_id",
                    f"{record.record_id!r} is {prefix}'s record (exported from a record "
                    "shared with you); only its owner can import it",
                )
            )  # fmt: skip
        if kind == "children":
            fields = child_fields(record, self.today)
            names = child_names(record)
            plan = _Plan(row, record.record_id, fields, names=names)
            if not (record.surname or record.given_name or record.full_name or record.other_names):
                row_problems.append(
                    Problem(
                        row, None, "no name: give surname, given_name, full_name or other_names"
                    )
                )
            # The models' own validation; the quick check lets valid rows skip full_clean.
            if clean_is_needed(Child, fields):
                row_problems += _clean_problems(row, Child(**fields), ["owner"], self.column_of)
            from_columns = len(names) - len(record.other_names)  # 1 if the name columns gave one
            for position, name in enumerate(names):
                if clean_is_needed(ChildName, name):
                    row_problems += _clean_problems(
                        row,
                        ChildName(**name),
                        ["child"],
                        _primary_name_column if position < from_columns else _alias_column,
                    )
        else:
            relationship = ""
            try:
                relationship = parse_relationship(record.enquirer_relationship)
            except ValueError as exc:
                row_problems.append(Problem(row, "enquirer_relationship", str(exc)))
            if record.estimated_age is not None:
                row_problems.append(
                    Problem(
                        row, "estimated_age",
                        "tracing requests keep no estimated age; give the birth year "
                        "(birth_date YYYY) or put the age in notes",
                    )
                )  # fmt: skip
            if not (record.surname or record.given_name or record.full_name):
                row_problems.append(
                    Problem(row, None, "no name of the sought child: give surname, given_name "
                            "or full_name")
                )  # fmt: skip
            if not record.enquirer_name:
                row_problems.append(
                    Problem(row, "enquirer_name", "is empty: who is asking for the child?")
                )
            fields = enquiry_fields(record, relationship or "other")
            enquirer = enquirer_fields(record)
            plan = _Plan(row, record.record_id, fields, enquirer=enquirer)
            row_problems += _clean_problems(
                row, Enquiry(**fields), ["owner", "enquirer"], self.column_of
            )
            row_problems += _clean_problems(
                row, Person(**enquirer), ["owner"],
                lambda n: "enquirer_contact" if n == "contact" else "enquirer_name",
            )  # fmt: skip
        if self.consent_for_tracing is not None:
            plan.fields["consent_for_tracing"] = self.consent_for_tracing

        matches = self.index.get(record.record_id, [])
        if not matches and self.generated.fullmatch(record.record_id):
            row_problems.append(
                Problem(
                    row, "record_id",
                    f"{record.record_id!r} is the kind of id Reunite gives records without "
                    "one, but no such record exists; give the row an id of your own",
                )
            )  # fmt: skip
        elif len(matches) > 1:
            row_problems.append(
                Problem(
                    row, "record_id",
                    f"{len(matches)} {kind} of yours already have the id {record.record_id!r} "
                    f"(records {', '.join('#' + str(m) for m in matches)}); give them distinct "
                    "ids first",
                )
            )  # fmt: skip
        elif matches and not self.update:
            row_problems.append(
                Problem(
                    row, "record_id",
                    f"a {self.single} with id {record.record_id!r} already exists (record "
                    f"#{matches[0]}); import with update to change it, or give the row a new id",
                )
            )  # fmt: skip
        elif matches:
            self.to_update[matches[0]] = plan
            plan.existing_pk = matches[0]
        return plan, row_problems


def _plan_updates(
    acting: Acting, kind: ListKind, to_update: dict[int, _Plan], today: dt.date
) -> None:
    """Reduce each update to the fields that change (an unchanged row writes nothing)."""
    ids = list(to_update)
    records: Iterator[Child] | Iterator[Enquiry]
    if kind == "children":
        children = Child.objects.filter(pk__in=ids).prefetch_related("names")
        records = children.iterator(chunk_size=2000)
    else:
        enquiries = Enquiry.objects.filter(pk__in=ids).select_related("enquirer")
        records = enquiries.iterator(chunk_size=2000)
    for existing in records:
        plan = to_update[existing.pk]
        plan.existing = existing
        fields = dict(plan.fields)
        fields.pop("record_id")  # matched by it (or by the generated id, which stays virtual)
        sees_restricted = policy.can_see_restricted(acting.user, existing)
        if isinstance(existing, Child):  # kind == "children"
            if existing.estimated_age is not None and (
                current_estimated_age(existing, today) == fields["estimated_age"]
            ):
                del fields["estimated_age"], fields["estimated_age_on"]
            if not sees_restricted and not fields["institution"]:
                del fields["institution"]  # an empty cell the user could not have filled in
            before = _names_of(existing)
            assert plan.names is not None
            merged = merge_names(existing.names.all(), plan.names)
            plan.names = merged
            plan.names_changed = merged != before
        else:
            person = existing.enquirer
            assert plan.enquirer is not None
            person_changes: dict[str, Any] = {}
            if enquirer_name(existing) != plan.enquirer["full_name"]:
                person_changes.update(
                    surname="", given_name="", patronymic="", full_name=plan.enquirer["full_name"]
                )
            contact = plan.enquirer["contact"]
            if (sees_restricted or contact) and person.contact != contact:
                person_changes["contact"] = contact
            plan.person_changes = person_changes
        plan.fields = {k: v for k, v in fields.items() if getattr(existing, k) != v}


# Import ---------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(
    acting: Acting,
    path: str | Path,
    kind: ListKind,
    *,
    update: bool = False,
    check_only: bool = False,
    consent_for_tracing: bool | None = None,
    ignore_unknown_columns: bool = False,
    max_rows: int | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    """Validate a list file and import it in one transaction (or only check it).

    ``update``: rows whose ``record_id`` the organisation already has update that record
    (otherwise they are refused). ``consent_for_tracing``: set (True/False) on every record;
    None leaves new records without consent and existing ones as they are.
    ``ignore_unknown_columns``: import a file with columns the format does not know (they
    are reported and left out); otherwise such a file is refused. Limits default to the
    ``REUNITE_IMPORT_MAX_ROWS``/``REUNITE_IMPORT_MAX_BYTES`` settings.

    The file is streamed, never held whole: a first pass reads, validates and checks
    every row against the registry, keeping only the planned rows in a temporary spill
    file; the second pass writes them in batches, in one transaction.

    Raises ``PermissionDenied``, ``ImportRefused`` (nothing written; every problem listed)
    or ``ImportFailed`` (writing failed; rolled back, nothing written).
    """
    if kind not in LIST_KINDS:
        raise ValueError(f"unknown kind {kind!r} (use children or enquiries)")
    _require_permissions(acting.user, kind, update)
    path = Path(path)
    reading = None if progress is None else (lambda done, total: progress("read", done, total))
    try:
        stream = open_records(
            path, kind,
            max_rows=max_rows or settings.REUNITE_IMPORT_MAX_ROWS,
            max_bytes=max_bytes or settings.REUNITE_IMPORT_MAX_BYTES,
            progress=reading, today=today,
        )  # fmt: skip
    except InterchangeError as exc:
        raise ImportRefused(exc.problems) from None
    return _import(
        acting, stream, stream.unknown_columns, lambda: stream.warnings, stream.format,
        stream.total, kind, file_name=path.name, sha256=_sha256(path), update=update,
        check_only=check_only, consent_for_tracing=consent_for_tracing,
        ignore_unknown_columns=ignore_unknown_columns, progress=progress, today=today,
    )  # fmt: skip


def unknown_column_problems(result: ReadResult | list[str], kind: ListKind) -> list[Problem]:
    problems = []
    unknown = result if isinstance(result, list) else result.unknown_columns
    for name in unknown:
        if name in ALL_COLUMNS:
            other = next(k for k in LIST_KINDS if k != kind)
            why = f"belongs to {other} lists, not {kind} lists (is this the right kind?)"
        elif name.startswith("column_"):
            why = "has no header but holds data"
        else:
            why = f"is not a column of {kind} lists"
        problems.append(
            Problem(1, name, f"unknown column: {why}; rename or remove it, or import with "
                    "unknown columns ignored")
        )  # fmt: skip
    return problems


def import_records(
    acting: Acting,
    result: ReadResult,
    kind: ListKind,
    *,
    file_name: str,
    sha256: str = "",
    update: bool = False,
    check_only: bool = False,
    consent_for_tracing: bool | None = None,
    ignore_unknown_columns: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    """Import records already read by :func:`read_file` (see :func:`import_file`)."""
    if kind not in LIST_KINDS:
        raise ValueError(f"unknown kind {kind!r} (use children or enquiries)")
    _require_permissions(acting.user, kind, update)
    return _import(
        acting, result.records, list(result.unknown_columns), lambda: list(result.warnings),
        result.format, len(result.records), kind, file_name=file_name, sha256=sha256,
        update=update, check_only=check_only, consent_for_tracing=consent_for_tracing,
        ignore_unknown_columns=ignore_unknown_columns, progress=progress, today=today,
    )  # fmt: skip


#: Rows written per batch (one bulk insert of children, of names, of audit events).
WRITE_BATCH = 1000
_PROGRESS_EVERY = 500


def _spill(spill: IO[bytes], plans: list[_Plan]) -> None:
    pickle.dump(plans, spill, protocol=pickle.HIGHEST_PROTOCOL)


def _unspill(spill: IO[bytes]) -> Iterator[list[_Plan]]:
    spill.seek(0)
    while True:
        try:
            yield pickle.load(spill)  # noqa: S301 - our own temporary file, written just now
        except EOFError:
            return


def _import(
    acting: Acting,
    records: Iterable[InterchangeRecord],
    unknown_columns: list[str],
    warnings_of: Callable[[], list[Problem]],
    fmt: str,
    total: int,
    kind: ListKind,
    *,
    file_name: str,
    sha256: str,
    update: bool,
    check_only: bool,
    consent_for_tracing: bool | None,
    ignore_unknown_columns: bool,
    progress: Progress | None,
    today: dt.date | None,
) -> ImportReport:
    today = today or dt.date.today()
    problems: list[Problem] = []
    if unknown_columns and not ignore_unknown_columns:
        problems += unknown_column_problems(list(unknown_columns), kind)
    planner = _Planner(
        acting, kind, update=update, consent_for_tracing=consent_for_tracing, today=today
    )
    outcomes: list[RowOutcome] = []
    with tempfile.TemporaryFile(prefix="reunite-import-") as spill:
        # Pass 1, outside any transaction (so no lock is held while a big file is checked):
        # read, validate and check every row; spill the rows to create.
        pending: list[_Plan] = []
        done = 0
        try:
            for done, record in enumerate(records, start=1):
                plan, row_problems = planner.plan(record)
                if row_problems:
                    if len(problems) <= MAX_PROBLEMS:
                        problems += row_problems
                elif not problems and plan.existing_pk is None:
                    pending.append(plan)
                    if len(pending) >= WRITE_BATCH:
                        _spill(spill, pending)
                        pending = []
                outcomes.append(
                    RowOutcome(plan.row, plan.record_id,
                               "create" if plan.existing_pk is None else "update",
                               plan.existing_pk)
                )  # fmt: skip
                if progress is not None and done % _PROGRESS_EVERY == 0:
                    progress("check", done, max(total, done))
        except InterchangeError as exc:
            raise ImportRefused(exc.problems) from None
        if progress is not None:
            progress("check", done, done)
        if pending and not problems:
            _spill(spill, pending)
        pending = []

        warnings = list(warnings_of())
        if unknown_columns and not ignore_unknown_columns:
            unknown = set(unknown_columns)
            warnings = [w for w in warnings if not (w.row == 1 and w.column in unknown)]
        report = ImportReport(
            kind=kind, file=file_name, format=fmt, sha256=sha256, outcomes=[],
            warnings=warnings, ignored_columns=list(unknown_columns),
            consent_for_tracing=consent_for_tracing, checked_only=check_only,
        )  # fmt: skip
        if problems:
            if len(problems) > MAX_PROBLEMS:
                problems = [
                    *problems[:MAX_PROBLEMS],
                    Problem(None, None, f"stopped after {MAX_PROBLEMS:,} problems; fix these "
                            "and check the file again"),
                ]  # fmt: skip
            raise ImportRefused(problems, warnings)
        if check_only:
            if planner.to_update:
                preview = copy.deepcopy(planner.to_update)
                _plan_updates(acting, kind, preview, today)
                outcomes = [
                    o if o.pk is None
                    else RowOutcome(o.row, o.record_id, preview[o.pk].action, o.pk)
                    for o in outcomes
                ]  # fmt: skip
            report.outcomes = outcomes
            return report
        # Pass 2: one transaction; the checked rows are written in batches.
        with transaction.atomic():
            # One import per organisation at a time: two imports of the same ids cannot race.
            organization = acting.organization
            Organization.objects.select_for_update().filter(pk=organization.pk).first()
            report.outcomes = _write(acting, kind, planner, spill, outcomes, today, progress)
            try:
                log_event(
                    acting.audit_actor, "import", OBJECT_TYPE[kind], "",
                    {
                        "file": file_name, "sha256": sha256, "format": fmt,
                        "rows": len(outcomes), "update": update,
                        "created": [o.pk for o in report.outcomes if o.action == "create"],
                        "updated": [o.pk for o in report.outcomes if o.action == "update"],
                        "unchanged": [o.pk for o in report.outcomes if o.action == "unchanged"],
                        "ignored_columns": list(unknown_columns),
                        "consent_for_tracing": consent_for_tracing,
                    },
                )  # fmt: skip
            except Exception as exc:
                raise ImportFailed(None, "", _message(exc)) from exc
    return report


def _message(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _write(
    acting: Acting,
    kind: ListKind,
    planner: _Planner,
    spill: IO[bytes],
    outcomes: list[RowOutcome],
    today: dt.date,
    progress: Progress | None,
) -> list[RowOutcome]:
    """Write every planned row through the actions (inside the caller's transaction)."""
    total = len(outcomes)
    done = 0
    # Ids another import of this organisation may have created since the check.
    taken = _existing_index(kind, acting.organization)
    created: list[int] = []
    for batch in _unspill(spill):
        first = batch[0]
        try:
            for plan in batch:
                if plan.record_id in taken:
                    raise ValidationError(
                        f"a record with this id was created while the file was being checked "
                        f"(record #{taken[plan.record_id][0]}); check the file again"
                    )
            if kind == "children":
                made = actions.create_children(acting, [(p.fields, p.names or []) for p in batch])
            else:
                made = []
                for plan in batch:
                    first = plan
                    assert plan.enquirer is not None
                    made.append(actions.create_enquiry(acting, plan.fields, plan.enquirer).pk)
        except Exception as exc:
            # Leaving the atomic block with this exception rolls every row back.
            raise ImportFailed(first.row, first.record_id, _message(exc)) from exc
        created += made
        done += len(batch)
        if progress is not None:
            progress("import", done, total)

    updates = planner.to_update
    if updates:
        _plan_updates(acting, kind, updates, today)
    results: list[RowOutcome] = []
    new_pks = iter(created)
    for outcome in outcomes:
        if outcome.pk is None:
            results.append(RowOutcome(outcome.row, outcome.record_id, "create", next(new_pks)))
            continue
        plan = updates[outcome.pk]
        action = plan.action
        try:
            _write_update(acting, kind, plan)
        except Exception as exc:
            raise ImportFailed(plan.row, plan.record_id, _message(exc)) from exc
        results.append(RowOutcome(outcome.row, outcome.record_id, action, outcome.pk))
        if action != "unchanged":
            done += 1
            if progress is not None and done % 100 == 0:
                progress("import", done, total)
    if progress is not None:
        progress("import", total, total)
    return results


def _write_update(acting: Acting, kind: ListKind, plan: _Plan) -> None:
    if plan.action == "unchanged":
        return
    if kind == "children":
        actions.update_child(
            acting, plan.existing, plan.fields, plan.names if plan.names_changed else None
        )
        return
    enquiry: Enquiry = plan.existing
    if plan.person_changes:
        actions.update_person(acting, enquiry.enquirer, plan.person_changes)
    if plan.fields:
        actions.update_enquiry(acting, enquiry, plan.fields)


__all__ = [
    "ImportFailed",
    "ImportRefused",
    "ImportReport",
    "RowOutcome",
    "child_fields",
    "child_names",
    "enquirer_fields",
    "enquiry_fields",
    "import_file",
    "import_records",
    "merge_names",
    "parse_relationship",
]
