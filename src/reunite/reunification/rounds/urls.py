"""Round, transfer and statistics screens, mounted at the site root (``/rounds/…``)."""

from django.urls import path

from reunite.reunification.rounds import views

urlpatterns = [
    path("rounds/", views.round_list, name="round-list"),
    path("rounds/new/", views.round_create, name="round-create"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/add-case/", views.round_add_case, name="round-add-case"),
    path("rounds/<int:pk>/withdraw/<int:entry_pk>/", views.round_withdraw,
         name="round-withdraw"),
    path("rounds/<int:pk>/confirm/", views.round_status, {"step": "confirm"},
         name="round-confirm"),
    path("rounds/<int:pk>/start/", views.round_status, {"step": "start"}, name="round-start"),
    path("rounds/<int:pk>/complete/", views.round_status, {"step": "complete"},
         name="round-complete"),
    path("rounds/<int:pk>/transfers/new/", views.transfer_create, name="transfer-create"),
    path("rounds/<int:pk>/manifest.pdf", views.round_manifest, name="round-manifest"),
    path("rounds/<int:pk>/report/", views.round_report, name="round-report"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer-detail"),
    path("transfers/<int:pk>/route/", views.transfer_apply_route, name="transfer-route"),
    path("transfers/<int:pk>/legs/", views.transfer_add_leg, name="transfer-add-leg"),
    path("transfers/<int:pk>/legs/<int:leg_pk>/", views.leg_record, name="leg-record"),
    path("transfers/<int:pk>/handovers/", views.handover_add, name="handover-add"),
    path("transfers/<int:pk>/handovers/<int:handover_pk>/confirm/", views.handover_confirm,
         name="handover-confirm"),
    path("rounds/dashboard-custody/", views.dashboard_custody, name="round-dashboard-custody"),
    path("rounds/case/<int:pk>/", views.case_section, name="round-case-section"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/public-export/", views.statistics_export, name="statistics-export"),
]
