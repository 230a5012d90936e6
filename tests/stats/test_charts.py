"""SVG charts: well-formed, escaped, CSP-safe, values where they belong."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from reunite.stats import bar_chart_svg, line_chart_svg, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_bars_are_proportional() -> None:
    svg = bar_chart_svg(["Oct", "Dec", "Feb"], {"to Ukraine": [8, 7, 5], "to Russia": [0, 0, 1]},
                        title="Children per round")
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 6
    heights = {r.find(f"{SVG}title").text: float(r.get("height")) for r in bars}
    assert heights["Oct – to Ukraine: 8"] == pytest.approx(2 * heights["Feb – to Russia: 1"]
                                                           * 4, rel=0.02)
    assert root.find(f"{SVG}desc").text.startswith("to Ukraine: Oct: 8")
    assert "style" not in svg


def test_line_chart_and_escaping() -> None:
    svg = line_chart_svg(["2025-10", "2025-11"], {"<b>open</b>": [3, 5]}, title="A & B")
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.find(f"{SVG}title").text == "A & B"
    assert "<b>" not in svg and len(list(root.iter(f"{SVG}circle"))) == 2


def test_nice_ticks() -> None:
    assert nice_ticks(8) == [0, 2, 4, 6, 8]
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(23)[-1] >= 23


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        bar_chart_svg(["a", "b", "c"], {"s": [1, 2]}, title="t")
    with pytest.raises(ValueError, match="at least one category"):
        line_chart_svg([], {"s": []}, title="t")
