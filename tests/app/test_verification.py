"""Verification of family ties: evidence, DNA, four-eyes approval, best interests, the gate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from hypothesis import given
from hypothesis import strategies as st

from reunite.accounts.models import Role
from reunite.audit.log import verify_chain
from reunite.audit.models import AuditEvent
from reunite.cases import actions as case_actions
from reunite.verification import actions, status
from reunite.verification.models import Evidence, KinshipReport, RelationshipDecision
from tests.app import fixtures_verification
from tests.app.conftest import acting
from tests.app.fixtures_verification import PDF, PNG, bid_fields, dna_files, make_case, move, pdf

vcase = fixtures_verification.vcase


def add(user: Any, case: Any, kind: str = "birth_certificate", upload: Any = "pdf", **fields: Any):
    fields.setdefault("title", f"{kind} of the child")
    fields.setdefault("provided_by", "Civil registry office (synthetic)")
    if upload == "pdf":
        upload = pdf()
    return actions.add_evidence(acting(user), case, {"kind": kind, **fields}, upload)


def full_evidence(users: Any, case: Any) -> list[Evidence]:
    """Everything a claimed mother's cross-border case needs, added by both caseworkers."""
    ua, ru = users[("ua", "caseworker")], users[("ru", "caseworker")]
    return [
        add(ua, case, "birth_certificate"),
        add(ua, case, "identity_document", title="Passport of the mother"),
        add(ru, case, "interview", upload=None, interviewee="child",
            supports=["child_wishes"], notes="The child says she wants to go home."),
        add(ru, case, "verification_report", title="Joint verification report",
            supports=["child_identity", "claimant_identity", "relationship"]),
    ]  # fmt: skip


def approve(user: Any, case: Any, items: list[Evidence], **kw: Any) -> RelationshipDecision:
    return actions.decide_relationship(
        acting(user), case, "approve", evidence_ids=[i.pk for i in items], **kw
    )


# Evidence ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_evidence_is_stored_checksummed_and_audited(vcase: Any, users: Any) -> None:
    item = add(users[("ua", "caseworker")], vcase)
    assert item.sha256 == __import__("hashlib").sha256(PDF).hexdigest()
    assert item.size == len(PDF) and item.content_type == "application/pdf"
    assert item.supports == ["child_identity", "relationship"]  # the kind's default
    stored = Path(item.file.path)
    assert stored.read_bytes() == PDF
    assert Path(settings.STORAGES["default"]["OPTIONS"]["location"]) in stored.parents
    assert "static" not in stored.parts
    event = AuditEvent.objects.get(object_type="evidence", object_id=str(item.pk))
    assert event.action == "create" and event.changes["sha256"] == [None, item.sha256]
    assert verify_chain()[1] is None


@pytest.mark.django_db
def test_checklist_shows_present_missing_and_doubtful(vcase: Any, users: Any) -> None:
    def line(key: str) -> status.ChecklistLine:
        return next(x for x in status.checklist(vcase) if x.requirement.key == key)

    assert {x.status for x in status.checklist(vcase)} == {"missing"}
    add(users[("ua", "caseworker")], vcase)
    assert line("child_identity").status == "present"
    assert line("relationship").status == "present"
    assert line("claimant_identity").status == "missing"
    assert line("joint_report").status == "missing"  # UA request + RU child: cross-border
    assert line("child_wishes").status == "missing"  # the child is over 12
    # An expired identity document is doubtful.
    add(users[("ua", "caseworker")], vcase, "identity_document", title="Old passport",
        issued_on=dt.date(2010, 1, 1), expires_on=dt.date(2020, 1, 1))  # fmt: skip
    assert line("claimant_identity").status == "doubtful"
    assert any("expired on 2020-01-01" in d for d in line("claimant_identity").doubts)


@pytest.mark.django_db
def test_power_of_attorney_not_on_the_required_form_is_flagged(
    users: Any, orgs: Any, make_child: Any, make_enquiry: Any
) -> None:
    case = make_case(users, orgs, make_child, make_enquiry, relationship="other")
    plain = add(users[("ua", "caseworker")], case, "power_of_attorney", on_required_form=False)
    assert any("not on the special notarial form" in d for d in status.evidence_doubts(plain))
    authority = next(x for x in status.checklist(case) if x.requirement.key == "legal_authority")
    assert authority.status == "doubtful"
    proper = add(users[("ua", "caseworker")], case, "power_of_attorney", on_required_form=True)
    assert status.evidence_doubts(proper) == []
    authority = next(x for x in status.checklist(case) if x.requirement.key == "legal_authority")
    assert authority.status == "present"


