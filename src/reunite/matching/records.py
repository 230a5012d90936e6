"""Registry rows as ``reunite.interchange.InterchangeRecord`` for the linkage engine.

Reuses the export mapping (``reunite.registry.exporting``), so the engine sees a child or
a tracing request exactly as a list file would carry it: primary name parts, the other
names as aliases, birth and separation dates with their precision, places, parents and
the current region. Restricted details (institution, enquirer contact) are never passed:
the explanation shown to reviewers quotes the compared values, and verifiers may not see
those details.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, TypeVar

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from reunite.interchange import MAX_YEAR, MIN_YEAR, InterchangeRecord
from reunite.matching.labels import comparison_label, level_label
from reunite.registry.exporting import child_to_record, enquiry_to_record
from reunite.registry.models import Child, Enquiry

CHILD_PREFIX = "C"
ENQUIRY_PREFIX = "E"


def child_key(pk: int) -> str:
    return f"{CHILD_PREFIX}{pk}"


def enquiry_key(pk: int) -> str:
    return f"{ENQUIRY_PREFIX}{pk}"


def pk_of(key: str) -> int:
    """The database id in an engine key (``C12`` -> 12)."""
    return int(key[1:])


_DATE_FIELDS = ("birth_date", "separation_date")
_Row = TypeVar("_Row", Child, Enquiry)


def _without_uncarriable_dates(item: _Row, label: str, notes: list[str] | None) -> _Row:
    """Tolerant input (issue 11): a stored date the list format cannot carry (a year before
    1900 or after 2100, from old data) is left out for matching, not the whole record."""
    bad = [
        f for f in _DATE_FIELDS
        if getattr(item, f) is not None
        and not MIN_YEAR <= getattr(item, f).year <= MAX_YEAR
    ]  # fmt: skip
    if not bad:
        return item
    item = copy.copy(item)  # never change the caller's instance (it may be saved later)
    for field in bad:
        if notes is not None:
            value = getattr(item, field)
            notes.append(f"{label} #{item.pk}: {field} {value} left out for matching")
        setattr(item, field, None)
    return item


def child_record(
    child: Child, today: dt.date | None = None, notes: list[str] | None = None
) -> InterchangeRecord:
    """One child (its ``names`` should be prefetched) as an engine input row.

    ``notes`` collects what was left out (see :func:`_without_uncarriable_dates`).
    """
    child = _without_uncarriable_dates(child, "child", notes)
    record, _warnings = child_to_record(
        child,
        list(child.names.all()),
        record_id=child_key(child.pk),
        show_restricted=False,
        today=today or dt.date.today(),
    )
    return record


def enquiry_record(enquiry: Enquiry, notes: list[str] | None = None) -> InterchangeRecord:
    """One tracing request (``enquirer`` should be selected) as an engine input row."""
    enquiry = _without_uncarriable_dates(enquiry, "tracing request", notes)
    return enquiry_to_record(enquiry, record_id=enquiry_key(enquiry.pk), show_restricted=False)


def explanation_json(pair: Any) -> list[dict[str, Any]]:
    """The engine's per-field explanation as stored on a candidate pair (enquiry first)."""
    return [
        {
            "field": e.field,
            "level": e.level_label,
            "weight": float(e.weight),
            "enquiry_value": e.values[0] if e.values else "",
            "child_value": e.values[1] if len(e.values) > 1 else "",
        }
        for e in pair.explanation
    ]


def explanation_text(item: dict[str, Any]) -> str:
    """One line in plain words: ``birth date: exact, +7.2``."""
    weight = float(item.get("weight") or 0.0)
    level = item.get("level", "")
    field = comparison_label(str(item.get("field", "")))
    if level == "not known on both sides":
        return _("%(field)s: not known on both sides (no evidence)") % {"field": field}
    signed = ("+" if weight >= 0 else "-") + number_format(abs(weight), 1)
    return f"{field}: {level_label(str(level))}, {signed}"
