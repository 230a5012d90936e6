"""Demo organisations, users and synthetic records for ``reunite demo``.

Everything here is synthetic: people come from ``reunite.synth``; organisations are
fictional stand-ins for the parties (an information bureau on one side, a children's
rights office on the other, a neutral mediator). Records are written through the actions,
so the demo has a realistic audit trail from the first minute.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from rich.progress import Progress

from reunite.accounts.models import Membership, Organization, OrganizationKind, Role
from reunite.cases import actions as case_actions
from reunite.cases.models import CASE_STATE_ORDER, Case
from reunite.core.acting import Acting
from reunite.demo.rounds import NEEDED as ROUNDS_NEEDED
from reunite.demo.rounds import load_demo_rounds
from reunite.registry import actions
from reunite.registry.importing import (
    child_fields,
    child_names,
    enquirer_fields,
    enquiry_fields,
    parse_relationship,
)
from reunite.registry.models import Child, Enquiry

DEMO_PASSWORD = "demo-reunite-2026"  # noqa: S105 - synthetic demo accounts only
# The demo users' shared authenticator secret (base32), printed with the logins: add it
# once to an authenticator app to log in as any of them. Synthetic demo accounts only.
DEMO_TOTP_SECRET = "REUNITEDEMOSECRETFORTRAININGONLY"  # noqa: S105

ORGANIZATIONS = [
    # short name, name, kind, country
    (
        "UA-NIB",
        "Demo National Information Bureau (Ukraine)",
        OrganizationKind.INFORMATION_BUREAU,
        "UA",
    ),
    ("RU-CRO", "Demo Children's Rights Office (Russia)", OrganizationKind.OMBUDSMAN, "RU"),
    ("MEDIATOR", "Demo Neutral Mediator", OrganizationKind.MEDIATOR, "QA"),
]
USERS = [
    ("ua-caseworker", "UA-NIB", Role.CASEWORKER),
    ("ua-verifier", "UA-NIB", Role.VERIFIER),
    ("ua-transfer", "UA-NIB", Role.TRANSFER_OFFICER),
    ("ua-auditor", "UA-NIB", Role.AUDITOR),
    ("ua-admin", "UA-NIB", Role.ADMINISTRATOR),
    ("ru-caseworker", "RU-CRO", Role.CASEWORKER),
    ("ru-verifier", "RU-CRO", Role.VERIFIER),
    ("ru-transfer", "RU-CRO", Role.TRANSFER_OFFICER),
    ("ru-auditor", "RU-CRO", Role.AUDITOR),
    ("ru-admin", "RU-CRO", Role.ADMINISTRATOR),
    ("med-coordinator", "MEDIATOR", Role.COORDINATOR),
    ("med-auditor", "MEDIATOR", Role.AUDITOR),
]

# Who moves a demo case into each state (a user whose role the policy allows).
_STEP_USER = {
    "tracing": "ua-caseworker",
    "match_proposed": "ua-caseworker",
    "verification": "ua-verifier",
    "best_interests": "ua-verifier",
    "approved": "med-coordinator",
    "scheduled": "med-coordinator",
    "in_transit": "ru-transfer",
    "reunified": "ru-transfer",
    "follow_up": "ua-caseworker",
}


@dataclass
class DemoSummary:
    children: int = 0
    enquiries: int = 0
    cases: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    already_loaded: bool = False
    candidates: int = 0
    matching_status: str = ""


def _ensure_organizations_and_users() -> tuple[dict[str, Any], bool]:
    User = get_user_model()
    created = False
    for short, name, kind, country in ORGANIZATIONS:
        _, was_created = Organization.objects.get_or_create(
            short_name=short, defaults={"name": name, "kind": kind, "country": country}
        )
        created |= was_created
    users = {}
    for username, org, role in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
            user.save()
            Membership.objects.create(
                user=user, organization=Organization.objects.get(short_name=org), role=role
            )
        _enrol_demo_second_factor(user)
        users[username] = user
    return users, created


def _enrol_demo_second_factor(user: Any) -> None:
    """Demo users come with an authenticator already set up (the printed shared secret)."""
    import base64

    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = base64.b32decode(DEMO_TOTP_SECRET).hex()
    TOTPDevice.objects.get_or_create(
        user=user, name="demo app", defaults={"key": key, "confirmed": True}
    )


def _acting(user: Any) -> Acting:
    return Acting(user=user, request_id=f"demo-{uuid.uuid4().hex[:12]}")


def _track(
    items: Iterable[Any], progress: Progress | None, description: str, total: int
) -> Iterable[Any]:
    if progress is None:
        yield from items
        return
    task = progress.add_task(description, total=total)
    for item in items:
        yield item
        progress.advance(task)


def load_demo(
    *, seed: int = 0, children: int = 120, enquiries: int = 40, progress: bool = False
) -> DemoSummary:
    """Create the demo parties, users and synthetic records (once; later calls only list logins)."""
    from reunite.demo.verification import verify_demo_case
    from reunite.synth import generate

    summary = DemoSummary(logins=[(u, o, str(Role(r).label)) for u, o, r in USERS])
    with transaction.atomic():
        users, _ = _ensure_organizations_and_users()
        if Child.objects.filter(owner__short_name="RU-CRO").exists():
            summary.already_loaded = True
            summary.children = Child.objects.count()
            summary.enquiries = Enquiry.objects.count()
            summary.cases = Case.objects.count()
            return summary
        population = generate(records=children, enquiries=enquiries, difficulty="easy", seed=seed)
        rng = random.Random(seed)
        today = dt.date.today()
        ua, ru, mediator = (Organization.objects.get(short_name=s) for s, *_ in ORGANIZATIONS)
        bar = Progress(transient=True) if progress else None
        if bar:
            bar.start()
        try:
            child_by_record: dict[str, Child] = {}
            for record in _track(
                population.records, bar, "Registry children", len(population.records)
            ):
                fields = child_fields(record, today)
                fields["consent_for_tracing"] = rng.random() < 0.9
                fields["custodian"] = record.institution and f"Director, {record.institution}"
                fields["current_location"] = record.current_region
                fields["citizenships"] = ["RU"] if rng.random() < 0.4 else ["UA"]
                if fields["citizenships"] == ["RU"]:
                    fields["personal_status_altered"] = True
                    fields["altered_fields"] = ["citizenship"]
                child = actions.create_child(
                    _acting(users["ru-caseworker"]), fields, child_names(record)
                )
                child_by_record[record.record_id] = child
                if child.consent_for_tracing:
                    # The list exchange: found children with consent go to the other party
                    # and the mediator, so their tracing requests can be matched against them.
                    actions.share_record(_acting(users["ru-caseworker"]), child, ua)
                    actions.share_record(_acting(users["ru-caseworker"]), child, mediator)
            enquiry_by_id: dict[str, Enquiry] = {}
            for record in _track(
                population.enquiries, bar, "Tracing requests", len(population.enquiries)
            ):
                fields = enquiry_fields(record, parse_relationship(record.enquirer_relationship))
                fields["consent_for_tracing"] = True
                enquiry = actions.create_enquiry(
                    _acting(users["ua-caseworker"]), fields, enquirer_fields(record)
                )
                enquiry_by_id[record.record_id] = enquiry
            # Cases at every stage of the path, for pairs known (synthetically) to match.
            pairs = sorted(population.truth)
            rng.shuffle(pairs)
            # Cases past "approved" come from the reunification rounds (reunite.demo.rounds):
            # a case is scheduled only in a round, reunified only through its handovers.
            up_to_approved = list(CASE_STATE_ORDER[: CASE_STATE_ORDER.index("approved") + 1])
            targets = up_to_approved * 2 + ["approved"] * ROUNDS_NEEDED
            for_rounds: list[Case] = []
            for (enquiry_id, record_id), target in _track(
                zip(pairs, targets, strict=False), bar, "Cases", min(len(pairs), len(targets))
            ):
                enquiry = enquiry_by_id[enquiry_id]
                child = child_by_record[record_id]
                if child.cases.exists() or enquiry.cases.exists():
                    continue
                case = case_actions.open_case(_acting(users["ua-caseworker"]), enquiry=enquiry)
                actions.share_record(_acting(users["ua-caseworker"]), case, ru)
                actions.share_record(_acting(users["ua-caseworker"]), case, mediator)
                actions.share_record(_acting(users["ua-caseworker"]), enquiry, mediator)
                actions.share_record(_acting(users["ru-caseworker"]), child, ua)
                case_actions.link_case(_acting(users["ua-caseworker"]), case, child=child)
                for state in CASE_STATE_ORDER[1 : CASE_STATE_ORDER.index(target) + 1]:
                    if state == "approved":
                        # Evidence, DNA, two approvals and a best-interests decision first.
                        verify_demo_case(case, users, seed=seed)
                    case_actions.transition_case(
                        _acting(users[_STEP_USER[state]]), case, state, note="demo"
                    )
                summary.cases += 1
                if target == "approved" and summary.cases > len(up_to_approved) * 2:
                    for_rounds.append(case)
            if for_rounds:
                load_demo_rounds(for_rounds, users, seed=seed, today=today)
        finally:
            if bar:
                bar.stop()
        summary.children = len(child_by_record)
        summary.enquiries = len(enquiry_by_id)
    # A first matching run, so the verifiers' review queue has candidates to decide on.
    from reunite.matching.actions import run_matching

    run = run_matching(_acting(users["ua-caseworker"]), full=True)
    summary.candidates = run.pairs_created
    summary.matching_status = run.status
    return summary
