"""A schematic route map as SVG, drawn from the places' coordinates (no map tiles).

The SVG uses presentation attributes only (no ``style`` attribute, no ``<style>``), so it
can be put inline in a page under a strict Content-Security-Policy. Every text from the
network file is escaped.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from xml.sax.saxutils import escape, quoteattr

from reunite.routes._messages import Reason, Translate
from reunite.routes._model import Network, Place
from reunite.routes._planner import Itinerary

__all__ = ["render_route_map"]

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ID_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")

ROUTE_COLOUR = "#0072b2"    # Okabe–Ito blue
RISKY_COLOUR = "#e69f00"    # orange
CLOSED_COLOUR = "#d55e00"   # vermillion
HANDOVER_COLOUR = "#009e73"  # green
NETWORK_COLOUR = "#b8b8b8"
TEXT_COLOUR = "#222222"


def _identity(text: str) -> str:
    return text


def _text(value: str) -> str:
    return escape(_INVALID_XML.sub("", value))


def _attr(value: str) -> str:
    return quoteattr(_INVALID_XML.sub("", value))


def render_route_map(
    network: Network,
    itinerary: Itinerary | None = None,
    *,
    on: dt.date | None = None,
    width: int = 760,
    translate: Translate = _identity,
    id_prefix: str = "routemap",
) -> str:
    """An SVG document (as text) showing the network, the itinerary and closures on ``on``.

    With an itinerary the map zooms to its places (and what lies around them); legs are
    numbered, risky legs dashed orange, handover points drawn as green squares, places and
    links closed on ``on`` marked in red.
    """
    if not _ID_PREFIX.match(id_prefix):
        raise ValueError("id_prefix must be a short identifier (letters, digits, '-', '_')")
    if not 200 <= width <= 4000:
        raise ValueError("width must be between 200 and 4000 pixels")
    route_places = itinerary.places if itinerary else ()
    focus = route_places or _core_places(network)
    projection = _Projection(focus, width)
    height = projection.height
    closed_places, closed_links = _closures(network, on)

    def tr(code: str, **params: str) -> str:
        return Reason(code, params).render(translate)

    if itinerary and itinerary.legs:
        title = tr("map_title", origin=route_places[0].name, destination=route_places[-1].name)
    else:
        title = tr("map_network_title")
    legend_height = 46
    total_height = height + legend_height
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_height}" '
        f'width="100%" role="img" '
        f'aria-labelledby="{id_prefix}-title" font-family="sans-serif" font-size="12">',
        f'<title id="{id_prefix}-title">{_text(title)}</title>',
        "<defs>",
        f'<marker id="{id_prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        f'markerWidth="11" markerHeight="11" markerUnits="userSpaceOnUse" '
        f'orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{ROUTE_COLOUR}"/></marker>',
        f'<clipPath id="{id_prefix}-clip"><rect x="0" y="0" width="{width}" '
        f'height="{height}"/></clipPath>',
        "</defs>",
        f'<rect x="0" y="0" width="{width}" height="{total_height}" fill="#ffffff"/>',
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#f7f9fb" '
        f'stroke="#d0d7de"/>',
        f'<g clip-path="url(#{id_prefix}-clip)">',
    ]
    # the whole network, faint
    for link in network.links:
        x1, y1 = projection(network.places[link.source])
        x2, y2 = projection(network.places[link.target])
        dash = ' stroke-dasharray="4 4"' if link.mode == "air" else ""
        colour = CLOSED_COLOUR if link.id in closed_links else NETWORK_COLOUR
        out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" '
                   f'stroke-width="1.2"{dash}/>')
    # the route
    if itinerary:
        for leg in itinerary.legs:
            x1, y1 = projection(leg.source)
            x2, y2 = projection(leg.target)
            colour = RISKY_COLOUR if leg.risky else ROUTE_COLOUR
            dash = ' stroke-dasharray="8 5"' if leg.risky or leg.mode == "air" else ""
            out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" '
                       f'stroke-width="4" stroke-linecap="round"{dash} '
                       f'marker-end="url(#{id_prefix}-arrow)">'
                       f'<title>{_text(f"{leg.number}. {leg.source.name} → {leg.target.name}")}'
                       f' ({leg.hours:g} h)</title></line>')
            mx, my = round((x1 + x2) / 2, 1), round((y1 + y2) / 2, 1)
            out.append(f'<circle cx="{mx}" cy="{my}" r="8" fill="#ffffff" stroke="{colour}" '
                       f'stroke-width="1.5"/>')
            out.append(f'<text x="{mx}" y="{my + 4}" text-anchor="middle" font-size="10" '
                       f'fill="{TEXT_COLOUR}">{leg.number}</text>')
    # places
    on_route = {place.id for place in route_places}
    for place in network.places.values():
        x, y = projection(place)
        if not projection.visible(x, y):
            continue
        out += _place_marker(place, x, y, on_route=place.id in on_route,
                             closed=place.id in closed_places)
        if place.id in on_route or place.kind == "city":
            out.append(_label(place, x, y, bold=place.id in on_route, width=width))
    out.append("</g>")
    out += _legend(height, width, tr, illustrative=network.illustrative)
    out.append("</svg>")
    return "\n".join(out)


def _core_places(network: Network) -> tuple[Place, ...]:
    """The places near the middle of the network: a far-away airport (Doha) would
    otherwise shrink everything else to a corner. Links to it leave the map's edge."""
    places = list(network.places.values())
    lats = sorted(p.lat for p in places)
    lons = sorted(p.lon for p in places)
    mid_lat, mid_lon = lats[len(lats) // 2], lons[len(lons) // 2]
    near = [p for p in places if abs(p.lat - mid_lat) <= 15 and abs(p.lon - mid_lon) <= 20]
    return tuple(near or places)


class _Projection:
    """Equirectangular projection scaled by the cosine of the mean latitude."""

    MARGIN = 40

    def __init__(self, places: Iterable[Place], width: int) -> None:
        points = list(places)
        lats = [p.lat for p in points] or [0.0]
        lons = [p.lon for p in points] or [0.0]
        self.scale_x = math.cos(math.radians(sum(lats) / len(lats)))
        south, north = min(lats), max(lats)
        west, east = min(lons) * self.scale_x, max(lons) * self.scale_x
        # at least one degree of extent, and 10 % padding, so a short route is not a dot
        pad_y = max(0.5, (north - south) * 0.1)
        pad_x = max(0.5, (east - west) * 0.1)
        self.south, self.north = south - pad_y, north + pad_y
        self.west, self.east = west - pad_x, east + pad_x
        inner = width - 2 * self.MARGIN
        self.unit = inner / (self.east - self.west)
        raw_height = (self.north - self.south) * self.unit
        # keep the map between a wide strip and a square; stretch the shorter side
        inner_height = min(max(raw_height, inner * 0.45), inner * 1.1)
        self.unit_y = inner_height / (self.north - self.south)
        self.width = width
        self.height = int(inner_height + 2 * self.MARGIN)

    def __call__(self, place: Place) -> tuple[float, float]:
        x = self.MARGIN + (place.lon * self.scale_x - self.west) * self.unit
        y = self.MARGIN + (self.north - place.lat) * self.unit_y
        return round(x, 1), round(y, 1)

    def visible(self, x: float, y: float) -> bool:
        return -5 <= x <= self.width + 5 and -5 <= y <= self.height + 5


def _closures(network: Network, on: dt.date | None) -> tuple[set[str], set[str]]:
    places: set[str] = set()
    links: set[str] = set()
    if on is None:
        return places, links
    for rule in network.rules:
        if rule.kind == "closed" and rule.in_force(on):
            places.update(rule.places)
            links.update(rule.links)
    return places, links


def _place_marker(place: Place, x: float, y: float, *, on_route: bool,
                  closed: bool) -> list[str]:
    out: list[str] = []
    tooltip = f"<title>{_text(place.name)}</title>"
    if place.handover and on_route:
        out.append(f'<rect x="{x - 6}" y="{y - 6}" width="12" height="12" '
                   f'fill="{HANDOVER_COLOUR}" stroke="#ffffff" stroke-width="1.5">'
                   f"{tooltip}</rect>")
    elif place.is_crossing:
        out.append(f'<path d="M{x},{y - 6} L{x + 6},{y} L{x},{y + 6} L{x - 6},{y} z" '
                   f'fill="#ffffff" stroke="#555555" stroke-width="1.2">{tooltip}</path>')
    else:
        radius = 4.5 if on_route else 3
        fill = ROUTE_COLOUR if on_route else "#777777"
        out.append(f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{fill}">{tooltip}</circle>')
    if closed:
        out.append(f'<path d="M{x - 7},{y - 7} L{x + 7},{y + 7} M{x - 7},{y + 7} '
                   f'L{x + 7},{y - 7}" stroke="{CLOSED_COLOUR}" stroke-width="3" '
                   f'stroke-linecap="round"/>')
    return out


def _label(place: Place, x: float, y: float, *, bold: bool, width: int) -> str:
    anchor = "end" if x > width * 0.75 else "start"
    dx = -9 if anchor == "end" else 9
    weight = ' font-weight="bold"' if bold else ""
    colour = TEXT_COLOUR if bold else "#666666"
    return (f'<text x="{x + dx}" y="{y - 6}" text-anchor="{anchor}" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="3" paint-order="stroke"{weight}>'
            f"{_text(place.name)}</text>")


def _legend(top: int, width: int, tr: Callable[..., str], *, illustrative: bool) -> list[str]:
    y = top + 18
    items = [
        (f'<line x1="10" y1="{y}" x2="34" y2="{y}" stroke="{ROUTE_COLOUR}" stroke-width="4"/>',
         tr("map_legend_route")),
        (f'<line x1="10" y1="{y}" x2="34" y2="{y}" stroke="{RISKY_COLOUR}" stroke-width="4" '
         f'stroke-dasharray="8 5"/>', tr("map_legend_risky")),
        (f'<rect x="16" y="{y - 6}" width="12" height="12" fill="{HANDOVER_COLOUR}"/>',
         tr("map_legend_handover")),
        (f'<path d="M15,{y - 6} L29,{y + 6} M15,{y + 6} L29,{y - 6}" stroke="{CLOSED_COLOUR}" '
         f'stroke-width="3"/>', tr("map_legend_closed")),
    ]
    out: list[str] = []
    column = (width - 20) // len(items)
    for index, (symbol, label) in enumerate(items):
        offset = 10 + index * column
        out.append(f'<g transform="translate({offset - 10},0)">{symbol}'
                   f'<text x="40" y="{y + 4}" fill="{TEXT_COLOUR}">{_text(label)}</text></g>')
    if illustrative:
        out.append(f'<text x="{width - 10}" y="{y + 22}" text-anchor="end" font-size="10" '
                   f'fill="#666666">{_text(tr("map_illustrative"))}</text>')
    return out

