"""Small server-side SVG charts (bar and line) for the statistics pages.

Output is one ``<svg>`` element with presentation attributes only (no ``style``), so it can
be inlined under a strict Content-Security-Policy; every label is escaped. Colours are the
Okabe–Ito palette (readable with colour-vision deficiencies), and each chart carries a
``<title>`` and a ``<desc>`` listing its numbers for screen readers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

__all__ = ["PALETTE", "bar_chart_svg", "line_chart_svg", "nice_ticks"]

PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
           "#000000")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 16, 36, 56


def _text(value: object) -> str:
    return escape(_INVALID_XML.sub("", str(value)))


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``maximum`` (1, 2, 5 × 10ⁿ steps)."""
    if maximum <= 0 or not math.isfinite(maximum):
        return [0.0, 1.0]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    top = math.ceil(maximum / step) * step
    return [round(i * step, 10) for i in range(round(top / step) + 1)]


def _fmt(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _check(categories: Sequence[str], series: Mapping[str, Sequence[float]]) -> None:
    if not categories:
        raise ValueError("a chart needs at least one category")
    if not series:
        raise ValueError("a chart needs at least one series")
    for name, values in series.items():
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for "
                             f"{len(categories)} categories")
        if any(not math.isfinite(v) or v < 0 for v in values):
            raise ValueError(f"series {name!r} must hold finite values, 0 or more")


def _frame(width: int, height: int, title: str, description: str, maximum: float,
           y_label: str, bottom: int = _BOTTOM) -> tuple[list[str], float, list[float]]:
    ticks = nice_ticks(maximum)
    plot_h = height - _TOP - bottom
    scale = plot_h / ticks[-1]
    out = [
        # width="100%" and a viewBox: the chart scales to its container, keeping its shape
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" font-family="sans-serif" font-size="11">',
        f"<title>{_text(title)}</title>",
        f"<desc>{_text(description)}</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{_LEFT}" y="18" font-size="13" font-weight="bold" fill="#222222">'
        f"{_text(title)}</text>",
    ]
    for tick in ticks:
        y = round(height - bottom - tick * scale, 1)
        out.append(f'<line x1="{_LEFT}" y1="{y}" x2="{width - _RIGHT}" y2="{y}" '
                   f'stroke="#e1e4e8" stroke-width="1"/>')
        out.append(f'<text x="{_LEFT - 6}" y="{y + 4}" text-anchor="end" fill="#555555">'
                   f"{_fmt(tick)}</text>")
    if y_label:
        out.append(f'<text x="12" y="{_TOP + plot_h / 2}" text-anchor="middle" fill="#555555" '
                   f'transform="rotate(-90 12 {_TOP + plot_h / 2})">{_text(y_label)}</text>')
    return out, scale, ticks


def _legend(series_names: Sequence[str], width: int, height: int) -> list[str]:
    if len(series_names) < 2:
        return []
    out: list[str] = []
    x = _LEFT
    y = height - 14
    for index, name in enumerate(series_names):
        colour = PALETTE[index % len(PALETTE)]
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="{y}" fill="#222222">{_text(name)}</text>')
        x += 24 + 7 * len(name)
        if x > width - 60:
            break
    return out


def _description(categories: Sequence[str], series: Mapping[str, Sequence[float]]) -> str:
    parts = []
    for name, values in series.items():
        listed = ", ".join(f"{c}: {_fmt(v)}" for c, v in zip(categories, values, strict=True))
        parts.append(f"{name}: {listed}" if len(series) > 1 else listed)
    return "; ".join(parts)


def bar_chart_svg(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    y_label: str = "",
    stacked: bool = False,
    width: int = 640,
    height: int = 300,
) -> str:
    """Grouped (or stacked) vertical bars, one group per category, one colour per series."""
    _check(categories, series)
    names = list(series)
    if stacked:
        maximum = max(sum(series[n][i] for n in names) for i in range(len(categories)))
    else:
        maximum = max(max(values) for values in series.values())
    plot_w = width - _LEFT - _RIGHT
    group_w = plot_w / len(categories)
    longest = max(len(str(c)) for c in categories)
    rotate = longest * 6.2 > group_w  # labels would overlap: slant them
    bottom = _BOTTOM + (int(longest * 4.2) if rotate else 0)
    height += bottom - _BOTTOM
    out, scale, _ = _frame(width, height, title, _description(categories, series), maximum,
                           y_label, bottom)
    bars = 1 if stacked else len(names)
    bar_w = max(1.0, group_w * 0.7 / bars)
    base = height - bottom
    for i, category in enumerate(categories):
        x0 = _LEFT + i * group_w + group_w * 0.15
        stack = 0.0
        for k, name in enumerate(names):
            value = series[name][i]
            h = value * scale
            x = x0 if stacked else x0 + k * bar_w
            y = base - stack - h
            colour = PALETTE[k % len(PALETTE)]
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                       f'fill="{colour}"><title>{_text(category)} – {_text(name)}: '
                       f"{_fmt(value)}</title></rect>")
            if stacked:
                stack += h
        cx = _LEFT + i * group_w + group_w / 2
        if rotate:
            out.append(f'<text x="{cx:.1f}" y="{base + 14}" text-anchor="end" fill="#222222" '
                       f'transform="rotate(-35 {cx:.1f} {base + 14})">{_text(category)}</text>')
        else:
            out.append(f'<text x="{cx:.1f}" y="{base + 16}" text-anchor="middle" '
                       f'fill="#222222">{_text(category)}</text>')
    out.append(f'<line x1="{_LEFT}" y1="{base}" x2="{width - _RIGHT}" y2="{base}" '
               f'stroke="#555555"/>')
    out += _legend(names, width, height)
    out.append("</svg>")
    return "\n".join(out)


def line_chart_svg(
    x_labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    y_label: str = "",
    width: int = 640,
    height: int = 300,
) -> str:
    """One line per series over the ``x_labels`` (e.g. months), with a dot at each value."""
    _check(x_labels, series)
    maximum = max(max(values) for values in series.values())
    out, scale, _ = _frame(width, height, title, _description(x_labels, series), maximum,
                           y_label)
    plot_w = width - _LEFT - _RIGHT
    step = plot_w / max(1, len(x_labels) - 1) if len(x_labels) > 1 else 0
    base = height - _BOTTOM
    xs = [_LEFT + (i * step if len(x_labels) > 1 else plot_w / 2) for i in range(len(x_labels))]
    label_every = max(1, math.ceil(len(x_labels) / 12))
    for i, label in enumerate(x_labels):
        if i % label_every == 0:
            out.append(f'<text x="{xs[i]:.1f}" y="{base + 16}" text-anchor="middle" '
                       f'fill="#222222">{_text(label)}</text>')
    for k, (name, values) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        points = " ".join(f"{x:.1f},{base - v * scale:.1f}" for x, v in zip(xs, values,
                                                                             strict=True))
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                   f'stroke-width="2.5"/>')
        for x, value, label in zip(xs, values, x_labels, strict=True):
            out.append(f'<circle cx="{x:.1f}" cy="{base - value * scale:.1f}" r="3" '
                       f'fill="{colour}"><title>{_text(label)} – {_text(name)}: '
                       f"{_fmt(value)}</title></circle>")
    out.append(f'<line x1="{_LEFT}" y1="{base}" x2="{width - _RIGHT}" y2="{base}" '
               f'stroke="#555555"/>')
    out += _legend(list(series), width, height)
    out.append("</svg>")
    return "\n".join(out)