@pytest.mark.django_db
def test_a_younger_childs_wishes_are_optional(
    users: Any, orgs: Any, make_child: Any, make_enquiry: Any
) -> None:
    today = dt.date.today()
    case = make_case(
        users,
        orgs,
        make_child,
        make_enquiry,
        birth_date=today.replace(year=today.year - 7) - dt.timedelta(days=3),
    )
    wishes = next(x for x in status.checklist(case) if x.requirement.key == "child_wishes")
    assert wishes.status == "optional" and status.child_age(case.child) == 7


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_adding_evidence_per_role(role: str, vcase: Any, users: Any) -> None:
    user = users[("ua", role)]
    if role in (Role.CASEWORKER, Role.VERIFIER):
        assert add(user, vcase).pk
    else:
        with pytest.raises(PermissionDenied):
            add(user, vcase)
        assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_an_organisation_the_case_is_not_shared_with_gets_not_found(
    vcase: Any, users: Any, orgs: Any
) -> None:
    from reunite.accounts.models import Organization

    other = Organization.objects.create(short_name="XX", name="Other", kind="ngo", country="PL")
    from django.contrib.auth import get_user_model

    from reunite.accounts.models import Membership

    user = get_user_model().objects.create_user(username="xx-verifier", password="x" * 12)
    Membership.objects.create(user=user, organization=other, role=Role.VERIFIER)
    with pytest.raises(Http404):
        add(user, vcase)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "empty"),
        ("notes.pdf", b"just some text pretending to be a PDF", "Only JPEG, PNG and PDF"),
        ("script.png", b"<script>alert(1)</script>", "Only JPEG, PNG and PDF"),
        ("big.pdf", PDF + b"0" * 2048, "limit"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_saved(
    name: str, content: bytes, message: str, vcase: Any, users: Any, settings: Any, tmp_path: Any
) -> None:
    settings.REUNITE_MAX_ATTACHMENT_BYTES = 1024
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match=message):
        add(users[("ua", "caseworker")], vcase, upload=SimpleUploadedFile(name, content))
    assert not Evidence.objects.exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_documents_need_a_file_and_interviews_a_text(vcase: Any, users: Any) -> None:
    with pytest.raises(ValidationError, match="needs its file"):
        add(users[("ua", "caseworker")], vcase, upload=None)
    with pytest.raises(ValidationError) as error:
        add(users[("ua", "caseworker")], vcase, "interview", upload=None)
    assert "interviewee" in error.value.message_dict and "notes" in error.value.message_dict
    photo = add(users[("ua", "caseworker")], vcase, "photo",
                upload=SimpleUploadedFile("p.png", PNG))  # fmt: skip
    assert photo.content_type == "image/png"


@pytest.mark.django_db
def test_dates_and_supports_are_validated(vcase: Any, users: Any) -> None:
    with pytest.raises(ValidationError, match="expire before"):
        add(users[("ua", "caseworker")], vcase, issued_on=dt.date(2020, 1, 2),
            expires_on=dt.date(2020, 1, 1))  # fmt: skip
    with pytest.raises(ValidationError, match="Unknown"):
        add(users[("ua", "caseworker")], vcase, supports=["everything"])


# DNA -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dna_import_computes_and_stores_a_kinship_report(vcase: Any, users: Any) -> None:
    profiles, freqs = dna_files()
    report = actions.import_dna(
        acting(users[("med", "verifier")]), vcase, profiles=profiles, frequencies=freqs,
        claimant_profile="M-01", child_profile="C-07", theta=0.01, mutation_rate=0.002,
    )  # fmt: skip
    assert report.relationship == "parent-child"  # from the claimed relationship "mother"
    assert report.combined_lr > 1e4 and not report.excluded
    assert report.result["loci"] and report.result["assumptions"]["theta"] == 0.01
    assert report.frequency_database_synthetic
    item = report.evidence
    assert item.kind == "dna" and item.supports == ["relationship"] and item.sha256
    # A synthetic database is never silently accepted as real evidence.
    assert any("SYNTHETIC" in d for d in status.evidence_doubts(item))
    pdf_bytes = actions.kinship_pdf(acting(users[("ua", "auditor")]), report)
    assert pdf_bytes.startswith(b"%PDF")
    assert AuditEvent.objects.filter(
        action="download", object_type="evidence", object_id=str(item.pk)
    ).exists()


