"""The reunification app's columns on the case list (registered in ``ReunificationConfig``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reunite.accounts import policy
from reunite.cases.models import Case
from reunite.reunification.models import Round, RoundChild


def round_column(user: Any, cases: Sequence[Case]) -> dict[int, str]:
    """The round each case is in (or last was), if the user's organisation sees the round."""
    if not policy.has_permission(user, "round.view"):
        return {}
    visible_rounds = policy.visible(user, Round.objects.all()).values("pk")
    entries = (
        RoundChild.objects.filter(case__in=[c.pk for c in cases], round__in=visible_rounds)
        .select_related("round")
        .order_by("case_id", "-round__planned_date", "-pk")
    )
    cells: dict[int, str] = {}
    for entry in entries:
        if entry.case_id not in cells:  # the newest round of the case
            cells[entry.case_id] = (
                f"{entry.round.reference} ({entry.from_country}→{entry.to_country})"
            )
    return cells
