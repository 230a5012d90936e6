"""Rounds, transfers, itineraries and the two-sided chain of custody, through the actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from pypdf import PdfReader

from reunite.accounts import policy
from reunite.audit.log import verify_chain
from reunite.audit.models import AuditEvent
from reunite.cases import actions as case_actions
from reunite.reunification.models import Handover, Round, RoundChild
from reunite.reunification.rounds import actions, reports
from reunite.reunification.rounds.planning import plan_for_transfer, route_network
from reunite.routes import default_network
from tests.app.conftest import acting
from tests.app.fixtures_rounds import ROUND_DAY, approved_case
from tests.app.fixtures_verification import make_case

NET = default_network()


@pytest.fixture
def coordinator(users: Any) -> Any:
    return acting(users[("med", "coordinator")])


@pytest.fixture
def planned(users: Any, orgs: Any, make_child: Any, make_enquiry: Any, coordinator: Any) -> Any:
    """A planned round (MED coordinating, UA and RU parties) with one RU→UA child."""
    case = approved_case(users, orgs, make_child, make_enquiry)
    round_ = actions.create_round(coordinator, title="February round", planned_date=ROUND_DAY,
                                  channel="mediator", channel_name="State of Qatar",
                                  parties=[orgs["ua"], orgs["ru"]])
    entry = actions.add_case(coordinator, round_, case, from_country="RU", to_country="UA",
                             origin="qatar-embassy-moscow",
                             destination="kyiv-child-protection-centre", network=NET)
    return round_, entry


def _transfer(coordinator: Any, orgs: Any, round_: Any, entry: Any, **kw: Any) -> Any:
    birth = entry.case.evidence.get(kind="birth_certificate")
    collector = actions.Collector(name="Ганна Ковальчук", relationship="mother",
                                  role="legal_representative", sex="F", birth_year=1988,
                                  citizenships=["UA"], documents=["passport"])
    return actions.create_transfer(
        coordinator, round_, entries=[entry], collector=kw.pop("collector", collector),
        evidence=kw.pop("evidence", [birth]), initial_custodian=orgs["ru"],
        escorts=[{"name": "Demo diplomat", "organisation": "MED", "role": "escort"}], **kw)


def _plan_everything(coordinator: Any, orgs: Any, round_: Any, entry: Any) -> Any:
    transfer = _transfer(coordinator, orgs, round_, entry)
    plan = plan_for_transfer(transfer, origin=entry.origin, destination=entry.destination,
                             on=ROUND_DAY)
    assert plan.best is not None
    actions.apply_route(coordinator, transfer, plan.best,
                        depart_at=dt.datetime(2026, 2, 12, 6, tzinfo=dt.UTC))
    actions.add_handover(coordinator, transfer, place="ua-by-humanitarian", from_org=orgs["ru"],
                         to_org=orgs["ua"], network=NET)
    actions.add_handover(coordinator, transfer, place="kyiv-child-protection-centre",
                         from_org=orgs["ua"], to_org=orgs["ua"],
                         to_person="Ганна Ковальчук", is_final=True, network=NET)
    return transfer


@pytest.mark.django_db
def test_a_round_end_to_end(planned: Any, users: Any, orgs: Any, coordinator: Any,
                            make_user: Any) -> None:
    round_, entry = planned
    transfer = _plan_everything(coordinator, orgs, round_, entry)
    assert "Humanitarian crossing" in transfer.route_summary
    actions.confirm_round(coordinator, round_)
    entry.case.refresh_from_db()
    assert entry.case.state == "scheduled"
    actions.start_round(coordinator, round_)
    entry.case.refresh_from_db()
    assert entry.case.state == "in_transit"
    # the case cannot be marked reunified by hand while custody is not confirmed
    ua_officer, ru_officer = (acting(users[("ua", "transfer_officer")]),
                              acting(users[("ru", "transfer_officer")]))
    assert case_actions.missing_for_transition(entry.case, "reunified") == [
        "the final handover to the legal representative, confirmed by both sides"]
    first, final = transfer.handovers.order_by("number")
    # UA does not hold the child yet: it cannot release it
    with pytest.raises(ValidationError, match="UA does not hold the child: RU has custody"):
        actions.confirm_handover(ua_officer, first, side="release")
    actions.confirm_handover(ru_officer, first, side="release")
    holder, _person, pending = actions.current_holder(transfer)
    assert holder == orgs["ru"] and pending == first  # one side only: still RU's custody
    assert [h.pk for h in reports.unconfirmed_handovers([round_])] == [first.pk]
    with pytest.raises(ValidationError, match="must be confirmed by both sides first"):
        actions.confirm_handover(ua_officer, final, side="release")
    actions.confirm_handover(ua_officer, first, side="receive", place="Crossing, gate 2")
    assert actions.current_holder(transfer)[0] == orgs["ua"]
    actions.confirm_handover(ua_officer, final, side="release")
    with pytest.raises(ValidationError, match="same person cannot confirm both sides"):
        actions.confirm_handover(ua_officer, final, side="receive")
    second_ua_officer = acting(make_user("transfer_officer", "ua"))
    actions.confirm_handover(second_ua_officer, final, side="receive")
    entry.refresh_from_db()
    entry.case.refresh_from_db()
    assert entry.status == "travelled" and entry.case.state == "reunified"
    assert actions.current_holder(transfer)[1] == "Ганна Ковальчук"
    actions.complete_round(coordinator, round_)
    round_.refresh_from_db()
    assert round_.status == "completed"
    report = reports.round_report(round_)
    assert report.by_direction == {"RU→UA": 1} and report.by_age_band == {"5–9": 1}
    assert len(report.days_to_reunification) == 1
    actions_logged = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"handover.release", "handover.receive", "transfer.complete", "round.status"} <= (
        actions_logged)
    assert verify_chain()[1] is None


@pytest.mark.django_db
def test_only_approved_cases_and_one_round_at_a_time(
        users: Any, orgs: Any, make_child: Any, make_enquiry: Any, coordinator: Any,
        planned: Any) -> None:
    round_, entry = planned
    early = make_case(users, orgs, make_child, make_enquiry)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="is match proposed; only a case approved"):
        actions.add_case(coordinator, round_, early, from_country="RU", to_country="UA")
    other = actions.create_round(coordinator, title="Another", planned_date=ROUND_DAY,
                                 channel="ombudsman")
    with pytest.raises(ValidationError, match=f"already in round {round_.reference}"):
        actions.add_case(coordinator, other, entry.case, from_country="RU", to_country="UA")
    assert AuditEvent.objects.count() == before + 1  # only the new round
    assert RoundChild.objects.filter(case=entry.case).count() == 1


@pytest.mark.django_db
def test_withdrawing_returns_the_case_to_approved_with_the_reason(
        planned: Any, orgs: Any, coordinator: Any) -> None:
    round_, entry = planned
    _plan_everything(coordinator, orgs, round_, entry)
    actions.confirm_round(coordinator, round_)
    with pytest.raises(ValidationError, match="Say why"):
        actions.withdraw_child(coordinator, entry, reason=" ")
    actions.withdraw_child(coordinator, entry, reason="The child is ill.")
    entry.case.refresh_from_db()
    assert entry.case.state == "approved"
    assert entry.case.events.last().note == (
        f"Withdrawn from round {round_.reference}: The child is ill.")
    # and it can go in another round
    other = actions.create_round(coordinator, title="Next", planned_date=ROUND_DAY,
                                 channel="direct")
    with pytest.raises(ValidationError, match="another country"):
        actions.add_case(coordinator, other, entry.case, from_country="UA", to_country="ua")
    assert actions.add_case(coordinator, other, entry.case, from_country="RU", to_country="UA")


@pytest.mark.django_db
def test_a_proxy_needs_the_power_of_attorney_from_the_register(
        users: Any, orgs: Any, make_child: Any, make_enquiry: Any, coordinator: Any,
        planned: Any) -> None:
    round_, entry = planned
    aunt = actions.Collector(name="Iryna P.", relationship="aunt", role="proxy", sex="F",
                             birth_year=1980, citizenships=["UA"], documents=["passport"])
    with pytest.raises(ValidationError, match="a proxy needs a notarised power of attorney"):
        _transfer(coordinator, orgs, round_, entry, collector=aunt)
    assert not round_.transfers.exists()
    with_poa = approved_case(users, orgs, make_child, make_enquiry, power_of_attorney=True)
    entry2 = actions.add_case(coordinator, round_, with_poa, from_country="RU", to_country="UA")
    poa = with_poa.evidence.get(kind="power_of_attorney")
    transfer = actions.create_transfer(coordinator, round_, entries=[entry2], collector=aunt,
                                       evidence=[poa], initial_custodian=orgs["ru"])
    assert "power_of_attorney" in transfer.collector_documents
    with pytest.raises(ValidationError, match="belongs to another case"):
        _transfer(coordinator, orgs, round_, entry, evidence=[poa])


@pytest.mark.django_db
def test_bad_itineraries_and_open_legs(planned: Any, orgs: Any, coordinator: Any,
                                       users: Any) -> None:
    round_, entry = planned
    transfer = _transfer(coordinator, orgs, round_, entry)
    actions.add_leg(coordinator, transfer, mode="road", from_place="qatar-embassy-moscow",
                    to_place="moscow", network=NET)
    with pytest.raises(ValidationError) as error:
        actions.add_leg(coordinator, transfer, mode="rail", from_place="minsk",
                        to_place="gomel", network=NET)
    assert "starts at minsk but the previous leg ends at Moscow" in str(error.value)
    assert transfer.legs.count() == 1
    actions.add_leg(coordinator, transfer, mode="rail", from_place="moscow",
                    to_place="minsk", network=NET)
    actions.add_handover(coordinator, transfer, place="minsk", from_org=orgs["ru"],
                         to_org=orgs["ua"], to_person="Ганна", is_final=True, network=NET)
    actions.confirm_round(coordinator, round_)
    actions.start_round(coordinator, round_)
    first, second = transfer.legs.order_by("number")
    now = timezone.now()
    with pytest.raises(ValidationError, match="Leg 1 has not arrived yet"):
        actions.record_leg(coordinator, second, departed_at=now)
    actions.record_leg(coordinator, first, departed_at=now - dt.timedelta(hours=2))
    with pytest.raises(ValidationError, match="after the departure"):
        actions.record_leg(coordinator, first, arrived_at=now - dt.timedelta(hours=3))
    actions.record_leg(coordinator, first, arrived_at=now - dt.timedelta(hours=1))
    actions.record_leg(coordinator, second, departed_at=now)
    # a child on an open leg cannot start another one
    extra = transfer.legs.create(number=3, mode="road", from_place="minsk", from_name="Minsk",
                                 to_place="gomel", to_name="Gomel")
    with pytest.raises(ValidationError, match="one leg at a time"):
        actions.record_leg(coordinator, extra, departed_at=now)


@pytest.mark.django_db
def test_who_sees_rounds_and_who_may_confirm(planned: Any, users: Any, orgs: Any,
                                             make_user: Any, coordinator: Any) -> None:
    from reunite.accounts.models import Organization

    round_, entry = planned
    outsider_org = Organization.objects.create(short_name="PL", name="Other party",
                                               kind="ngo", country="PL")
    orgs["pl"] = outsider_org
    outsider = make_user("transfer_officer", "pl")
    assert not policy.visible(outsider, Round.objects.all()).exists()
    assert policy.visible(users[("ru", "transfer_officer")], Round.objects.all()).exists()
    assert policy.can(users[("ua", "transfer_officer")], "manifest.view", round_)
    assert not policy.can(outsider, "manifest.view", round_)
    with pytest.raises(PermissionDenied):
        actions.create_round(acting(users[("ua", "transfer_officer")]), title="x",
                             planned_date=ROUND_DAY, channel="direct")
    transfer = _plan_everything(coordinator, orgs, round_, entry)
    actions.confirm_round(coordinator, round_)
    actions.start_round(coordinator, round_)
    with pytest.raises(PermissionDenied):
        actions.confirm_handover(coordinator, transfer.handovers.first(), side="release")


@pytest.mark.django_db
def test_manifest_pdf_has_the_names_in_cyrillic_and_no_private_details(
        planned: Any, orgs: Any, coordinator: Any, caplog: Any) -> None:
    round_, entry = planned
    _plan_everything(coordinator, orgs, round_, entry)
    data = reports.manifest_pdf(round_)
    assert "missing the following glyphs" not in caplog.text
    text = "".join(page.extract_text() for page in PdfReader(__import__("io").BytesIO(data))
                   .pages)
    assert "Ковальчук Олександр" in text and "Ганна Ковальчук" in text
    assert round_.reference in text and "Humanitarian crossing" in text
    assert "Secret custodian" not in text and "Secret location" not in text
    assert "+000 555 0101" not in text


@pytest.mark.django_db
def test_public_export_hides_small_counts(planned: Any) -> None:
    tables = reports.public_tables()
    text = reports.public_export_text(tables, "csv")
    assert "Aggregates only" in text
    assert all(value is None or value >= 5 or value == 0 for t in tables for row in t.cells
               for value in row)


@pytest.mark.django_db
def test_planner_uses_the_records(planned: Any, orgs: Any, coordinator: Any) -> None:
    round_, entry = planned
    transfer = _transfer(coordinator, orgs, round_, entry)
    plan = plan_for_transfer(transfer, origin="qatar-embassy-moscow", destination="kyiv",
                             on=ROUND_DAY, network=route_network())
    reasons = [str(r) for route in plan.rejected for r in route.reasons]
    assert "the child has no passport and Sheremetyevo Airport requires one" in reasons
    child = entry.case.child
    child.identity_documents.create(kind="Passport", number="FP000001", issuing_country="UA")
    plan = plan_for_transfer(transfer, origin="qatar-embassy-moscow", destination="kyiv",
                             on=ROUND_DAY)
    assert any(p.kind == "airport" for route in plan.routes for p in route.places)
    assert Handover.objects.count() == 0
