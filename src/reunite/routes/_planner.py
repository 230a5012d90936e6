"""Propose feasible itineraries and explain, in words, why the others cannot be used.

Every rule is local to a place or to one step between two places (entering a country
happens on the step into the first place that lies in it), so the planner builds the
graph of what this party may use on this date and searches it with networkx; routes of
the full network that are not feasible are explained rule by rule.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from reunite.routes._messages import (
    Reason,
    Translate,
    country_name,
    document_name,
    kind_name,
    mode_name,
    one_of,
)
from reunite.routes._model import Link, Network, Place, Rule, Traveller
from reunite.routes.exceptions import RouteError, UnknownPlaceError

__all__ = ["Itinerary", "Leg", "RejectedRoute", "RoutePlan", "plan_routes", "resolve_place"]

#: A risky leg weighs more than any realistic number of hours, so the search ranks routes
#: by (risky legs, hours) exactly.
RISK_WEIGHT = 1_000_000.0
#: How many routes of the whole network the planner looks at to explain the infeasible ones.
EXPLAIN_SEARCH_LIMIT = 60


def _identity(text: str) -> str:
    return text


@dataclass(frozen=True)
class Leg:
    """One step of an itinerary (``number`` counts from 1)."""

    number: int
    link_id: str
    mode: str
    source: Place
    target: Place
    hours: float
    risky: bool

    @property
    def handover_point(self) -> Place | None:
        """The end of the leg when custody may change hands there."""
        return self.target if self.target.handover else None

    def to_dict(self, translate: Translate = _identity) -> dict[str, Any]:
        return {
            "number": self.number,
            "link": self.link_id,
            "mode": self.mode,
            "mode_label": mode_name(self.mode).render(translate),
            "from": self.source.id,
            "from_name": self.source.name,
            "to": self.target.id,
            "to_name": self.target.name,
            "hours": self.hours,
            "risky": self.risky,
            "handover_point": self.target.id if self.target.handover else None,
        }


@dataclass(frozen=True)
class Itinerary:
    """A sequence of connected legs from an origin to a destination."""

    legs: tuple[Leg, ...]

    @property
    def places(self) -> tuple[Place, ...]:
        if not self.legs:
            return ()
        return (self.legs[0].source, *(leg.target for leg in self.legs))

    @property
    def total_hours(self) -> float:
        return round(sum(leg.hours for leg in self.legs), 2)

    @property
    def risky_legs(self) -> int:
        return sum(1 for leg in self.legs if leg.risky)

    @property
    def rank(self) -> tuple[int, float]:
        """Routes sort by fewest risky legs, then fewest hours."""
        return (self.risky_legs, self.total_hours)

    @property
    def handover_points(self) -> tuple[Place, ...]:
        """Embassies, airports, border crossings, offices on the way (origin included)."""
        return tuple(place for place in self.places if place.handover)

    @property
    def summary(self) -> str:
        return " → ".join(place.name for place in self.places)

    def to_dict(self, translate: Translate = _identity) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "total_hours": self.total_hours,
            "risky_legs": self.risky_legs,
            "legs": [leg.to_dict(translate) for leg in self.legs],
            "handover_points": [
                {"id": place.id, "name": place.name, "kind": place.kind,
                 "kind_label": kind_name(place.kind).render(translate)}
                for place in self.handover_points
            ],
        }


@dataclass(frozen=True)
class RejectedRoute:
    """A route of the network this party cannot use on this date, and every reason why."""

    itinerary: Itinerary
    reasons: tuple[Reason, ...]

    def to_dict(self, translate: Translate = _identity) -> dict[str, Any]:
        return {**self.itinerary.to_dict(translate),
                "reasons": [reason.render(translate) for reason in self.reasons]}


@dataclass(frozen=True)
class RoutePlan:
    """What :func:`plan_routes` found: feasible routes (best first) and rejected ones."""

    origin: Place
    destination: Place
    on: dt.date
    routes: tuple[Itinerary, ...]
    rejected: tuple[RejectedRoute, ...]
    notes: tuple[Reason, ...] = field(default=())

    @property
    def best(self) -> Itinerary | None:
        return self.routes[0] if self.routes else None

    def to_dict(self, translate: Translate = _identity) -> dict[str, Any]:
        return {
            "origin": self.origin.id,
            "destination": self.destination.id,
            "date": self.on.isoformat(),
            "routes": [route.to_dict(translate) for route in self.routes],
            "rejected": [route.to_dict(translate) for route in self.rejected],
            "notes": [note.render(translate) for note in self.notes],
        }


def resolve_place(network: Network, place: str | Place) -> Place:
    """The network's place for an id, a name or a :class:`Place`; else UnknownPlaceError."""
    if isinstance(place, Place):
        if network.places.get(place.id) != place:
            raise UnknownPlaceError(place.id, network.suggest_places(place.id))
        return place
    found = network.find_place(place)
    if found is None:
        raise UnknownPlaceError(place, network.suggest_places(place))
    return found


