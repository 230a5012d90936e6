"""``/api/reunification/followup/…``: follow-up plans and their visits.

Same rules as every endpoint (``reunite.core.api``): a plan whose case the caller's
organisation cannot see is "not found"; writes go through
``reunite.reunification.actions.followup`` (400 naming each invalid field, 403 for a role
that may not manage follow-up); reads are audited as views/lists of the cases.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from reunite.accounts import policy
from reunite.cases.models import Case
from reunite.core.api import ApiMixin, enum_field, errors
from reunite.registry import actions as registry_actions
from reunite.reunification.actions import followup as actions
from reunite.reunification.actions.followup import MAX_LABEL, MAX_TEXT
from reunite.reunification.models import FollowUpPlan, FollowUpVisit, VisitOutcome, VisitStatus


class VisitSerializer(serializers.ModelSerializer):
    status = enum_field(VisitStatus.choices, read_only=True)
    outcome = enum_field(VisitOutcome.choices, read_only=True)
    overdue = serializers.SerializerMethodField()
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpVisit
        fields = (
            "id", "label", "due_on", "status", "overdue", "visited_on", "needs_assessment",
            "psychological_support", "school", "documents_to_restore", "outcome", "notes",
            "cancel_reason", "recorded_by", "recorded_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_overdue(self, visit: FollowUpVisit) -> bool:
        return visit.is_overdue()

    def get_recorded_by(self, visit: FollowUpVisit) -> str | None:
        return visit.recorded_by.get_username() if visit.recorded_by else None


class PlanSerializer(serializers.ModelSerializer):
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    case_state = serializers.CharField(source="case.state", read_only=True)
    organization: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )
    complete = serializers.BooleanField(source="is_complete", read_only=True)
    visits = VisitSerializer(many=True, read_only=True)

    class Meta:
        model = FollowUpPlan
        fields = (
            "id", "case", "case_reference", "case_state", "organization", "started_at",
            "completed_at", "complete", "visits",
        )  # fmt: skip
        read_only_fields = fields


class PlanFilter(serializers.Serializer):
    case = serializers.IntegerField(required=False, min_value=1, help_text="The plan of a case.")
    overdue = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="Only plans with a visit overdue (true).",
    )  # fmt: skip


class VisitAddSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=MAX_LABEL)  # type: ignore[assignment]
    due_on = serializers.DateField()


class VisitRecordSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    outcome = enum_field(VisitOutcome.choices)
    needs_assessment = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    psychological_support = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_TEXT
    )
    school = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    documents_to_restore = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_TEXT
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)


class VisitRescheduleSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    label = serializers.CharField(required=False, max_length=MAX_LABEL)  # type: ignore[assignment]


class VisitCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_TEXT)


def _visible_plans(user: Any) -> QuerySet[FollowUpPlan]:
    cases = policy.visible(user, Case.objects.all())
    return FollowUpPlan.objects.filter(case__in=cases.values("pk")).select_related(
        "case", "organization"
    )


@extend_schema_view(
    list=extend_schema(
        summary="Follow-up plans of the cases you can see (audited)", parameters=[PlanFilter],
        responses={200: PlanSerializer(many=True), **errors(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One follow-up plan with its visits (audited)",
        responses={200: PlanSerializer, **errors(403, 404)},
    ),
)  # fmt: skip
class PlanViewSet(ApiMixin, viewsets.GenericViewSet):
    """Follow-up after reunification: default visits at about 1 week, 1 month, 3 months."""

    model = FollowUpPlan
    serializer_class = PlanSerializer
    queryset = FollowUpPlan.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[FollowUpPlan]:
        return _visible_plans(self.request.user).prefetch_related("visits__recorded_by")

    def plan(self, pk: Any, act: str) -> FollowUpPlan:
        plan = self.get_queryset().filter(pk=pk).first()
        if plan is None:
            raise Http404
        policy.require(self.request.user, act, plan.case)
        return plan

    def list(self, request: Request) -> Response:
        policy.require(request.user, "followup.view")
        params = PlanFilter(data=request.query_params)
        params.is_valid(raise_exception=True)
        plans = self.get_queryset().order_by("-pk")
        if params.validated_data.get("case"):
            plans = plans.filter(case_id=params.validated_data["case"])
        if params.validated_data.get("overdue") is True:
            plans = plans.filter(
                visits__status=VisitStatus.PLANNED, visits__due_on__lt=timezone.localdate()
            ).distinct()
        page = self.paginate_queryset(plans)
        rows = list(page) if page is not None else list(plans)
        registry_actions.record_list(self.acting(), "case", [p.case_id for p in rows], "followup")
        data = PlanSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, pk: str) -> Response:
        plan = self.plan(pk, "followup.view")
        registry_actions.record_view(self.acting(), plan.case)
        return Response(PlanSerializer(plan).data)

    @extend_schema(
        summary="Add a visit to the plan", request=VisitAddSerializer,
        responses={201: VisitSerializer, **errors(400, 403, 404)},
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def visits(self, request: Request, pk: str) -> Response:
        plan = self.plan(pk, "followup.manage")
        body = VisitAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        visit = actions.add_visit(
            self.acting(), plan.case, body.validated_data["label"], body.validated_data["due_on"]
        )
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class VisitViewSet(ApiMixin, viewsets.GenericViewSet):
    """Record, move or cancel one visit of a plan."""

    model = FollowUpVisit
    serializer_class = VisitSerializer
    queryset = FollowUpVisit.objects.none()
    lookup_value_regex = r"\d+"

    def visit(self, pk: Any) -> FollowUpVisit:
        visit = FollowUpVisit.objects.select_related("plan__case").filter(pk=pk).first()
        if visit is None or not policy.is_visible(self.request.user, visit.plan.case):
            raise Http404
        policy.require(self.request.user, "followup.manage", visit.plan.case)
        return visit

    @extend_schema(
        summary="Record what the visit found", request=VisitRecordSerializer,
        responses={200: VisitSerializer, **errors(400, 403, 404)},
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: str) -> Response:
        visit = self.visit(pk)
        body = VisitRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        visit = actions.record_visit(self.acting(), visit, body.validated_data)
        return Response(VisitSerializer(visit).data)

    @extend_schema(
        summary="Move a planned visit", request=VisitRescheduleSerializer,
        responses={200: VisitSerializer, **errors(400, 403, 404)},
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str) -> Response:
        visit = self.visit(pk)
        body = VisitRescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        visit = actions.reschedule_visit(
            self.acting(), visit, body.validated_data["due_on"], body.validated_data.get("label")
        )
        return Response(VisitSerializer(visit).data)

    @extend_schema(
        summary="Cancel a planned visit, with the reason", request=VisitCancelSerializer,
        responses={200: VisitSerializer, **errors(400, 403, 404)},
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        visit = self.visit(pk)
        body = VisitCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        visit = actions.cancel_visit(self.acting(), visit, body.validated_data["reason"])
        return Response(VisitSerializer(visit).data)


def register(router: DefaultRouter) -> None:
    router.register("reunification/followup/plans", PlanViewSet, basename="api-followup-plan")
    router.register("reunification/followup/visits", VisitViewSet, basename="api-followup-visit")
