"""The CSV/XLSX list-exchange format for children, enquiries and registry records.

One row per child. ``reunite import``/``export``, the matching engine and list exchanges
with other parties all use this format (see ``docs/interchange.md``). Reading validates
every row first and either returns every record or raises :class:`InterchangeError` with
every problem, so a bad file is never half-imported. No Django import.

>>> from reunite.interchange import read_file, write_file  # doctest: +SKIP
>>> result = read_file("children.csv", "children")          # doctest: +SKIP
>>> write_file("out.xlsx", result.records, "children")      # doctest: +SKIP
"""

from reunite.interchange._cells import (
    FORMULA_TRIGGERS,
    bad_character,
    escape_cell,
    scrub_characters,
    unescape_cell,
)
from reunite.interchange._dates import MAX_YEAR, MIN_YEAR, UNKNOWN_DATE, PartialDate
from reunite.interchange._read import ReadResult, RecordStream, open_records, read_file
from reunite.interchange._repairs import (
    REPAIR_COLUMNS,
    Repair,
    RepairKind,
    write_repairs,
)
from reunite.interchange._repairs import summarise as summarise_repairs
from reunite.interchange._schema import (
    ALL_COLUMNS,
    COLUMNS,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    KINDS,
    LEGAL_STATUSES,
    MAX_CELL_CHARS,
    MAX_NOTES_CHARS,
    REQUIRED,
    FileKind,
    InterchangeRecord,
    columns_for,
)
from reunite.interchange._vocabulary import (
    RELATIONSHIP_WORDS,
    RELATIONSHIPS,
    KnownWord,
    known_legal_status,
    known_relationship,
    known_sex,
    normalise_word,
)
from reunite.interchange._write import write_file
from reunite.interchange._xlsx import XlsxLimits
from reunite.interchange.exceptions import InterchangeError, Problem

__all__ = [
    "ALL_COLUMNS",
    "COLUMNS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ROWS",
    "FORMULA_TRIGGERS",
    "KINDS",
    "LEGAL_STATUSES",
    "MAX_CELL_CHARS",
    "MAX_NOTES_CHARS",
    "MAX_YEAR",
    "MIN_YEAR",
    "RELATIONSHIPS",
    "RELATIONSHIP_WORDS",
    "REPAIR_COLUMNS",
    "REQUIRED",
    "UNKNOWN_DATE",
    "FileKind",
    "InterchangeError",
    "InterchangeRecord",
    "KnownWord",
    "PartialDate",
    "Problem",
    "ReadResult",
    "RecordStream",
    "Repair",
    "RepairKind",
    "XlsxLimits",
    "bad_character",
    "columns_for",
    "escape_cell",
    "known_legal_status",
    "known_relationship",
    "known_sex",
    "normalise_word",
    "open_records",
    "read_file",
    "scrub_characters",
    "summarise_repairs",
    "unescape_cell",
    "write_file",
    "write_repairs",
]
