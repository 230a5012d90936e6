"""Export children or tracing requests as an interchange list file (CSV or XLSX).

The Django side of ``reunite export``: which records a user may export (``policy.visible``),
which columns they may see (``policy.can_see_restricted``), how a record becomes an
interchange row, and the ``export`` audit event. The file format, its validation, formula
escaping and the atomic write belong to :mod:`reunite.interchange`.

The mapping functions here (``child_to_record``, ``enquiry_to_record``) are the inverse of
those in :mod:`reunite.registry.importing`, so an exported file imports back unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet

from reunite.accounts import policy
from reunite.audit.log import log_event
from reunite.core.acting import Acting
from reunite.interchange import (
    UNKNOWN_DATE,
    InterchangeError,
    InterchangeRecord,
    PartialDate,
    Problem,
    bad_character,
    scrub_characters,
    write_file,
)
from reunite.interchange._schema import MAX_ESTIMATED_AGE
from reunite.registry.models import Child, ChildName, DatePrecision, Enquiry, LegalStatus
from reunite.registry.search import filter_by_name

ListKind = Literal["children", "enquiries"]
LIST_KINDS: tuple[ListKind, ...] = ("children", "enquiries")
Progress = Callable[[str, int, int], None]

MODEL_OF: dict[str, type[Child] | type[Enquiry]] = {"children": Child, "enquiries": Enquiry}
OBJECT_TYPE: dict[str, str] = {"children": "child", "enquiries": "enquiry"}

# Interchange column -> the model field it shows, for the columns that hold restricted data.
# Which fields are restricted is decided by the policy (RESTRICTED_FIELDS), not here.
_COLUMN_FIELD = {"institution": "institution", "enquirer_contact": "contact"}
RESTRICTED_COLUMNS: frozenset[str] = frozenset(
    column for column, name in _COLUMN_FIELD.items() if name in policy.RESTRICTED_FIELDS
)


class ExportRefused(Exception):
    """Nothing was written: the export is not possible as asked (``problems`` says why)."""

    def __init__(self, problems: Sequence[Problem | str]) -> None:
        self.problems = [p if isinstance(p, Problem) else Problem(None, None, p) for p in problems]
        super().__init__("; ".join(str(p) for p in self.problems[:3]))


@dataclass
class ExportReport:
    """What ``export_file`` wrote."""

    kind: ListKind
    path: Path
    format: str
    ids: list[int]
    query: str = ""
    own_only: bool = False
    consented_only: bool = False
    restricted_included: int = 0  # records whose restricted columns were filled in
    restricted_withheld: int = 0  # records whose restricted columns were left empty
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.ids)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "kind": self.kind,
            "file": str(self.path),
            "format": self.format,
            "rows": self.rows,
            "query": self.query,
            "own_only": self.own_only,
            "consented_only": self.consented_only,
            "restricted_columns": sorted(RESTRICTED_COLUMNS & _columns_of(self.kind)),
            "restricted_included": self.restricted_included,
            "restricted_withheld": self.restricted_withheld,
            "warnings": self.warnings,
        }


def _columns_of(kind: str) -> set[str]:
    from reunite.interchange import columns_for

    return set(columns_for(kind))


# Ids ----------------------------------------------------------------------------------------


def generated_id(kind: str, organization_short_name: str, pk: int) -> str:
    """The id a record without its own ``record_id`` gets in list files (stable: uses the pk).

    Import recognises it, so such a record can be exported, corrected and re-imported with
    ``--update`` without creating a duplicate.
    """
    return f"{organization_short_name}-{OBJECT_TYPE[kind]}-{pk}"


def list_id(kind: str, record: Any, organization_short_name: str) -> str:
    """The ``record_id`` column for an own record: its own id, or the generated one."""
    return record.record_id or generated_id(kind, organization_short_name, record.pk)


def shared_id(kind: str, record: Any) -> str:
    """The ``record_id`` column for another party's record shared with us: prefixed by owner.

    Import refuses such ids, so another party's records are never copied into ours.
    """
    own = record.record_id or f"{OBJECT_TYPE[kind]}-{record.pk}"
    return f"{record.owner.short_name}:{own}"


# Model -> interchange record ----------------------------------------------------------------


def partial_date(value: dt.date | None, precision: str) -> PartialDate:
    """A stored date and its precision as an interchange partial date."""
    if value is None or precision == DatePrecision.UNKNOWN:
        return UNKNOWN_DATE
    if precision == DatePrecision.YEAR:
        return PartialDate(value.year)
    if precision == DatePrecision.MONTH:
        return PartialDate(value.year, value.month)
    return PartialDate(value.year, value.month, value.day)


def current_estimated_age(child: Child, today: dt.date) -> int | None:
    """The estimated age now: the age estimated on ``estimated_age_on`` plus the years since."""
    if child.estimated_age is None:
        return None
    if child.estimated_age_on is None:
        return child.estimated_age
    start = child.estimated_age_on
    years = today.year - start.year - ((today.month, today.day) < (start.month, start.day))
    return child.estimated_age + max(years, 0)


def name_text(name: ChildName) -> str:
    """One alias as a single string (how other names are written in list files)."""
    return name.display


def child_to_record(
    child: Child,
    names: Sequence[ChildName],
    *,
    record_id: str,
    show_restricted: bool,
    today: dt.date,
) -> tuple[InterchangeRecord, list[str]]:
    """One child as an interchange row (and warnings about what could not be shown)."""
    warnings: list[str] = []
    ordered = sorted(names, key=lambda n: (not n.is_primary, n.pk or 0))
    primary = ordered[0] if ordered else None
    others = tuple(name_text(n) for n in ordered[1:] if name_text(n))
    age = current_estimated_age(child, today)
    if age is not None and age > MAX_ESTIMATED_AGE:
        warnings.append(
            f"child #{child.pk}: estimated age {age} is over {MAX_ESTIMATED_AGE}; left empty"
        )
        age = None
    record = InterchangeRecord(
        record_id=record_id,
        surname=primary.surname if primary else "",
        given_name=primary.given_name if primary else "",
        patronymic=primary.patronymic if primary else "",
        full_name=primary.full_name if primary else "",
        other_names=others,
        sex=child.sex,
        birth_date=partial_date(child.birth_date, child.birth_date_precision),
        estimated_age=age,
        birth_place=child.birth_place,
        separation_date=partial_date(child.separation_date, child.separation_date_precision),
        separation_place=child.separation_place,
        mother_name=child.mother_name,
        father_name=child.father_name,
        notes=child.notes,
        institution=child.institution if show_restricted else "",
        current_region=child.current_region,
        legal_status=child.legal_status or LegalStatus.UNKNOWN,
    )
    return record, warnings


def enquirer_name(enquiry: Enquiry) -> str:
    person = enquiry.enquirer
    parts = [person.surname, person.given_name, person.patronymic]
    return " ".join(p for p in parts if p) or person.full_name


def enquiry_to_record(
    enquiry: Enquiry, *, record_id: str, show_restricted: bool
) -> InterchangeRecord:
    """One tracing request as an interchange row."""
    return InterchangeRecord(
        record_id=record_id,
        surname=enquiry.surname,
        given_name=enquiry.given_name,
        patronymic=enquiry.patronymic,
        full_name=enquiry.full_name,
        other_names=tuple(n for n in enquiry.other_names if n),
        sex=enquiry.sex,
        birth_date=partial_date(enquiry.birth_date, enquiry.birth_date_precision),
        birth_place=enquiry.birth_place,
        separation_date=partial_date(enquiry.separation_date, enquiry.separation_date_precision),
        separation_place=enquiry.separation_place,
        mother_name=enquiry.mother_name,
        father_name=enquiry.father_name,
        notes=enquiry.notes,
        enquirer_name=enquirer_name(enquiry),
        enquirer_relationship=enquiry.enquirer_relationship,
        enquirer_contact=enquiry.enquirer.contact if show_restricted else "",
    )


# Selection and export -----------------------------------------------------------------------


def exportable(
    user: Any,
    kind: ListKind,
    query: str = "",
    *,
    own_only: bool = False,
    consented_only: bool = False,
) -> QuerySet:
    """The records of ``kind`` the user may export, in a stable order (by id).

    ``own_only``: only records the user's organisation owns (not those shared with it).
    ``consented_only``: only records with consent for tracing.
    """
    model = MODEL_OF[kind]
    queryset = policy.visible(user, model.objects.all())
    if own_only:
        queryset = queryset.filter(owner=policy.organization_of(user))
    if consented_only:
        queryset = queryset.filter(consent_for_tracing=True)
    if query:
        queryset = filter_by_name(queryset, query)
    queryset = queryset.select_related("owner").order_by("pk")
    if kind == "children":
        return queryset.prefetch_related("names")
    return queryset.select_related("enquirer")


def export_file(
    acting: Acting,
    kind: ListKind,
    path: str | Path,
    *,
    query: str = "",
    own_only: bool = False,
    consented_only: bool = False,
    bom: bool = False,
    overwrite: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ExportReport:
    """Write the records of ``kind`` visible to the acting user to ``path`` (.csv or .xlsx).

    Requires ``records.export``. Restricted columns (see ``RESTRICTED_COLUMNS``) are filled
    in only for records whose restricted details the user may see, and left empty otherwise.
    The export is audited as one ``export`` event listing the exported record ids; the event
    and the file stand or fall together. Raises ``PermissionDenied`` or ``ExportRefused``
    (nothing written then).
    """
    if kind not in LIST_KINDS:
        raise ExportRefused([f"unknown kind {kind!r} (use children or enquiries)"])
    user = acting.user
    missing = [
        action
        for action in ("records.export", f"{OBJECT_TYPE[kind]}.view")
        if not policy.has_permission(user, action)
    ]
    if missing:
        role = policy.role_of(user) or "no role"
        raise PermissionDenied(
            f"Your role ({role}) may not export {kind} (it lacks: {', '.join(missing)})."
        )
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ExportRefused([f"cannot write {path.name}: name the file .csv or .xlsx"])
    if not path.parent.is_dir():
        raise ExportRefused([f"directory does not exist: {path.parent}"])
    if path.exists() and not overwrite:
        raise ExportRefused([f"{path} already exists; choose another name or overwrite it"])
    today = today or dt.date.today()
    organization = acting.organization

    written = False
    try:
        with transaction.atomic():
            queryset = exportable(
                user, kind, query, own_only=own_only, consented_only=consented_only
            )
            total = queryset.count()
            records: list[InterchangeRecord] = []
            sources: list[Model] = []
            shows: list[bool] = []
            warnings: list[str] = []
            problems: list[Problem] = []
            dropped: list[int] = []  # records that cannot be written as a list row
            for index, item in enumerate(queryset.iterator(chunk_size=2000), start=1):
                show = policy.can_see_restricted(user, item)
                if item.owner_id == organization.pk:
                    rid = list_id(kind, item, organization.short_name)
                else:
                    # Another party's record (shared with us): its id is theirs, so say whose.
                    rid = shared_id(kind, item)
                try:
                    if kind == "children":
                        record, notes = child_to_record(
                            item, list(item.names.all()), record_id=rid, show_restricted=show,
                            today=today,
                        )  # fmt: skip
                        warnings += notes
                    else:
                        record = enquiry_to_record(item, record_id=rid, show_restricted=show)
                except ValueError as exc:  # e.g. a stored date outside the interchange range
                    # One bad record never blocks the export: it is left out and named.
                    problems.append(Problem(None, None, f"{_describe(kind, item)}: {exc}"))
                    dropped.append(item.pk)
                    continue
                warnings += _scrub(record, _describe(kind, item))
                records.append(record)
                sources.append(item)
                shows.append(show)
                if progress is not None and (index % 500 == 0 or index == total):
                    progress("collect", index, total)
            _make_ids_unique(records, sources, warnings)
            left_out: set[int] = set()

            def leave_out(index: int, found: list[Problem]) -> None:
                left_out.add(index)
                problems.extend(_describe_problems(found, kind, sources, index))

            if records:
                if progress is not None:
                    progress("write", 0, len(records))
                try:
                    write_file(
                        path, records, kind, bom=bom, today=today, skip_invalid=leave_out
                    )
                except InterchangeError as exc:
                    raise ExportRefused(
                        _describe_problems(exc.problems, kind, sources)
                    ) from None
            kept = [i for i in range(len(records)) if i not in left_out]
            if not kept:
                if left_out:
                    path.unlink(missing_ok=True)
                if problems:
                    raise ExportRefused(problems)
                filters = [
                    f"matching {query!r}" if query else "",
                    "owned by your organisation" if own_only else "",
                    "with consent for tracing" if consented_only else "",
                ]
                found = f"you can see no {kind} " + ", ".join(f for f in filters if f)
                raise ExportRefused([f"no records to export: {found}; nothing was written"])
            written = True
            warnings += [f"left out: {p.message}" for p in problems]
            ids = [sources[i].pk for i in kept]
            shown_ids = [sources[i].pk for i in kept if shows[i]]
            included = len(shown_ids)
            withheld = len(kept) - included
            restricted_columns = sorted(RESTRICTED_COLUMNS & _columns_of(kind))
            log_event(
                acting.audit_actor, "export", OBJECT_TYPE[kind], "",
                {
                    "ids": ids, "query": query, "own_only": own_only,
                    "consented_only": consented_only, "file": path.name,
                    "format": suffix[1:], "rows": len(ids),
                    "sha256": file_sha256(path),
                    "left_out": dropped + [sources[i].pk for i in sorted(left_out)],
                    "restricted_columns": restricted_columns,
                    # Whose restricted details went into the file: "all", "none" or the ids.
                    "restricted_shown": "all" if withheld == 0
                    else ("none" if included == 0 else shown_ids),
                },
            )  # fmt: skip
            if progress is not None:
                progress("write", len(records), len(records))
    except BaseException:
        # The file and its audit event stand or fall together.
        if written:
            path.unlink(missing_ok=True)
        raise
    return ExportReport(
        kind=kind, path=path, format=suffix[1:], ids=ids, query=query, own_only=own_only,
        consented_only=consented_only,
        restricted_included=included, restricted_withheld=withheld, warnings=warnings,
    )  # fmt: skip


def _describe(kind: str, record: Any) -> str:
    rid = f" (record_id {record.record_id!r})" if record.record_id else ""
    return f"{OBJECT_TYPE[kind]} #{record.pk}{rid}"


def _describe_problems(
    problems: Sequence[Problem], kind: str, sources: Sequence[Any], index: int | None = None
) -> list[Problem]:
    """Turn the writer's row numbers into the records a person can open and correct."""
    described = []
    for problem in problems:
        at = (problem.row or 0) - 2 if index is None else index
        if problem.row is not None and 0 <= at < len(sources):
            where = _describe(kind, sources[at])
            column = f", column {problem.column}" if problem.column else ""
            described.append(Problem(None, None, f"{where}{column}: {problem.message}"))
        else:
            described.append(problem)
    return described


