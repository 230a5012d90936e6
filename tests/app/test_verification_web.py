"""The verification tab in the web UI: what each role sees and may do, errors, downloads."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reunite.accounts.models import Membership, Organization, Role
from reunite.audit.models import AuditEvent
from reunite.verification import actions
from reunite.verification.models import BestInterestsDetermination, Evidence, RelationshipDecision
from tests.app import fixtures_verification
from tests.app.conftest import acting
from tests.app.fixtures_verification import PDF, bid_fields, dna_files, move, pdf

vcase = fixtures_verification.vcase
# The forms each role sees on the tab (by their data-testid).
FORMS = {
    "evidence-form": {Role.CASEWORKER, Role.VERIFIER},
    "dna-form": {Role.VERIFIER},
    "decision-form": {Role.VERIFIER},
    "bid-form": {Role.CASEWORKER, Role.COORDINATOR},
}
EVIDENCE_VIEWERS = {Role.CASEWORKER, Role.VERIFIER, Role.COORDINATOR, Role.AUDITOR}
BID_VIEWERS = EVIDENCE_VIEWERS | {Role.TRANSFER_OFFICER}


def _user(users: Any, role: str) -> Any:
    return users[("med" if role == Role.COORDINATOR else "ua", role)]


def _bid_post(**overrides: Any) -> dict[str, Any]:
    fields = bid_fields()
    data = {
        "decided_on": "2026-01-15",
        "child_views": fields["child_views"],
        "child_views_language": "uk",
        "child_views_verbatim": "on",
        "risks_family": fields["risks_family"],
        "risks_journey": fields["risks_journey"],
        "options_considered": "\n".join(fields["options_considered"]),
        "decision": "in_favour",
        "reasons": fields["reasons"],
    }
    for i, member in enumerate(fields["panel"], 1):
        data[f"panel_name_{i}"] = member["name"]
        data[f"panel_role_{i}"] = member["role"]
    data.update(overrides)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_each_role_sees_what_it_may_see_and_do(
    role: str, vcase: Any, users: Any, client: Any
) -> None:
    actions.add_evidence(
        acting(users[("ua", "caseworker")]), vcase,
        {"kind": "birth_certificate", "title": "Birth certificate", "provided_by": "Registry"},
        pdf(),
    )  # fmt: skip
    client.force_login(_user(users, role))
    response = client.get(f"/verification/cases/{vcase.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for testid, roles in FORMS.items():
        assert (f'data-testid="{testid}"' in html) == (role in roles), testid
    assert ('data-testid="evidence-table"' in html) == (role in EVIDENCE_VIEWERS)
    assert ('id="best-interests"' in html) == (role in BID_VIEWERS)
    assert 'data-testid="missing-for-approved"' in html
    assert AuditEvent.objects.filter(
        action="view", object_type="case_verification", object_id=str(vcase.pk)
    ).exists()


@pytest.mark.django_db
def test_the_case_page_loads_the_section_and_the_summary_says_what_is_missing(
    vcase: Any, users: Any, client: Any
) -> None:
    client.force_login(users[("med", "coordinator")])
    page = client.get(f"/cases/{vcase.pk}/").content.decode()
    assert f'hx-get="/verification/cases/{vcase.pk}/summary/"' in page
    summary = client.get(f"/verification/cases/{vcase.pk}/summary/").content.decode()
    assert "relationship not verified by two verifiers" in summary
    assert "no best-interests decision in favour" in summary


@pytest.mark.django_db
def test_an_organisation_not_on_the_case_gets_not_found(vcase: Any, client: Any, orgs: Any) -> None:
    from django.contrib.auth import get_user_model

    other = Organization.objects.create(short_name="XX", name="Other", kind="ngo", country="PL")
    user = get_user_model().objects.create_user(username="xx-caseworker", password="x" * 12)
    Membership.objects.create(user=user, organization=other, role=Role.CASEWORKER)
    client.force_login(user)
    assert client.get(f"/verification/cases/{vcase.pk}/").status_code == 404
    response = client.post(
        f"/verification/cases/{vcase.pk}/evidence/",
        {"kind": "birth_certificate", "title": "x", "provided_by": "y", "file": pdf()},
    )
    assert response.status_code == 404 and not Evidence.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_adding_evidence_in_the_ui_per_role(role: str, vcase: Any, users: Any, client: Any) -> None:
    client.force_login(_user(users, role))
    response = client.post(
        f"/verification/cases/{vcase.pk}/evidence/",
        {"kind": "birth_certificate", "title": "Birth certificate", "provided_by": "Registry",
         "supports": ["child_identity", "relationship"], "file": pdf()},
    )  # fmt: skip
    if role in (Role.CASEWORKER, Role.VERIFIER):
        assert response.status_code == 302 and Evidence.objects.count() == 1
    else:
        assert response.status_code == 403 and not Evidence.objects.exists()


@pytest.mark.django_db
def test_a_wrong_type_file_is_refused_with_a_clear_message(
    vcase: Any, users: Any, client: Any
) -> None:
    client.force_login(users[("ua", "caseworker")])
    response = client.post(
        f"/verification/cases/{vcase.pk}/evidence/",
        {"kind": "birth_certificate", "title": "Birth certificate", "provided_by": "Registry",
         "file": SimpleUploadedFile("cert.pdf", b"MZ\x90\x00 not a pdf")},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Only JPEG, PNG and PDF files are accepted" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_four_eyes_in_the_ui(vcase: Any, users: Any, client: Any) -> None:
    verifier = users[("ua", "verifier")]
    own = actions.add_evidence(
        acting(verifier), vcase,
        {"kind": "birth_certificate", "title": "Mine", "provided_by": "Registry"}, pdf(),
    )  # fmt: skip
    other = actions.add_evidence(
        acting(users[("ru", "caseworker")]), vcase,
        {"kind": "birth_certificate", "title": "Theirs", "provided_by": "Registry"}, pdf(),
    )  # fmt: skip
    client.force_login(verifier)
    url = f"/verification/cases/{vcase.pk}/decide/"
    response = client.post(url, {"decision": "approve", "evidence": [own.pk, other.pk]})
    assert response.status_code == 200
    assert "Nobody approves what they submitted" in response.content.decode()
    response = client.post(url, {"decision": "reject", "evidence": [other.pk]})
    assert response.status_code == 200 and "A rejection needs a reason" in response.content.decode()
    assert not RelationshipDecision.objects.exists()
    response = client.post(url, {"decision": "approve", "evidence": [other.pk]})
    assert response.status_code == 302
    response = client.post(url, {"decision": "approve", "evidence": [other.pk]})
    assert "already approved" in response.content.decode()
    client.force_login(users[("ua", "caseworker")])
    assert client.post(url, {"decision": "approve", "evidence": [other.pk]}).status_code == 403
    # Doubting the item (as another verifier) withdraws the approval.
    client.force_login(users[("ru", "verifier")])
    client.post(f"/verification/evidence/{other.pk}/doubt/", {"doubt": "Seal unreadable"})
    assert RelationshipDecision.objects.get().withdrawn_at is not None


@pytest.mark.django_db
def test_bid_in_the_ui_keeps_the_input_on_errors(vcase: Any, users: Any, client: Any) -> None:
    client.force_login(users[("ua", "caseworker")])
    url = f"/verification/cases/{vcase.pk}/best-interests/"
    response = client.post(url, _bid_post(panel_name_3="", panel_role_3=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "at least 3 different people" in html and "Я хочу додому до мами." in html
    response = client.post(url, _bid_post(child_views_verbatim=""))
    assert "in the child&#x27;s own words" in response.content.decode()
    assert not BestInterestsDetermination.objects.exists()
    assert client.post(url, _bid_post()).status_code == 302
    assert BestInterestsDetermination.objects.get().decision == "in_favour"
    client.force_login(users[("ua", "verifier")])
    assert client.post(url, _bid_post()).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_evidence_files_are_served_only_to_viewers_and_audited(
    role: str, vcase: Any, users: Any, client: Any
) -> None:
    item = actions.add_evidence(
        acting(users[("ru", "caseworker")]), vcase,
        {"kind": "birth_certificate", "title": "Birth certificate", "provided_by": "Registry"},
        pdf(),
    )  # fmt: skip
    client.force_login(_user(users, role))
    response = client.get(f"/verification/evidence/{item.pk}/file/")
    if role in EVIDENCE_VIEWERS:
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
        assert AuditEvent.objects.filter(action="download", object_id=str(item.pk)).exists()
    else:
        assert response.status_code == 403


@pytest.mark.django_db
def test_dna_import_report_and_pdf_in_the_ui(vcase: Any, users: Any, client: Any) -> None:
    profiles, freqs = dna_files()
    client.force_login(users[("ua", "verifier")])
    response = client.post(
        f"/verification/cases/{vcase.pk}/dna/",
        {"profiles": profiles, "frequencies": freqs, "claimant_profile": "M-01",
         "child_profile": "C-07", "relationship": "parent-child", "theta": "0.01",
         "mutation_rate": "0.002"},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="locus-table"' in page and "SYNTHETIC" in page
    assert "theta" in page and "mutation" in page
    pdf_response = client.get(response["Location"] + "pdf/")
    assert pdf_response.status_code == 200 and pdf_response.content.startswith(b"%PDF")
    # The same profile on both sides: a clear message, nothing saved.
    profiles, freqs = dna_files()
    response = client.post(
        f"/verification/cases/{vcase.pk}/dna/",
        {"profiles": profiles, "frequencies": freqs, "claimant_profile": "C-07",
         "child_profile": "C-07", "relationship": "parent-child", "theta": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "cannot be compared with itself" in response.content.decode()
    assert Evidence.objects.count() == 1


@pytest.mark.django_db
def test_the_case_page_refuses_approved_and_says_what_is_missing(
    vcase: Any, users: Any, client: Any
) -> None:
    case = move(vcase, users, "verification", "best_interests")
    client.force_login(users[("med", "coordinator")])
    response = client.post(f"/cases/{case.pk}/transition/", {"to_state": "approved"}, follow=True)
    html = response.content.decode()
    assert "relationship not verified by two verifiers" in html
    case.refresh_from_db()
    assert case.state == "best_interests"


@pytest.mark.django_db
def test_correcting_evidence_in_the_ui_withdraws_the_approvals_on_it(
    vcase: Any, users: Any, client: Any
) -> None:
    item = actions.add_evidence(
        acting(users[("ua", "caseworker")]), vcase,
        {"kind": "identity_document", "title": "Passport", "provided_by": "The mother"}, pdf(),
    )  # fmt: skip
    decision = actions.decide_relationship(
        acting(users[("ru", "verifier")]), vcase, "approve", evidence_ids=[item.pk]
    )
    url = f"/verification/evidence/{item.pk}/edit/"
    client.force_login(users[("ru", "caseworker")])
    assert client.get(url).status_code == 403  # another party's item
    client.force_login(users[("ua", "caseworker")])
    form = client.get(url)
    assert form.status_code == 200 and 'value="Passport"' in form.content.decode()
    unchanged = {
        "title": "Passport",
        "provided_by": "The mother",
        "supports": ["claimant_identity"],
    }
    assert client.post(url, unchanged).status_code == 302
    decision.refresh_from_db()
    assert decision.withdrawn_at is None  # saving without a change changes nothing
    bad = client.post(url, {**unchanged, "issued_on": "2030-01-02", "expires_on": "2030-01-01"})
    assert "cannot expire before" in bad.content.decode()
    response = client.post(url, {**unchanged, "expires_on": "2031-05-01"})
    assert response.status_code == 302
    item.refresh_from_db()
    decision.refresh_from_db()
    assert item.version == 2 and str(item.expires_on) == "2031-05-01"
    assert decision.withdrawn_at is not None


# Who may post to each form (from the policy's permissions).
POSTS = {
    "evidence": {Role.CASEWORKER, Role.VERIFIER},
    "dna": {Role.VERIFIER},
    "decide": {Role.VERIFIER},
    "countersign": {Role.COORDINATOR},
    "best-interests": {Role.CASEWORKER, Role.COORDINATOR},
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_every_form_refuses_the_roles_that_may_not_use_it(
    role: str, vcase: Any, users: Any, client: Any
) -> None:
    client.force_login(_user(users, role))
    for endpoint, allowed in POSTS.items():
        response = client.post(f"/verification/cases/{vcase.pk}/{endpoint}/", {})
        if role in allowed:  # an empty form: the form again (or the tab) with messages
            assert response.status_code in (200, 302), endpoint
        else:
            assert response.status_code == 403, endpoint
    assert not Evidence.objects.exists() and not RelationshipDecision.objects.exists()
    assert not BestInterestsDetermination.objects.exists()
