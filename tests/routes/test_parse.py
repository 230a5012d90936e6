"""The route network file: the shipped network loads, every error names its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reunite.routes import (
    RouteFileError,
    default_network,
    load_network,
    network_to_toml,
    parse_network,
)

SMALL = """\
[network]
name = "test"

[[place]]
id = "a"
name = "Alpha"
kind = "city"
country = "UA"
lat = 50.0
lon = 30.0

[[place]]
id = "x"
name = "Crossing X"
kind = "border_crossing"
countries = ["UA", "PL"]
lat = 50.5
lon = 25.0

[[place]]
id = "b"
name = "Beta"
kind = "city"
country = "PL"
lat = 52.0
lon = 21.0

[[link]]
id = "a-x"
from = "a"
to = "x"
mode = "road"
hours = 5

[[link]]
id = "x-b"
from = "x"
to = "b"
mode = "rail"
hours = 4.5

[[rule]]
id = "x-closed"
kind = "closed"
places = ["x"]
from = 2024-01-01
"""


def _error(text: str) -> RouteFileError:
    with pytest.raises(RouteFileError) as caught:
        parse_network(text, source="net.toml")
    return caught.value


def _line_of(text: str, needle: str) -> int:
    """The line where ``needle`` (one or more whole lines, or part of one) starts."""
    lines = text.splitlines()
    wanted = needle.splitlines()
    for number in range(len(lines)):
        window = lines[number:number + len(wanted)]
        if (len(wanted) == 1 and wanted[0] in lines[number]) or window == wanted:
            return number + 1
    raise AssertionError(f"{needle!r} not in text")


def test_small_network_parses() -> None:
    network = parse_network(SMALL)
    assert list(network.places) == ["a", "x", "b"]
    assert network.places["x"].countries == ("UA", "PL")
    assert network.places["x"].handover and not network.places["a"].handover
    assert [link.id for link in network.links] == ["a-x", "x-b"]
    assert network.rules[0].start == dt.date(2024, 1, 1) and network.rules[0].end is None
    assert network.places["b"].line == _line_of(SMALL, 'id = "b"') - 1


def test_shipped_network_is_valid_and_illustrative() -> None:
    network = default_network()
    assert network.illustrative
    assert {"kyiv", "sumy", "moscow", "minsk", "warsaw", "sheremetyevo"} <= set(network.places)
    kinds = {place.kind for place in network.places.values()}
    assert {"city", "border_crossing", "airport", "embassy"} <= kinds
    assert {rule.kind for rule in network.rules} == {
        "closed", "documents", "entry_only_via", "no_exit"}


def test_syntax_error_names_the_line() -> None:
    text = SMALL.replace('mode = "rail"', 'mode = "rail', 1)
    error = _error(text)
    assert error.problems[0].line == _line_of(text, 'mode = "rail')
    assert "syntax error" in str(error) and "net.toml" in str(error)


def test_unknown_place_names_the_line() -> None:
    text = SMALL.replace('to = "b"', 'to = "gamma"')
    error = _error(text)
    assert [p.line for p in error.problems] == [_line_of(text, 'to = "gamma"')]
    assert "unknown place 'gamma'" in str(error)


def test_negative_duration_names_the_line() -> None:
    text = SMALL.replace("hours = 4.5", "hours = -4.5")
    error = _error(text)
    assert [p.line for p in error.problems] == [_line_of(text, "hours = -4.5")]
    assert "must not be negative" in str(error)


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    text = (SMALL.replace("hours = 5", "hours = 0")
            .replace('kind = "city"', 'kind = "village"', 1)
            .replace('places = ["x"]', 'places = ["nowhere"]'))
    error = _error(text)
    lines = [p.line for p in error.problems]
    assert lines == sorted(lines) and len(lines) == 3
    assert lines == [_line_of(text, '"village"'), _line_of(text, "hours = 0"),
                     _line_of(text, '"nowhere"')]


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ('lat = 52.0', 'lat = 95.0', "lat = 95.0", "between -90 and 90"),
        ('countries = ["UA", "PL"]', 'country = "DE"', 'country = "DE"',
         "two countries"),
        ('id = "b"', 'id = "a"', None, "duplicate place id 'a'"),
        ('from = 2024-01-01', 'from = "2024-01-01"', 'from = "2024', "must be a date"),
        ('kind = "closed"', 'kind = "closed"\nuntil = 2023-01-01', "until =", "before 'from'"),
        ('mode = "road"', 'mode = "teleport"', "teleport", "must be one of"),
        ('hours = 5', 'hours = 5\nspeed = 3', "speed", "unknown key 'speed'"),
        ('kind = "closed"', 'kind = "closed"\ncitizenship = "UA"', "citizenship",
         "no meaning for a 'closed' rule"),
    ],
)
def test_each_kind_of_mistake(old: str, new: str, needle: str | None, message: str) -> None:
    text = SMALL.replace(old, new, 1)
    error = _error(text)
    assert message in str(error)
    if needle is not None:
        assert error.problems[0].line == _line_of(text, needle)


def test_unknown_top_level_section_is_reported() -> None:
    error = _error(SMALL + "\n[[crossing]]\nid = \"q\"\n")
    assert "unknown section" in str(error) and error.problems[0].line == len(
        SMALL.splitlines()) + 2


def test_empty_file_is_an_error() -> None:
    assert "no [[place]]" in str(_error(""))


def test_round_trip_of_the_shipped_network() -> None:
    network = default_network()
    again = parse_network(network_to_toml(network))
    assert _strip(again) == _strip(network)


def test_load_network_reports_unreadable_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(RouteFileError, match="cannot read"):
        load_network(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(SMALL.encode() + b'\nname2 = "\xff"\n')
    with pytest.raises(RouteFileError, match="not UTF-8") as caught:
        load_network(bad)
    assert caught.value.problems[0].line == len(SMALL.splitlines()) + 2
    good = tmp_path / "good.toml"
    good.write_text(SMALL, encoding="utf-8")
    assert load_network(good).source == str(good)


def _strip(network):
    import dataclasses

    return (
        {k: dataclasses.replace(v, line=0) for k, v in network.places.items()},
        tuple(dataclasses.replace(link, line=0) for link in network.links),
        tuple(dataclasses.replace(rule, line=0) for rule in network.rules),
        network.name, network.description, network.illustrative,
    )
