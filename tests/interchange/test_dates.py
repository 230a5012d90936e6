from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reunite.interchange import UNKNOWN_DATE, PartialDate


@pytest.mark.parametrize(
    ("text", "parts", "precision"),
    [
        ("2013-04-05", (2013, 4, 5), "day"),
        ("2013-04", (2013, 4, None), "month"),
        ("2013", (2013, None, None), "year"),
        ("", (None, None, None), "unknown"),
        ("  2016-02-29 ", (2016, 2, 29), "day"),
    ],
)
def test_parse(text: str, parts: tuple, precision: str) -> None:
    d = PartialDate.parse(text)
    assert (d.year, d.month, d.day) == parts
    assert d.precision == precision


@pytest.mark.parametrize(
    "text", ["2013-13-01", "2015-02-29", "13.04.2013", "2013/04/05", "20130405", "1850", "abc"]
)
def test_parse_rejects_with_clear_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a date \(use YYYY-MM-DD, YYYY-MM or YYYY\)"):
        PartialDate.parse(text)


def test_first_and_last_possible_day() -> None:
    assert PartialDate.parse("2014-02").to_date() == date(2014, 2, 1)
    assert PartialDate.parse("2016-02").last_date() == date(2016, 2, 29)
    assert PartialDate.parse("2014").last_date() == date(2014, 12, 31)
    assert UNKNOWN_DATE.to_date() is None
    assert PartialDate.parse("2014").could_be(PartialDate.parse("2014-06-03"))
    assert not PartialDate.parse("2014-05").could_be(PartialDate.parse("2014-06-03"))


def test_inconsistent_parts_are_refused() -> None:
    with pytest.raises(ValueError):
        PartialDate(None, 3, None)
    with pytest.raises(ValueError):
        PartialDate(2014, None, 3)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(0, 2))
def test_str_parse_round_trip(day: date, cut: int) -> None:
    full = PartialDate.from_date(day)
    d = [full, PartialDate(day.year, day.month), PartialDate(day.year)][cut]
    assert PartialDate.parse(str(d)) == d
    assert d.to_date() is not None and d.to_date() <= day <= d.last_date()


def test_digits_of_other_scripts_are_refused() -> None:
    import pytest

    from reunite.interchange import PartialDate

    with pytest.raises(ValueError, match="is not a date"):
        PartialDate.parse("٢٠١٤-٠٣")