def _scrub(record: InterchangeRecord, where: str) -> list[str]:
    """Replace characters a list file cannot hold (control and bidirectional control
    characters, stored before they were refused at input) by U+FFFD, and say where."""
    warnings = []
    for name in (f.name for f in fields(record)):
        value = getattr(record, name)
        if isinstance(value, str) and bad_character(value):
            setattr(record, name, scrub_characters(value))
            warnings.append(f"{where}, column {name}: {bad_character(value)}; replaced by U+FFFD")
        elif isinstance(value, tuple) and any(bad_character(v) for v in value):
            setattr(record, name, tuple(scrub_characters(v) for v in value))
            warnings.append(f"{where}, column {name}: unsafe characters replaced by U+FFFD")
    return warnings


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _make_ids_unique(
    records: list[InterchangeRecord], sources: Sequence[Any], warnings: list[str]
) -> None:
    """List files need unique ids; own ids typed twice get the record number appended."""
    counts: dict[str, int] = {}
    for record in records:
        counts[record.record_id] = counts.get(record.record_id, 0) + 1
    taken = set(counts)
    for record, source in zip(records, sources, strict=True):
        if counts[record.record_id] > 1:
            new_id = f"{record.record_id}#{source.pk}"
            while new_id in taken:
                new_id += "_"
            warnings.append(
                f"record_id {record.record_id!r} is used by more than one record; "
                f"record #{source.pk} exported as {new_id!r}"
            )
            taken.add(new_id)
            record.record_id = new_id