def plan_routes(
    network: Network,
    origin: str | Place,
    destination: str | Place,
    *,
    on: dt.date,
    child: Traveller,
    adults: Sequence[Traveller] = (),
    siblings: Sequence[Traveller] = (),
    max_routes: int = 5,
    max_rejected: int = 5,
) -> RoutePlan:
    """Feasible itineraries for ``child`` travelling with ``adults`` on date ``on``.

    ``siblings`` are further children travelling together (a sibling group): the routes
    must suit every one of them; give each a ``label`` (their name) so that the reasons
    say which child lacks what.

    Routes come best first (fewest risky legs, then fewest hours). ``rejected`` holds up to
    ``max_rejected`` of the network's shortest routes that this party cannot take, each
    with every reason in words. Places are ids, names or :class:`Place` objects.
    """
    if child.role != "child":
        raise RouteError("the traveller passed as 'child' must have the role 'child'")
    if any(adult.role == "child" for adult in adults):
        raise RouteError("each accompanying adult needs a role other than 'child'")
    if any(sibling.role != "child" for sibling in siblings):
        raise RouteError("every sibling must have the role 'child'")
    if max_routes < 1 or max_rejected < 0:
        raise RouteError("max_routes must be at least 1 and max_rejected at least 0")
    start = resolve_place(network, origin)
    end = resolve_place(network, destination)
    if start.id == end.id:
        return RoutePlan(start, end, on, (), (), (Reason("same_place"),))
    judge = _Judge(network, on, (child, *siblings, *adults))
    full, usable = _graphs(network, judge)

    routes: list[Itinerary] = []
    if start.id in usable and end.id in usable and nx.has_path(usable, start.id, end.id):
        for path in itertools.islice(
            nx.shortest_simple_paths(usable, start.id, end.id, weight="weight"), max_routes
        ):
            routes.append(_itinerary(network, usable, path))

    rejected: list[RejectedRoute] = []
    notes: list[Reason] = []
    if nx.has_path(full, start.id, end.id):
        # Explain the shortest routes first (by hours, whatever their risk): those are the
        # ones a person would expect. A route blocked by nothing new is left out.
        feasible = {route.places for route in routes}
        paths = nx.shortest_simple_paths(full, start.id, end.id, weight="hours")
        explained: list[set[Reason]] = []
        for path in itertools.islice(paths, EXPLAIN_SEARCH_LIMIT):
            if len(rejected) >= max_rejected:
                break
            itinerary = _itinerary(network, full, path)
            if itinerary.places in feasible:
                continue
            reasons = judge.path_reasons(path)
            if reasons and not any(shown <= set(reasons) for shown in explained):
                explained.append(set(reasons))
                rejected.append(RejectedRoute(itinerary, reasons))
    else:
        notes.append(Reason("no_connection", {"origin": start.name, "destination": end.name}))
    return RoutePlan(start, end, on, tuple(routes), tuple(rejected), tuple(notes))


