"""Synthetic verification of a demo case, so ``reunite demo`` can show cases past *approved*.

``verify_demo_case`` does through the actions what the two parties would do: both
caseworkers add documents (tiny PDFs that say SYNTHETIC DEMO DOCUMENT), the UA verifier
imports a simulated DNA test (SYNTHETIC frequency database), the two verifiers approve —
the UA verifier without the DNA item, since nobody approves what they submitted — and the
UA caseworker records a best-interests determination in favour. Every step is audited like
real work; only synthetic people are involved.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from reunite.cases.models import Case
from reunite.core.acting import Acting
from reunite.verification import actions, status

_DEMO_PANEL = [
    {"name": "Demo social worker (synthetic)", "role": "social worker"},
    {"name": "Demo psychologist (synthetic)", "role": "psychologist"},
    {"name": "Demo lawyer (synthetic)", "role": "lawyer"},
]


def demo_pdf(title: str) -> bytes:
    """A one-page PDF that says what it is: a synthetic demo document."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.multi_cell(0, 10, f"SYNTHETIC DEMO DOCUMENT\n{title}\nNot a real person or record.")
    return bytes(pdf.output())


def _upload(title: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("demo.pdf", demo_pdf(title), content_type="application/pdf")


def verify_demo_case(case: Case, users: Mapping[str, Any], *, seed: int = 0) -> None:
    """Add evidence, a DNA test, two approvals and a BID in favour to a demo case.

    ``users`` maps the demo usernames (``ua-caseworker``, ``ru-caseworker``,
    ``ua-verifier``, ``ru-verifier``) to users.
    """
    from reunite.kinship import simulate_pair, synthetic_frequencies, write_profiles

    def acting(name: str) -> Acting:
        return Acting(user=users[name], request_id=f"demo-verification-{case.pk}")

    ua, ru = acting("ua-caseworker"), acting("ru-caseworker")
    documents = [
        actions.add_evidence(
            ua, case, {"kind": "identity_document", "title": "Passport of the claimant (demo)",
                       "provided_by": "The claimant"}, _upload("Passport"),
        ),
        actions.add_evidence(
            ua, case, {"kind": "birth_certificate", "title": "Birth certificate (demo)",
                       "provided_by": "Civil registry (demo)"}, _upload("Birth certificate"),
        ),
        actions.add_evidence(
            ru, case, {"kind": "interview", "interviewee": "child",
                       "title": "Interview with the child (demo)", "provided_by": "RU caseworker",
                       "supports": ["child_wishes"],
                       "notes": "Synthetic: the child says they want to live with the family."},
        ),
        actions.add_evidence(
            ru, case, {"kind": "verification_report", "title": "Joint verification report (demo)",
                       "provided_by": "Both parties' verifiers"}, _upload("Joint report"),
        ),
    ]  # fmt: skip
    relationship = status.KINSHIP_FOR_RELATIONSHIP.get(status.claimed_relationship(case))  # type: ignore[call-overload]
    dna_items = []
    if relationship:
        claimant, child = simulate_pair(
            relationship, synthetic_frequencies(), seed=seed + case.pk, ids=("CLAIMANT", "CHILD")
        )
        text = io.StringIO()
        write_profiles([claimant, child], text)
        report = actions.import_dna(
            acting("ua-verifier"), case,
            profiles=SimpleUploadedFile("demo_profiles.csv", text.getvalue().encode()),
            frequencies=None, use_synthetic_frequencies=True, claimant_profile="CLAIMANT",
            child_profile="CHILD", relationship=relationship, theta=0.01,
            provided_by="Demo laboratory (synthetic)",
        )  # fmt: skip
        dna_items.append(report.evidence)
    ids = [d.pk for d in documents]
    actions.decide_relationship(acting("ua-verifier"), case, "approve", evidence_ids=ids)
    actions.decide_relationship(
        acting("ru-verifier"), case, "approve", evidence_ids=ids + [d.pk for d in dna_items]
    )
    actions.record_bid(
        ua, case,
        {
            "panel": _DEMO_PANEL,
            "child_views": "(synthetic) I want to go home to my family.",
            "child_views_language": "en", "child_views_verbatim": True,
            "child_not_heard_reason": "",
            "risks_family": "None known (synthetic demo case).",
            "risks_journey": "Escorted journey through a third country (synthetic).",
            "options_considered": ["Reunification with the claimant", "Stay in current care"],
            "decision": "in_favour",
            "reasons": "Synthetic demo: the tie is verified and the child wishes to return.",
        },
    )  # fmt: skip