@pytest.mark.django_db
def test_unrelated_profiles_make_the_dna_item_doubtful(vcase: Any, users: Any) -> None:
    profiles, freqs = dna_files("unrelated", seed=3)
    report = actions.import_dna(
        acting(users[("ua", "verifier")]), vcase, profiles=profiles, frequencies=freqs,
        claimant_profile="M-01", child_profile="C-07",
    )  # fmt: skip
    assert report.excluded or report.combined_lr < status.DNA_MIN_LR
    relationship = next(x for x in status.checklist(vcase) if x.requirement.key == "relationship")
    assert relationship.status == "doubtful"


@pytest.mark.django_db
def test_a_profile_compared_with_itself_is_refused(vcase: Any, users: Any) -> None:
    profiles, freqs = dna_files()
    with pytest.raises(ValidationError, match=r"compared\s+with itself"):
        actions.import_dna(
            acting(users[("ua", "verifier")]), vcase, profiles=profiles, frequencies=freqs,
            claimant_profile="C-07", child_profile="C-07",
        )  # fmt: skip
    assert not Evidence.objects.exists() and not KinshipReport.objects.exists()


@pytest.mark.django_db
def test_identical_twins_are_warned_about_and_doubtful(vcase: Any, users: Any) -> None:
    profiles, freqs = dna_files()
    text = profiles.read().decode()
    twin = "\n".join(
        line.replace("C-07", "C-08") for line in text.splitlines()[1:] if "C-07" in line
    )
    upload = SimpleUploadedFile("twins.csv", (text.rstrip("\n") + "\n" + twin + "\n").encode())
    report = actions.import_dna(
        acting(users[("ua", "verifier")]), vcase, profiles=upload, frequencies=freqs,
        claimant_profile="C-07", child_profile="C-08", relationship="full-siblings",
    )  # fmt: skip
    assert any("identical genotypes" in w for w in report.warnings)
    assert any("identical twins" in d for d in status.evidence_doubts(report.evidence))


@pytest.mark.django_db
def test_bad_dna_files_report_every_problem_and_save_nothing(
    vcase: Any, users: Any, settings: Any
) -> None:
    _, freqs = dna_files()
    bad = SimpleUploadedFile(
        "bad.csv",
        b"person_id,locus,allele1,allele2\nM-01,D3S1358,15,X\nM-01,NOTALOCUS,1,2\nC-07,TH01,9.3,6\n",
    )
    with pytest.raises(ValidationError) as error:
        actions.import_dna(
            acting(users[("ua", "verifier")]), vcase, profiles=bad, frequencies=freqs,
            claimant_profile="M-01", child_profile="C-07",
        )  # fmt: skip
    messages = error.value.message_dict["profiles"]
    assert any("row 2" in m for m in messages) and any("NOTALOCUS" in m for m in messages)
    # A PDF uploaded as the profile file, and an oversized file.
    _, freqs = dna_files()
    with pytest.raises(ValidationError, match="not a CSV"):
        actions.import_dna(
            acting(users[("ua", "verifier")]), vcase, profiles=pdf(), frequencies=freqs,
            claimant_profile="M-01", child_profile="C-07",
        )  # fmt: skip
    settings.REUNITE_VERIFICATION_MAX_CSV_BYTES = 100
    profiles, freqs = dna_files()
    with pytest.raises(ValidationError, match="limit"):
        actions.import_dna(
            acting(users[("ua", "verifier")]), vcase, profiles=profiles, frequencies=freqs,
            claimant_profile="M-01", child_profile="C-07",
        )  # fmt: skip
    assert not Evidence.objects.exists() and not KinshipReport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.VERIFIER])
def test_only_verifiers_run_kinship(role: str, vcase: Any, users: Any) -> None:
    profiles, freqs = dna_files()
    with pytest.raises(PermissionDenied):
        actions.import_dna(
            acting(users[("ua", role)]), vcase, profiles=profiles, frequencies=freqs,
            claimant_profile="M-01", child_profile="C-07",
        )  # fmt: skip


# Four eyes -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cross_border_needs_one_verifier_of_each_party(
    vcase: Any, users: Any, make_user: Any
) -> None:
    items = full_evidence(users, vcase)
    approve(users[("ua", "verifier")], vcase, items)
    approve(make_user("verifier", "ua"), vcase, items)  # a second UA verifier is not enough
    eyes = status.four_eyes(vcase)
    assert not eyes.verified and any("verifier of RU" in m for m in eyes.missing)
    approve(users[("ru", "verifier")], vcase, items)
    assert status.four_eyes(vcase).verified


