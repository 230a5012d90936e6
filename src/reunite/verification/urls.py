"""Screens of the verification tab, mounted at ``/verification/`` (API: ``/api/verification/``)."""

from django.urls import path

from reunite.verification import views

app_name = "verification"
urlpatterns = [
    path("cases/<int:pk>/", views.case_verification, name="case"),
    path("cases/<int:pk>/summary/", views.case_section, name="case-section"),
    path("cases/<int:pk>/evidence/", views.evidence_add, name="evidence-add"),
    path("cases/<int:pk>/dna/", views.dna_import, name="dna-import"),
    path("cases/<int:pk>/decide/", views.decide, name="decide"),
    path("cases/<int:pk>/countersign/", views.countersign, name="countersign"),
    path("cases/<int:pk>/best-interests/", views.bid_record, name="bid-record"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence-file"),
    path("evidence/<int:pk>/edit/", views.evidence_edit, name="evidence-edit"),
    path("evidence/<int:pk>/doubt/", views.evidence_doubt, name="evidence-doubt"),
    path("evidence/<int:pk>/withdraw/", views.evidence_withdraw, name="evidence-withdraw"),
    path("kinship/<int:pk>/", views.kinship_detail, name="kinship"),
    path("kinship/<int:pk>/pdf/", views.kinship_pdf, name="kinship-pdf"),
]
