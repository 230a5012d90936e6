"""One party's share of the channel demo: its organisation, users and synthetic records.

The three-installation demo (``reunite demo-channel``) runs this once per installation:
the asking party (``UA-NIB``) gets tracing requests, the asked party (``RU-CRO``) a
registry of found children (generated from the same seed, so some of them are the sought
children), the mediator only its users. Everyone here is synthetic (``reunite.synth``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from reunite.demo.load import DEMO_PASSWORD

__all__ = ["DEMO_PASSWORD", "PARTIES", "PartySummary", "load_party"]

PARTIES: dict[str, dict[str, Any]] = {
    "UA-NIB": {
        "name": "Demo National Information Bureau (Ukraine)",
        "kind": "information_bureau",
        "country": "UA",
        "users": [
            ("ua-caseworker", "caseworker"),
            ("ua-verifier", "verifier"),
            ("ua-admin", "administrator"),
        ],
        "data": "enquiries",
    },
    "RU-CRO": {
        "name": "Demo Children's Rights Office (Russia)",
        "kind": "ombudsman",
        "country": "RU",
        "users": [
            ("ru-caseworker", "caseworker"),
            ("ru-verifier", "verifier"),
            ("ru-admin", "administrator"),
        ],
        "data": "children",
    },
    "MEDIATOR": {
        "name": "Demo Neutral Mediator",
        "kind": "mediator",
        "country": "QA",
        "users": [("med-coordinator", "coordinator"), ("med-auditor", "auditor")],
        "data": "",
    },
}


@dataclass
class PartySummary:
    installation_id: str
    children: int = 0
    enquiries: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)
    already_loaded: bool = False


def load_party(
    installation_id: str, *, seed: int = 0, children: int = 80, enquiries: int = 30
) -> PartySummary:
    """Create this party's organisation, users and records (once; later calls change nothing)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from reunite.accounts.models import Membership, Organization, Role
    from reunite.core.acting import Acting
    from reunite.registry import actions
    from reunite.registry.importing import (
        child_fields,
        child_names,
        enquirer_fields,
        enquiry_fields,
        parse_relationship,
    )
    from reunite.registry.models import Child, Enquiry
    from reunite.synth import generate

    spec = PARTIES[installation_id]
    summary = PartySummary(
        installation_id, logins=[(u, str(Role(r).label)) for u, r in spec["users"]]
    )
    User = get_user_model()
    with transaction.atomic():
        org, _created = Organization.objects.get_or_create(
            short_name=installation_id,
            defaults={"name": spec["name"], "kind": spec["kind"], "country": spec["country"]},
        )
        users = {}
        for username, role in spec["users"]:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username)
                user.set_password(DEMO_PASSWORD)
                user.save()
                Membership.objects.create(user=user, organization=org, role=role)
            users[username] = user
        if (
            Child.objects.filter(owner=org).exists()
            or Enquiry.objects.filter(owner=org).exists()
            or not spec["data"]
        ):
            summary.already_loaded = bool(spec["data"])
            return summary
        population = generate(records=children, enquiries=enquiries, difficulty="easy", seed=seed)
        caseworker = next(u for name, u in users.items() if name.endswith("caseworker"))
        acting = Acting(user=caseworker, request_id=f"demo-{uuid.uuid4().hex[:12]}")
        today = dt.date.today()
        if spec["data"] == "children":
            for record in population.records:
                fields = child_fields(record, today)
                fields["consent_for_tracing"] = True
                fields["current_location"] = record.current_region
                actions.create_child(acting, fields, child_names(record))
                summary.children += 1
        else:
            for record in population.enquiries:
                fields = enquiry_fields(record, parse_relationship(record.enquirer_relationship))
                fields["consent_for_tracing"] = True
                actions.create_enquiry(acting, fields, enquirer_fields(record))
                summary.enquiries += 1
    return summary
