"""REST API of cases, registered at ``/api/cases/`` on the one API router.

The same rules as every Reunite endpoint (``reunite.core.api``) and the registry's record
endpoints it derives from (``reunite.registry.api.RecordViewSet``): visibility and roles
from ``reunite.accounts.policy``, every write through ``reunite.cases.actions``, every read
audited. Cases are closed, never deleted.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from reunite.accounts import policy
from reunite.cases import actions as case_actions
from reunite.cases.models import Case, CaseState
from reunite.cases.serializers import (
    CaseCreateSerializer,
    CaseEventSerializer,
    CaseLinkSerializer,
    CaseSerializer,
    TransitionSerializer,
)
from reunite.core.api import enum_field, errors
from reunite.registry import actions as registry_actions
from reunite.registry.api import RecordViewSet, bool_param, lookup_visible
from reunite.registry.models import Child, Enquiry


class CaseFilter(serializers.Serializer):
    state = enum_field(CaseState.choices, required=False, allow_blank=True)
    open = bool_param(help_text="Only open (true) or only closed (false) cases.")
    child = serializers.IntegerField(required=False, min_value=1, help_text="Cases of this child.")
    enquiry = serializers.IntegerField(
        required=False, min_value=1, help_text="Cases of this tracing request."
    )


@extend_schema_view(
    list=extend_schema(
        summary="List cases", parameters=[CaseFilter],
        responses={200: CaseSerializer(many=True), **errors(400, 403)},
    ),
    retrieve=extend_schema(
        summary="One case with its timeline (audited)",
        responses={200: CaseSerializer, **errors(403, 404)},
    ),
    create=extend_schema(
        summary="Open a case for a tracing request and/or a child",
        request=CaseCreateSerializer, responses={201: CaseSerializer, **errors(400, 403)},
    ),
    partial_update=extend_schema(
        summary="Link the missing child or tracing request",
        request=CaseLinkSerializer, responses={200: CaseSerializer, **errors(400, 403, 404)},
    ),
)  # fmt: skip
class CaseViewSet(RecordViewSet):
    """One child's path from registration to reunification. Cases are closed, never deleted."""

    model = Case
    serializer_class = CaseSerializer
    filter_serializer = CaseFilter
    queryset = Case.objects.none()
    list_order = ("-pk",)
    http_method_names = ("get", "post", "patch", "head", "options")

    def base_queryset(self) -> QuerySet:
        return Case.objects.select_related("owner").prefetch_related(
            "shared_with", "events__actor", "events__organization"
        )

    def filter_list(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        if params.get("state"):
            queryset = queryset.filter(state=params["state"])
        if params.get("open") is True:
            queryset = queryset.exclude(state=CaseState.CLOSED)
        elif params.get("open") is False:
            queryset = queryset.filter(state=CaseState.CLOSED)
        if params.get("child"):
            queryset = queryset.filter(child_id=params["child"])
        if params.get("enquiry"):
            queryset = queryset.filter(enquiry_id=params["enquiry"])
        return queryset

    def create(self, request: Request) -> Response:
        policy.require(request.user, "case.create")
        serializer = CaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        enquiry = child = None
        if data.get("enquiry") is not None:
            enquiry = lookup_visible(request, Enquiry, data["enquiry"], "enquiry")
        if data.get("child") is not None:
            child = lookup_visible(request, Child, data["child"], "child")
        case = case_actions.open_case(
            self.acting(), enquiry=enquiry, child=child, note=data.get("note", "")
        )
        return self.detail_response(case, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        case = self.get_record("case.view")
        policy.require(request.user, "case.create")
        serializer = CaseLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        links = {
            field: lookup_visible(request, model, data[field], field)
            for field, model in (("child", Child), ("enquiry", Enquiry))
            if field in data
        }
        case = case_actions.link_case(
            self.acting(), case, confirm=data.get("confirm", False), **links
        )
        return self.detail_response(case)

    @extend_schema(
        summary="Move the case one step forward, or close it",
        request=TransitionSerializer,
        responses={200: CaseSerializer, **errors(400, 403, 404)},
        examples=[
            OpenApiExample("Start tracing", request_only=True, value={"to_state": "tracing"}),
            OpenApiExample(
                "Close as a duplicate",
                request_only=True,
                value={"to_state": "closed", "closing_reason": "duplicate", "note": "Duplicate."},
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        case = self.get_record("case.view")
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = case_actions.transition_case(
            self.acting(), case, data["to_state"], note=data.get("note", ""),
            closing_reason=data.get("closing_reason", ""),
        )  # fmt: skip
        return self.detail_response(case)

    @extend_schema(
        summary="The case's timeline: every step, who took it and when (audited)",
        responses={200: CaseEventSerializer(many=True), **errors(403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request: Request, pk: str) -> Response:
        case = self.get_record("case.view")
        registry_actions.record_view(self.acting(), case)
        events = case.events.select_related("actor", "organization").order_by("at", "pk")
        return Response(CaseEventSerializer(events, many=True).data)


def register(router: DefaultRouter) -> None:
    """Add the case viewset to the API router."""
    router.register("cases", CaseViewSet, basename="api-case")
