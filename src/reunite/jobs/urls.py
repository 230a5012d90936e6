from django.urls import include, path
from rest_framework.routers import DefaultRouter

from reunite.jobs import api_views, views

app_name = "jobs"

router = DefaultRouter()
router.include_root_view = False
router.register("", api_views.JobViewSet, basename="api")

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
    path("api/", include(router.urls)),
]
