"""Children who turn 18 soon, or have turned 18 while their case is still open.

A child's rights and the procedure change at 18 (domain brief §3.5, §5), so such children
are flagged on lists and on the dashboard. When only the year or month of birth is known,
the earliest possible birthday is used, so a warning comes early rather than late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from reunite.registry.models import Child, DatePrecision


def adulthood_date(child: Child) -> dt.date | None:
    """The earliest date the child may turn 18, or None when the age is unknown."""
    if child.birth_date and child.birth_date_precision != DatePrecision.UNKNOWN:
        born = child.birth_date
    elif child.estimated_age is not None and child.estimated_age_on:
        on = child.estimated_age_on
        born = dt.date(on.year - child.estimated_age - 1, on.month, min(on.day, 28))
    else:
        return None
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February
        return dt.date(born.year + 18, 3, 1)


@dataclass(frozen=True)
class AgeOut:
    child: Child
    adult_on: dt.date
    already_adult: bool


def age_out_status(child: Child, today: dt.date | None = None) -> AgeOut | None:
    """Whether this child is ageing out (within the warning window, or already 18)."""
    today = today or dt.date.today()
    adult_on = adulthood_date(child)
    if adult_on is None:
        return None
    window = dt.timedelta(days=settings.REUNITE_AGE_OUT_WARNING_DAYS)
    if adult_on <= today:
        return AgeOut(child, adult_on, already_adult=True)
    if adult_on - today <= window:
        return AgeOut(child, adult_on, already_adult=False)
    return None


def ageing_out(children: QuerySet[Child], today: dt.date | None = None) -> list[AgeOut]:
    """Children turning 18 within the window, or already 18 while a case is open."""
    today = today or dt.date.today()
    window = dt.timedelta(days=settings.REUNITE_AGE_OUT_WARNING_DAYS)
    # Anyone born before this date may be 18 within the window (precision widens it).
    latest_birth = today + window - dt.timedelta(days=18 * 365 - 5)
    candidates = children.filter(birth_date__lte=latest_birth) | children.filter(
        birth_date__isnull=True, estimated_age__gte=16
    )
    flagged = []
    for child in candidates.distinct().prefetch_related("names", "cases"):
        status = age_out_status(child, today)
        if status is None:
            continue
        if status.already_adult and not any(c.is_open for c in child.cases.all()):
            continue
        flagged.append(status)
    return sorted(flagged, key=lambda s: s.adult_on)
