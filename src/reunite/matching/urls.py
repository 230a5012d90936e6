"""Screens of the review queue and match runs, mounted at ``/matching/``; API under ``api/``."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from reunite.matching import api, views

app_name = "matching"

router = DefaultRouter()
router.include_root_view = False
router.register("pairs", api.PairViewSet, basename="api-pair")
router.register("runs", api.RunViewSet, basename="api-run")

urlpatterns = [
    path("", views.queue, name="queue"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair-detail"),
    path("pairs/<int:pk>/decide/", views.pair_decide, name="pair-decide"),
    path("runs/", views.run_list, name="run-list"),
    path("runs/start/", views.run_start, name="run-start"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("models/retrain/", views.model_retrain, name="model-retrain"),
    path("api/", include(router.urls)),
]
