"""Match runs and decisions (reunite.matching.actions) on the real database and engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reunite.audit.log import verify_chain
from reunite.audit.models import AuditEvent
from reunite.cases import actions as case_actions
from reunite.cases.models import Case
from reunite.matching import actions as m
from reunite.matching.models import (
    CandidatePair,
    Decision,
    LinkModelVersion,
    MatchDecision,
    MatchRun,
    PairStatus,
)
from reunite.registry import actions as registry_actions
from tests.app.fixtures_matching import (
    acting,
    add_pair_records,
    load_population,
    trained_link_model,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def model_v1(users: Any, trained_link_model: Any) -> LinkModelVersion:  # noqa: F811
    return m.install_model(acting(users[("ua", "caseworker")]), trained_link_model, note="tests")


@pytest.fixture
def loaded(users: Any, model_v1: LinkModelVersion) -> Any:
    return load_population(users)


def _run(users: Any, org: str = "ua", role: str = "caseworker", **kw: Any) -> MatchRun:
    run = m.run_matching(acting(users[(org, role)]), **kw)
    assert run.status == MatchRun.Status.SUCCEEDED, run.error
    return run


def _keys(qs: Any) -> set[tuple[int, int]]:
    return set(qs.values_list("enquiry_id", "child_id"))


def test_first_run_finds_the_true_pairs_over_consented_visible_records(
    users: Any, loaded: Any
) -> None:
    # A request and a child describing one child, but the child's carers gave no consent.
    enquiry_nc, child_nc = add_pair_records(
        users, surname="Гнатюк", given="Соломія", birth=dt.date(2014, 3, 9)
    )
    registry_actions.update_child(
        acting(users[("ru", "caseworker")]), child_nc, {"consent_for_tracing": False}
    )
    # The same again, but the child is not shared with UA (invisible to the run's party).
    enquiry_inv, child_inv = add_pair_records(
        users, surname="Бондаренко", given="Яромир", birth=dt.date(2012, 7, 1), sex="M"
    )
    from reunite.accounts.models import Organization

    child_inv.shared_with.remove(Organization.objects.get(short_name="UA"))

    run = _run(users)
    assert run.mode == MatchRun.Mode.FULL  # the first run compares everything
    assert run.model_id is not None and run.model.version == 1
    pairs = CandidatePair.objects.all()
    keys = _keys(pairs)
    assert (enquiry_nc.pk, child_nc.pk) not in keys
    assert (enquiry_inv.pk, child_inv.pk) not in keys
    assert all(p.child.consent_for_tracing and p.enquiry.consent_for_tracing for p in pairs)
    assert run.children_considered == len(loaded.children)  # not the two left out
    assert run.enquiries_considered == len(loaded.enquiries) + 2
    found_true = keys & loaded.truth
    assert len(found_true) >= 0.8 * len(loaded.truth), (len(found_true), len(loaded.truth))
    assert run.pairs_created == pairs.count() == run.candidates_found
    # Every pair carries a per-field explanation a person can read.
    pair = pairs.order_by("-probability").first()
    assert {"field", "level", "weight", "enquiry_value", "child_value"} <= set(pair.explanation[0])
    assert any(item["field"] == "birth date" for item in pair.explanation)
    assert AuditEvent.objects.filter(object_type="match_run", object_id=str(run.pk)).count() == 2


def test_queue_is_sorted_by_probability_and_hides_withdrawn_consent(
    users: Any, loaded: Any
) -> None:
    _run(users)
    verifier = users[("ua", "verifier")]
    queue = list(m.review_queue(verifier))
    assert queue, "the verifier sees the pairs"
    probabilities = [p.probability for p in queue]
    assert probabilities == sorted(probabilities, reverse=True)
    top = queue[0]
    registry_actions.update_enquiry(
        acting(users[("ua", "caseworker")]), top.enquiry, {"consent_for_tracing": False}
    )
    assert top.pk not in {p.pk for p in m.review_queue(verifier)}
    with pytest.raises(ValidationError):
        m.decide(acting(verifier), top, Decision.SAME)


def test_incremental_run_compares_only_new_and_changed_records(users: Any, loaded: Any) -> None:
    first = _run(users)
    before = {p.pk: (p.run_id, p.probability) for p in CandidatePair.objects.all()}
    enquiry, child = add_pair_records(
        users, surname="Кравчишин", given="Мирослава", birth=dt.date(2015, 11, 23),
        mother="Кравчишин Оксана",
    )  # fmt: skip
    second = _run(users)
    assert second.mode == MatchRun.Mode.INCREMENTAL
    assert second.previous_run_id == first.pk
    assert (second.new_children, second.new_enquiries) == (1, 1)
    assert CandidatePair.objects.filter(enquiry=enquiry, child=child, run=second).exists()
    # Everything this run proposed touches a new record; old pairs were not recomputed.
    for pair in CandidatePair.objects.filter(run=second):
        assert pair.enquiry_id == enquiry.pk or pair.child_id == child.pk
    for pk, (run_id, probability) in before.items():
        pair = CandidatePair.objects.get(pk=pk)
        assert (pair.run_id, pair.probability) == (run_id, probability)
    # A changed record counts as new again; nothing new means nothing compared.
    third = _run(users)
    assert (third.new_children, third.new_enquiries, third.candidates_found) == (0, 0, 0)
    registry_actions.update_child(
        acting(users[("ru", "caseworker")]), child, {"birth_place": "Маріуполь, Донецька обл."}
    )
    fourth = _run(users)
    assert (fourth.new_children, fourth.new_enquiries) == (1, 0)
    assert CandidatePair.objects.get(enquiry=enquiry, child=child).run_id == fourth.pk


def test_record_shared_later_counts_as_new(users: Any, loaded: Any) -> None:
    from reunite.accounts.models import Organization

    enquiry, child = add_pair_records(
        users, surname="Ярошенко", given="Тарас", birth=dt.date(2013, 1, 30), sex="M"
    )
    ua = Organization.objects.get(short_name="UA")
    child.shared_with.remove(ua)
    _run(users)
    assert not CandidatePair.objects.filter(enquiry=enquiry, child=child).exists()
    registry_actions.share_record(acting(users[("ru", "caseworker")]), child, ua)
    run = _run(users)
    assert run.new_children == 1  # shared since (its updated_at did not change)
    assert CandidatePair.objects.filter(enquiry=enquiry, child=child).exists()


def test_rejected_pair_never_returns_and_decided_pairs_are_not_overwritten(
    users: Any, loaded: Any
) -> None:
    _run(users)
    verifier = acting(users[("ua", "verifier")])
    queue = list(m.review_queue(verifier.user))
    rejected, confirmed = queue[0], queue[1]
    m.decide(verifier, rejected, Decision.NOT_SAME, "different mother, different birthplace")
    m.decide(verifier, confirmed, Decision.SAME)
    full = _run(users, full=True)
    assert full.mode == MatchRun.Mode.FULL
    assert full.excluded_pairs >= 2
    rejected.refresh_from_db()
    confirmed.refresh_from_db()
    assert rejected.status == PairStatus.REJECTED
    assert confirmed.status == PairStatus.CONFIRMED
    assert rejected.run_id != full.pk and confirmed.run_id != full.pk
    # Editing one of its records (so an incremental run re-compares it) changes nothing.
    registry_actions.update_child(
        acting(users[("ru", "caseworker")]), rejected.child, {"notes": "seen again"}
    )
    again = _run(users)
    assert again.new_children == 1
    rejected.refresh_from_db()
    assert rejected.status == PairStatus.REJECTED and rejected.run_id != again.pk
    assert CandidatePair.objects.filter(enquiry=rejected.enquiry, child=rejected.child).count() == 1
    assert rejected.pk not in {p.pk for p in m.review_queue(verifier.user)}
    assert rejected.pk in {p.pk for p in m.review_queue(verifier.user, "rejected")}


def test_confirming_links_request_and_child_and_moves_the_case(users: Any, loaded: Any) -> None:
    _run(users)
    verifier = acting(users[("ua", "verifier")])
    pair = next(
        p for p in m.review_queue(verifier.user) if (p.enquiry_id, p.child_id) in loaded.truth
    )
    decided = m.decide(verifier, pair, Decision.SAME, "photos and mother's name agree")
    assert decided.status == PairStatus.CONFIRMED
    case = Case.objects.get(enquiry=pair.enquiry)
    assert case.child_id == pair.child_id and decided.case_id == case.pk
    assert case.state == "match_proposed"
    assert list(case.events.values_list("to_state", flat=True)) == [
        "registered", "tracing", "match_proposed",
    ]  # fmt: skip
    # The child's owner sees the case too.
    assert case.shared_with.filter(short_name="RU").exists()
    event = AuditEvent.objects.get(object_type="candidate_pair", object_id=str(pair.pk))
    assert event.action == "update"
    assert event.changes["status"] == ["pending", "confirmed"]
    assert event.changes["case"] == case.reference
    assert event.actor_username == verifier.user.username
    assert MatchDecision.objects.get(pair=pair).decision == Decision.SAME
    with pytest.raises(ValidationError, match="already decided"):
        m.decide(acting(users[("ua", "verifier")]), pair, Decision.NOT_SAME)
    assert verify_chain()[1] is None


def test_confirming_advances_an_existing_case(users: Any, model_v1: Any) -> None:
    enquiry, child = add_pair_records(
        users, surname="Лисенко", given="Марта", birth=dt.date(2016, 2, 2)
    )
    ua_cw = acting(users[("ua", "caseworker")])
    case = case_actions.open_case(ua_cw, enquiry=enquiry)
    case_actions.transition_case(ua_cw, case, "tracing")
    _run(users)
    pair = CandidatePair.objects.get(enquiry=enquiry, child=child)
    m.decide(acting(users[("ua", "verifier")]), pair, Decision.SAME)
    case.refresh_from_db()
    assert (case.child_id, case.state) == (child.pk, "match_proposed")


def test_unsure_needs_a_second_different_verifier(users: Any, make_user: Any, loaded: Any) -> None:
    _run(users)
    first = acting(users[("ua", "verifier")])
    second = acting(make_user("verifier", "ua"))
    pair = next(iter(m.review_queue(first.user)))
    with pytest.raises(ValidationError):
        m.decide(first, pair, Decision.UNSURE, "")  # say why
    m.decide(first, pair, Decision.UNSURE, "birth year differs by one")
    pair.refresh_from_db()
    assert pair.status == PairStatus.UNSURE
    assert pair.pk in {p.pk for p in m.review_queue(second.user, "unsure")}
    for decision in (Decision.SAME, Decision.NOT_SAME, Decision.UNSURE):
        with pytest.raises(ValidationError, match="different verifier"):
            m.decide(first, pair, decision, "changed my mind")
    # A later run does not reset the unsure pair.
    _run(users, full=True)
    pair.refresh_from_db()
    assert pair.status == PairStatus.UNSURE
    m.decide(second, pair, Decision.NOT_SAME, "checked the birth certificate")
    pair.refresh_from_db()
    assert pair.status == PairStatus.REJECTED and pair.decided_by == second.user
    assert list(pair.decisions.values_list("decision", flat=True)) == ["unsure", "not_same"]
    events = AuditEvent.objects.filter(object_type="candidate_pair", object_id=str(pair.pk))
    assert events.count() == 2


def test_roles_and_parties(users: Any, loaded: Any) -> None:
    with pytest.raises(PermissionDenied):
        m.run_matching(acting(users[("ua", "verifier")]))
    with pytest.raises(PermissionDenied):
        m.run_matching(acting(users[("ua", "auditor")]))
    _run(users)
    pair = next(iter(m.review_queue(users[("ua", "verifier")])))
    for role in ("caseworker", "coordinator", "auditor", "transfer_officer", "administrator"):
        with pytest.raises(PermissionDenied):
            m.decide(acting(users[("ua", role)]), pair, Decision.SAME)
    # The auditor and caseworker may read the queue; transfer officers and admins may not.
    assert m.review_queue(users[("ua", "auditor")]).exists()
    assert m.review_queue(users[("ua", "caseworker")]).exists()
    assert not m.visible_pairs(users[("ua", "transfer_officer")]).exists()
    assert not m.visible_pairs(users[("ua", "administrator")]).exists()
    # Other parties see nothing: RU cannot see UA's requests, the mediator sees neither side.
    assert not m.visible_pairs(users[("ru", "verifier")]).exists()
    assert not m.visible_pairs(users[("med", "auditor")]).exists()
    with pytest.raises(PermissionDenied):
        m.decide(acting(users[("ru", "verifier")]), pair, Decision.NOT_SAME)
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING
    # RU's own run sees no requests at all, so it proposes nothing.
    ru_run = _run(users, org="ru")
    assert (ru_run.enquiries_considered, ru_run.candidates_found) == (0, 0)


def test_a_failed_run_is_recorded_and_writes_no_candidate(users: Any, loaded: Any) -> None:
    LinkModelVersion.objects.create(
        version=2, model_json={"format": "something else"}, source="imported", note="broken"
    )
    run = m.run_matching(acting(users[("ua", "caseworker")]))
    assert run.status == MatchRun.Status.FAILED
    assert "not a Reunite linkage model" in run.error
    assert run.finished_at is not None
    assert not CandidatePair.objects.exists()
    event = AuditEvent.objects.filter(object_type="match_run", object_id=str(run.pk)).last()
    assert event.changes["status"] == ["running", "failed"]
    # The failed run does not count as "the last run": the next one compares everything.
    LinkModelVersion.objects.filter(version=2).delete()
    assert _run(users).mode == MatchRun.Mode.FULL


def test_a_second_run_is_refused_while_one_is_running(users: Any, model_v1: Any) -> None:
    from reunite.accounts.models import Organization

    MatchRun.objects.create(organization=Organization.objects.get(short_name="UA"))
    with pytest.raises(m.RunRefused, match="still running"):
        m.run_matching(acting(users[("ua", "caseworker")]))
    # Another party's runs are independent.
    assert _run(users, org="ru").status == MatchRun.Status.SUCCEEDED


def test_retraining_from_decisions_makes_a_new_version_used_by_the_next_run(
    users: Any, loaded: Any
) -> None:
    cw = acting(users[("ua", "caseworker")])
    with pytest.raises(ValidationError, match="No decided pairs"):
        m.retrain_model(cw)
    _run(users)
    verifier = acting(users[("ua", "verifier")])
    decided = 0
    for pair in m.review_queue(verifier.user):
        same = (pair.enquiry_id, pair.child_id) in loaded.truth
        try:
            m.decide(verifier, pair, Decision.SAME if same else Decision.NOT_SAME)
        except ValidationError:
            continue  # a second child for an already confirmed request
        decided += 1
    assert decided >= 5
    with pytest.raises(PermissionDenied):
        m.retrain_model(verifier)
    version = m.retrain_model(cw)
    assert version.version == 2 and version.source == LinkModelVersion.Source.RETRAINED
    assert version.based_on.version == 1
    assert version.labels_confirmed + version.labels_rejected == decided
    assert version.model_json["metadata"]["labels"]["confirmed"] == version.labels_confirmed
    assert m.load_model(version).levels  # loads back as a model
    run = _run(users)
    assert run.model_id == version.pk
    assert run.mode == MatchRun.Mode.FULL and run.requested_mode == MatchRun.Mode.INCREMENTAL
    assert any("model changed" in note for note in run.notes)
    assert AuditEvent.objects.filter(object_type="link_model", object_id=str(version.pk)).exists()


def test_confirming_a_match_already_proposed_moves_the_case_to_verification(
    users: Any, model_v1: Any
) -> None:
    enquiry, child = add_pair_records(
        users, surname="Савчук", given="Ірина", birth=dt.date(2012, 10, 10)
    )
    ua_cw = acting(users[("ua", "caseworker")])
    case = case_actions.open_case(ua_cw, enquiry=enquiry)
    case_actions.link_case(ua_cw, case, child=child)
    case_actions.transition_case(ua_cw, case, "tracing")
    case_actions.transition_case(ua_cw, case, "match_proposed")
    _run(users)
    pair = CandidatePair.objects.get(enquiry=enquiry, child=child)
    decided = m.decide(acting(users[("ua", "verifier")]), pair, Decision.SAME, "documents agree")
    case.refresh_from_db()
    assert case.state == "verification" and decided.case_id == case.pk
    assert case.events.last().note == "documents agree"


def test_a_run_left_running_by_a_dead_process_is_marked_failed(users: Any, model_v1: Any) -> None:
    from reunite.accounts.models import Organization

    stale = MatchRun.objects.create(organization=Organization.objects.get(short_name="UA"))
    MatchRun.objects.filter(pk=stale.pk).update(
        started_at=stale.started_at - m.RUN_STALE_AFTER - dt.timedelta(minutes=1)
    )
    run = _run(users)
    stale.refresh_from_db()
    assert stale.status == MatchRun.Status.FAILED and "abandoned" in stale.error
    assert run.previous_run_id is None


def test_pending_pairs_are_withdrawn_when_consent_goes_and_return_with_it(
    users: Any, model_v1: Any
) -> None:
    enquiry, child = add_pair_records(
        users, surname="Руденко", given="Остап", birth=dt.date(2013, 6, 6), sex="M"
    )
    _run(users)
    pair = CandidatePair.objects.get(enquiry=enquiry, child=child)
    ru = acting(users[("ru", "caseworker")])
    registry_actions.update_child(ru, child, {"consent_for_tracing": False})
    run = _run(users)
    pair.refresh_from_db()
    assert pair.status == PairStatus.WITHDRAWN and run.pairs_withdrawn == 1
    with pytest.raises(ValidationError, match="no longer proposed"):
        m.decide(acting(users[("ua", "verifier")]), pair, Decision.SAME)
    registry_actions.update_child(ru, child, {"consent_for_tracing": True})
    run = _run(users)
    pair.refresh_from_db()
    assert pair.status == PairStatus.PENDING and pair.run_id == run.pk
    assert run.pairs_refreshed == 1 and run.pairs_created == 0


def test_feature_cache_analyses_only_new_or_changed_records(
    users: Any, trained_link_model: Any, settings: Any  # noqa: F811
) -> None:
    from pathlib import Path

    m.install_model(acting(users[("ua", "caseworker")]), trained_link_model)
    first_e, first_c = add_pair_records(
        users, surname="Коваленко", given="Дарина", birth=dt.date(2014, 5, 17),
        mother="Коваленко Ірина Петрівна",
    )  # fmt: skip
    messages: list[str] = []

    def progress(message: str, done: Any = None, total: Any = None) -> None:
        messages.append(message)

    run = m.run_matching(acting(users[("ua", "caseworker")]), progress=progress)
    assert run.status == "succeeded", run.error
    assert "analysing names of 1 new or changed children" in messages
    assert list(Path(settings.REUNITE_MATCH_CACHE_DIR).glob("children-*.arrow"))
    # One more pair: only its two records are analysed; the first come from the cache.
    messages.clear()
    e2, c2 = add_pair_records(users, surname="Шевчук", given="Богдан",
                              birth=dt.date(2011, 9, 2), sex="M")  # fmt: skip
    run = m.run_matching(acting(users[("ua", "caseworker")]), progress=progress)
    assert run.mode == "incremental" and run.status == "succeeded", run.error
    assert "analysing names of 1 new or changed children" in messages
    assert "analysing names of 1 new or changed requests" in messages
    assert CandidatePair.objects.filter(enquiry=e2, child=c2).exists()
    # A changed record is analysed again: its new name is what gets compared.
    messages.clear()
    ru = acting(users[("ru", "caseworker")])
    registry_actions.update_child(ru, first_c, {}, [
        {"surname": "Мельник", "given_name": "Остап", "patronymic": ""}])
    run = m.run_matching(acting(users[("ua", "caseworker")]), progress=progress)
    assert "analysing names of 1 new or changed children" in messages
    pair = CandidatePair.objects.get(enquiry=first_e, child=first_c)
    assert pair.status == "withdrawn"  # Дарина Коваленко is no longer that child
    # Scores from the cache equal scores computed from scratch.
    scores = dict(CandidatePair.objects.values_list("pk", "probability"))
    for f in Path(settings.REUNITE_MATCH_CACHE_DIR).glob("*.arrow"):
        f.unlink()
    m.run_matching(acting(users[("ua", "caseworker")]), full=True)
    assert dict(CandidatePair.objects.values_list("pk", "probability")) == scores
