"""Property tests: any sequence of reviewers' decisions keeps the review rules.

For random sequences of (verifier, decision, note) on a fresh pending pair, the outcome of
``reunite.matching.actions.decide`` matches a small model of the rules: a decided pair
never changes again; *unsure* needs a note and sends the pair to someone else; whoever
said unsure never decides the pair; every accepted decision is stored and audited once.
Also: the record conversion keeps every birth-date precision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reunite.audit.models import AuditEvent
from reunite.cases.models import Case
from reunite.matching import actions as m
from reunite.matching.models import CandidatePair, MatchDecision, MatchRun, PairStatus
from reunite.matching.records import child_record, enquiry_record
from reunite.registry import actions as registry_actions
from tests.app.fixtures_matching import acting, add_pair_records

pytestmark = pytest.mark.django_db

steps = st.lists(
    st.tuples(
        st.sampled_from([0, 1, 2]),
        st.sampled_from(["same", "not_same", "unsure"]),
        st.sampled_from(["", "checked the documents"]),
    ),
    min_size=1,
    max_size=6,
)


def _expected(status: str, unsure_by: set[int], who: int, decision: str, note: str) -> str | None:
    """The status after the step, or None when the step must be refused."""
    if status not in ("pending", "unsure"):
        return None
    if who in unsure_by:
        return None
    if decision == "unsure" and not note:
        return None
    return {"same": "confirmed", "not_same": "rejected", "unsure": "unsure"}[decision]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=steps, seed=st.integers(min_value=0, max_value=10**6))
def test_any_sequence_of_decisions_keeps_the_rules(
    users: Any, make_user: Any, sequence: list[tuple[int, str, str]], seed: int
) -> None:
    verifiers = [
        users[("ua", "verifier")],
        make_user("verifier", "ua"),
        make_user("verifier", "ua"),
    ]
    enquiry, child = add_pair_records(
        users, surname=f"Прізвище{seed}", given="Марія", birth=dt.date(2014, 1, 1 + seed % 28)
    )
    run = MatchRun.objects.create(
        organization=enquiry.owner, status=MatchRun.Status.SUCCEEDED, mode="full"
    )
    pair = CandidatePair.objects.create(
        enquiry=enquiry, child=child, run=run, first_run=run, probability=0.9, match_weight=3.2
    )
    status, unsure_by, accepted = "pending", set(), 0
    for who, decision, note in sequence:
        expected = _expected(status, unsure_by, who, decision, note)
        if expected is None:
            with pytest.raises(ValidationError):
                m.decide(acting(verifiers[who]), pair, decision, note)
        else:
            m.decide(acting(verifiers[who]), pair, decision, note)
            accepted += 1
            if decision == "unsure":
                unsure_by.add(who)
            status = expected
        pair.refresh_from_db()
        assert pair.status == status
    assert MatchDecision.objects.filter(pair=pair).count() == accepted
    events = AuditEvent.objects.filter(object_type="candidate_pair", object_id=str(pair.pk))
    assert events.count() == accepted
    finals = MatchDecision.objects.filter(pair=pair, decision__in=["same", "not_same"])
    assert finals.count() <= 1
    for final in finals:  # never by someone who said unsure on this pair
        assert not MatchDecision.objects.filter(
            pair=pair, decision="unsure", reviewer=final.reviewer
        ).exists()
    case = Case.objects.filter(enquiry=enquiry).first()
    assert (case is not None) == (status == PairStatus.CONFIRMED)
    if case is not None:
        assert case.child_id == child.pk and case.state == "match_proposed"


dates = st.tuples(
    st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2026, 11, 1)),
    st.sampled_from(["day", "month", "year", "unknown"]),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(birth=dates, names=st.lists(st.sampled_from(
    ["Олександр", "Александр", "Oleksandr", "Сашко", "Ковальчук", "Kovalchuk"]), min_size=1,
    max_size=3))  # fmt: skip
def test_conversion_keeps_date_precision_and_every_name(
    users: Any, birth: tuple[dt.date, str], names: list[str]
) -> None:
    date, precision = birth
    stored = None if precision == "unknown" else date
    ru = acting(users[("ru", "caseworker")])
    child = registry_actions.create_child(
        ru,
        {"birth_date": stored, "birth_date_precision": precision, "consent_for_tracing": True},
        [{"surname": "Ковальчук", "given_name": n} for n in names],
    )
    record = child_record(child)
    assert record.record_id == f"C{child.pk}"
    assert record.birth_date.precision == precision
    if precision != "unknown":
        assert record.birth_date.year == date.year
        assert (record.birth_date.month is not None) == (precision in ("day", "month"))
        assert (record.birth_date.day is not None) == (precision == "day")
    assert record.given_name == names[0]
    assert len(record.other_names) == len(names) - 1
    assert record.institution == ""  # restricted details never reach the engine
    enquiry = registry_actions.create_enquiry(
        acting(users[("ua", "caseworker")]),
        {"enquirer_relationship": "mother", "given_name": names[0], "other_names": names[1:],
         "birth_date": stored, "birth_date_precision": precision},
        {"full_name": "Ковальчук Ганна", "contact": "+000 555 0101"},
    )  # fmt: skip
    erecord = enquiry_record(enquiry)
    assert erecord.birth_date.precision == precision
    assert erecord.other_names == tuple(names[1:])
    assert erecord.enquirer_contact == ""


@given(p=st.floats(min_value=0.0, max_value=1.0))
def test_probability_is_never_shown_as_certain(p: float) -> None:
    from reunite.matching.models import probability_percent

    shown = probability_percent(p)
    assert shown.endswith("%") and "100" not in shown
    if not shown.startswith(">"):
        assert float(shown[:-1]) <= p * 100 + 1e-9  # rounded down, never up
