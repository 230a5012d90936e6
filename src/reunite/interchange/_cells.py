"""Cell-level rules: formula escaping, text normalisation and per-column validation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from reunite.interchange._dates import PartialDate
from reunite.interchange._schema import (
    ALIAS_SEPARATOR,
    LEGAL_STATUSES,
    MAX_CELL_CHARS,
    MAX_ESTIMATED_AGE,
    MAX_NOTES_CHARS,
)
from reunite.interchange._vocabulary import known_legal_status, known_sex

# Characters that make Excel, LibreOffice or Google Sheets evaluate a cell (OWASP "CSV
# injection"): = + - @ and a leading tab or carriage return.
FORMULA_TRIGGERS: frozenset[str] = frozenset("=+-@\t\r")
ESCAPE_PREFIX = "'"

# Control characters (other than tab, line feed, carriage return) and the XML
# non-characters cannot be stored in XLSX and in a CSV they mean a damaged file.
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) make
# a name display differently from what it holds ("Trojan Source"): refused as well.
_BAD_CHARS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NEWLINES = re.compile(r"\r\n?")


def escape_cell(value: str) -> str:
    """Make a cell safe to open in a spreadsheet: never starts with a formula character.

    A cell starting with ``= + - @``, tab or CR gets a leading apostrophe (``'=HYPERLINK(…)``
    is shown as text, never evaluated). A cell that already starts with an apostrophe
    followed by such a character (or by another apostrophe) is prefixed too, so that
    :func:`unescape_cell` restores every value exactly.
    """
    if not value:
        return value
    first = value[0]
    if first in FORMULA_TRIGGERS or (first == ESCAPE_PREFIX and unescape_cell(value) != value):
        return ESCAPE_PREFIX + value
    return value


def unescape_cell(value: str) -> str:
    """Undo :func:`escape_cell` (strip one apostrophe put before a formula character)."""
    if (
        len(value) >= 2
        and value[0] == ESCAPE_PREFIX
        and (value[1] in FORMULA_TRIGGERS or value[1] == ESCAPE_PREFIX)
    ):
        return value[1:]
    return value


def bad_character(value: str) -> str | None:
    """Describe the first character an interchange cell may not hold, if any."""
    m = _BAD_CHARS.search(value)
    if m is None:
        return None
    if m.group() in _BIDI_CONTROLS:
        return f"contains the bidirectional control character U+{ord(m.group()):04X}"
    return f"contains the control character U+{ord(m.group()):04X}"


def scrub_characters(value: str) -> str:
    """``value`` with every character :func:`bad_character` refuses replaced by U+FFFD."""
    return _BAD_CHARS.sub("\ufffd", value)


def clean_text(raw: str) -> str:
    """Normalise one cell read from a file: newlines to LF, NFC, stripped, unescaped."""
    if not raw:
        return raw
    text = _NEWLINES.sub("\n", raw) if "\r" in raw else raw
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.strip()
    if text[:1] == ESCAPE_PREFIX:
        return unescape_cell(text)
    return text


def max_chars(column: str) -> int:
    return MAX_NOTES_CHARS if column == "notes" else MAX_CELL_CHARS


_SEX = {
    "f": "F",
    "m": "M",
    "female": "F",
    "male": "M",
    # Cyrillic letters and words seen in Ukrainian and Russian forms.
    "ж": "F",
    "жін": "F",
    "жіноча": "F",
    "жен": "F",
    "женский": "F",
    "ч": "M",
    "чол": "M",
    "чоловіча": "M",
    "м": "M",
    "муж": "M",
    "мужской": "M",
}


def _reads_as(value: str) -> str:
    return (
        f"; it reads as {value!r}, write that" if value else "; it says 'not known': leave it empty"
    )


def parse_sex(value: str) -> str:
    if not value:
        return ""
    try:
        return _SEX[value.lower().rstrip(".")]
    except KeyError:
        known = known_sex(value)
        hint = _reads_as(known.value) if known is not None else ""
        raise ValueError(f"{value!r} is not a sex (use F, M or leave empty){hint}") from None


def parse_legal_status(value: str) -> str:
    if not value:
        return ""
    key = re.sub(r"[\s\-]+", "_", value.lower())
    if key in LEGAL_STATUSES:
        return key
    known = known_legal_status(value)
    hint = f"; it reads as {known.value!r}, write that" if known is not None else ""
    raise ValueError(
        f"{value!r} is not a legal status (use one of: {', '.join(LEGAL_STATUSES)}){hint}"
    )


def parse_age(value: str) -> int | None:
    if not value:
        return None
    text = value[:-2] if value.endswith(".0") else value
    if not text.isdigit() or not text.isascii():
        raise ValueError(f"{value!r} is not an age in whole years")
    age = int(text)
    if age > MAX_ESTIMATED_AGE:
        raise ValueError(f"estimated age {age} is over {MAX_ESTIMATED_AGE}")
    return age


def parse_aliases(value: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in value.split(ALIAS_SEPARATOR) if a.strip())


@lru_cache(maxsize=65_536)
def parse_date(value: str) -> PartialDate:
    # Cached: a list of a million children holds a few thousand distinct dates.
    return PartialDate.parse(value)


PARSERS: dict[str, Callable[[str], object]] = {
    "sex": parse_sex,
    "legal_status": parse_legal_status,
    "estimated_age": parse_age,
    "other_names": parse_aliases,
    "birth_date": parse_date,
    "separation_date": parse_date,
}