def _weight(link: Link) -> float:
    return link.hours + (RISK_WEIGHT if link.risky else 0.0)


def _directed(network: Network) -> Iterable[tuple[str, str, Link]]:
    for link in network.links:
        yield link.source, link.target, link
        if link.both_ways:
            yield link.target, link.source, link


def _graphs(network: Network, judge: _Judge) -> tuple[nx.DiGraph, nx.DiGraph]:
    """The whole network, and the part of it this party may use on this date.

    Parallel links between two places collapse to the best one (the best usable one in
    the usable graph), because networkx's simple-path search needs a simple graph.
    """
    full: nx.DiGraph = nx.DiGraph()
    usable: nx.DiGraph = nx.DiGraph()
    full.add_nodes_from(network.places)
    usable.add_nodes_from(pid for pid in network.places if not judge.place_reasons(pid))
    for source, target, link in _directed(network):
        weight = _weight(link)
        if not full.has_edge(source, target) or weight < full[source][target]["weight"]:
            full.add_edge(source, target, weight=weight, hours=link.hours, link=link)
        if source in usable and target in usable and not judge.step_reasons(source, target, link):
            if not usable.has_edge(source, target) or weight < usable[source][target]["weight"]:
                usable.add_edge(source, target, weight=weight, link=link)
    return full, usable


def _itinerary(network: Network, graph: nx.DiGraph, path: list[str]) -> Itinerary:
    legs = []
    for number, (source, target) in enumerate(itertools.pairwise(path), start=1):
        link: Link = graph[source][target]["link"]
        legs.append(Leg(number, link.id, link.mode, network.places[source],
                        network.places[target], link.hours, link.risky))
    return Itinerary(tuple(legs))


class _Judge:
    """Applies the rules in force on one date to one travelling party, with caching."""

    def __init__(self, network: Network, on: dt.date, party: tuple[Traveller, ...]) -> None:
        self.network = network
        self.party = party
        self.rules = [rule for rule in network.rules if rule.in_force(on)]
        self._place_cache: dict[str, tuple[Reason, ...]] = {}
        self._step_cache: dict[tuple[str, str, str], tuple[Reason, ...]] = {}

    def path_reasons(self, path: list[str]) -> tuple[Reason, ...]:
        """Every reason the party cannot travel ``path``, in route order, without repeats."""
        found: list[Reason] = []
        found += self.place_reasons(path[0])
        for source, target in itertools.pairwise(path):
            found += self.place_reasons(target)
            found += self._best_step_reasons(source, target)
        return tuple(dict.fromkeys(found))

    def _best_step_reasons(self, source: str, target: str) -> tuple[Reason, ...]:
        """Reasons for a step: none if any parallel link is usable, else the best link's."""
        options = sorted(
            (link for s, t, link in _directed(self.network) if (s, t) == (source, target)),
            key=_weight,
        )
        reasons = [self.step_reasons(source, target, link) for link in options]
        if not reasons or any(not found for found in reasons):
            return ()
        return reasons[0]

    def place_reasons(self, place_id: str) -> tuple[Reason, ...]:
        if place_id not in self._place_cache:
            place = self.network.places[place_id]
            found: list[Reason] = []
            for rule in self.rules:
                if place_id not in rule.places:
                    continue
                if rule.kind == "closed":
                    found.append(_noted(rule, _closed_place(rule, place)))
                elif rule.kind == "documents":
                    found += self._missing(rule, "missing_document", place=place.name)
            self._place_cache[place_id] = tuple(found)
        return self._place_cache[place_id]

    def step_reasons(self, source: str, target: str, link: Link) -> tuple[Reason, ...]:
        key = (source, target, link.id)
        if key not in self._step_cache:
            self._step_cache[key] = tuple(self._step(source, target, link))
        return self._step_cache[key]

    def _step(self, source_id: str, target_id: str, link: Link) -> list[Reason]:
        source, target = self.network.places[source_id], self.network.places[target_id]
        entered = [c for c in target.countries if c not in source.countries]
        left = [c for c in source.countries if c not in target.countries]
        found: list[Reason] = []
        for rule in self.rules:
            if rule.kind == "closed" and link.id in rule.links:
                found.append(_noted(rule, _closed_link(rule, link, self.network)))
            elif rule.kind == "entry_only_via" and rule.country in entered:
                if target.id not in rule.via:
                    via = one_of([self.network.places[p].name for p in rule.via])
                    found += self._barred(rule, "entry_only_via", target, via=via)
            elif rule.kind == "no_exit" and rule.country in left:
                found += self._barred(rule, "no_exit", source)
            elif rule.kind == "documents" and rule.country:
                if rule.at == "entry" and rule.country in entered:
                    found += self._missing(rule, "missing_document_entry", who=_who(rule),
                                           country=country_name(rule.country))
                elif rule.at == "exit" and rule.country in left:
                    found += self._missing(rule, "missing_document_exit", who=_who(rule),
                                           country=country_name(rule.country))
        return found

    def _barred(self, rule: Rule, code: str, place: Place, **extra: Any) -> list[Reason]:
        params: dict[str, Any] = {"place": place.name, "country": country_name(rule.country),
                                  "who": _who(rule), **extra}
        if rule.start is None:
            code += "_always"
        else:
            params["start"] = rule.start.isoformat()
        return [
            _noted(rule, Reason(code, {"traveller": _label(traveller), **params}))
            for traveller in self.party if rule.applies_to(traveller)
        ]

    def _missing(self, rule: Rule, code: str, **params: Any) -> list[Reason]:
        found = []
        for traveller in self.party:
            if not rule.applies_to(traveller):
                continue
            for document in rule.documents:
                if document not in traveller.documents:
                    found.append(_noted(rule, Reason(code, {
                        "traveller": _label(traveller), "document": document_name(document),
                        **params,
                    })))
        return found


