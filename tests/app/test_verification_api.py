"""The verification API: per-role access, four-eyes and BID rules, files, DNA, the schema."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from reunite.accounts.models import Membership, Organization, Role
from reunite.audit.models import AuditEvent
from reunite.cases import actions as case_actions
from reunite.verification import actions
from reunite.verification.models import Evidence, RelationshipDecision
from tests.app import fixtures_verification
from tests.app.conftest import acting
from tests.app.fixtures_verification import bid_fields, dna_files, move, pdf

vcase = fixtures_verification.vcase


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _user(users: Any, role: str) -> Any:
    return users[("med" if role == Role.COORDINATOR else "ua", role)]


def _evidence(user: Any, case: Any, **fields: Any) -> Evidence:
    data = {"kind": "birth_certificate", "title": "Birth certificate", "provided_by": "Registry"}
    data.update(fields)
    return actions.add_evidence(acting(user), case, data, pdf())


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_status_per_role(role: str, vcase: Any, users: Any) -> None:
    _evidence(users[("ua", "caseworker")], vcase)
    actions.record_bid(acting(users[("ua", "caseworker")]), vcase, bid_fields(decision="deferred"))
    response = api(_user(users, role)).get(f"/api/verification/cases/{vcase.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["case"] == vcase.reference and body["cross_border"] is True
    assert body["parties"] == ["UA", "RU"] and body["verified"] is False
    sees_evidence = role in {Role.CASEWORKER, Role.VERIFIER, Role.COORDINATOR, Role.AUDITOR}
    assert bool(body["checklist"]) == sees_evidence
    sees_bid = sees_evidence or role == Role.TRANSFER_OFFICER
    assert (body["best_interests"] is not None) == sees_bid
    assert any("two verifiers" in m for m in body["missing_for_approved"])


@pytest.mark.django_db
def test_anonymous_and_invisible_callers(vcase: Any) -> None:
    assert APIClient().get(f"/api/verification/cases/{vcase.pk}/").status_code in (401, 403)
    from django.contrib.auth import get_user_model

    other = Organization.objects.create(short_name="XX", name="Other", kind="ngo", country="PL")
    user = get_user_model().objects.create_user(username="xx-verifier", password="x" * 12)
    Membership.objects.create(user=user, organization=other, role=Role.VERIFIER)
    assert api(user).get(f"/api/verification/cases/{vcase.pk}/").status_code == 404
    assert api(user).get(f"/api/verification/cases/{vcase.pk}/evidence/").status_code == 404
    assert AuditEvent.objects.filter(action="denied", actor_username="xx-verifier").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_evidence_upload_per_role(role: str, vcase: Any, users: Any) -> None:
    response = api(_user(users, role)).post(
        f"/api/verification/cases/{vcase.pk}/evidence/",
        {"kind": "power_of_attorney", "title": "Power of attorney", "provided_by": "Notary",
         "on_required_form": "false", "file": pdf()},
        format="multipart",
    )  # fmt: skip
    if role in (Role.CASEWORKER, Role.VERIFIER):
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["on_required_form"] is False and body["has_file"] is True
        assert any("not on the special notarial form" in d for d in body["doubts"])
    else:
        assert response.status_code == 403 and not Evidence.objects.exists()


@pytest.mark.django_db
def test_bad_evidence_uploads_are_400s_naming_the_field(
    vcase: Any, users: Any, settings: Any
) -> None:
    client = api(users[("ua", "caseworker")])
    url = f"/api/verification/cases/{vcase.pk}/evidence/"
    response = client.post(
        url, {"kind": "birth_certificate", "title": "x", "provided_by": "y",
              "file": SimpleUploadedFile("x.pdf", b"GIF89a not accepted")}, format="multipart",
    )  # fmt: skip
    assert response.status_code == 400 and "file" in response.json()
    settings.REUNITE_MAX_ATTACHMENT_BYTES = 10
    response = client.post(
        url, {"kind": "birth_certificate", "title": "x", "provided_by": "y", "file": pdf()},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 400 and "limit" in response.json()["file"][0]
    response = client.post(url, {"kind": "teleport", "title": "x"}, format="multipart")
    assert response.status_code == 400 and {"kind", "provided_by"} <= set(response.json())
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_four_eyes_over_the_api(vcase: Any, users: Any) -> None:
    ua_cw, ru_cw = users[("ua", "caseworker")], users[("ru", "caseworker")]
    items = [
        _evidence(ua_cw, vcase),
        _evidence(ua_cw, vcase, kind="identity_document", title="Passport"),
        _evidence(ru_cw, vcase, kind="verification_report", title="Joint report",
                  supports=["child_identity", "claimant_identity", "relationship",
                            "child_wishes"]),
    ]  # fmt: skip
    ids = [i.pk for i in items]
    url = f"/api/verification/cases/{vcase.pk}/decisions/"
    # Reject without reason; approve without evidence; approve own submission.
    response = api(users[("ru", "verifier")]).post(url, {"decision": "reject"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api(users[("ru", "verifier")]).post(url, {"decision": "approve"}, format="json")
    assert response.status_code == 400 and "evidence" in response.json()
    own = _evidence(users[("ua", "verifier")], vcase, title="Brought by the verifier")
    response = api(users[("ua", "verifier")]).post(
        url, {"decision": "approve", "evidence": [*ids, own.pk]}, format="json"
    )
    assert response.status_code == 403 and "Nobody approves" in response.json()["detail"]
    for role in (Role.CASEWORKER, Role.COORDINATOR, Role.TRANSFER_OFFICER, Role.AUDITOR):
        response = api(_user(users, role)).post(
            url, {"decision": "approve", "evidence": ids}, format="json"
        )
        assert response.status_code == 403
    assert not RelationshipDecision.objects.exists()
    response = api(users[("ua", "verifier")]).post(
        url, {"decision": "approve", "evidence": ids}, format="json"
    )
    assert response.status_code == 201 and response.json()["evidence"] == sorted(ids)
    again = api(users[("ua", "verifier")]).post(
        url, {"decision": "approve", "evidence": ids}, format="json"
    )
    assert again.status_code == 400
    response = api(users[("ru", "verifier")]).post(
        url, {"decision": "approve", "evidence": ids}, format="json"
    )
    assert response.status_code == 201
    assert api(ua_cw).get(f"/api/verification/cases/{vcase.pk}/").json()["verified"] is True
    # Countersignature: the mediator's coordinator only.
    cs = f"/api/verification/cases/{vcase.pk}/countersign/"
    assert api(users[("ua", "coordinator")]).post(cs, {}, format="json").status_code == 403
    assert api(users[("med", "coordinator")]).post(cs, {}, format="json").status_code == 201
    # A change to the evidence by its party withdraws the approvals relying on it.
    patch = api(ru_cw).patch(
        f"/api/verification/evidence/{items[2].pk}/", {"title": "Joint report (v2)"},
        format="json",
    )  # fmt: skip
    assert patch.status_code == 200 and patch.json()["version"] == 2
    body = api(ua_cw).get(f"/api/verification/cases/{vcase.pk}/").json()
    assert body["verified"] is False and body["approvals"] == []
    assert body["countersignature"] is None
    # Only the party that added an item changes it.
    other = api(ua_cw).patch(
        f"/api/verification/evidence/{items[2].pk}/", {"title": "x"}, format="json"
    )
    assert other.status_code == 403


@pytest.mark.django_db
def test_dna_over_the_api(vcase: Any, users: Any) -> None:
    profiles, freqs = dna_files()
    url = f"/api/verification/cases/{vcase.pk}/dna/"
    data = {"profiles": profiles, "frequencies": freqs, "claimant_profile": "M-01",
            "child_profile": "C-07", "theta": 0.01, "mutation_rate": 0.002}  # fmt: skip
    assert api(users[("ua", "caseworker")]).post(url, data, format="multipart").status_code == 403
    profiles.seek(0)
    freqs.seek(0)
    response = api(users[("ua", "verifier")]).post(url, data, format="multipart")
    assert response.status_code == 201, response.content
    report = response.json()
    assert report["relationship"] == "parent-child" and report["combined_lr"] > 1e4
    assert report["result"]["loci"][0]["genotypes"] and report["frequency_database_synthetic"]
    auditor = api(users[("ua", "auditor")])
    assert auditor.get(f"/api/verification/kinship/{report['id']}/").status_code == 200
    pdf_response = auditor.get(f"/api/verification/kinship/{report['id']}/pdf/")
    assert pdf_response.status_code == 200 and pdf_response.content.startswith(b"%PDF")
    officer = api(users[("ua", "transfer_officer")])
    assert officer.get(f"/api/verification/kinship/{report['id']}/").status_code == 403
    bad = SimpleUploadedFile("p.csv", b"person_id,locus,allele1,allele2\nM-01,TH01,X,6\n")
    profiles, freqs = dna_files()
    response = api(users[("ua", "verifier")]).post(
        url, {**data, "profiles": bad, "frequencies": freqs}, format="multipart"
    )
    assert response.status_code == 400 and "row 2" in " ".join(response.json()["profiles"])


@pytest.mark.django_db
def test_best_interests_over_the_api(vcase: Any, users: Any) -> None:
    url = f"/api/verification/cases/{vcase.pk}/best-interests/"
    bad = bid_fields(panel=bid_fields()["panel"][:2], child_views="")
    response = api(users[("ua", "caseworker")]).post(url, bad, format="json")
    assert response.status_code == 400 and {"panel", "child_views"} <= set(response.json())
    response = api(users[("ua", "verifier")]).post(url, bid_fields(), format="json")
    assert response.status_code == 403
    response = api(users[("med", "coordinator")]).post(url, bid_fields(), format="json")
    assert response.status_code == 201 and response.json()["child_views_verbatim"] is True
    for role, code in ((Role.TRANSFER_OFFICER, 200), (Role.AUDITOR, 200),
                       (Role.ADMINISTRATOR, 403)):  # fmt: skip
        assert api(_user(users, role)).get(url).status_code == code


@pytest.mark.django_db
def test_the_registry_api_refuses_approved_until_verified(vcase: Any, users: Any) -> None:
    case = move(vcase, users, "verification", "best_interests")
    response = api(users[("med", "coordinator")]).post(
        f"/api/cases/{case.pk}/transition/", {"to_state": "approved"}, format="json"
    )
    assert response.status_code == 400
    assert any("two verifiers" in m for m in response.json()["to_state"])
    assert case_actions.missing_for_transition(case, "approved")


@pytest.mark.django_db
def test_the_schema_documents_the_verification_api(users: Any) -> None:
    response = api(users[("ua", "caseworker")]).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi"
    )
    paths = yaml.safe_load(response.content)["paths"]
    for path in (
        "/api/verification/cases/{id}/", "/api/verification/cases/{id}/evidence/",
        "/api/verification/cases/{id}/dna/", "/api/verification/cases/{id}/decisions/",
        "/api/verification/cases/{id}/countersign/", "/api/verification/cases/{id}/best-interests/",
        "/api/verification/evidence/{id}/", "/api/verification/kinship/{id}/pdf/",
    ):  # fmt: skip
        assert path in paths, path


API_POSTS = {
    "evidence": {Role.CASEWORKER, Role.VERIFIER},
    "dna": {Role.VERIFIER},
    "decisions": {Role.VERIFIER},
    "countersign": {Role.COORDINATOR},
    "best-interests": {Role.CASEWORKER, Role.COORDINATOR},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_every_write_refuses_the_roles_that_may_not_use_it(
    role: str, vcase: Any, users: Any
) -> None:
    client = api(_user(users, role))
    for endpoint, allowed in API_POSTS.items():
        fmt = "multipart" if endpoint in ("evidence", "dna") else "json"
        response = client.post(f"/api/verification/cases/{vcase.pk}/{endpoint}/", {}, format=fmt)
        # Allowed roles get past the policy to the input checks (400, or 400 "not verified"
        # for the countersignature); the others are refused.
        assert response.status_code == (400 if role in allowed else 403), (
            endpoint,
            response.content,
        )
    assert not Evidence.objects.exists() and not RelationshipDecision.objects.exists()
