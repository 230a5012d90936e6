"""Case screens, mounted at the site root (``/cases/…``); the API is in ``reunite.cases.api``."""

from django.urls import path

from reunite.cases import views

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/open/", views.case_open, name="case-open"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/transition/", views.case_transition, name="case-transition"),
    path("cases/<int:pk>/link/", views.case_link, name="case-link"),
    path("cases/<int:pk>/link-child/", views.case_link_child, name="case-link-child"),
    path("cases/<int:pk>/unlink/", views.case_unlink, name="case-unlink"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case-assign"),
]