@pytest.mark.django_db
def test_a_single_party_case_needs_two_different_verifiers(
    users: Any, orgs: Any, make_child: Any, make_enquiry: Any, make_user: Any
) -> None:
    case = make_case(users, orgs, make_child, make_enquiry, child_org="ua")
    assert not status.is_cross_border(case)
    items = [add(users[("ua", "caseworker")], case)]
    approve(users[("ua", "verifier")], case, items)
    assert status.four_eyes(case).missing == [
        "relationship not verified by two verifiers (1 of 2 approvals)"
    ]
    with pytest.raises(ValidationError, match="already approved"):
        approve(users[("ua", "verifier")], case, items)
    approve(make_user("verifier", "ua"), case, items)
    assert status.four_eyes(case).verified


@pytest.mark.django_db
def test_nobody_approves_what_they_submitted(vcase: Any, users: Any) -> None:
    verifier = users[("ua", "verifier")]
    own = add(verifier, vcase, title="Birth certificate brought by the verifier")
    other = add(users[("ua", "caseworker")], vcase)
    with pytest.raises(PermissionDenied, match="Nobody approves what they submitted"):
        approve(verifier, vcase, [own, other])
    assert not RelationshipDecision.objects.exists()
    assert approve(verifier, vcase, [other]).pk  # without their own item, they may


@pytest.mark.django_db
def test_an_approval_records_its_evidence_and_a_change_withdraws_it(vcase: Any, users: Any) -> None:
    items = full_evidence(users, vcase)
    first = approve(users[("ua", "verifier")], vcase, items[:2])
    second = approve(users[("ru", "verifier")], vcase, items)
    assert first.evidence_versions == {
        str(i.pk): {"version": 1, "sha256": i.sha256} for i in items[:2]
    }
    actions.countersign(acting(users[("med", "coordinator")]), vcase)
    assert status.four_eyes(vcase).countersignature is not None
    # The UA caseworker corrects the passport's expiry date: the UA approval (and the
    # countersignature) fall; the RU approval relied on it too.
    actions.update_evidence(acting(users[("ua", "caseworker")]), items[1],
                            {"expires_on": dt.date(2035, 1, 1)})  # fmt: skip
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.withdrawn_at and "changed" in first.withdrawn_reason
    assert second.withdrawn_at is not None
    eyes = status.four_eyes(vcase)
    assert not eyes.verified and eyes.countersignature is None
    assert (
        AuditEvent.objects.filter(action="withdraw", object_type="relationship_decision").count()
        == 3
    )


@pytest.mark.django_db
def test_a_doubt_or_a_withdrawal_also_withdraws_approvals(vcase: Any, users: Any) -> None:
    items = full_evidence(users, vcase)
    kept = approve(users[("ua", "verifier")], vcase, items[2:])
    hit = approve(users[("ru", "verifier")], vcase, items[:1])
    actions.flag_evidence(acting(users[("med", "verifier")]), items[0], "Stamp looks altered")
    hit.refresh_from_db()
    kept.refresh_from_db()
    assert hit.withdrawn_at is not None and kept.withdrawn_at is None
    items[0].refresh_from_db()
    assert items[0].version == 2
    assert any("Stamp looks altered" in d for d in status.evidence_doubts(items[0]))
    actions.withdraw_evidence(acting(users[("ru", "caseworker")]), items[2], "Wrong child")
    kept.refresh_from_db()
    assert kept.withdrawn_at is not None
    with pytest.raises(PermissionDenied, match="Only the party"):
        actions.withdraw_evidence(acting(users[("ua", "caseworker")]), items[3], "not ours")
    with pytest.raises(ValidationError, match="Not current evidence"):
        approve(users[("ua", "verifier")], vcase, items[2:3])


@pytest.mark.django_db
def test_rejection_needs_a_reason_and_blocks_verification(vcase: Any, users: Any) -> None:
    items = full_evidence(users, vcase)
    with pytest.raises(ValidationError, match="needs a reason"):
        actions.decide_relationship(acting(users[("ru", "verifier")]), vcase, "reject")
    approve(users[("ua", "verifier")], vcase, items)
    actions.decide_relationship(
        acting(users[("ru", "verifier")]), vcase, "reject", reason="The child does not know her"
    )
    eyes = status.four_eyes(vcase)
    assert not eyes.verified and any("rejected by" in m for m in eyes.missing)
    # The same verifier may later approve: their new decision replaces the rejection.
    approve(users[("ru", "verifier")], vcase, items)
    assert status.four_eyes(vcase).verified


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.VERIFIER])
def test_only_verifiers_approve(role: str, vcase: Any, users: Any) -> None:
    items = full_evidence(users, vcase)
    with pytest.raises(PermissionDenied):
        approve(users[("ua", role)], vcase, items)


