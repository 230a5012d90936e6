"""Screens of the review queue and match runs, mounted at ``/matching/``.

The API is on the one API router (``reunite.matching.api.register``: ``/api/matching/``).
"""

from django.urls import path

from reunite.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair-detail"),
    path("pairs/<int:pk>/decide/", views.pair_decide, name="pair-decide"),
    path("runs/", views.run_list, name="run-list"),
    path("runs/start/", views.run_start, name="run-start"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("models/retrain/", views.model_retrain, name="model-retrain"),
]
