"""The planner on the shipped illustrative network: the scenarios the issue names."""

from __future__ import annotations

import datetime as dt

import pytest

from reunite.routes import (
    RouteError,
    Traveller,
    UnknownPlaceError,
    default_network,
    plan_routes,
)

DAY = dt.date(2026, 2, 12)


def _child(age: int = 9, *documents: str, citizenship: str = "UA") -> Traveller:
    return Traveller(age=age, citizenships=frozenset({citizenship}),
                     documents=frozenset(documents or {"birth_certificate"}))


def _adult(label: str, sex: str, age: int, role: str = "legal_representative",
           citizenship: str = "UA", documents: tuple[str, ...] = ("passport",)) -> Traveller:
    return Traveller(age=age, sex=sex, citizenships=frozenset({citizenship}),
                     documents=frozenset(documents), role=role, label=label)


def _reasons(plan) -> list[str]:
    return [str(reason) for route in plan.rejected for reason in route.reasons]


def test_avoids_the_closed_crossing_and_says_since_when() -> None:
    plan = plan_routes(default_network(), "Sumy", "Kursk", on=DAY,
                       child=_child(10, "passport", "birth_certificate"))
    assert plan.routes, plan.to_dict()
    assert all("ua-ru-sumy-kursk" not in {p.id for p in route.places} for route in plan.routes)
    assert "Sumy–Kursk road crossing has been closed since 2022-02-24 (front line)" in _reasons(
        plan)


def test_refuses_a_route_that_needs_a_passport_the_child_lacks() -> None:
    plan = plan_routes(default_network(), "qatar-embassy-moscow", "kyiv", on=DAY,
                       child=_child(12))
    assert plan.best is not None
    assert {"ua-by-humanitarian"} <= {p.id for p in plan.best.places}
    assert "the child has no passport and Sheremetyevo Airport requires one" in _reasons(plan)
    for route in plan.routes:
        assert not any(p.kind == "airport" for p in route.places)


def test_with_a_passport_the_child_may_fly() -> None:
    plan = plan_routes(default_network(), "qatar-embassy-moscow", "kyiv", on=DAY,
                       child=_child(12, "passport", "birth_certificate"))
    assert any(any(p.kind == "airport" for p in route.places) for route in plan.routes)


def test_prefers_fewest_risky_legs_then_fewest_hours() -> None:
    plan = plan_routes(default_network(), "kyiv", "qatar-embassy-moscow", on=DAY,
                       child=_child(8, "passport", "birth_certificate"),
                       adults=[_adult("Galina S.", "F", 62, citizenship="RU")])
    ranks = [route.rank for route in plan.routes]
    assert ranks == sorted(ranks)
    assert ranks[0][0] == 0  # a route with no risky leg exists (through Poland)
    shortest_any = min(
        (r.itinerary for r in plan.rejected), key=lambda i: i.total_hours, default=None)
    assert shortest_any is None or shortest_any.total_hours <= plan.routes[0].total_hours or (
        shortest_any.risky_legs >= plan.routes[0].risky_legs)


def test_children_under_14_are_exempt_from_the_entry_points_rule() -> None:
    network = default_network()
    younger = plan_routes(network, "kyiv", "moscow", on=DAY, child=_child(13))
    older = plan_routes(network, "kyiv", "moscow", on=DAY, child=_child(15))
    assert younger.routes and younger.best is not None
    assert "minsk" in {p.id for p in younger.best.places}
    assert not older.routes  # no passport for Sheremetyevo, and Ludonka is closed
    assert any("may enter Russia only through Sheremetyevo Airport or Ludonka crossing" in r
               for r in _reasons(older))


def test_men_of_military_age_may_not_leave_ukraine() -> None:
    escort = _adult("Petro K.", "M", 45, role="escort")
    plan = plan_routes(default_network(), "kyiv", "warsaw", on=DAY,
                       child=_child(10, "passport"), adults=[escort])
    assert not plan.routes
    assert any(r.startswith("Petro K. may not leave Ukraine at ") and "men with UA citizenship "
               "aged 18–60" in r for r in _reasons(plan))
    older = _adult("Petro K.", "M", 61, role="escort")
    assert plan_routes(default_network(), "kyiv", "warsaw", on=DAY,
                       child=_child(10, "passport"), adults=[older]).routes