@pytest.mark.django_db
def test_only_the_mediators_coordinator_countersigns_a_verified_relationship(
    vcase: Any, users: Any
) -> None:
    items = full_evidence(users, vcase)
    with pytest.raises(ValidationError, match="Only a verified"):
        actions.countersign(acting(users[("med", "coordinator")]), vcase)
    approve(users[("ua", "verifier")], vcase, items)
    approve(users[("ru", "verifier")], vcase, items)
    with pytest.raises(PermissionDenied, match="Only the mediator"):
        actions.countersign(acting(users[("ua", "coordinator")]), vcase)
    with pytest.raises(PermissionDenied):
        actions.countersign(acting(users[("med", "verifier")]), vcase)
    actions.countersign(acting(users[("med", "coordinator")]), vcase, "Checked against lists")
    with pytest.raises(ValidationError, match="already countersigned"):
        actions.countersign(acting(users[("med", "coordinator")]), vcase)


# Best interests ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"panel": [{"name": "A", "role": "social worker"}, {"name": "B", "role": "lawyer"}]},
         "panel"),
        ({"panel": [{"name": n, "role": "social worker"} for n in "ABC"]}, "panel"),
        ({"panel": [{"name": "A", "role": "x"}, {"name": "a", "role": "y"},
                    {"name": "B", "role": "y"}]}, "panel"),
        ({"child_views": ""}, "child_views"),
        ({"child_views_verbatim": False}, "child_views_verbatim"),
        ({"risks_family": ""}, "risks_family"),
        ({"risks_journey": " "}, "risks_journey"),
        ({"options_considered": ["Only one"]}, "options_considered"),
        ({"reasons": ""}, "reasons"),
        ({"decision": "maybe"}, "decision"),
        ({"decided_on": dt.date.today() + dt.timedelta(days=2)}, "decided_on"),
    ],
)  # fmt: skip
def test_bid_rules(overrides: dict[str, Any], field: str, vcase: Any, users: Any) -> None:
    with pytest.raises(ValidationError) as error:
        actions.record_bid(acting(users[("ua", "caseworker")]), vcase, bid_fields(**overrides))
    assert field in error.value.message_dict
    assert not vcase.bids.exists()


@pytest.mark.django_db
def test_bid_keeps_the_childs_words_and_age(vcase: Any, users: Any) -> None:
    bid = actions.record_bid(acting(users[("med", "coordinator")]), vcase, bid_fields())
    assert bid.child_views == "Я хочу додому до мами." and bid.child_views_verbatim
    assert bid.child_age == status.child_age(vcase.child) >= 12
    event = AuditEvent.objects.get(object_type="best_interests", object_id=str(bid.pk))
    assert event.changes["decision"] == [None, "in_favour"]


@pytest.mark.django_db
def test_a_young_child_may_be_not_heard_with_a_reason(
    users: Any, orgs: Any, make_child: Any, make_enquiry: Any
) -> None:
    today = dt.date.today()
    case = make_case(
        users,
        orgs,
        make_child,
        make_enquiry,
        birth_date=today.replace(year=today.year - 4) - dt.timedelta(days=5),
    )
    with pytest.raises(ValidationError, match="say why they were not heard"):
        actions.record_bid(acting(users[("ua", "caseworker")]), case,
                           bid_fields(child_views="", child_views_verbatim=False))  # fmt: skip
    bid = actions.record_bid(
        acting(users[("ua", "caseworker")]), case,
        bid_fields(child_views="", child_not_heard_reason="Four years old; observed at play."),
    )  # fmt: skip
    assert bid.child_age == 4 and status.bid_missing(case) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_bid_per_role(role: str, vcase: Any, users: Any) -> None:
    user = users[("med" if role == Role.COORDINATOR else "ua", role)]
    if role in (Role.CASEWORKER, Role.COORDINATOR):
        assert actions.record_bid(acting(user), vcase, bid_fields()).pk
    else:
        with pytest.raises(PermissionDenied):
            actions.record_bid(acting(user), vcase, bid_fields())


