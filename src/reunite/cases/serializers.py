"""Serializers of the case API: validation and representation only, never saving."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reunite.accounts import policy
from reunite.accounts.models import Organization
from reunite.cases.models import Case, CaseEvent, CaseState, ClosingReason
from reunite.core.api import enum_field
from reunite.registry.serializers import OwnedRecordMixin

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class CaseEventSerializer(serializers.ModelSerializer):
    # Plain strings in the schema, so the case-state enum keeps one name ("state").
    from_state = serializers.CharField(read_only=True, help_text="Empty for the opening event.")
    to_state = serializers.CharField(read_only=True)
    actor: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    organization: serializers.SlugRelatedField[Organization] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )

    class Meta:
        model = CaseEvent
        fields = ("id", "at", "from_state", "to_state", "actor", "organization", "note")
        read_only_fields = fields


class CaseSerializer(OwnedRecordMixin, serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    next_state = serializers.CharField(read_only=True, allow_null=True)
    allowed_transitions = serializers.SerializerMethodField(
        help_text="The states the requesting user may move the case into now."
    )
    timeline = CaseEventSerializer(source="events", many=True, read_only=True)
    # Empty while the case is open: documented as such (an enum without "" was a lie).
    closing_reason = serializers.ChoiceField(
        choices=ClosingReason.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Case
        fields = (
            "id", "reference", "owner", "shared_with", "created_at", "updated_at", "state",
            "state_label", "next_state", "allowed_transitions", "closing_reason", "closed_at",
            "enquiry", "child", "timeline",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_transitions(self, case: Case) -> list[str]:
        request = self.context.get("request")
        return policy.allowed_transitions(request.user, case) if request else []


class CaseCreateSerializer(serializers.Serializer):
    enquiry = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    child = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("enquiry") is None and attrs.get("child") is None:
            message = "A case needs an enquiry or a child."
            raise serializers.ValidationError({"enquiry": message, "child": message})
        return attrs


class CaseLinkSerializer(serializers.Serializer):
    enquiry = serializers.IntegerField(required=False, min_value=1)
    child = serializers.IntegerField(required=False, min_value=1)
    confirm = serializers.BooleanField(
        required=False, default=False,
        help_text="Link even though the records contradict each other (sex, birth years far "
        "apart); without it such a link is refused with the differences under `confirm`.",
    )  # fmt: skip

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not {"enquiry", "child"} & set(attrs):
            message = "Give the child or enquiry to link."
            raise serializers.ValidationError({"enquiry": message, "child": message})
        return attrs


class TransitionSerializer(serializers.Serializer):
    # Every state but the first: a case is never moved back to "registered".
    to_state = enum_field(CaseState.choices[1:])
    closing_reason = enum_field(ClosingReason.choices, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
