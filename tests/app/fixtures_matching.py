"""Fixtures and helpers for the matching app's tests: a synthetic registry loaded by actions.

The linkage model is the bundled one, or (where this installation has none) one trained
once per test session on a separate synthetic population with the engine's unsupervised
EM. It is installed in each test's database as version 1, so every run in a test scores
with the same, known parameters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from reunite.core.acting import Acting
from reunite.linkage import LinkageModel, ModelError, default_model, train
from reunite.registry import actions
from reunite.registry.importing import (
    child_fields,
    child_names,
    enquirer_fields,
    enquiry_fields,
    parse_relationship,
)
from reunite.synth import generate


@pytest.fixture(scope="session")
def trained_link_model() -> LinkageModel:
    """The bundled model when this installation has one, else one trained here (~10 s)."""
    try:
        return default_model()
    except ModelError:
        training = generate(records=600, enquiries=150, difficulty="easy", seed=101)
        return train(training.enquiries, training.records, seed=7)


def acting(user: Any, request_id: str = "test-matching") -> Acting:
    return Acting(user=user, request_id=request_id)


@dataclass
class Loaded:
    """A synthetic population written to the database, with its truth in database ids."""

    children: dict[str, Any] = field(default_factory=dict)  # synth record_id -> Child
    enquiries: dict[str, Any] = field(default_factory=dict)  # synth record_id -> Enquiry
    truth: set[tuple[int, int]] = field(default_factory=set)  # (enquiry pk, child pk)


def load_population(
    users: dict[tuple[str, str], Any],
    *,
    records: int = 40,
    enquiries: int = 12,
    seed: int = 5,
    share_with: tuple[str, ...] = ("ua",),
    consent: bool = True,
) -> Loaded:
    """RU's caseworker registers the children, UA's caseworker the tracing requests."""
    from reunite.accounts.models import Organization

    population = generate(records=records, enquiries=enquiries, difficulty="easy", seed=seed)
    out = Loaded()
    today = dt.date.today()
    ru_cw, ua_cw = acting(users[("ru", "caseworker")]), acting(users[("ua", "caseworker")])
    targets = [Organization.objects.get(short_name=s.upper()) for s in share_with]
    for record in population.records:
        fields = child_fields(record, today)
        fields["consent_for_tracing"] = consent
        child = actions.create_child(ru_cw, fields, child_names(record))
        for org in targets:
            actions.share_record(ru_cw, child, org)
        out.children[record.record_id] = child
    for record in population.enquiries:
        fields = enquiry_fields(record, parse_relationship(record.enquirer_relationship))
        fields["consent_for_tracing"] = consent
        out.enquiries[record.record_id] = actions.create_enquiry(
            ua_cw, fields, enquirer_fields(record)
        )
    for e, r in population.truth:
        if e in out.enquiries and r in out.children:
            out.truth.add((out.enquiries[e].pk, out.children[r].pk))
    return out


def add_pair_records(
    users: dict[tuple[str, str], Any], *, surname: str, given: str, birth: dt.date, **extra: Any
) -> tuple[Any, Any]:
    """One tracing request (UA) and one child (RU, shared with UA) describing the same child."""
    from reunite.accounts.models import Organization

    ru_cw, ua_cw = acting(users[("ru", "caseworker")]), acting(users[("ua", "caseworker")])
    child = actions.create_child(
        ru_cw,
        {
            "sex": extra.get("sex", "F"), "birth_date": birth, "birth_date_precision": "day",
            "birth_place": extra.get("birth_place", "Маріуполь"),
            "mother_name": extra.get("mother", ""), "consent_for_tracing": True,
            "custodian": "Secret custodian", "current_location": "Secret location",
        },
        [{"surname": surname, "given_name": given, "patronymic": extra.get("patronymic", "")}],
    )  # fmt: skip
    actions.share_record(ru_cw, child, Organization.objects.get(short_name="UA"))
    enquiry = actions.create_enquiry(
        ua_cw,
        {
            "enquirer_relationship": "mother", "surname": surname, "given_name": given,
            "patronymic": extra.get("patronymic", ""), "sex": extra.get("sex", "F"),
            "birth_date": birth, "birth_date_precision": "day",
            "birth_place": extra.get("birth_place", "Маріуполь"),
            "mother_name": extra.get("mother", ""), "consent_for_tracing": True,
        },
        {"full_name": extra.get("mother", "") or f"{surname} Олена", "contact": "+000 555 0199"},
    )  # fmt: skip
    return enquiry, child
