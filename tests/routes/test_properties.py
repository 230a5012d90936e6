"""Property tests: the file format round-trips, bad files fail cleanly with a line number,
and the planner's answers agree with a brute-force search over every simple path."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reunite.routes import (
    Link,
    Network,
    Place,
    RouteFileError,
    Rule,
    Traveller,
    network_to_toml,
    parse_network,
    plan_routes,
    render_route_map,
)

IDS = [f"p{i}" for i in range(7)]
COUNTRIES = ["UA", "PL", "BY"]
DAYS = st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2027, 12, 31))
SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=20,
)


@st.composite
def networks(draw: st.DrawFn) -> Network:
    count = draw(st.integers(min_value=2, max_value=len(IDS)))
    places: dict[str, Place] = {}
    for place_id in IDS[:count]:
        crossing = draw(st.booleans())
        countries = tuple(draw(st.lists(st.sampled_from(COUNTRIES), min_size=2, max_size=2,
                                        unique=True))) if crossing else (
            draw(st.sampled_from(COUNTRIES)),)
        kind = "border_crossing" if crossing else draw(
            st.sampled_from(["city", "airport", "embassy"]))
        places[place_id] = Place(
            place_id, draw(SAFE_TEXT.filter(lambda s: s.strip() != "")).strip(), kind,
            countries, draw(st.floats(-60, 60, allow_nan=False)),
            draw(st.floats(-170, 170, allow_nan=False)), kind != "city",
        )
    pairs = [(a, b) for a, b in itertools.permutations(places, 2)]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=12))
    links = tuple(
        Link(f"l{i}", a, b, draw(st.sampled_from(["road", "rail", "air"])),
             draw(st.floats(0.25, 48, allow_nan=False)), risky=draw(st.booleans()),
             both_ways=draw(st.booleans()), note=draw(SAFE_TEXT).strip())
        for i, (a, b) in enumerate(chosen)
    )
    rules: list[Rule] = []
    for i in range(draw(st.integers(0, 4))):
        start = draw(st.none() | DAYS)
        end = draw(st.none() | DAYS.filter(lambda d, s=start: s is None or d >= s))
        if draw(st.booleans()):
            closed_places = tuple(draw(st.lists(st.sampled_from(list(places)), max_size=2,
                                                unique=True)))
            closed_links = tuple(draw(st.lists(st.sampled_from([link.id for link in links]),
                                               max_size=2, unique=True)))
            if not closed_places and not closed_links:
                closed_places = (IDS[0],)
            rules.append(Rule(f"r{i}", "closed", start, end, places=closed_places,
                              links=closed_links))
        else:
            rules.append(Rule(
                f"r{i}", "documents", start, end,
                places=tuple(draw(st.lists(st.sampled_from(list(places)), min_size=1,
                                           max_size=2, unique=True))),
                documents=("passport",),
                roles=tuple(draw(st.lists(st.sampled_from(["child", "escort"]), max_size=1))),
            ))
    return Network(places=places, links=links, rules=tuple(rules), name="generated",
                   illustrative=True)


def _strip(network: Network) -> tuple:
    return (
        {k: dataclasses.replace(v, line=0) for k, v in network.places.items()},
        tuple(dataclasses.replace(link, line=0) for link in network.links),
        tuple(dataclasses.replace(rule, line=0) for rule in network.rules),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_written_networks_read_back_unchanged(network: Network) -> None:
    assert _strip(parse_network(network_to_toml(network))) == _strip(network)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.data())
def test_a_negative_duration_is_reported_on_its_own_line(network: Network, data) -> None:
    text = network_to_toml(network)
    lines = text.split("\n")
    hour_lines = [n for n, line in enumerate(lines) if line.startswith("hours = ")]
    target = data.draw(st.sampled_from(hour_lines))
    lines[target] = "hours = -1.5"
    try:
        parse_network("\n".join(lines))
    except RouteFileError as error:
        assert [p.line for p in error.problems] == [target + 1]
    else:
        raise AssertionError("a negative duration was accepted")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.data())
def test_damaged_files_fail_cleanly_with_a_line_in_range(network: Network, data) -> None:
    lines = network_to_toml(network).split("\n")
    position = data.draw(st.integers(0, len(lines)))
    garbage = data.draw(st.sampled_from([
        "[[place", "id = ", "hours = \"x\"", "lat = 400", "[[link]]", "mode = 'boat'",
        "= 3", "[network]", "kind = \"closed\"", "from = 2024-13-01", "\"", "x = [1, 2",
    ]) | SAFE_TEXT)
    lines.insert(position, garbage)
    try:
        parse_network("\n".join(lines))
    except RouteFileError as error:
        assert error.problems
        assert all(0 <= p.line <= len(lines) for p in error.problems)


def _usable(network: Network, on: dt.date, party: list[Traveller]) -> tuple[set, dict]:
    """Independent reference: which places and directed steps this party may use."""
    blocked_places: set[str] = set()
    blocked_links: set[str] = set()
    for rule in network.rules:
        if not rule.in_force(on):
            continue
        if rule.kind == "closed":
            blocked_places |= set(rule.places)
            blocked_links |= set(rule.links)
        elif rule.kind == "documents" and any(
            rule.applies_to(t) and not set(rule.documents) <= t.documents for t in party
        ):
            blocked_places |= set(rule.places)
    steps: dict[tuple[str, str], float] = {}
    for link in network.links:
        if link.id in blocked_links:
            continue
        weight = link.hours + (1_000_000 if link.risky else 0)
        for a, b in [(link.source, link.target)] + (
            [(link.target, link.source)] if link.both_ways else []
        ):
            steps[(a, b)] = min(weight, steps.get((a, b), float("inf")))
    usable = set(network.places) - blocked_places
    return usable, {k: v for k, v in steps.items() if k[0] in usable and k[1] in usable}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), DAYS, st.booleans(), st.data())
def test_planner_agrees_with_brute_force(network: Network, on: dt.date, passport: bool,
                                         data) -> None:
    origin, destination = data.draw(
        st.lists(st.sampled_from(list(network.places)), min_size=2, max_size=2, unique=True))
    child = Traveller(age=8, documents=frozenset({"passport"} if passport else set()))
    plan = plan_routes(network, origin, destination, on=on, child=child, max_routes=50)
    usable, steps = _usable(network, on, [child])

    graph = nx.DiGraph()
    graph.add_nodes_from(usable)
    graph.add_edges_from(steps)
    best = None
    if origin in usable and destination in usable:
        for path in nx.all_simple_paths(graph, origin, destination):
            weight = sum(steps[(a, b)] for a, b in itertools.pairwise(path))
            best = weight if best is None else min(best, weight)
    assert (best is not None) == bool(plan.routes)
    if best is not None:
        first = plan.routes[0]
        found = first.risky_legs * 1_000_000 + sum(leg.hours for leg in first.legs)
        assert abs(found - best) < 1e-6
    ranks = [route.rank for route in plan.routes]
    assert ranks == sorted(ranks)
    for route in plan.routes:
        places = [p.id for p in route.places]
        assert places[0] == origin and places[-1] == destination
        assert len(set(places)) == len(places)
        assert set(places) <= usable
        for leg in route.legs:
            assert (leg.source.id, leg.target.id) in steps
    for rejected in plan.rejected:
        assert rejected.reasons
        path = [p.id for p in rejected.itinerary.places]
        assert not (set(path) <= usable and all(
            (a, b) in steps for a, b in itertools.pairwise(path)))
    svg = render_route_map(network, plan.best, on=on)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
