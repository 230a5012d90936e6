"""Screens of the reunification app, mounted at ``/reunification/``."""

from django.urls import path

from reunite.reunification.views import followup

app_name = "reunification"

urlpatterns = [
    path("followup/", followup.visit_list, name="followup-list"),
    path("followup/cases/<int:pk>/", followup.case_plan, name="followup-case"),
    path("followup/cases/<int:pk>/panel/", followup.case_panel, name="followup-panel"),
    path("followup/cases/<int:pk>/visits/", followup.visit_add, name="followup-visit-add"),
    path("followup/visits/<int:pk>/record/", followup.visit_record, name="followup-visit-record"),
    path(
        "followup/visits/<int:pk>/reschedule/", followup.visit_reschedule,
        name="followup-visit-reschedule",
    ),
    path("followup/visits/<int:pk>/cancel/", followup.visit_cancel, name="followup-visit-cancel"),
]