def test_proxy_needs_the_power_of_attorney() -> None:
    network = default_network()
    aunt = _adult("Iryna P.", "F", 44, role="proxy")
    plan = plan_routes(network, "qatar-embassy-moscow", "kyiv", on=DAY, child=_child(9),
                       adults=[aunt])
    assert not plan.routes
    assert any("Iryna P. has no notarised power of attorney on the official form" in r
               for r in _reasons(plan))
    with_poa = _adult("Iryna P.", "F", 44, role="proxy",
                      documents=("passport", "power_of_attorney"))
    assert plan_routes(network, "qatar-embassy-moscow", "kyiv", on=DAY, child=_child(9),
                       adults=[with_poa]).routes


def test_date_ranged_closure_applies_only_inside_the_range() -> None:
    network = default_network()
    child = _child(10, "passport")
    during = plan_routes(network, "warsaw", "brest", on=dt.date(2025, 9, 20), child=child)
    after = plan_routes(network, "warsaw", "brest", on=dt.date(2025, 9, 26), child=child)
    assert "Terespol–Brest crossing is closed from 2025-09-12 to 2025-09-25 (temporary " \
        "closure during military exercises; illustrative)" in _reasons(during)
    assert after.best is not None and "pl-by-terespol" in {p.id for p in after.best.places}
    assert during.best is not None and "pl-by-terespol" not in {
        p.id for p in during.best.places}


def test_legs_connect_and_handover_points_are_listed() -> None:
    plan = plan_routes(default_network(), "qatar-embassy-moscow",
                       "kyiv-child-protection-centre", on=DAY, child=_child(9))
    best = plan.best
    assert best is not None
    assert best.legs[0].source.id == "qatar-embassy-moscow"
    assert best.legs[-1].target.id == "kyiv-child-protection-centre"
    for before, after in zip(best.legs, best.legs[1:], strict=False):
        assert before.target == after.source
    kinds = {p.kind for p in best.handover_points}
    assert {"embassy", "border_crossing", "office"} <= kinds
    data = plan.to_dict()
    assert data["routes"][0]["legs"][0]["from"] == "qatar-embassy-moscow"
    assert data["rejected"] and all(r["reasons"] for r in data["rejected"])


def test_reasons_translate_through_the_given_function() -> None:
    plan = plan_routes(default_network(), "Sumy", "Kursk", on=DAY, child=_child(10))
    table = {"{place} has been closed since {start}": "{place} закрито з {start}"}
    texts = [reason.render(lambda s: table.get(s, s))
             for route in plan.rejected for reason in route.reasons]
    assert any("закрито з 2022-02-24" in text for text in texts)


def test_bad_input() -> None:
    network = default_network()
    with pytest.raises(UnknownPlaceError, match="did you mean") as caught:
        plan_routes(network, "Kyev", "Moscow", on=DAY, child=_child())
    assert "kyiv" in caught.value.suggestions
    with pytest.raises(RouteError, match="role 'child'"):
        plan_routes(network, "kyiv", "moscow", on=DAY, child=_adult("A", "F", 30))
    with pytest.raises(ValueError, match="unknown document"):
        Traveller(age=5, documents=frozenset({"visa"}))
    same = plan_routes(network, "kyiv", "Kyiv", on=DAY, child=_child())
    assert not same.routes and str(same.notes[0]) == (
        "the start and the destination are the same place")


def test_a_sibling_group_needs_a_route_that_suits_every_child() -> None:
    network = default_network()
    with_passport = _child(12, "passport", "birth_certificate")
    sister = Traveller(age=10, citizenships=frozenset({"UA"}),
                       documents=frozenset({"birth_certificate"}), label="Daryna")
    alone = plan_routes(network, "qatar-embassy-moscow", "kyiv", on=DAY, child=with_passport)
    together = plan_routes(network, "qatar-embassy-moscow", "kyiv", on=DAY,
                           child=with_passport, siblings=[sister])
    assert any(p.kind == "airport" for route in alone.routes for p in route.places)
    assert not any(p.kind == "airport" for route in together.routes for p in route.places)
    assert "Daryna has no passport and Sheremetyevo Airport requires one" in _reasons(together)
