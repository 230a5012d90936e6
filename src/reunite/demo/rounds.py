"""Demo reunification rounds: three completed rounds and one being planned.

Shaped like the rounds reported in public (8 children in October, 7 in December with one
more who did not travel, 6 in February of whom one went from Ukraine to Russia), with
synthetic children only. Everything goes through the actions — round, transfer, the
planner's route, handovers confirmed by both sides — so the audit trail is real. Then the
synthetic cases' timelines (not the audit log) are dated back to the round dates, so the
statistics page shows history rather than one afternoon.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from typing import Any

from reunite.accounts.models import Organization
from reunite.cases import actions as case_actions
from reunite.cases.models import Case, CaseEvent
from reunite.core.acting import Acting
from reunite.registry.models import Enquiry
from reunite.reunification.models import Round, RoundChild
from reunite.reunification.rounds import actions
from reunite.reunification.rounds.planning import plan_for_transfer, route_network

# (title, date, children who travel, of whom UA→RU, children who did not travel)
PAST_ROUNDS = (
    ("October 2025 round", dt.date(2025, 10, 10), 8, 0, 0),
    ("December 2025 round", dt.date(2025, 12, 4), 7, 0, 1),
    ("February 2026 round", dt.date(2026, 2, 12), 6, 1, 0),
)
PLANNED_EXTRA = 2  # approved children in the planned round besides the one who did not travel
NEEDED = sum(r[2] + r[4] for r in PAST_ROUNDS) + PLANNED_EXTRA


def _acting(user: Any) -> Acting:
    return Acting(user=user, request_id=f"demo-rounds-{uuid.uuid4().hex[:10]}")


def _sizes(available: int) -> list[tuple[int, int]]:
    """(travel, did-not-travel) per past round, scaled down when fewer cases are available."""
    if available >= NEEDED:
        return [(r[2], r[4]) for r in PAST_ROUNDS]
    share = max(0, available - 1) / (NEEDED - 1)
    return [(max(1, round(r[2] * share)), r[4] if available > 6 else 0) for r in PAST_ROUNDS]


def load_demo_rounds(cases: Sequence[Case], users: dict[str, Any], *, seed: int = 0,
                     today: dt.date | None = None) -> list[Round]:
    """Put approved demo cases through the rounds; returns the rounds made."""
    today = today or dt.date.today()
    rng = random.Random(seed)
    network = route_network()
    ua, ru, _med = (Organization.objects.get(short_name=s) for s in ("UA-NIB", "RU-CRO",
                                                                     "MEDIATOR"))
    coordinator = _acting(users["med-coordinator"])
    officers = {ua.pk: _acting(users["ua-transfer"]), ru.pk: _acting(users["ru-transfer"])}
    witnesses = {ua.pk: _acting(users["ua-caseworker"]), ru.pk: _acting(users["ru-caseworker"])}
    pool = list(cases)
    made: list[Round] = []
    leftover: list[Case] = []
    for (title, day, _travel, to_russia, _dnt), (travel, dnt) in zip(
            PAST_ROUNDS, _sizes(len(pool)), strict=True):
        chosen, pool = pool[: travel + dnt], pool[travel + dnt:]
        if not chosen:
            break
        round_ = actions.create_round(coordinator, title=title, planned_date=day,
                                      channel="mediator", channel_name="Demo mediator "
                                      "(synthetic)", parties=[ua, ru])
        entries = []
        for index, case in enumerate(chosen):
            to_ru = index < to_russia
            entries.append(actions.add_case(
                coordinator, round_, case, from_country="UA" if to_ru else "RU",
                to_country="RU" if to_ru else "UA",
                origin="kyiv-child-protection-centre" if to_ru else "qatar-embassy-moscow",
                destination="qatar-embassy-moscow" if to_ru else "kyiv-child-protection-centre",
                network=network))
        transfers = [_plan_transfer(coordinator, round_, entry, ua, ru, day, rng)
                     for entry in entries]
        actions.confirm_round(coordinator, round_)
        actions.start_round(coordinator, round_)
        did_not_travel = {}
        for number, (entry, transfer) in enumerate(zip(entries, transfers, strict=True)):
            if number >= len(entries) - dnt:
                did_not_travel[entry.pk] = "The child was ill on the day of travel (synthetic)."
                leftover.append(entry.case)
                continue
            start = dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC)
            for handover in transfer.handovers.order_by("number"):
                start += dt.timedelta(hours=rng.randint(5, 9))
                place = handover.place_name
                actions.confirm_handover(officers[handover.from_org_id], handover,
                                         side="release", at=start, place=place)
                receiver = (witnesses if handover.is_final else officers)[handover.to_org_id]
                actions.confirm_handover(receiver, handover, side="receive",
                                         at=start + dt.timedelta(minutes=10), place=place)
        actions.complete_round(coordinator, round_, did_not_travel=did_not_travel)
        _date_back(round_, rng)
        made.append(round_)
    planned_cases = leftover + pool[:PLANNED_EXTRA]
    if planned_cases:
        planned = actions.create_round(
            coordinator, title="Next round (being planned)",
            planned_date=today + dt.timedelta(days=21), channel="mediator",
            channel_name="Demo mediator (synthetic)", parties=[ua, ru],
            notes="Synthetic demo round, still being planned.")
        for index, case in enumerate(planned_cases):
            entry = actions.add_case(coordinator, planned, case, from_country="RU",
                                     to_country="UA", origin="qatar-embassy-moscow",
                                     destination="kyiv-child-protection-centre",
                                     network=network)
            if index == 0:
                _plan_transfer(coordinator, planned, entry, ua, ru, planned.planned_date, rng)
        made.append(planned)
    # a few families are in follow-up already
    for entry in RoundChild.objects.filter(round=made[0], status="travelled")[:3] if made else []:
        case_actions.transition_case(_acting(users["ua-caseworker"]), entry.case, "follow_up",
                                     note="Follow-up started (demo)")
    return made


def _plan_transfer(coordinator: Acting, round_: Round, entry: RoundChild, ua: Organization,
                   ru: Organization, day: dt.date, rng: random.Random) -> Any:
    """The collecting adult from the tracing request, the planner's best route, handovers."""
    case = entry.case
    enquiry: Enquiry | None = case.enquiry
    to_ru = entry.to_country == "RU"
    name = enquiry.enquirer.display_name if enquiry else "Demo relative (synthetic)"
    relationship = enquiry.enquirer_relationship if enquiry else "grandmother"
    birth = case.evidence.filter(kind__in=actions.LEGAL_AUTHORITY_KINDS).first()
    transfer = actions.create_transfer(
        coordinator, round_, entries=[entry],
        collector=actions.Collector(name=name, relationship=relationship,
                                    role="legal_representative", sex="F",
                                    birth_year=day.year - rng.randint(28, 60),
                                    citizenships=["RU" if to_ru else "UA"],
                                    documents=["passport"]),
        evidence=[birth] if birth else [], initial_custodian=ua if to_ru else ru,
        escorts=[{"name": "Demo escort (synthetic)", "organisation": "MEDIATOR",
                  "role": "diplomatic escort"}])
    plan = plan_for_transfer(transfer, origin=entry.origin, destination=entry.destination,
                             on=day)
    network = route_network()
    if plan.best is not None:
        actions.apply_route(coordinator, transfer, plan.best,
                            depart_at=dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC),
                            on=day)
        crossing = next((p for p in plan.best.places if p.kind == "border_crossing"), None)
    else:  # no feasible route (should not happen in the shipped network): go direct
        actions.add_leg(coordinator, transfer, mode="convoy", from_place=entry.origin,
                        to_place=entry.destination, network=network)
        crossing = None
    first_holder, second_holder = (ua, ru) if to_ru else (ru, ua)
    if crossing is not None:
        actions.add_handover(coordinator, transfer, place=crossing.id, from_org=first_holder,
                             to_org=second_holder, network=network)
    else:
        second_holder = first_holder
    actions.add_handover(coordinator, transfer, place=entry.destination,
                         from_org=second_holder, to_org=second_holder, to_person=name,
                         is_final=True, network=network)
    return transfer


