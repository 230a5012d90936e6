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
from reunite.cases.models import Case, CaseState
from reunite.cases.waiting import cases_to_move


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
