"""REST API of the review queue and match runs: ``/api/matching/pairs/``, ``/api/matching/runs/``.

Same rules as the screens and every endpoint (``reunite.core.api``): token or
session authentication; who may see or do what is asked of ``reunite.accounts.policy``
(through ``reunite.matching.actions``); a pair whose two records the caller's organisation
cannot both see is "not found"; every write goes through ``reunite.matching.actions``;
lists audit the requests and children they show, a single pair audits a view of both.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from reunite.accounts import policy
from reunite.core.api import ApiMixin
from reunite.jobs.api_views import JobSerializer, job_json
from reunite.matching import actions
from reunite.matching.forms import SHOW_CHOICES
from reunite.matching.models import CandidatePair, Decision, MatchRun
from reunite.registry import actions as registry_actions


def _enquiry(enquiry: Any) -> dict[str, Any]:
    return {
        "id": enquiry.pk,
        "owner": enquiry.owner.short_name,
        "name": enquiry.display_name,
        "other_names": [n for n in enquiry.other_names if n],
        "sex": enquiry.sex,
        "birth_date": enquiry.birth_date_display,
        "birth_date_precision": enquiry.birth_date_precision,
        "birth_place": enquiry.birth_place,
        "separation_date": enquiry.separation_date_display,
        "separation_place": enquiry.separation_place,
        "mother_name": enquiry.mother_name,
        "father_name": enquiry.father_name,
        "consent_for_tracing": enquiry.consent_for_tracing,
    }


def _child(child: Any) -> dict[str, Any]:
    return {
        "id": child.pk,
        "owner": child.owner.short_name,
        "name": child.display_name,
        "names": [
            {
                "name": n.display,
                "script": n.script,
                "language": n.language,
                "source": n.source,
                "primary": n.is_primary,
            }
            for n in child.names.all()
        ],
        "sex": child.sex,
        "birth_date": child.birth_date_display,
        "birth_date_precision": child.birth_date_precision,
        "birth_place": child.birth_place,
        "separation_date": child.separation_date_display,
        "separation_place": child.separation_place,
        "mother_name": child.mother_name,
        "father_name": child.father_name,
        "current_region": child.current_region,
        "consent_for_tracing": child.consent_for_tracing,
    }


class PairListSerializer(serializers.ModelSerializer):
    enquiry_name = serializers.CharField(source="enquiry.display_name", read_only=True)
    child_name = serializers.CharField(source="child.display_name", read_only=True)

    class Meta:
        model = CandidatePair
        fields = [
            "id", "status", "probability", "match_weight", "rank", "run", "enquiry",
            "enquiry_name", "child", "child_name", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class PairDetailSerializer(serializers.ModelSerializer):
    enquiry = serializers.SerializerMethodField()
    child = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    explanation = serializers.JSONField(read_only=True)

    class Meta:
        model = CandidatePair
        fields = [
            "id", "status", "probability", "match_weight", "rank", "run", "first_run",
            "enquiry", "child", "explanation", "decisions", "case", "decided_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_enquiry(self, pair: CandidatePair) -> dict[str, Any]:
        return _enquiry(pair.enquiry)

    def get_child(self, pair: CandidatePair) -> dict[str, Any]:
        return _child(pair.child)

    def get_decisions(self, pair: CandidatePair) -> list[dict[str, Any]]:
        return [
            {"decision": d.decision, "reviewer": d.reviewer.get_username() if d.reviewer else None,
             "organization": d.organization.short_name, "note": d.note, "at": d.at.isoformat()}
            for d in pair.decisions.select_related("reviewer", "organization")
        ]  # fmt: skip

    def get_case(self, pair: CandidatePair) -> str | None:
        user = self.context["request"].user
        if pair.case is None or not policy.is_visible(user, pair.case):
            return None
        return pair.case.reference


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class PairFilterSerializer(serializers.Serializer):
    show = serializers.ChoiceField(choices=[c for c, _ in SHOW_CHOICES], required=False)


class RunSerializer(serializers.ModelSerializer):
    started_by = serializers.CharField(source="started_by.username", read_only=True, default=None)
    organization = serializers.CharField(source="organization.short_name", read_only=True)
    model_version = serializers.IntegerField(source="model.version", read_only=True, default=None)
    requested_mode = serializers.CharField(
        read_only=True, help_text="The mode asked for (the run may have become a full one)."
    )

    class Meta:
        model = MatchRun
        fields = [
            "id", "organization", "started_by", "started_at", "finished_at",
            "duration_seconds", "mode", "requested_mode", "status", "error", "model_version",
            "threshold", "top_k", "children_considered", "enquiries_considered",
            "new_children", "new_enquiries", "excluded_pairs", "candidates_found",
            "pairs_created", "pairs_refreshed", "pairs_kept_decided", "pairs_withdrawn", "notes",
        ]  # fmt: skip
        read_only_fields = fields


class RunStartSerializer(serializers.Serializer):
    full = serializers.BooleanField(required=False, default=False)


def _require(user: Any, permission: str) -> None:
    if not policy.has_permission(user, permission):
        raise PermissionDenied("Your role does not allow this.")


@extend_schema_view(
    list=extend_schema(
        summary="The review queue (most probable first)",
        parameters=[OpenApiParameter("show", str, enum=[c for c, _ in SHOW_CHOICES])],
        # The rows are the short form, not the detail the viewset's serializer describes.
        responses=PairListSerializer(many=True),
    ),
    retrieve=extend_schema(summary="One candidate pair: both records and the explanation"),
)
class PairViewSet(ApiMixin, viewsets.GenericViewSet):  # type: ignore[misc]
    model = CandidatePair
    lookup_value_regex = r"\d+"
    serializer_class = PairDetailSerializer

    def get_queryset(self) -> Any:
        return actions.visible_pairs(self.request.user)

    def list(self, request: Request) -> Response:
        _require(request.user, "match.review")
        params = PairFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        show = params.validated_data.get("show") or "open"
        queryset = actions.review_queue(request.user, show).select_related(
            "enquiry__owner", "child__owner"
        )
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        acting = self.acting()
        registry_actions.record_list(
            acting, "enquiry", [p.enquiry_id for p in rows], "api:matching"
        )
        registry_actions.record_list(acting, "child", [p.child_id for p in rows], "api:matching")
        data = PairListSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _pair(self) -> CandidatePair:
        return actions.get_pair_or_404(self.request.user, self.kwargs["pk"])

    def retrieve(self, request: Request, pk: str) -> Response:
        pair = self._pair()
        acting = self.acting()
        registry_actions.record_view(acting, pair.enquiry)
        registry_actions.record_view(acting, pair.child)
        return Response(PairDetailSerializer(pair, context={"request": request}).data)

    @extend_schema(
        summary="Decide on a pair: same child, not the same child, or unsure",
        request=DecisionSerializer,
        responses={200: PairDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        pair = self._pair()
        _require(request.user, "match.decide")
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pair = actions.decide(
            self.acting(), pair, body.validated_data["decision"], body.validated_data["note"]
        )
        pair = actions.get_pair_or_404(request.user, pair.pk)
        return Response(PairDetailSerializer(pair, context={"request": request}).data)


@extend_schema_view(
    list=extend_schema(summary="Match runs of your organisation, newest first"),
    retrieve=extend_schema(summary="One match run"),
    create=extend_schema(
        summary="Queue a match run (incremental unless full=true); follow the job returned",
        request=RunStartSerializer,
        responses={202: JobSerializer},
    ),
)
class RunViewSet(ApiMixin, viewsets.GenericViewSet):  # type: ignore[misc]
    model = MatchRun
    lookup_value_regex = r"\d+"
    serializer_class = RunSerializer

    def get_queryset(self) -> Any:
        organization = policy.organization_of(self.request.user)
        return MatchRun.objects.filter(organization=organization).select_related(
            "started_by", "organization", "model"
        )

    def list(self, request: Request) -> Response:
        _require(request.user, "match.review")
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RunSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        _require(request.user, "match.review")
        try:
            run = self.get_queryset().get(pk=pk)
        except MatchRun.DoesNotExist as exc:
            raise Http404("No such run.") from exc
        return Response(RunSerializer(run).data)

    def create(self, request: Request) -> Response:
        _require(request.user, "match.run")
        body = RunStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            job = actions.enqueue_run(self.acting(), full=body.validated_data["full"])
        except actions.RunRefused as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        # Matching never runs inside a request: a worker takes the job; poll the job.
        url = reverse("api-job-detail", args=[job.pk])
        return Response(job_json(job), status=status.HTTP_202_ACCEPTED,
                        headers={"Location": url})


def register(router: DefaultRouter) -> None:
    """Add the matching viewsets to the API router, under ``matching/``."""
    router.register("matching/pairs", PairViewSet, basename="api-pair")
    router.register("matching/runs", RunViewSet, basename="api-run")
