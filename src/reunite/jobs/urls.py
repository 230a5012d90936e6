"""A job's page and its progress fragment, mounted at ``/jobs/``; the API is on the one
router (``reunite.jobs.api_views.register``: ``/api/jobs/``)."""

from django.urls import path

from reunite.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
]
