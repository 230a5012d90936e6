"""What waits for a user: pairs to review, relationships to approve, cases to move on.

Shown on the dashboard (each count links to its list) and as one number in the header.
Counts follow the policy: a user only counts work their role may do on records their
organisation can see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from reunite.accounts import policy
from reunite.accounts.policy import TRANSITION_ROLES
from reunite.registry.models import Case, CaseState


@dataclass(frozen=True)
class WaitingWork:
    pairs_to_review: int = 0
    approvals_to_give: int = 0
    cases_to_move: int = 0

    @property
    def total(self) -> int:
        return self.pairs_to_review + self.approvals_to_give + self.cases_to_move


def waiting_for(user: Any) -> WaitingWork:
    """The user's waiting work (all zero for a user without a role)."""
    role = policy.role_of(user)
    if role is None:
        return WaitingWork()
    return WaitingWork(
        pairs_to_review=_pairs_to_review(user),
        approvals_to_give=_approvals_to_give(user),
        cases_to_move=cases_to_move(user).count(),
    )


def _pairs_to_review(user: Any) -> int:
    if not policy.has_permission(user, "match.decide"):
        return 0
    from reunite.matching.actions import review_queue
    from reunite.matching.models import PairStatus

    pairs = review_queue(user)
    # An unsure pair waits for a *different* verifier than the one who was unsure.
    return (
        pairs.exclude(status=PairStatus.UNSURE, decisions__reviewer=user).distinct().count()
    )


def _approvals_to_give(user: Any) -> int:
    if not policy.has_permission(user, "relationship.approve"):
        return 0
    cases = policy.visible(user, Case.objects.filter(state=CaseState.VERIFICATION))
    decided_by_me = Q(
        relationship_decisions__user=user, relationship_decisions__withdrawn_at__isnull=True
    )
    return cases.exclude(decided_by_me).distinct().count()


def cases_to_move_query(user: Any) -> Q:
    """Open cases of the user's organisation whose next step the user's role takes."""
    role = policy.role_of(user)
    states = [
        state
        for state, next_state in _NEXT.items()
        if role in TRANSITION_ROLES.get(next_state, frozenset())
    ]
    return Q(state__in=states)


def cases_to_move(user: Any) -> Any:
    """The cases of :func:`cases_to_move_query` the user sees (their own party's, unless a
    mediator)."""
    organization = policy.organization_of(user)
    cases = policy.visible(user, Case.objects.filter(cases_to_move_query(user)))
    if organization is not None and not organization.is_mediator:
        cases = cases.filter(owner=organization)
    return cases.distinct()


def _next_states() -> dict[str, str]:
    from reunite.registry.models import CASE_STATE_ORDER

    order = [s for s in CASE_STATE_ORDER if s != "closed"]
    return {state: order[i + 1] for i, state in enumerate(order[:-1])}


_NEXT = _next_states()
