"""Schemathesis over the whole documented API, as two roles: no request may give a 500 and
every documented response must match its schema.

Examples are bounded (a handful per operation) so the run stays short; the generated data
still covers what a fuzzer found before (empty enums in responses, out-of-range ids, dates in
the year 9380, list rows that did not match their schema).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.utils.encoders import JSONEncoder
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.app.fixtures_api import world  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Any:
    """Requests go through Django's real WSGI handler, whose request signals close "old"
    connections; inside the test's transaction that would close the test's own connection
    on PostgreSQL. Django's test client detaches the same handler for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)

EXAMPLES_PER_OPERATION = 4
# Methods whose examples write: fuzzed as well, they must answer 4xx, never 500.
METHODS = ("GET", "POST", "PUT", "PATCH")


def _schema() -> Any:
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(document, cls=JSONEncoder)))
    loaded.app = get_wsgi_application()
    return loaded


def _real_id(path: str, ids: dict[str, int]) -> int | None:
    """A record that exists, for a path ``…/<collection>/{id}/…`` (else None)."""
    parts = path.strip("/").split("/")
    for before, part in itertools.pairwise(parts):
        if part.startswith("{") and before in ids:
            return ids[before]
    return None


def _fuzz_operation(
    operation: Any, headers: dict[str, str], ids: dict[str, int], failures: list[str]
) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), use_real_id=st.booleans())
    def run(case: Any, use_real_id: bool) -> None:
        # Random ids mostly miss; half the examples aim at a record that exists.
        real = _real_id(operation.path, ids)
        if use_real_id and real is not None and case.path_parameters:
            for name in case.path_parameters:
                case.path_parameters[name] = real
        response = case.call(headers=headers)
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )
        except Exception as exc:  # collect, so that one run names every broken operation
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            failures.append(
                f"{operation.method.upper()} {operation.path} -> {response.status_code}: "
                f"{first_line}"
            )

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["caseworker", "verifier"])
def test_no_server_errors_and_responses_match_the_schema(world: Any, role: str) -> None:  # noqa: F811
    token, _ = Token.objects.get_or_create(user=world.user(role))
    headers = {"Authorization": f"Token {token.key}"}
    failures: list[str] = []
    records = world.records
    ids = {
        "children": records["child_a"].pk, "enquiries": records["enquiry_a"].pk,
        "persons": records["person_a"].pk, "cases": records["case_a"].pk,
    }  # fmt: skip
    operations = 0
    for result in _schema().get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in METHODS or operation.path.endswith("/token/"):
            continue
        operations += 1
        _fuzz_operation(operation, headers, ids, failures)
    assert operations > 30
    unique = sorted(set(failures))
    assert not unique, "\n".join(unique[:40])
