"""Read, validate and write the route network file (TOML; format in ``docs/routes.md``).

Every problem is reported with the line a person sees in an editor, and a file with any
problem is rejected whole (:class:`RouteFileError` lists all of them), so a half-valid
network is never used.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from reunite.routes._model import (
    DOCUMENTS,
    HANDOVER_KINDS,
    LINK_MODES,
    PLACE_KINDS,
    ROLES,
    RULE_KINDS,
    Link,
    Network,
    Place,
    Rule,
)
from reunite.routes.exceptions import Problem, RouteFileError

__all__ = ["default_network", "load_network", "network_to_toml", "parse_network"]

DEFAULT_NETWORK_FILE = "illustrative-network.toml"
MAX_FILE_BYTES = 2_000_000

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")

_SECTIONS = {"network", "place", "link", "rule"}
_NETWORK_KEYS = {"name", "description", "illustrative"}
_PLACE_KEYS = {"id", "name", "kind", "country", "countries", "lat", "lon", "handover"}
_LINK_KEYS = {"id", "from", "to", "mode", "hours", "risky", "both_ways", "note"}
_RULE_KEYS = {
    "id", "kind", "from", "until", "places", "links", "country", "at", "via", "documents",
    "citizenship", "sex", "min_age", "max_age", "roles", "note",
}
_WHO_KEYS = ("citizenship", "sex", "min_age", "max_age", "roles")


def _lines(text: str) -> list[str]:
    """The file's lines as TOML counts them (str.splitlines would also split on
    U+2028 and other characters that may appear inside a quoted name)."""
    return text.replace("\r\n", "\n").split("\n")


@dataclass
class _LineIndex:
    """Where each ``[[section]]`` entry and each of its keys starts in the file.

    tomllib does not report positions of values, so we scan the text: the n-th
    ``[[place]]`` header is the n-th entry of ``place``. Keys written in an unusual way
    (inline tables, dotted keys) fall back to the entry's header line.
    """

    headers: dict[str, list[int]] = field(default_factory=dict)
    keys: dict[tuple[str, int], dict[str, int]] = field(default_factory=dict)
    last_line: int = 1

    @classmethod
    def scan(cls, text: str) -> _LineIndex:
        index = cls()
        current: tuple[str, int] | None = None
        lines = _lines(text)
        index.last_line = max(1, len(lines))
        for number, line in enumerate(lines, start=1):
            if match := _ARRAY_HEADER.match(line):
                section = match.group(1)
                entries = index.headers.setdefault(section, [])
                entries.append(number)
                current = (section, len(entries) - 1)
                index.keys[current] = {}
            elif match := _TABLE_HEADER.match(line):
                section = match.group(1)
                index.headers.setdefault(section, []).append(number)
                current = (section, -1)
                index.keys[current] = {}
            elif current is not None and (match := _KEY.match(line)):
                index.keys[current].setdefault(match.group(1), number)
        return index

    def line(self, section: str, position: int, key: str | None = None) -> int:
        keys = self.keys.get((section, position), {})
        if key is not None and key in keys:
            return keys[key]
        entries = self.headers.get(section, [])
        if position == -1:
            return entries[0] if entries else 1
        return entries[position] if position < len(entries) else 1


class _Checker:
    """Collects problems while reading one entry; every getter returns a usable value."""

    def __init__(self, index: _LineIndex, section: str, position: int, label: str) -> None:
        self.index = index
        self.section = section
        self.position = position
        self.label = label
        self.problems: list[Problem] = []

    def line(self, key: str | None = None) -> int:
        return self.index.line(self.section, self.position, key)

    def problem(self, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.line(key), f"{self.label}: {message}"))

    def unknown_keys(self, table: dict[str, Any], allowed: set[str]) -> None:
        for key in sorted(set(table) - allowed):
            self.problem(key, f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")

    def text(self, table: dict[str, Any], key: str, *, required: bool = False) -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.problem(None, f"{key!r} is missing")
            return ""
        if not isinstance(value, str):
            self.problem(key, f"{key!r} must be text in quotes, got {value!r}")
            return ""
        if required and not value.strip():
            self.problem(key, f"{key!r} must not be empty")
        return value.strip()

    def identifier(self, table: dict[str, Any], key: str) -> str:
        value = self.text(table, key, required=True)
        if value and not _ID.match(value):
            self.problem(key, f"{key!r} {value!r} must be lower-case letters, digits, '-' or '_'")
        return value

    def flag(self, table: dict[str, Any], key: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problem(key, f"{key!r} must be true or false, got {value!r}")
            return default
        return value

    def number(self, table: dict[str, Any], key: str, low: float, high: float) -> float:
        value = table.get(key)
        if value is None:
            self.problem(None, f"{key!r} is missing")
            return 0.0
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            self.problem(key, f"{key!r} must be a number, got {value!r}")
            return 0.0
        if not low <= value <= high:
            self.problem(key, f"{key!r} must be between {low:g} and {high:g}, got {value!r}")
        return float(value)

    def whole(self, table: dict[str, Any], key: str) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 130:
            self.problem(key, f"{key!r} must be a whole number of years 0–130, got {value!r}")
            return None
        return value

    def date(self, table: dict[str, Any], key: str) -> dt.date | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            self.problem(key, f"{key!r} must be a date written like 2024-03-01 (no quotes), "
                         f"got {value!r}")
            return None
        return value

    def choice(self, table: dict[str, Any], key: str, allowed: tuple[str, ...] | set[str],
               *, required: bool = False) -> str:
        value = self.text(table, key, required=required)
        if value and value not in allowed:
            self.problem(key, f"{key!r} must be one of {', '.join(sorted(allowed))}, "
                         f"got {value!r}")
            return ""
        return value

    def text_list(self, table: dict[str, Any], key: str) -> tuple[str, ...]:
        value = table.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(key, f"{key!r} must be a list of texts like [\"a\", \"b\"], got {value!r}")
            return ()
        return tuple(item.strip() for item in value)

    def country(self, key: str, code: str) -> None:
        if code and not _COUNTRY.match(code):
            self.problem(key, f"country {code!r} must be a two-letter ISO code like \"UA\"")


def parse_network(text: str, source: str = "") -> Network:
    """Parse and validate a route network from TOML text; raise :class:`RouteFileError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_POSITION.search(message)
        line = int(match.group(1)) if match else max(1, len(_lines(text)))
        reason = _TOML_POSITION.sub("", message).replace("(at end of document)", "").strip()
        raise RouteFileError(source, [Problem(line, f"syntax error: {reason}")]) from None
    index = _LineIndex.scan(text)
    problems: list[Problem] = []
    for key in sorted(set(data) - _SECTIONS):
        line = index.line(key, -1) if key in index.headers else _top_key_line(text, key)
        problems.append(Problem(line, f"unknown section or key {key!r} "
                                      f"(expected [network], [[place]], [[link]], [[rule]])"))
    header = data.get("network", {})
    meta = _Checker(index, "network", -1, "[network]")
    if not isinstance(header, dict):
        meta.problem(None, "must be a table")
        header = {}
    meta.unknown_keys(header, _NETWORK_KEYS)
    name = meta.text(header, "name")
    description = meta.text(header, "description")
    illustrative = meta.flag(header, "illustrative", False)
    problems += meta.problems

    # An entry with a mistake still declares its id, so that links and rules that refer
    # to it do not repeat the same mistake as "unknown place".
    place_entries = _entries(data, "place", index, problems)
    link_entries = _entries(data, "link", index, problems)
    declared_places = {str(t.get("id")) for _, t in place_entries}
    declared_links = {str(t.get("id")) for _, t in link_entries if "id" in t}
    places = _read_places(place_entries, index, problems)
    links = _read_links(link_entries, index, declared_places, problems)
    rules = _read_rules(_entries(data, "rule", index, problems), index, declared_places,
                        declared_links | set(links), problems)
    if not places and not any("place" in p.message for p in problems):
        problems.append(Problem(1, "the network has no [[place]] entries"))
    if problems:
        raise RouteFileError(source, problems)
    return Network(
        places=places, links=tuple(links.values()), rules=tuple(rules), name=name,
        description=description, illustrative=illustrative, source=source,
    )


def load_network(path: str | Path) -> Network:
    """Read and validate a route network file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RouteFileError(str(path), [Problem(0, f"the file is larger than "
                                                        f"{MAX_FILE_BYTES // 1_000_000} MB")])
        raw = path.read_bytes()
    except OSError as error:
        raise RouteFileError(str(path), [Problem(0, f"cannot read the file: "
                                                    f"{error.strerror or error}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise RouteFileError(str(path), [Problem(line, "the file is not UTF-8 text")]) from None
    return parse_network(text, source=str(path))


_default: Network | None = None


def default_network() -> Network:
    """The illustrative network shipped with Reunite (fictional; see ``docs/routes.md``)."""
    global _default
    if _default is None:
        ref = resources.files("reunite.routes") / "data" / DEFAULT_NETWORK_FILE
        _default = parse_network(ref.read_text(encoding="utf-8"), source=DEFAULT_NETWORK_FILE)
    return _default


def _top_key_line(text: str, key: str) -> int:
    for number, line in enumerate(_lines(text), start=1):
        match = _KEY.match(line)
        if match and match.group(1) == key:
            return number
    return 1


def _entries(data: dict[str, Any], section: str, index: _LineIndex,
             problems: list[Problem]) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(section, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        problems.append(Problem(index.line(section, 0), f"{section!r} entries must be written "
                                                        f"as [[{section}]] tables"))
        return []
    return list(enumerate(value))


def _read_places(entries: list[tuple[int, dict[str, Any]]], index: _LineIndex,
                 problems: list[Problem]) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for position, table in entries:
        check = _Checker(index, "place", position, f"place {table.get('id', '?')!r}")
        check.unknown_keys(table, _PLACE_KEYS)
        place_id = check.identifier(table, "id")
        name = check.text(table, "name", required=True)
        kind = check.choice(table, "kind", PLACE_KINDS, required=True)
        if "countries" in table and "country" in table:
            check.problem("countries", "give either 'country' or 'countries', not both")
        countries = check.text_list(table, "countries") or check.text_list(table, "country")
        country_key = "countries" if "countries" in table else "country"
        for code in countries:
            check.country(country_key, code)
        if not countries:
            check.problem(None, "'country' is missing")
        elif kind == "border_crossing" and len(countries) != 2:
            check.problem(country_key, "a border crossing needs the two countries it joins, "
                                       "like countries = [\"UA\", \"PL\"]")
        elif kind != "border_crossing" and len(countries) != 1:
            check.problem(country_key, "only a border crossing lies in two countries")
        lat = check.number(table, "lat", -90, 90)
        lon = check.number(table, "lon", -180, 180)
        handover = check.flag(table, "handover", kind in HANDOVER_KINDS)
        if place_id in places:
            check.problem("id", f"duplicate place id {place_id!r} (first at line "
                                f"{places[place_id].line})")
        problems += check.problems
        if not check.problems:
            places[place_id] = Place(place_id, name, kind, countries, lat, lon, handover,
                                     line=check.line())
    return places


def _read_links(entries: list[tuple[int, dict[str, Any]]], index: _LineIndex,
                places: set[str], problems: list[Problem]) -> dict[str, Link]:
    links: dict[str, Link] = {}
    for position, table in entries:
        label = table.get("id") or f"{table.get('from', '?')} → {table.get('to', '?')}"
        check = _Checker(index, "link", position, f"link {label!r}")
        check.unknown_keys(table, _LINK_KEYS)
        source = check.text(table, "from", required=True)
        target = check.text(table, "to", required=True)
        for key, place_id in (("from", source), ("to", target)):
            if place_id and place_id not in places:
                check.problem(key, f"unknown place {place_id!r}")
        if source and source == target:
            check.problem("to", "a link must join two different places")
        mode = check.choice(table, "mode", LINK_MODES, required=True)
        hours = _hours(check, table)
        link_id = check.identifier(table, "id") if "id" in table else f"{source}-{target}-{mode}"
        if link_id in links:
            check.problem("id", f"duplicate link id {link_id!r} (first at line "
                                f"{links[link_id].line}); give each link an 'id'")
        link = Link(
            id=link_id, source=source, target=target, mode=mode, hours=hours,
            risky=check.flag(table, "risky", False), both_ways=check.flag(table, "both_ways", True),
            note=check.text(table, "note"), line=check.line(),
        )
        problems += check.problems
        if not check.problems:
            links[link_id] = link
    return links


def _hours(check: _Checker, table: dict[str, Any]) -> float:
    value = table.get("hours")
    if value is None:
        check.problem(None, "'hours' is missing")
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        check.problem("hours", f"'hours' must be a number, got {value!r}")
        return 0.0
    if value < 0:
        check.problem("hours", f"'hours' must not be negative, got {value!r}")
    elif value == 0 or math.isinf(value) or value > 24 * 60:
        check.problem("hours", f"'hours' must be more than 0 and at most {24 * 60}, "
                               f"got {value!r}")
    return float(value)


def _read_rules(entries: list[tuple[int, dict[str, Any]]], index: _LineIndex,
                places: set[str], links: set[str], problems: list[Problem]) -> list[Rule]:
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for position, table in entries:
        check = _Checker(index, "rule", position, f"rule {table.get('id', '?')!r}")
        check.unknown_keys(table, _RULE_KEYS)
        rule_id = check.identifier(table, "id")
        kind = check.choice(table, "kind", RULE_KINDS, required=True)
        start, end = check.date(table, "from"), check.date(table, "until")
        if start and end and end < start:
            check.problem("until", f"'until' {end} is before 'from' {start}")
        rule_places = check.text_list(table, "places")
        rule_links = check.text_list(table, "links")
        via = check.text_list(table, "via")
        for key, ids in (("places", rule_places), ("via", via)):
            for place_id in ids:
                if place_id not in places:
                    check.problem(key, f"unknown place {place_id!r}")
        for link_id in rule_links:
            if link_id not in links:
                check.problem("links", f"unknown link {link_id!r}")
        documents = check.text_list(table, "documents")
        for document in documents:
            if document not in DOCUMENTS:
                check.problem("documents", f"unknown document {document!r} "
                                           f"(known: {', '.join(DOCUMENTS)})")
        country = check.text(table, "country")
        check.country("country", country)
        citizenship = check.text(table, "citizenship")
        check.country("citizenship", citizenship)
        at = check.choice(table, "at", ("entry", "exit"))
        sex = check.choice(table, "sex", ("F", "M"))
        min_age, max_age = check.whole(table, "min_age"), check.whole(table, "max_age")
        if min_age is not None and max_age is not None and max_age < min_age:
            check.problem("max_age", f"'max_age' {max_age} is below 'min_age' {min_age}")
        roles = check.text_list(table, "roles")
        for role in roles:
            if role not in ROLES:
                check.problem("roles", f"unknown role {role!r} (known: {', '.join(ROLES)})")
        _check_rule_shape(check, table, kind, rule_places, rule_links, country, at, via,
                          documents)
        if rule_id in seen:
            check.problem("id", f"duplicate rule id {rule_id!r} (first at line {seen[rule_id]})")
        problems += check.problems
        if not check.problems:
            seen[rule_id] = check.line()
            rules.append(Rule(
                id=rule_id, kind=kind, start=start, end=end, places=rule_places,
                links=rule_links, country=country, at=at, via=via, documents=documents,
                citizenship=citizenship, sex=sex, min_age=min_age, max_age=max_age,
                roles=roles, note=check.text(table, "note"), line=check.line(),
            ))
    return rules


def _check_rule_shape(check: _Checker, table: dict[str, Any], kind: str,
                      places: tuple[str, ...], links: tuple[str, ...], country: str, at: str,
                      via: tuple[str, ...], documents: tuple[str, ...]) -> None:
    """Each rule kind needs some keys and forbids others (they would be silently ignored)."""
    def forbid(*keys: str) -> None:
        for key in keys:
            if key in table:
                check.problem(key, f"{key!r} has no meaning for a {kind!r} rule")

    if kind == "closed":
        if not places and not links:
            check.problem(None, "a 'closed' rule needs 'places' or 'links'")
        forbid("country", "at", "via", "documents", *_WHO_KEYS)
    elif kind == "documents":
        if not documents:
            check.problem(None, "a 'documents' rule needs 'documents'")
        if places and (country or at):
            check.problem("country", "give either 'places' or 'country' with 'at', not both")
        elif not places and not (country and at):
            check.problem(None, "a 'documents' rule needs 'places', or 'country' and "
                                "'at' (\"entry\" or \"exit\")")
        forbid("links", "via")
    elif kind == "entry_only_via":
        if not country:
            check.problem(None, "an 'entry_only_via' rule needs 'country'")
        if not via:
            check.problem(None, "an 'entry_only_via' rule needs 'via'")
        forbid("places", "links", "at", "documents")
    elif kind == "no_exit":
        if not country:
            check.problem(None, "a 'no_exit' rule needs 'country'")
        forbid("places", "links", "at", "via", "documents")


def _toml_str(value: str) -> str:
    parts: list[str] = []
    for char in value:
        if char in ('"', "\\"):
            parts.append("\\" + char)
        elif (char < " " and char != "\t") or char == "\x7f":
            parts.append(f"\\u{ord(char):04x}")
        else:
            parts.append(char)
    return '"' + "".join(parts) + '"'


def _toml_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_toml_str(value) for value in values) + "]"


def network_to_toml(network: Network) -> str:
    """Write ``network`` in the file format (``parse_network`` reads it back unchanged)."""
    out: list[str] = ["[network]"]
    out.append(f"name = {_toml_str(network.name)}")
    if network.description:
        out.append(f"description = {_toml_str(network.description)}")
    out.append(f"illustrative = {'true' if network.illustrative else 'false'}")
    for place in network.places.values():
        out += ["", "[[place]]", f"id = {_toml_str(place.id)}", f"name = {_toml_str(place.name)}",
                f"kind = {_toml_str(place.kind)}"]
        if len(place.countries) == 1:
            out.append(f"country = {_toml_str(place.countries[0])}")
        else:
            out.append(f"countries = {_toml_list(place.countries)}")
        out += [f"lat = {place.lat!r}", f"lon = {place.lon!r}"]
        if place.handover != (place.kind in HANDOVER_KINDS):
            out.append(f"handover = {'true' if place.handover else 'false'}")
    for link in network.links:
        out += ["", "[[link]]", f"id = {_toml_str(link.id)}", f"from = {_toml_str(link.source)}",
                f"to = {_toml_str(link.target)}", f"mode = {_toml_str(link.mode)}",
                f"hours = {link.hours!r}"]
        if link.risky:
            out.append("risky = true")
        if not link.both_ways:
            out.append("both_ways = false")
        if link.note:
            out.append(f"note = {_toml_str(link.note)}")
    for rule in network.rules:
        out += ["", "[[rule]]", f"id = {_toml_str(rule.id)}", f"kind = {_toml_str(rule.kind)}"]
        if rule.start:
            out.append(f"from = {rule.start.isoformat()}")
        if rule.end:
            out.append(f"until = {rule.end.isoformat()}")
        for key in ("places", "links", "via", "documents", "roles"):
            values = getattr(rule, key)
            if values:
                out.append(f"{key} = {_toml_list(values)}")
        for key in ("country", "at", "citizenship", "sex", "note"):
            value = getattr(rule, key)
            if value:
                out.append(f"{key} = {_toml_str(value)}")
        for key in ("min_age", "max_age"):
            number = getattr(rule, key)
            if number is not None:
                out.append(f"{key} = {number}")
    return "\n".join(out) + "\n"
