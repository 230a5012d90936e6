"""Shared set-up of the verification tests: a cross-border case at *match proposed*, files, DNA."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reunite.cases import actions as case_actions
from reunite.kinship import simulate_pair, synthetic_frequencies, write_frequencies, write_profiles
from reunite.registry import actions
from tests.app.conftest import acting

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# Born 2012: the child is at least 12 in 2024 and later, so their views are required.
CHILD_BORN = dt.date(2012, 3, 14)


def pdf(name: str = "certificate.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def move(case: Any, users: Any, *states: str) -> Any:
    """Move a case along with the users whose role takes each step."""
    movers = {
        "tracing": ("ua", "caseworker"), "match_proposed": ("ua", "caseworker"),
        "verification": ("ua", "verifier"), "best_interests": ("ua", "verifier"),
        "approved": ("med", "coordinator"),
    }  # fmt: skip
    for state in states:
        case = case_actions.transition_case(acting(users[movers[state]]), case, state)
    return case


def make_case(
    users: Any,
    orgs: Any,
    make_child: Any,
    make_enquiry: Any,
    *,
    child_org: str = "ru",
    relationship: str = "mother",
    birth_date: dt.date | None = CHILD_BORN,
) -> Any:
    """A case of a UA tracing request and a child of ``child_org``, shared with the mediator."""
    enquiry = make_enquiry(org="ua", enquirer_relationship=relationship)
    fields: dict[str, Any] = {}
    if birth_date is not None:
        fields = {"birth_date": birth_date, "birth_date_precision": "day"}
    child = make_child(org=child_org, **fields)
    ua = acting(users[("ua", "caseworker")])
    case = case_actions.open_case(ua, enquiry=enquiry)
    actions.share_record(ua, case, orgs["med"])
    if child_org != "ua":
        actions.share_record(ua, case, orgs[child_org])
        actions.share_record(acting(users[(child_org, "caseworker")]), child, orgs["ua"])
    case_actions.link_case(ua, case, child=child)
    return move(case, users, "tracing", "match_proposed")


@pytest.fixture
def vcase(users: Any, orgs: Any, make_child: Any, make_enquiry: Any) -> Any:
    """A cross-border case (UA request, RU child, claimed mother) at *match proposed*."""
    return make_case(users, orgs, make_child, make_enquiry)


def dna_files(relationship: str = "parent-child", seed: int = 7, ids: tuple[str, str] = (
        "M-01", "C-07")) -> tuple[SimpleUploadedFile, SimpleUploadedFile]:  # fmt: skip
    """A synthetic frequency CSV and the simulated profiles of a pair with ``relationship``."""
    freqs = synthetic_frequencies()
    a, b = simulate_pair(relationship, freqs, seed=seed, ids=ids)
    profiles, frequencies = io.StringIO(), io.StringIO()
    write_profiles([a, b], profiles)
    write_frequencies(freqs, frequencies)
    return (
        SimpleUploadedFile("profiles.csv", profiles.getvalue().encode(), content_type="text/csv"),
        SimpleUploadedFile("freqs.csv", frequencies.getvalue().encode(), content_type="text/csv"),
    )


def bid_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "panel": [
            {"name": "Olena Test-Social", "role": "social worker"},
            {"name": "Petro Test-Psych", "role": "psychologist"},
            {"name": "Iryna Test-Law", "role": "lawyer"},
        ],
        "child_views": "Я хочу додому до мами.",
        "child_views_language": "uk",
        "child_views_verbatim": True,
        "risks_family": "None known; the mother has a flat and work.",
        "risks_journey": "Long journey through a third country; escorted.",
        "options_considered": ["Reunification with the mother", "Stay in current care"],
        "decision": "in_favour",
        "reasons": "The child wants to return; the mother is able to care.",
    }
    fields.update(overrides)
    return fields