def _date_back(round_: Round, rng: random.Random) -> None:
    """Date the synthetic cases' timelines back to the round (demo charts show history)."""
    day = dt.datetime.combine(round_.planned_date, dt.time(9), tzinfo=dt.UTC)
    for entry in round_.entries.select_related("case__enquiry"):
        case = entry.case
        requested = day - dt.timedelta(days=rng.randint(90, 400))
        if case.enquiry is not None:
            Enquiry.objects.filter(pk=case.enquiry.pk).update(created_at=requested)
        Case.objects.filter(pk=case.pk).update(created_at=requested)
        events = list(case.events.order_by("at", "pk"))
        before = [e for e in events if e.to_state not in ("scheduled", "in_transit",
                                                          "reunified", "approved")]
        span = (day - dt.timedelta(days=14) - requested) / max(1, len(before))
        for index, event in enumerate(before):
            CaseEvent.objects.filter(pk=event.pk).update(at=requested + span * index)
        offsets = {"approved": dt.timedelta(days=-12), "scheduled": dt.timedelta(days=-3),
                   "in_transit": dt.timedelta(0), "reunified": dt.timedelta(hours=16)}
        for event in events:
            if event.to_state == "approved" and event.from_state == "in_transit":
                when = day + dt.timedelta(days=1)  # did not travel: back to approved
            elif event.to_state in offsets:
                when = day + offsets[event.to_state]
            else:
                continue
            CaseEvent.objects.filter(pk=event.pk).update(at=when)
