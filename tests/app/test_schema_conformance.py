"""Responses match the published OpenAPI schema, and values outside it are refused:
the schema violations a fuzzer found, each reproduced on records that exist."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema_rs
import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from rest_framework.utils.encoders import JSONEncoder

from reunite.matching import actions as m
from tests.app.fixtures_matching import add_pair_records, trained_link_model  # noqa: F401
from tests.app.fixtures_verification import vcase  # noqa: F401

pytestmark = pytest.mark.django_db


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _openapi_to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 marks null with ``nullable``; JSON Schema lists it as a type."""
    if isinstance(node, list):
        return [_openapi_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _openapi_to_json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _component_validator(name: str) -> Any:
    """A validator for ``#/components/schemas/<name>`` of the published schema."""
    document = json.loads(
        json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=JSONEncoder)
    )
    components = _openapi_to_json_schema(document["components"])
    schema = {"$ref": f"#/components/schemas/{name}", "components": components}
    return jsonschema_rs.Draft4Validator(schema)


def _assert_valid(validator: Any, value: Any) -> None:
    errors = [str(e) for e in validator.iter_errors(value)]
    assert not errors, errors


def test_open_case_closing_reason_matches_the_schema(users: Any, make_enquiry: Any) -> None:
    from reunite.cases import actions
    from tests.app.conftest import acting

    caseworker = users[("ua", "caseworker")]
    case = actions.open_case(acting(caseworker), enquiry=make_enquiry())
    body = _api(caseworker).get(f"/api/cases/{case.pk}/").json()
    assert body["closing_reason"] == ""
    _assert_valid(_component_validator("Case"), body)


def test_evidence_interviewee_matches_the_schema(users: Any, vcase: Any) -> None:  # noqa: F811
    client = _api(users[("ua", "caseworker")])
    created = client.post(
        f"/api/verification/cases/{vcase.pk}/evidence/",
        {"kind": "biography", "title": "Call", "provided_by": "Caseworker",
         "notes": "Spoke to the aunt."},
        format="multipart",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["interviewee"] == ""
    _assert_valid(_component_validator("Evidence"), created.json())


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("issued_on", "9380-01-01", "cannot be issued in the future"),
        ("issued_on", "1066-10-14", "not plausible"),
        ("expires_on", "9380-01-01", "valid for more than 100 years"),
    ],
)
def test_evidence_dates_out_of_any_plausible_range_are_refused(
    users: Any,
    vcase: Any,  # noqa: F811
    field: str,
    value: str,
    message: str,
) -> None:
    client = _api(users[("ua", "caseworker")])
    response = client.post(
        f"/api/verification/cases/{vcase.pk}/evidence/",
        {"kind": "biography", "title": "Note", "provided_by": "Caseworker",
         "notes": "text", field: value},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()[field])


def test_pair_list_rows_match_the_schema(users: Any, trained_link_model: Any) -> None:  # noqa: F811
    from tests.app.fixtures_matching import acting

    m.install_model(acting(users[("ua", "caseworker")]), trained_link_model)
    add_pair_records(users, surname="Ткаченко", given="Оксана", birth=dt.date(2013, 8, 8))
    caseworker = _api(users[("ua", "caseworker")])
    assert caseworker.post("/api/matching/runs/", {"full": True}, format="json").status_code == 202
    from reunite.jobs.api import run_worker

    run_worker(batch=True, interval=0)  # the run is a queued job: run it here
    listed = _api(users[("ua", "verifier")]).get("/api/matching/pairs/").json()
    assert listed["results"]
    _assert_valid(_component_validator("PaginatedPairListList"), listed)
