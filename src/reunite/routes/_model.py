"""The route network (places, links, rules) and the people who travel.

Everything here is immutable: a :class:`Network` is read once from its data file and then
shared by every planning call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "DOCUMENTS",
    "HANDOVER_KINDS",
    "LINK_MODES",
    "PLACE_KINDS",
    "ROLES",
    "RULE_KINDS",
    "Link",
    "Network",
    "Place",
    "Rule",
    "Traveller",
]

#: What a place is. Border crossings, airports, embassies and offices (ICRC, ombudsman,
#: child-protection centre) are where custody of a child may change hands.
PLACE_KINDS = ("city", "border_crossing", "airport", "embassy", "office", "station")
HANDOVER_KINDS = frozenset({"border_crossing", "airport", "embassy", "office"})

#: How a leg is travelled.
LINK_MODES = ("road", "rail", "air", "foot", "convoy")

#: Documents a rule may require. The labels a person reads are in ``_messages``.
DOCUMENTS = (
    "passport",
    "birth_certificate",
    "id_card",
    "power_of_attorney",
    "custody_decision",
    "travel_permit",
)

#: Who a traveller is in the transfer.
ROLES = ("child", "legal_representative", "proxy", "escort")

RULE_KINDS = ("closed", "documents", "entry_only_via", "no_exit")


@dataclass(frozen=True)
class Place:
    """A node of the network: a city, a border crossing, an airport, an embassy, ...

    ``countries`` holds one ISO 3166 alpha-2 code, or two for a border crossing (the two
    sides). ``line`` is the line of the place's ``[[place]]`` header in the data file.
    """

    id: str
    name: str
    kind: str
    countries: tuple[str, ...]
    lat: float
    lon: float
    handover: bool
    line: int = 0

    @property
    def is_crossing(self) -> bool:
        return self.kind == "border_crossing"


@dataclass(frozen=True)
class Link:
    """A way to travel from one place to another (both ways unless ``both_ways`` is false).

    ``risky`` marks legs with a known risk to the traveller (front-line areas, long
    interrogations at a checkpoint): the planner prefers routes with fewer of them.
    """

    id: str
    source: str
    target: str
    mode: str
    hours: float
    risky: bool = False
    both_ways: bool = True
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class Rule:
    """A constraint that holds from ``start`` to ``end`` (both inclusive; ``None`` = open).

    Kinds:

    * ``closed``: the ``places`` and ``links`` may not be used by anyone.
    * ``documents``: travellers the rule applies to need every one of ``documents`` when
      they pass one of ``places``, or when they enter (``at = "entry"``) or leave
      (``at = "exit"``) ``country``.
    * ``entry_only_via``: travellers the rule applies to may enter ``country`` only at
      one of ``via``.
    * ``no_exit``: travellers the rule applies to may not leave ``country``.

    Who a rule applies to: everyone, narrowed by ``citizenship`` (the traveller holds it),
    ``sex``, ``min_age``/``max_age`` (inclusive; "children under 14 exempt" is
    ``min_age = 14``) and ``roles``.
    """

    id: str
    kind: str
    start: dt.date | None = None
    end: dt.date | None = None
    places: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    country: str = ""
    at: str = ""
    via: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    citizenship: str = ""
    sex: str = ""
    min_age: int | None = None
    max_age: int | None = None
    roles: tuple[str, ...] = ()
    note: str = ""
    line: int = 0

    def in_force(self, on: dt.date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)

    def applies_to(self, traveller: Traveller) -> bool:
        if self.citizenship and self.citizenship not in traveller.citizenships:
            return False
        if self.sex and traveller.sex != self.sex:
            return False
        if self.min_age is not None and traveller.age < self.min_age:
            return False
        if self.max_age is not None and traveller.age > self.max_age:
            return False
        return not self.roles or traveller.role in self.roles


@dataclass(frozen=True)
class Traveller:
    """Someone on the route: the child, or an adult travelling with the child.

    ``label`` names the person in explanations ("the child", "Olena K."); leave it empty
    for the child to get the translated "the child". ``citizenships`` and ``documents``
    are sets of codes (ISO country codes; :data:`DOCUMENTS`). ``sex`` is ``"F"``, ``"M"``
    or ``""`` (unknown: rules about one sex do not apply).
    """

    age: int
    sex: str = ""
    citizenships: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    role: str = "child"
    label: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; expected one of {', '.join(ROLES)}")
        if not 0 <= self.age <= 130:
            raise ValueError(f"age must be between 0 and 130, got {self.age}")
        if self.sex not in ("", "F", "M"):
            raise ValueError(f"sex must be 'F', 'M' or empty, got {self.sex!r}")
        unknown = sorted(set(self.documents) - set(DOCUMENTS))
        if unknown:
            raise ValueError(
                f"unknown document(s) {', '.join(unknown)}; expected {', '.join(DOCUMENTS)}"
            )


@dataclass(frozen=True)
class Network:
    """A validated route network. Build one with ``parse_network``/``load_network``."""

    places: dict[str, Place]
    links: tuple[Link, ...]
    rules: tuple[Rule, ...]
    name: str = ""
    description: str = ""
    illustrative: bool = False
    source: str = ""
    _by_name: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for place in self.places.values():
            self._by_name.setdefault(place.id.casefold(), place.id)
            self._by_name.setdefault(place.name.casefold(), place.id)

    def find_place(self, text: str) -> Place | None:
        """The place whose id or name is ``text`` (case-insensitive), or ``None``."""
        place_id = self._by_name.get(text.strip().casefold())
        return self.places.get(place_id) if place_id else None

    def suggest_places(self, text: str, limit: int = 3) -> list[str]:
        """Ids of the places whose id or name is closest to ``text`` (for error messages)."""
        import difflib

        folded = text.strip().casefold()
        keys = list(self._by_name)
        hits = difflib.get_close_matches(folded, keys, n=limit * 2, cutoff=0.5)
        hits += [key for key in keys if folded and folded in key]
        seen: list[str] = []
        for key in hits:
            place_id = self._by_name[key]
            if place_id not in seen:
                seen.append(place_id)
        return seen[:limit]

    @property
    def links_by_id(self) -> dict[str, Link]:
        return {link.id: link for link in self.links}