def _label(traveller: Traveller) -> str | Reason:
    return traveller.label or Reason("the_child")


def _noted(rule: Rule, reason: Reason) -> Reason:
    return Reason("rule_note", {"reason": reason, "note": rule.note}) if rule.note else reason


def _closed_place(rule: Rule, place: Place) -> Reason:
    return _closed(rule, "place_closed", {"place": place.name})


def _closed_link(rule: Rule, link: Link, network: Network) -> Reason:
    return _closed(rule, "link_closed", {
        "mode": mode_name(link.mode),
        "source": network.places[link.source].name,
        "target": network.places[link.target].name,
    })


def _closed(rule: Rule, prefix: str, params: dict[str, Any]) -> Reason:
    if rule.start and rule.end:
        return Reason(f"{prefix}_between", {**params, "start": rule.start.isoformat(),
                                            "end": rule.end.isoformat()})
    if rule.start:
        return Reason(f"{prefix}_since", {**params, "start": rule.start.isoformat()})
    return Reason(prefix, params)


def _who(rule: Rule) -> Reason:
    """Who a rule applies to, as a translatable phrase built from its selectors."""
    selectors = (rule.citizenship, rule.sex, rule.min_age, rule.max_age, rule.roles)
    if not any(value not in ("", None, ()) for value in selectors):
        return Reason("who_everyone")
    who = Reason({"M": "who_men", "F": "who_women"}.get(rule.sex, "who_travellers"))
    if rule.citizenship:
        who = Reason("who_citizenship", {"who": who, "country": rule.citizenship})
    if rule.min_age is not None and rule.max_age is not None:
        who = Reason("who_age_between", {"who": who, "min_age": rule.min_age,
                                         "max_age": rule.max_age})
    elif rule.min_age is not None:
        who = Reason("who_age_min", {"who": who, "min_age": rule.min_age})
    elif rule.max_age is not None:
        who = Reason("who_age_max", {"who": who, "max_age": rule.max_age})
    if rule.roles:
        who = Reason("who_roles", {"who": who,
                                   "roles": one_of([Reason(f"role_{r}") for r in rule.roles])})
    return who
