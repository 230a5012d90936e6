"""The cases whose next step a user's role takes (dashboard, header count, case list filter)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from reunite.accounts import policy
from reunite.accounts.policy import TRANSITION_ROLES
from reunite.cases.models import CASE_STATE_ORDER, Case


def _next_states() -> dict[str, str]:
    order = [s for s in CASE_STATE_ORDER if s != "closed"]
    return {state: order[i + 1] for i, state in enumerate(order[:-1])}


NEXT_STATE = _next_states()


def cases_to_move_query(user: Any) -> Q:
    """Cases in a state whose next step the user's role takes."""
    role = policy.role_of(user)
    states = [
        state
        for state, next_state in NEXT_STATE.items()
        if role in TRANSITION_ROLES.get(next_state, frozenset())
    ]
    return Q(state__in=states)


def cases_to_move(user: Any) -> QuerySet:
    """The open cases whose next step is the user's: their own party's, unless a mediator."""
    organization = policy.organization_of(user)
    cases = policy.visible(user, Case.objects.filter(cases_to_move_query(user)))
    if organization is not None and not organization.is_mediator:
        cases = cases.filter(owner=organization)
    return cases.distinct()
