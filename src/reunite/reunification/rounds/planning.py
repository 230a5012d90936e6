"""The route planner for a transfer: who travels (from the records) and which network.

The child's age, sex, citizenships and documents come from the child record (identity
documents) and the case's evidence register; the collecting adult's from the transfer.
Escorts (diplomats, officials) travel on their own papers and are not checked.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.conf import settings

from reunite.cases.models import Case
from reunite.registry.models import Child
from reunite.reunification.models.rounds import RoundChild, Transfer
from reunite.routes import Network, RoutePlan, Traveller, default_network, load_network, plan_routes

_cache: dict[str, tuple[float, Network]] = {}


def route_network() -> Network:
    """The configured network (``REUNITE_ROUTE_NETWORK``), else the shipped illustrative one.

    Re-read when the file changes, so an operator's edit applies without a restart; a file
    with a mistake raises ``RouteFileError`` naming the line.
    """
    configured = getattr(settings, "REUNITE_ROUTE_NETWORK", "") or os.environ.get(
        "REUNITE_ROUTE_NETWORK", "")
    if not configured:
        return default_network()
    path = Path(configured)
    stamp = path.stat().st_mtime if path.exists() else -1.0
    cached = _cache.get(configured)
    if cached is None or cached[0] != stamp:
        _cache[configured] = (stamp, load_network(path))
    return _cache[configured][1]


def age_on(child: Child, on: dt.date) -> int:
    """Whole years on ``on``; from the estimated age when the birth date is unknown."""
    if child.birth_date is not None:
        born = child.birth_date
        return max(0, on.year - born.year - ((on.month, on.day) < (born.month, born.day)))
    if child.estimated_age is not None:
        since = child.estimated_age_on or on
        return max(0, child.estimated_age + (on.year - since.year))
    return 10  # unknown: a middle age, so age-bound rules are neither waived nor assumed


def child_documents(child: Child, case: Case | None = None) -> frozenset[str]:
    """Route document codes the child has: passport, birth certificate, id card.

    From the child's identity documents, and the case's evidence register (a birth
    certificate on file).
    """
    found: set[str] = set()
    for kind in (doc.kind.casefold() for doc in child.identity_documents.all()):
        if "passport" in kind or "паспорт" in kind:
            found.add("passport")
        if "birth" in kind or "свідоцтво" in kind or "свидетельство" in kind:
            found.add("birth_certificate")
        if "id card" in kind or "id_card" in kind:
            found.add("id_card")
    if case is not None and case.evidence.filter(
            withdrawn_at__isnull=True, kind="birth_certificate").exists():
        found.add("birth_certificate")
    return frozenset(found)


def child_traveller(child: Child, on: dt.date, *, case: Case | None = None,
                    home_country: str = "", label: str = "") -> Traveller:
    """The child as the planner sees them on ``on``.

    Unknown citizenship: assume ``home_country`` (the destination of the return), so the
    rules for that citizenship are applied rather than silently skipped.
    """
    citizenships = frozenset(str(c).upper() for c in (child.citizenships or []) if c) or (
        frozenset({home_country}) if home_country else frozenset())
    return Traveller(age=min(age_on(child, on), 130),
                     sex=child.sex if child.sex in ("F", "M") else "",
                     citizenships=citizenships, documents=child_documents(child, case),
                     role="child", label=label)


def entry_traveller(entry: RoundChild, on: dt.date, *, label: str = "") -> Traveller:
    child = entry.case.child
    assert child is not None  # a case enters a round only with a child record
    return child_traveller(child, on, case=entry.case, home_country=entry.to_country,
                           label=label)


def collector_traveller(transfer: Transfer, on: dt.date) -> Traveller:
    age = on.year - transfer.collector_birth_year if transfer.collector_birth_year else 40
    return Traveller(
        age=max(16, min(age, 130)),
        sex=transfer.collector_sex if transfer.collector_sex in ("F", "M") else "",
        citizenships=frozenset(transfer.collector_citizenships or []),
        documents=frozenset(transfer.collector_documents or []),
        role=transfer.collector_role, label=transfer.collector_name,
    )


def plan_for_transfer(transfer: Transfer, *, origin: str, destination: str,
                      on: dt.date, network: Network | None = None,
                      max_routes: int = 3) -> RoutePlan:
    """Routes for the transfer's children and collecting adult on ``on``."""
    entries = list(transfer.children.select_related("case__child").order_by("pk"))
    network = network or route_network()
    first, *others = entries
    child = entry_traveller(first, on, label="" if not others else _first_name(first))
    siblings = [entry_traveller(entry, on, label=_first_name(entry)) for entry in others]
    return plan_routes(network, origin, destination, on=on, child=child, siblings=siblings,
                       adults=[collector_traveller(transfer, on)], max_routes=max_routes)


def _first_name(entry: RoundChild) -> str:
    child = entry.case.child
    name = child.primary_name if child else None
    return (name.given_name if name and name.given_name else entry.case.reference)
