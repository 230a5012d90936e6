"""REST API of the verification tab, under ``/api/verification/`` on the one API router.

Same rules as the screens, from the same places: cases are looked up with
``policy.get_visible_or_404`` (404 for a case the caller's organisation cannot see, 403 for
a role that may not act), every write goes through ``reunite.verification.actions`` (400
naming each invalid field, 403 for the four-eyes refusals), every read is audited.

- ``GET  cases/{id}/`` — where verification stands: checklist, decisions, BID, what is missing
- ``GET|POST cases/{id}/evidence/`` — the evidence; add an item (multipart, with its file)
- ``POST cases/{id}/dna/`` — import STR profiles (and a frequency CSV), compute the LR
- ``POST cases/{id}/decisions/`` — approve or reject the claimed relationship
- ``POST cases/{id}/countersign/`` — the mediator's countersignature
- ``GET|POST cases/{id}/best-interests/`` — determinations; record one
- ``GET|PATCH evidence/{id}/``, ``POST evidence/{id}/withdraw/``, ``POST evidence/{id}/doubt/``,
  ``GET evidence/{id}/file/``
- ``GET kinship/{id}/``, ``GET kinship/{id}/pdf/``
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from reunite.accounts import policy
from reunite.audit.log import log_event
from reunite.cases.models import Case
from reunite.core.api import ApiMixin, enum_field, errors
from reunite.verification import actions
from reunite.verification import status as vstatus
from reunite.verification.models import (
    BestInterestsDetermination,
    BidDecision,
    Evidence,
    EvidenceKind,
    Interviewee,
    KinshipReport,
    Supports,
)

# Serializers -------------------------------------------------------------------------------


def _enum(choices: list[tuple[str, Any]], **kwargs: Any) -> serializers.ChoiceField:
    # The schema names these enums through SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].
    return enum_field(choices, **kwargs)


class EvidenceSerializer(serializers.ModelSerializer):
    kind = _enum(EvidenceKind.choices, read_only=True)
    added_by = serializers.SerializerMethodField()
    organization: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )
    doubts = serializers.SerializerMethodField()
    has_file = serializers.SerializerMethodField()
    kinship_report = serializers.SerializerMethodField()
    # Empty unless the item is an interview: documented as such.
    interviewee = serializers.ChoiceField(
        choices=Interviewee.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Evidence
        fields = (
            "id", "case", "kind", "title", "supports", "provided_by", "issued_on", "expires_on",
            "on_required_form", "interviewee", "notes", "doubt", "doubts", "has_file",
            "original_name", "content_type", "size", "sha256", "version", "organization",
            "added_by", "added_at", "withdrawn_at", "withdrawn_reason", "kinship_report",
        )  # fmt: skip
        read_only_fields = fields

    def get_added_by(self, obj: Evidence) -> str | None:
        return obj.added_by.get_username() if obj.added_by else None

    def get_doubts(self, obj: Evidence) -> list[str]:
        return vstatus.evidence_doubts(obj)

    def get_has_file(self, obj: Evidence) -> bool:
        return bool(obj.file)

    def get_kinship_report(self, obj: Evidence) -> int | None:
        report = getattr(obj, "kinship", None) if obj.kind == EvidenceKind.DNA else None
        return report.pk if report else None


class EvidenceCreateSerializer(serializers.Serializer):
    kind = _enum(EvidenceKind.choices)
    title = serializers.CharField(max_length=200)
    provided_by = serializers.CharField(max_length=200)
    supports = serializers.ListField(
        child=serializers.ChoiceField(choices=Supports.choices), required=False,
        help_text="What the item supports; defaults to what the kind usually supports.",
    )  # fmt: skip
    issued_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)
    on_required_form = serializers.BooleanField(required=False, allow_null=True, default=None)
    interviewee = serializers.ChoiceField(
        choices=Interviewee.choices, required=False, allow_blank=True
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    file = serializers.FileField(required=False, help_text="JPEG, PNG or PDF (checked by content).")


class EvidenceUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    provided_by = serializers.CharField(max_length=200, required=False)
    supports = serializers.ListField(
        child=serializers.ChoiceField(choices=Supports.choices), required=False
    )
    issued_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)
    on_required_form = serializers.BooleanField(required=False, allow_null=True)
    interviewee = serializers.ChoiceField(
        choices=Interviewee.choices, required=False, allow_blank=True
    )
    notes = serializers.CharField(required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class DoubtSerializer(serializers.Serializer):
    doubt = serializers.CharField(max_length=2000, allow_blank=True)


class DnaImportSerializer(serializers.Serializer):
    profiles = serializers.FileField(help_text="CSV: person_id, locus, allele1, allele2.")
    frequencies = serializers.FileField(
        required=False, help_text="CSV: locus, allele, frequency (the laboratory's database)."
    )
    use_synthetic_frequencies = serializers.BooleanField(
        required=False, default=False,
        help_text="Use the shipped SYNTHETIC database (demo and training only; flagged).",
    )  # fmt: skip
    claimant_profile = serializers.CharField(max_length=64)
    child_profile = serializers.CharField(max_length=64)
    relationship = serializers.CharField(
        max_length=32, required=False, allow_blank=True,
        help_text="Kinship relationship to test; defaults from the claimed relationship.",
    )  # fmt: skip
    theta = serializers.FloatField(required=False, default=0.0)
    mutation_rate = serializers.FloatField(required=False, allow_null=True, default=None)
    provided_by = serializers.CharField(max_length=200, required=False, allow_blank=True)


class KinshipReportSerializer(serializers.ModelSerializer):
    case = serializers.SerializerMethodField()

    class Meta:
        model = KinshipReport
        fields = (
            "id", "evidence", "case", "relationship", "claimant_profile", "child_profile",
            "combined_lr", "log10_lr", "excluded", "verbal", "theta", "mutation_rate",
            "frequency_database", "frequency_database_synthetic", "frequencies_sha256",
            "warnings", "result", "run_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_case(self, obj: KinshipReport) -> str:
        return obj.evidence.case.reference


class DecisionRequestSerializer(serializers.Serializer):
    decision = _enum([("approve", "approve"), ("reject", "reject")])
    evidence = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list,
        help_text="Ids of the evidence the decision relies on (required to approve).",
    )  # fmt: skip
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CountersignRequestSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PanelMemberSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    role = serializers.CharField(max_length=100)


class BidSerializer(serializers.ModelSerializer):
    decision = _enum(BidDecision.choices, read_only=True)
    recorded_by = serializers.SerializerMethodField()
    organization: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )

    class Meta:
        model = BestInterestsDetermination
        fields = (
            "id", "case", "child", "panel", "child_age", "child_views", "child_views_language",
            "child_views_verbatim", "child_not_heard_reason", "risks_family", "risks_journey",
            "options_considered", "decision", "reasons", "decided_on", "recorded_by",
            "organization", "recorded_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_recorded_by(self, obj: BestInterestsDetermination) -> str | None:
        return obj.recorded_by.get_username() if obj.recorded_by else None


class BidRequestSerializer(serializers.Serializer):
    panel = PanelMemberSerializer(many=True)
    decided_on = serializers.DateField(required=False)
    child_views = serializers.CharField(required=False, allow_blank=True, default="")
    child_views_language = serializers.CharField(required=False, allow_blank=True, default="")
    child_views_verbatim = serializers.BooleanField(required=False, default=False)
    child_not_heard_reason = serializers.CharField(required=False, allow_blank=True, default="")
    risks_family = serializers.CharField(required=False, allow_blank=True, default="")
    risks_journey = serializers.CharField(required=False, allow_blank=True, default="")
    options_considered = serializers.ListField(
        child=serializers.CharField(), required=False, default=list
    )
    decision = _enum(BidDecision.choices)
    reasons = serializers.CharField(required=False, allow_blank=True, default="")


# Views -------------------------------------------------------------------------------------


class _Base(ApiMixin, viewsets.ViewSet):
    """Lists here belong to one case (its evidence, its determinations) and come whole."""

    lookup_value_regex = r"\d+"
    model: Any = Case
    # Whole lists, so neither the answers nor the schema are paginated.
    pagination_class = None

    def case(self, pk: Any, act: str = "case.view") -> Case:
        return policy.get_visible_or_404(  # type: ignore[return-value]
            self.request.user, Case.objects.select_related("enquiry", "child", "owner"), pk, act
        )


class CaseVerificationViewSet(_Base):
    """The verification of one case (the case id is the case's numeric id)."""

    model = Case

    @extend_schema(
        summary="Where the verification of a case stands (audited)",
        responses={200: OpenApiTypes.OBJECT, **errors(403, 404)},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        case = self.case(pk)
        log_event(self.acting().audit_actor, "view", "case_verification", case.pk, {"api": True})
        data = vstatus.summary(case)
        if not policy.can(request.user, "evidence.view", case):
            data["checklist"] = []
        if not policy.can(request.user, "bid.view", case):
            data["best_interests"] = None
        return Response(data)

    @extend_schema(
        methods=["GET"], summary="The evidence of a case (audited)",
        responses={200: EvidenceSerializer(many=True), **errors(403, 404)},
    )  # fmt: skip
    @extend_schema(
        methods=["POST"], summary="Add an item of evidence (multipart/form-data, with its file)",
        request={"multipart/form-data": EvidenceCreateSerializer},
        responses={201: EvidenceSerializer, **errors(400, 403, 404)},
    )  # fmt: skip
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request: Request, pk: str) -> Response:
        if request.method == "GET":
            case = self.case(pk, "evidence.view")
            items = list(case.evidence.select_related("added_by", "organization").order_by("pk"))
            log_event(
                self.acting().audit_actor, "list", "evidence", "",
                {"case": case.pk, "ids": [i.pk for i in items]},
            )  # fmt: skip
            return Response(EvidenceSerializer(items, many=True).data)
        case = self.case(pk, "evidence.add")
        serializer = EvidenceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        upload = data.pop("file", None)
        item = actions.add_evidence(self.acting(), case, data, upload)
        return Response(EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Import a DNA test: STR profiles and frequencies (multipart), compute the LR",
        request={"multipart/form-data": DnaImportSerializer},
        responses={201: KinshipReportSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def dna(self, request: Request, pk: str) -> Response:
        case = self.case(pk, "kinship.run")
        serializer = DnaImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        report = actions.import_dna(
            self.acting(), case, profiles=d["profiles"], frequencies=d.get("frequencies"),
            use_synthetic_frequencies=d["use_synthetic_frequencies"],
            claimant_profile=d["claimant_profile"], child_profile=d["child_profile"],
            relationship=d.get("relationship", ""), theta=d["theta"],
            mutation_rate=d["mutation_rate"], provided_by=d.get("provided_by", ""),
        )  # fmt: skip
        return Response(KinshipReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Approve or reject the claimed relationship (four eyes)",
        request=DecisionRequestSerializer,
        responses={201: OpenApiTypes.OBJECT, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def decisions(self, request: Request, pk: str) -> Response:
        case = self.case(pk, "relationship.approve")
        serializer = DecisionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        record = actions.decide_relationship(
            self.acting(), case, d["decision"], evidence_ids=d["evidence"], reason=d["reason"]
        )
        return Response(vstatus._decision_json(record), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The mediator countersigns a verified relationship",
        request=CountersignRequestSerializer,
        responses={201: OpenApiTypes.OBJECT, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def countersign(self, request: Request, pk: str) -> Response:
        case = self.case(pk, "relationship.countersign")
        serializer = CountersignRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = actions.countersign(self.acting(), case, serializer.validated_data["note"])
        return Response(vstatus._decision_json(record), status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], summary="Best-interests determinations of a case, newest first (audited)",
        responses={200: BidSerializer(many=True), **errors(403, 404)},
    )  # fmt: skip
    @extend_schema(
        methods=["POST"], summary="Record a best-interests determination",
        request=BidRequestSerializer, responses={201: BidSerializer, **errors(400, 403, 404)},
    )  # fmt: skip
    @action(
        detail=True, methods=["get", "post"], url_path="best-interests",
        parser_classes=[JSONParser],
    )  # fmt: skip
    def best_interests(self, request: Request, pk: str) -> Response:
        if request.method == "GET":
            case = self.case(pk, "bid.view")
            bids = list(case.bids.select_related("recorded_by", "organization").order_by(
                "-recorded_at", "-pk"))  # fmt: skip
            log_event(
                self.acting().audit_actor, "list", "best_interests", "",
                {"case": case.pk, "ids": [b.pk for b in bids]},
            )  # fmt: skip
            return Response(BidSerializer(bids, many=True).data)
        case = self.case(pk, "bid.record")
        serializer = BidRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bid = actions.record_bid(self.acting(), case, dict(serializer.validated_data))
        return Response(BidSerializer(bid).data, status=status.HTTP_201_CREATED)


class EvidenceViewSet(_Base):
    """One item of evidence."""

    model = Evidence

    def item(self, pk: Any, act: str) -> Evidence:
        try:
            item = Evidence.objects.select_related("added_by", "organization").get(pk=int(pk))
        except (Evidence.DoesNotExist, ValueError, OverflowError) as exc:
            raise Http404("No such record.") from exc
        self.case(item.case_id, act)
        return item

    @extend_schema(
        summary="One item of evidence (audited)",
        responses={200: EvidenceSerializer, **errors(403, 404)},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        item = self.item(pk, "evidence.view")
        log_event(self.acting().audit_actor, "view", "evidence", item.pk)
        return Response(EvidenceSerializer(item).data)

    @extend_schema(
        summary="Change an item's details (its party only); withdraws decisions relying on it",
        request=EvidenceUpdateSerializer,
        responses={200: EvidenceSerializer, **errors(400, 403, 404)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        item = self.item(pk, "evidence.add")
        serializer = EvidenceUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        item = actions.update_evidence(self.acting(), item, dict(serializer.validated_data))
        return Response(EvidenceSerializer(item).data)

    @extend_schema(
        summary="Withdraw an item (its party only); withdraws decisions relying on it",
        request=ReasonSerializer, responses={200: EvidenceSerializer, **errors(400, 403, 404)},
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        item = self.item(pk, "evidence.add")
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = actions.withdraw_evidence(self.acting(), item, serializer.validated_data["reason"])
        return Response(EvidenceSerializer(item).data)

    @extend_schema(
        summary="A verifier records (or clears) a doubt; withdraws decisions relying on it",
        request=DoubtSerializer, responses={200: EvidenceSerializer, **errors(400, 403, 404)},
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def doubt(self, request: Request, pk: str) -> Response:
        item = self.item(pk, "relationship.approve")
        serializer = DoubtSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = actions.flag_evidence(self.acting(), item, serializer.validated_data["doubt"])
        return Response(EvidenceSerializer(item).data)

    @extend_schema(
        summary="Download the item's file (audited)",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **errors(403, 404)},
    )
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str) -> FileResponse:
        item = self.item(pk, "evidence.view")
        if not item.file:
            raise Http404("This item has no file.")
        actions.record_download(self.acting(), item)
        return FileResponse(
            item.file.open("rb"), content_type=item.content_type or "application/octet-stream",
            as_attachment=True, filename=item.original_name or f"evidence-{item.pk}",
        )  # fmt: skip


class KinshipReportViewSet(_Base):
    """A DNA kinship report: per-locus table, combined LR, verbal scale, assumptions."""

    model = KinshipReport

    def report(self, pk: Any) -> KinshipReport:
        try:
            report = KinshipReport.objects.select_related("evidence__case").get(pk=int(pk))
        except (KinshipReport.DoesNotExist, ValueError, OverflowError) as exc:
            raise Http404("No such record.") from exc
        self.case(report.evidence.case_id, "evidence.view")
        return report

    @extend_schema(
        summary="One kinship report (audited)",
        responses={200: KinshipReportSerializer, **errors(403, 404)},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        report = self.report(pk)
        log_event(self.acting().audit_actor, "view", "kinship_report", report.pk)
        return Response(KinshipReportSerializer(report).data)

    @extend_schema(
        summary="The report as PDF (audited)",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **errors(403, 404)},
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str) -> HttpResponse:
        report = self.report(pk)
        pdf = actions.kinship_pdf(self.acting(), report)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="kinship-{report.evidence.case.reference}-{report.pk}.pdf"'
        )
        return response


def register(router: DefaultRouter) -> None:
    """Add the verification viewsets to the API router, under ``verification/``."""
    router.register("verification/cases", CaseVerificationViewSet, basename="api-verification-case")
    router.register("verification/evidence", EvidenceViewSet, basename="api-evidence")
    router.register("verification/kinship", KinshipReportViewSet, basename="api-kinship")
