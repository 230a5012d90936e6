"""Column sets, enumerations and limits of the interchange format (see docs/interchange.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Literal

from reunite.interchange._dates import UNKNOWN_DATE, PartialDate

FileKind = Literal["children", "enquiries", "records"]
KINDS: tuple[FileKind, ...] = ("children", "enquiries", "records")

REQUIRED: tuple[str, ...] = ("record_id",)

_COMMON: tuple[str, ...] = (
    "record_id",
    "surname",
    "given_name",
    "patronymic",
    "full_name",
    "other_names",
    "sex",
    "birth_date",
    "estimated_age",
    "birth_place",
    "separation_date",
    "separation_place",
    "mother_name",
    "father_name",
    "notes",
)
_CHILD_EXTRA: tuple[str, ...] = ("institution", "current_region", "legal_status")
_ENQUIRY_EXTRA: tuple[str, ...] = ("enquirer_name", "enquirer_relationship", "enquirer_contact")

COLUMNS: dict[FileKind, tuple[str, ...]] = {
    "children": _COMMON + _CHILD_EXTRA,
    "enquiries": _COMMON + _ENQUIRY_EXTRA,
    # The other side's registry list: same shape as a child list.
    "records": _COMMON + _CHILD_EXTRA,
}
ALL_COLUMNS: tuple[str, ...] = _COMMON + _CHILD_EXTRA + _ENQUIRY_EXTRA

SEX_VALUES: tuple[str, ...] = ("F", "M", "")
LEGAL_STATUSES: tuple[str, ...] = (
    "parents_known",
    "orphan",
    "under_guardianship",
    "adopted",
    "unknown",
)
DATE_COLUMNS: tuple[str, ...] = ("birth_date", "separation_date")
ALIAS_SEPARATOR = ";"

# Limits. Defaults fit a national list (a million rows); a web upload passes smaller ones.
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024  # 1 GiB on disk
DEFAULT_MAX_ROWS = 2_000_000  # data rows, header excluded
MAX_CELL_CHARS = 1_000  # any cell except notes
MAX_NOTES_CHARS = 10_000
MAX_ESTIMATED_AGE = 30  # people displaced as minors stay on the agenda after 18
XLSX_MAX_ROWS = 1_048_576  # Excel's sheet limit, header included
MAX_PROBLEMS = 1_000  # a hopeless file is not listed in full


def columns_for(kind: str) -> tuple[str, ...]:
    """The columns of a file kind, in the order they are written."""
    try:
        return COLUMNS[kind]  # type: ignore[index]
    except KeyError:
        raise ValueError(f"unknown file kind {kind!r} (use one of: {', '.join(KINDS)})") from None


@dataclass(slots=True)
class InterchangeRecord:
    """One row of an interchange file: one child (or one enquiry about a child).

    Holds the union of the columns of every kind; columns that a kind does not have stay
    empty. Text is already stripped and NFC-normalised; ``extra`` keeps unknown columns
    so that nothing in the file is silently lost.
    """

    record_id: str
    surname: str = ""
    given_name: str = ""
    patronymic: str = ""
    full_name: str = ""
    other_names: tuple[str, ...] = ()
    sex: str = ""
    birth_date: PartialDate = UNKNOWN_DATE
    estimated_age: int | None = None
    birth_place: str = ""
    separation_date: PartialDate = UNKNOWN_DATE
    separation_place: str = ""
    mother_name: str = ""
    father_name: str = ""
    notes: str = ""
    institution: str = ""
    current_region: str = ""
    legal_status: str = ""
    enquirer_name: str = ""
    enquirer_relationship: str = ""
    enquirer_contact: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    #: Spreadsheet row the record was read from (not part of equality).
    source_row: int | None = field(default=None, compare=False)

    @property
    def display_name(self) -> str:
        """The name as one string: ``full_name``, else the parts in surname-first order."""
        if self.full_name:
            return self.full_name
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)

    def cell(self, column: str) -> str:
        """The interchange text of one column (before formula escaping)."""
        render = _RENDER.get(column)
        if render is None:
            return self.extra.get(column, "")
        return render(self)

    def to_row(self, kind: FileKind) -> dict[str, str]:
        """The record as ``{column: text}`` for one file kind (unescaped)."""
        return {c: self.cell(c) for c in columns_for(kind)}


def _text_getter(column: str) -> Callable[[InterchangeRecord], str]:
    return attrgetter(column)  # type: ignore[return-value]


def _age(rec: InterchangeRecord) -> str:
    return "" if rec.estimated_age is None else str(rec.estimated_age)


def _aliases(rec: InterchangeRecord) -> str:
    return f"{ALIAS_SEPARATOR} ".join(rec.other_names)


def _date_getter(column: str) -> Callable[[InterchangeRecord], str]:
    get = attrgetter(column)
    return lambda rec: str(get(rec))


_RENDER: dict[str, Callable[[InterchangeRecord], str]] = {c: _text_getter(c) for c in ALL_COLUMNS}
_RENDER["estimated_age"] = _age
_RENDER["other_names"] = _aliases
for _c in DATE_COLUMNS:
    _RENDER[_c] = _date_getter(_c)


def renderer(columns: tuple[str, ...] | list[str]) -> Callable[[InterchangeRecord], list[str]]:
    """A fast function rendering a record's cells for ``columns`` (unescaped text)."""
    getters = [_RENDER.get(c) for c in columns]
    names = list(columns)

    def render(rec: InterchangeRecord) -> list[str]:
        return [
            g(rec) if g is not None else rec.extra.get(n, "")
            for g, n in zip(getters, names, strict=True)
        ]

    return render
