"""The whole project's OpenAPI schema generates without warnings and is valid OpenAPI 3."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_openapi_schema_validates_without_warnings(tmp_path: object) -> None:
    out = tmp_path / "schema.yaml"  # type: ignore[operator]
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for name in (
        "EvidenceKindEnum", "BidDecisionEnum", "/api/children/", "/api/cases/{id}/transition/",
        "/api/matching/pairs/", "/api/verification/cases/{id}/evidence/",
    ):  # fmt: skip
        assert name in text, name
    # One API tree: no app keeps its own API root any more.
    assert "/matching/api/" not in text and "/verification/api/" not in text
