"""REST API of background jobs on the one API router (``/api/jobs/``): follow a job."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from reunite.accounts import policy
from reunite.core.api import ApiMixin
from reunite.jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Job
        fields = [
            "id", "kind", "title", "state", "progress_message", "progress_done",
            "progress_total", "percent", "result", "error", "created_at", "started_at",
            "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


def job_json(job: Job) -> dict[str, Any]:
    return dict(JobSerializer(job).data)


@extend_schema_view(
    list=extend_schema(summary="Your and your organisation's background jobs, newest first"),
    retrieve=extend_schema(summary="One background job: state, progress, result or error"),
)
class JobViewSet(ApiMixin, viewsets.GenericViewSet):  # type: ignore[misc]
    lookup_value_regex = r"\d+"
    serializer_class = JobSerializer

    def get_queryset(self) -> Any:
        return policy.visible_jobs(self.request.user, Job.objects.all())

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(JobSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        try:
            job = self.get_queryset().get(pk=pk)
        except Job.DoesNotExist as exc:
            raise Http404("No such job.") from exc
        return Response(JobSerializer(job).data)


def register(router: DefaultRouter) -> None:
    """Add the jobs viewset to the API router, under ``jobs/``."""
    router.register("jobs", JobViewSet, basename="api-job")