# The gate on "approved" ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_case_reaches_approved_only_when_verified_and_in_the_childs_interest(
    vcase: Any, users: Any
) -> None:
    case = move(vcase, users, "verification", "best_interests")
    with pytest.raises(ValidationError) as error:
        move(case, users, "approved")
    messages = error.value.message_dict["to_state"]
    assert any("not verified by two verifiers" in m for m in messages)
    assert any("no best-interests decision in favour" in m for m in messages)
    items = full_evidence(users, case)
    approve(users[("ua", "verifier")], case, items)
    approve(users[("ru", "verifier")], case, items)
    actions.record_bid(acting(users[("ua", "caseworker")]), case, bid_fields(decision="against"))
    assert case_actions.missing_for_transition(case, "approved") == [
        "no best-interests decision in favour (the latest decision: Reunification is not in the "
        "child's best interests)"
    ]
    actions.record_bid(acting(users[("ua", "caseworker")]), case, bid_fields())
    assert case_actions.missing_for_transition(case, "approved") == []
    case = move(case, users, "approved")
    assert case.state == "approved"
    # The verification record is closed now.
    with pytest.raises(ValidationError, match="record is closed"):
        add(users[("ua", "caseworker")], case)
    assert verify_chain()[1] is None


@pytest.mark.django_db
def test_the_gate_notices_a_child_who_has_turned_twelve(
    users: Any, orgs: Any, make_child: Any, make_enquiry: Any
) -> None:
    today = dt.date.today()
    case = make_case(
        users,
        orgs,
        make_child,
        make_enquiry,
        birth_date=today.replace(year=today.year - 12) + dt.timedelta(days=1),
    )
    bid = actions.record_bid(
        acting(users[("ua", "caseworker")]), case,
        bid_fields(child_views="", child_views_verbatim=False,
                   child_not_heard_reason="Did not want to talk that day."),
    )  # fmt: skip
    assert bid.child_age == 11 and status.bid_missing(case) == []
    child = case.child
    child.birth_date = today.replace(year=today.year - 13)
    child.save(update_fields=["birth_date"])  # time passes: the child is now 13
    case.refresh_from_db()
    assert "child's views missing (child is 13)" in status.bid_missing(case)


# Pure rules (property tests) -----------------------------------------------------------------

_people = st.lists(
    st.fixed_dictionaries(
        {"name": st.sampled_from(["Anna", "Borys", "Chrystia", "Dmytro", "anna"]),
         "role": st.sampled_from(["social worker", "psychologist", "Social Worker", "lawyer"])}
    ),
    max_size=7,
)  # fmt: skip


@given(_people)
def test_panel_rule_is_three_people_of_two_roles(panel: list[dict[str, str]]) -> None:
    rows, problems = actions._clean_panel(panel)
    names = [p["name"].casefold() for p in panel]
    roles = {p["role"].casefold() for p in panel}
    valid = len(set(names)) == len(names) and len(names) >= 3 and len(roles) >= 2
    assert (problems == []) == valid
    assert len(rows) == len(panel)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
       st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)))  # fmt: skip
def test_child_age_counts_whole_years(born: dt.date, on: dt.date) -> None:
    from reunite.registry.models import Child

    def birthday(years: int) -> dt.date:  # 29 February falls on 1 March in common years
        try:
            return born.replace(year=born.year + years)
        except ValueError:
            return dt.date(born.year + years, 3, 1)

    age = status.child_age(Child(birth_date=born, birth_date_precision="day"), on)
    assert age is not None
    if on >= born:
        assert age >= 0 and birthday(age) <= on < birthday(age + 1)
    # A year-only date of birth never makes the child younger than a day-precise one.
    year_only = status.child_age(Child(birth_date=born, birth_date_precision="year"), on)
    assert year_only is not None and year_only >= age


@pytest.mark.django_db
@pytest.mark.parametrize("relationship", ["grandmother", "other"])
def test_the_demo_helper_verifies_a_case_through_the_rules(
    relationship: str, users: Any, orgs: Any, make_child: Any, make_enquiry: Any
) -> None:
    from reunite.demo.verification import verify_demo_case

    case = make_case(users, orgs, make_child, make_enquiry, relationship=relationship)
    case = move(case, users, "verification", "best_interests")
    named = {
        f"{org}-{role}": users[(org, role)]
        for org in ("ua", "ru")
        for role in ("caseworker", "verifier")
    }
    verify_demo_case(case, named)
    assert status.four_eyes(case).verified
    assert Evidence.objects.filter(case=case, kind="dna").exists() == (relationship != "other")
    assert move(case, users, "approved").state == "approved"
    assert verify_chain()[1] is None
