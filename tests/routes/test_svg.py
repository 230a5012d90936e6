"""The schematic route map: well-formed, escaped, CSP-safe, showing what it should."""

from __future__ import annotations

import dataclasses
import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from reunite.routes import Traveller, default_network, plan_routes, render_route_map

SVG = "{http://www.w3.org/2000/svg}"
DAY = dt.date(2026, 2, 12)


def _plan():
    child = Traveller(age=9, citizenships=frozenset({"UA"}),
                      documents=frozenset({"birth_certificate"}))
    return plan_routes(default_network(), "qatar-embassy-moscow", "kyiv", on=DAY, child=child)


def test_route_map_is_well_formed_and_draws_legs_and_handover_points() -> None:
    best = _plan().best
    assert best is not None
    svg = render_route_map(default_network(), best, on=DAY)
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Route from Embassy of Qatar, Moscow to Kyiv"
    leg_lines = [el for el in root.iter(f"{SVG}line") if el.get("stroke-width") == "4"
                 and el.get("marker-end")]
    assert len(leg_lines) == len(best.legs)
    handover_squares = [el for el in root.iter(f"{SVG}rect") if el.get("width") == "12"
                        and el.find(f"{SVG}title") is not None]
    assert len(handover_squares) == len(best.handover_points)
    texts = {el.text for el in root.iter(f"{SVG}text")}
    assert {"Kyiv", "Minsk", "Gomel"} <= texts
    assert "Illustrative network, not real travel advice" in texts


def test_closed_places_are_crossed_out_only_while_closed() -> None:
    network = default_network()
    crosses_2026 = render_route_map(network, on=DAY).count('stroke="#d55e00" stroke-width="3" '
                                                           'stroke-linecap="round"')
    crosses_2021 = render_route_map(network, on=dt.date(2021, 6, 1)).count(
        'stroke="#d55e00" stroke-width="3" stroke-linecap="round"')
    assert crosses_2021 == 0
    assert crosses_2026 >= 1


def test_no_inline_styles_or_scripts_and_text_is_escaped() -> None:
    network = default_network()
    evil = "<script>alert(1)</script> & \"quotes\" \x01"
    places = dict(network.places)
    places["kyiv"] = dataclasses.replace(places["kyiv"], name=evil)
    tampered = dataclasses.replace(network, places=places)
    svg = render_route_map(tampered, on=DAY)
    assert "<script" not in svg and "style=" not in svg and "<style" not in svg
    assert "&lt;script&gt;" in svg and "\x01" not in svg
    ET.fromstring(svg)  # noqa: S314 - our own output


def test_translation_is_applied_to_the_legend() -> None:
    svg = render_route_map(default_network(), _plan().best, on=DAY,
                           translate=lambda s: {"closed": "закрито"}.get(s, s))
    assert ">закрито<" in svg


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="id_prefix"):
        render_route_map(default_network(), id_prefix='x" onload="alert(1)')
    with pytest.raises(ValueError, match="width"):
        render_route_map(default_network(), width=10)
