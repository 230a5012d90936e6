"""Shared set-up of the rounds tests: cases approved through the real verification steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reunite.registry import actions as registry_actions
from reunite.verification import actions as verification
from tests.app.conftest import acting
from tests.app.fixtures_verification import bid_fields, make_case, move, pdf

ROUND_DAY = dt.date(2026, 2, 12)


def _add(user: Any, case: Any, kind: str, upload: bool = True, **fields: Any) -> Any:
    fields.setdefault("title", f"{kind} (synthetic)")
    fields.setdefault("provided_by", "Civil registry office (synthetic)")
    return verification.add_evidence(acting(user), case, {"kind": kind, **fields},
                                     pdf() if upload else None)


def approved_case(users: Any, orgs: Any, make_child: Any, make_enquiry: Any, *,
                  child_org: str = "ru", power_of_attorney: bool = False,
                  birth_date: dt.date = dt.date(2016, 5, 2)) -> Any:
    """A case taken to *approved* by the real steps: evidence, two approvals, a BID.

    With ``power_of_attorney`` the register also holds a notarised power of attorney on the
    official form (what a proxy needs to collect the child).
    """
    case = make_case(users, orgs, make_child, make_enquiry, child_org=child_org,
                     birth_date=birth_date)
    case = move(case, users, "verification", "best_interests")
    ua = users[("ua", "caseworker")]
    if child_org == "ua":  # a child in Ukraine going to family in Russia: RU takes part
        registry_actions.share_record(acting(ua), case, orgs["ru"])
    other = users[(child_org if child_org != "ua" else "ru", "caseworker")]
    items = [
        _add(ua, case, "birth_certificate"),
        _add(ua, case, "identity_document", title="Passport of the mother"),
        _add(other, case, "interview", upload=False, interviewee="child",
             supports=["child_wishes"], notes="The child wants to go home (synthetic)."),
        _add(other, case, "verification_report", title="Joint verification report",
             supports=["child_identity", "claimant_identity", "relationship"]),
    ]
    if power_of_attorney:
        _add(ua, case, "power_of_attorney", title="Power of attorney for the aunt",
             on_required_form=True, supports=["legal_authority"])
    ids = [item.pk for item in items]
    verification.decide_relationship(acting(users[("ua", "verifier")]), case, "approve",
                                     evidence_ids=ids)
    verification.decide_relationship(acting(users[("ru", "verifier")]), case, "approve",
                                     evidence_ids=ids)
    verification.record_bid(acting(ua), case, bid_fields())
    return move(case, users, "approved")
