"""Partial dates: families often know only the year, or the year and month, of a birth."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

Precision = Literal["day", "month", "year", "unknown"]

# ASCII digits only: \d would also accept other scripts' digits ("٢٠١٤").
_DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
_HINT = "use YYYY-MM-DD, YYYY-MM or YYYY"
MIN_YEAR = 1900
MAX_YEAR = 2100


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date that may be known to the day, the month, the year, or not at all.

    Stored as three optional parts so that "2014" and "2014-01-01" stay different: the
    first says nothing about the day, and matching must not pretend it does.
    """

    year: int | None = None
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.year is None and (self.month is not None or self.day is not None):
            raise ValueError("a partial date with a month or day needs a year")
        if self.month is None and self.day is not None:
            raise ValueError("a partial date with a day needs a month")
        if self.year is not None and not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValueError(f"year {self.year} is outside {MIN_YEAR}-{MAX_YEAR}")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12")
        if self.day is not None:
            assert self.year is not None and self.month is not None
            last = _days_in_month(self.year, self.month)
            if not 1 <= self.day <= last:
                raise ValueError(
                    f"day {self.day} does not exist in {self.year:04d}-{self.month:02d}"
                )

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        if self.year is not None:
            return "year"
        return "unknown"

    @property
    def is_known(self) -> bool:
        return self.year is not None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse interchange text (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or empty).

        Raises ``ValueError`` with a message fit to show a person. Other layouts such as
        ``01.02.2013`` are refused on purpose: day/month order is ambiguous across
        countries, and a silently swapped birth date breaks matching.
        """
        value = text.strip()
        if not value:
            return UNKNOWN_DATE
        m = _DATE_RE.fullmatch(value)
        if m is None:
            raise ValueError(f"{value!r} is not a date ({_HINT})")
        year, month, day = (int(g) if g is not None else None for g in m.groups())
        try:
            return cls(year, month, day)
        except ValueError:
            raise ValueError(f"{value!r} is not a date ({_HINT})") from None

    @classmethod
    def from_date(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    def __str__(self) -> str:
        if self.year is None:
            return ""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def to_date(self) -> date | None:
        """The first day the partial date could be (``None`` when unknown)."""
        if self.year is None:
            return None
        return date(self.year, self.month or 1, self.day or 1)

    def last_date(self) -> date | None:
        """The last day the partial date could be (``None`` when unknown)."""
        if self.year is None:
            return None
        month = self.month or 12
        day = self.day or _days_in_month(self.year, month)
        return date(self.year, month, day)

    def could_be(self, other: PartialDate) -> bool:
        """True when the two partial dates overlap (unknown overlaps everything)."""
        a0, a1, b0, b1 = self.to_date(), self.last_date(), other.to_date(), other.last_date()
        if a0 is None or b0 is None:
            return True
        assert a1 is not None and b1 is not None
        return a0 <= b1 and b0 <= a1


UNKNOWN_DATE = PartialDate()

_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and calendar.isleap(year):
        return 29
    return _DAYS[month - 1]
