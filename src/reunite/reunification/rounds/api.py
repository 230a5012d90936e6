"""REST API of rounds, custody, the route planner and public statistics (``/api/…``).

Same style as every endpoint (``reunite.core.api``): token or session, the policy decides,
writes go through ``reunite.reunification.rounds.actions`` (a refused rule is a 400 naming
the problem), reads of child data are audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from reunite.accounts import policy
from reunite.accounts.models import Organization
from reunite.audit.log import log_event
from reunite.cases.models import Case
from reunite.core.api import ApiMixin, MemberPermission, enum_field, errors
from reunite.registry import actions as registry_actions
from reunite.reunification.models.rounds import (
    Channel,
    Handover,
    Round,
    RoundChild,
)
from reunite.reunification.rounds import actions, reports
from reunite.reunification.rounds.planning import route_network
from reunite.routes import ROLES, RouteError, Traveller, plan_routes

# Serializers --------------------------------------------------------------------------------


class RoundChildSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference")
    case_state = serializers.CharField(source="case.state")
    direction = serializers.CharField()

    class Meta:
        model = RoundChild
        fields = ["id", "case", "case_state", "direction", "from_country", "to_country",
                  "origin", "destination", "status", "reason"]


class RoundSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.short_name")
    parties = serializers.SerializerMethodField()
    children = RoundChildSerializer(source="entries", many=True, read_only=True)
    unconfirmed_custody = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = ["id", "reference", "title", "planned_date", "channel", "channel_name",
                  "status", "owner", "parties", "children", "unconfirmed_custody"]

    def get_parties(self, round_: Round) -> list[str]:
        return sorted(o.short_name for o in round_.shared_with.all())

    def get_unconfirmed_custody(self, round_: Round) -> list[int]:
        return [h.pk for h in reports.unconfirmed_handovers([round_])]


class RoundCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    planned_date = serializers.DateField()
    channel = enum_field(Channel.choices)
    channel_name = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                         default="")
    parties = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                    help_text="Short names of the other parties.")


class AddCaseSerializer(serializers.Serializer):
    case = serializers.CharField(help_text="Case reference, e.g. C-2026-000123.")
    from_country = serializers.CharField(max_length=2)
    to_country = serializers.CharField(max_length=2)
    origin = serializers.CharField(required=False, allow_blank=True, default="")
    destination = serializers.CharField(required=False, allow_blank=True, default="")


class WithdrawSerializer(serializers.Serializer):
    entry = serializers.IntegerField(help_text="Id of the child's entry in the round.")
    reason = serializers.CharField()


class CompleteSerializer(serializers.Serializer):
    did_not_travel = serializers.DictField(child=serializers.CharField(), required=False,
                                           default=dict,
                                           help_text="Entry id → why the child did not travel.")


class ConfirmSerializer(serializers.Serializer):
    side = enum_field([("release", "release"), ("receive", "receive")])
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    place = serializers.CharField(required=False, allow_blank=True, default="")


class TravellerSerializer(serializers.Serializer):
    age = serializers.IntegerField(min_value=0, max_value=130)
    sex = serializers.RegexField(r"^[FM]?$", required=False, default="", allow_blank=True,
                                 help_text="F, M or empty (unknown).")
    citizenships = serializers.ListField(child=serializers.CharField(max_length=2),
                                         required=False, default=list)
    documents = serializers.ListField(child=serializers.CharField(), required=False,
                                      default=list)
    role = serializers.ChoiceField(choices=list(ROLES), required=False, default="child")
    name = serializers.CharField(required=False, allow_blank=True, default="",
                                 help_text="How the reasons name this traveller.")


class PlanSerializer(serializers.Serializer):
    origin = serializers.CharField()
    destination = serializers.CharField()
    date = serializers.DateField()
    child = TravellerSerializer()
    adults = TravellerSerializer(many=True, required=False, default=list)


def _traveller(data: dict[str, Any]) -> Traveller:
    return Traveller(age=data["age"], sex=data["sex"],
                     citizenships=frozenset(c.upper() for c in data["citizenships"]),
                     documents=frozenset(data["documents"]), role=data["role"],
                     label=data["name"])


# Views --------------------------------------------------------------------------------------


class RoundViewSet(ApiMixin, viewsets.GenericViewSet):
    """Reunification rounds the caller's organisation coordinates or takes part in."""

    model = Round
    queryset = Round.objects.none()
    serializer_class = RoundSerializer
    permission_classes = (MemberPermission,)
    lookup_value_regex = r"\d+"

    def _get(self, pk: str, action_name: str = "round.view") -> Round:
        return policy.get_visible_or_404(  # type: ignore[return-value]
            self.request.user, Round.objects.all(), pk, action_name)

    def _detail(self, round_: Round, code: int = status.HTTP_200_OK) -> Response:
        return Response(RoundSerializer(Round.objects.get(pk=round_.pk)).data, status=code)

    @extend_schema(summary="List rounds", responses={200: RoundSerializer(many=True),
                                                     **errors(403)})
    def list(self, request: Request) -> Response:
        policy.require(request.user, "round.view")
        rounds = policy.visible(request.user, Round.objects.all()).order_by("-planned_date")
        page = self.paginate_queryset(rounds)
        records = list(page) if page is not None else list(rounds)
        registry_actions.record_list(self.acting(), "round", [r.pk for r in records])
        data = RoundSerializer(records, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(summary="One round with its children (audited)",
                   responses={200: RoundSerializer, **errors(403, 404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        round_ = self._get(pk)
        registry_actions.record_view(self.acting(), round_)
        return self._detail(round_)

    @extend_schema(summary="Plan a round", request=RoundCreateSerializer,
                   responses={201: RoundSerializer, **errors(400, 403)})
    def create(self, request: Request) -> Response:
        policy.require(request.user, "round.plan")
        serializer = RoundCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        parties = list(Organization.objects.filter(short_name__in=data["parties"]))
        unknown = set(data["parties"]) - {o.short_name for o in parties}
        if unknown:
            raise DjangoValidationError({"parties": [f"Unknown organisation(s): "
                                                     f"{', '.join(sorted(unknown))}."]})
        round_ = actions.create_round(self.acting(), title=data["title"],
                                      planned_date=data["planned_date"],
                                      channel=data["channel"], channel_name=data["channel_name"],
                                      parties=parties)
        return self._detail(round_, status.HTTP_201_CREATED)

    @extend_schema(summary="Put an approved case in the round", request=AddCaseSerializer,
                   responses={201: RoundSerializer, **errors(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def cases(self, request: Request, pk: str) -> Response:
        round_ = self._get(pk, "round.plan")
        serializer = AddCaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = policy.visible(request.user, Case.objects.all()).filter(
            reference=data["case"]).first()
        if case is None:
            raise DjangoValidationError({"case": [f"No case {data['case']} is visible to "
                                                  "you."]})
        actions.add_case(self.acting(), round_, case, from_country=data["from_country"],
                         to_country=data["to_country"], origin=data["origin"],
                         destination=data["destination"], network=route_network())
        return self._detail(round_, status.HTTP_201_CREATED)

    @extend_schema(summary="Withdraw a child (the case goes back to approved)",
                   request=WithdrawSerializer, responses={200: RoundSerializer,
                                                          **errors(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        round_ = self._get(pk, "round.plan")
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = round_.entries.filter(pk=serializer.validated_data["entry"]).first()
        if entry is None:
            raise DjangoValidationError({"entry": ["No such child in this round."]})
        actions.withdraw_child(self.acting(), entry, reason=serializer.validated_data["reason"])
        return self._detail(round_)

    @extend_schema(summary="Confirm the plan (cases become scheduled)", request=None,
                   responses={200: RoundSerializer, **errors(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        return self._detail(actions.confirm_round(self.acting(), self._get(pk, "round.plan")))

    @extend_schema(summary="The round is under way (cases in transit)", request=None,
                   responses={200: RoundSerializer, **errors(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        return self._detail(actions.start_round(self.acting(), self._get(pk, "round.plan")))

    @extend_schema(summary="Complete the round (reasons for children who did not travel)",
                   request=CompleteSerializer, responses={200: RoundSerializer,
                                                          **errors(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        round_ = self._get(pk, "round.plan")
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reasons = serializer.validated_data["did_not_travel"]
        bad = [key for key in reasons if not str(key).isdigit()]
        if bad:
            raise DjangoValidationError({"did_not_travel": ["Keys are entry ids."]})
        return self._detail(actions.complete_round(
            self.acting(), round_, did_not_travel={int(k): v for k, v in reasons.items()}))

    @extend_schema(summary="The round's manifest (PDF; audited)",
                   responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
                              **errors(403, 404)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def manifest(self, request: Request, pk: str) -> HttpResponse:
        round_ = self._get(pk, "manifest.view")
        log_event(self.acting().audit_actor, "export", "round", round_.pk,
                  {"document": "manifest"})
        response = HttpResponse(reports.manifest_pdf(round_), content_type="application/pdf")
        response["Content-Disposition"] = (f'attachment; filename="manifest-'
                                           f'{round_.reference}.pdf"')
        return response

    @extend_schema(summary="The round report (children by direction, age band, sex; days "
                   "to reunification; who did not travel)",
                   responses={200: OpenApiTypes.OBJECT, **errors(403, 404)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def report(self, request: Request, pk: str) -> Response:
        round_ = self._get(pk)
        log_event(self.acting().audit_actor, "view", "round", round_.pk, {"report": True})
        return Response(reports.round_report(round_).to_dict())


class HandoverViewSet(ApiMixin, viewsets.ViewSet):
    """Handovers of custody: each side confirms its part."""

    model = Handover
    permission_classes = (MemberPermission,)
    lookup_value_regex = r"\d+"

    @extend_schema(summary="Confirm one side of a handover (release or receive)",
                   request=ConfirmSerializer, responses={200: OpenApiTypes.OBJECT,
                                                         **errors(400, 403, 404)})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        handover = Handover.objects.select_related("transfer__round").filter(pk=pk).first()
        if handover is None:
            from django.http import Http404

            raise Http404("No such handover.")
        policy.get_visible_or_404(request.user, Round.objects.all(), handover.transfer.round_id,
                                  "handover.confirm")
        serializer = ConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        handover = actions.confirm_handover(self.acting(), handover, side=data["side"],
                                            at=data["at"], place=data["place"])
        return Response({"id": handover.pk, "released": handover.released,
                         "received": handover.received, "confirmed": handover.confirmed})


class CustodyViewSet(ApiMixin, viewsets.ViewSet):
    """The chain of custody of a case's child (audited)."""

    model = Case
    permission_classes = (MemberPermission,)
    lookup_value_regex = r"\d+"

    @extend_schema(summary="Chain of custody of a case", responses={200: OpenApiTypes.OBJECT,
                                                                    **errors(403, 404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        case: Case = policy.get_visible_or_404(  # type: ignore[assignment]
            request.user, Case.objects.all(), pk, "case.view")
        registry_actions.record_view(self.acting(), case)
        return Response({"case": case.reference, "state": case.state,
                         "custody": reports.custody_rows(case)})


class RoutePlanViewSet(ApiMixin, viewsets.ViewSet):
    """The route planner over the configured network (no child data is stored)."""

    permission_classes = (MemberPermission,)

    @extend_schema(summary="Propose routes for a traveller party on a date",
                   request=PlanSerializer, responses={200: OpenApiTypes.OBJECT,
                                                      **errors(400)})
    def create(self, request: Request) -> Response:
        serializer = PlanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            plan = plan_routes(route_network(), data["origin"], data["destination"],
                               on=data["date"], child=_traveller(data["child"]),
                               adults=[_traveller(a) for a in data["adults"]])
        except (RouteError, ValueError) as error:
            raise DjangoValidationError(str(error)) from None
        return Response(plan.to_dict())


class PublicStatisticsViewSet(ApiMixin, viewsets.ViewSet):
    """Aggregates with every count under 5 (and what would reveal it) suppressed."""

    permission_classes = (MemberPermission,)

    @extend_schema(summary="Public statistics (suppressed aggregates; audited)",
                   responses={200: OpenApiTypes.OBJECT, **errors(403)})
    def list(self, request: Request) -> Response:
        policy.require(request.user, "stats.export")
        tables = reports.public_tables()
        log_event(self.acting().audit_actor, "export", "statistics", "", {"format": "api"})
        return Response({"tables": [{"title": t.title, "rows": t.as_rows(row_header="direction")}
                                    for t in tables]})


def register(router: DefaultRouter) -> None:
    router.register("rounds", RoundViewSet, basename="round")
    router.register("handovers", HandoverViewSet, basename="handover")
    router.register("custody", CustodyViewSet, basename="custody")
    router.register("routes/plan", RoutePlanViewSet, basename="route-plan")
    router.register("statistics/public", PublicStatisticsViewSet, basename="public-statistics")
