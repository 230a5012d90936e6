"""Tables of the reunification app, one domain noun per module, re-exported here.

Add a module (e.g. ``rounds.py``, ``followup.py``) and import its models below so that
Django finds them and callers can write ``from reunite.reunification.models import Round``.
"""

from reunite.reunification.models.followup import (
    FollowUpPlan,
    FollowUpVisit,
    VisitOutcome,
    VisitStatus,
)
from reunite.reunification.models.rounds import (
    Channel,
    CollectorRole,
    Handover,
    Round,
    RoundChild,
    RoundChildStatus,
    RoundStatus,
    Transfer,
    TransferLeg,
    TransferStatus,
)

__all__ = [
    "Channel",
    "CollectorRole",
    "FollowUpPlan",
    "FollowUpVisit",
    "Handover",
    "Round",
    "RoundChild",
    "RoundChildStatus",
    "RoundStatus",
    "Transfer",
    "TransferLeg",
    "TransferStatus",
    "VisitOutcome",
    "VisitStatus",
]
