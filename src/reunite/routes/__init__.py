"""Route planning for transfers: a network of places, crossings and rules, and a planner.

The network ships as an editable, validated TOML file (format: ``docs/routes.md``). The
planner proposes feasible itineraries for a child and the adults travelling with them on
a date, best first (fewest risky legs, then fewest hours), and explains in words why each
other route cannot be used. Every sentence is a :class:`Reason` whose template lives in
``MESSAGES`` so the Django layer can translate it. No Django import.

>>> import datetime as dt
>>> from reunite.routes import Traveller, default_network, plan_routes
>>> plan = plan_routes(default_network(), "Moscow", "Kyiv", on=dt.date(2026, 2, 12),
...                    child=Traveller(age=9, citizenships=frozenset({"UA"}),
...                                    documents=frozenset({"birth_certificate"})))
>>> plan.best.summary   # doctest: +ELLIPSIS
'Moscow → ... → Kyiv'
"""

from reunite.routes._messages import COUNTRY_NAMES, MESSAGES, Reason, ReasonList, gettext_noop
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
    Traveller,
)
from reunite.routes._parse import default_network, load_network, network_to_toml, parse_network
from reunite.routes._planner import (
    Itinerary,
    Leg,
    RejectedRoute,
    RoutePlan,
    plan_routes,
    resolve_place,
)
from reunite.routes._svg import render_route_map
from reunite.routes.exceptions import Problem, RouteError, RouteFileError, UnknownPlaceError

__all__ = [
    "COUNTRY_NAMES",
    "DOCUMENTS",
    "HANDOVER_KINDS",
    "LINK_MODES",
    "MESSAGES",
    "PLACE_KINDS",
    "ROLES",
    "RULE_KINDS",
    "Itinerary",
    "Leg",
    "Link",
    "Network",
    "Place",
    "Problem",
    "Reason",
    "ReasonList",
    "RejectedRoute",
    "RouteError",
    "RouteFileError",
    "RoutePlan",
    "Rule",
    "Traveller",
    "UnknownPlaceError",
    "default_network",
    "gettext_noop",
    "load_network",
    "network_to_toml",
    "parse_network",
    "plan_routes",
    "render_route_map",
    "resolve_place",
]
