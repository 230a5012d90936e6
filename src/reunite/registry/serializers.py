"""Serializers of the REST API: validation and representation only, never saving.

Writes go through ``reunite.registry.actions`` (the viewsets in ``reunite.registry.api``
call them with ``validated_data``), so every change is permission-checked and audited
exactly as on the web screens.

Conventions:

- Partial dates (a child's birth or separation date) are strings ``YYYY-MM-DD``,
  ``YYYY-MM`` or ``YYYY`` (``null`` when unknown), parsed by
  :class:`reunite.interchange.PartialDate`, the same rules as list files.
- A value outside an enumeration is refused with a message naming the allowed values.
- The restricted details (``policy.RESTRICTED_FIELDS``: custodian, institution, current
  location, an enquirer's contact) are removed from the representation unless the
  serializer's context says the reader may see them (``show_restricted``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.db.models import Model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.relations import ManyRelatedField

from reunite.accounts import policy
from reunite.accounts.models import Organization, OrganizationKind
from reunite.core.api import allowed_values_message, enum_field
from reunite.interchange import PartialDate
from reunite.registry import actions
from reunite.registry.ageing import age_out_status
from reunite.registry.models import (
    Attachment,
    Child,
    ChildName,
    Enquiry,
    IdentityDocument,
    PartialDateMixin,
    Person,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

PARTIAL_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
MAX_NAMES = 20
# Free text (notes, circumstances): the same cap as the web forms.
MAX_TEXT = 5000
_TEXT = {"max_length": MAX_TEXT}

# Django model-validation errors come keyed by model field; the API names its own fields.
MODEL_TO_API_FIELD = {
    "__all__": "non_field_errors",
    "birth_date_precision": "birth_date",
    "separation_date_precision": "separation_date",
    "enquirer": "enquirer_id",
}


def _today() -> dt.date:
    return dt.date.today()


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": PARTIAL_DATE_PATTERN,
        "example": "2014-05",
        "description": "YYYY-MM-DD, or YYYY-MM / YYYY when only part is known; null when unknown.",
    }
)
class PartialDateField(serializers.Field):
    """A date known to the day, month or year, stored as (first possible day, precision).

    Reads and writes the model fields ``<name>`` and ``<name>_precision`` together.
    """

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {
        "invalid": "Give the date as a string: YYYY-MM-DD, YYYY-MM or YYYY.",
        "future": "The date is in the future.",
    }

    def __init__(self, date_field: str, **kwargs: Any) -> None:
        self.date_field = date_field
        self.precision_field = f"{date_field}_precision"
        kwargs["source"] = "*"
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is empty:
            return super().validate_empty_values(data)
        return False, data  # null means "unknown", handled in to_internal_value

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if data is None:
            data = ""
        if not isinstance(data, str) or not data.isascii():
            # ASCII only: Python's \d would also take other scripts' digits (e.g. "٢٠١٤").
            self.fail("invalid")
        try:
            value = PartialDate.parse(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
        first = value.to_date()
        if first is not None and first > _today():
            self.fail("future")
        return {self.date_field: first, self.precision_field: value.precision}

    def to_representation(self, instance: Any) -> str | None:
        value = getattr(instance, self.date_field)
        precision = getattr(instance, self.precision_field)
        return PartialDateMixin.format_partial(value, precision) or None


class CountryCodeField(serializers.CharField):
    """An ISO 3166-1 alpha-2 code, upper-cased."""

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {
        "country": '"{input}" is not a two-letter country code (e.g. UA).'
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data).upper()
        if not COUNTRY_CODE.match(text):
            self.fail("country", input=data)
        return text


class EnumMessagesModelSerializer(serializers.ModelSerializer):
    """ModelSerializer whose enum errors name the allowed values."""

    def build_standard_field(
        self, field_name: str, model_field: Any
    ) -> tuple[type, dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if "choices" in kwargs:
            messages = dict(kwargs.get("error_messages") or {})
            messages["invalid_choice"] = allowed_values_message(k for k, _ in kwargs["choices"])
            kwargs["error_messages"] = messages
        return field_class, kwargs


class RegistryModelSerializer(EnumMessagesModelSerializer):
    """An owned record's serializer: restricted details only for readers who may see them.

    ``context["show_restricted"]`` is a callable ``record -> bool`` (normally
    ``policy.can_see_restricted`` bound to the request's user); without it, restricted
    fields are never shown.
    """

    def show_restricted(self, instance: Model) -> bool:
        decide: Callable[[Model], bool] | None = self.context.get("show_restricted")
        return bool(decide and decide(instance))

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.show_restricted(instance):
            for name in policy.RESTRICTED_FIELDS:
                data.pop(name, None)
        return data  # type: ignore[no-any-return]


class OwnedRecordMixin(serializers.Serializer):
    """Owner and sharing, read-only, as organisation short names."""

    owner: serializers.SlugRelatedField[Organization] = serializers.SlugRelatedField(
        slug_field="short_name", read_only=True
    )
    # many=True: DRF's SlugRelatedField.__new__ returns a ManyRelatedField around it.
    shared_with: serializers.RelatedField[Organization, str, str] | ManyRelatedField = (
        serializers.SlugRelatedField(slug_field="short_name", read_only=True, many=True)
    )


RESTRICTED_HELP = " Shown only to roles that need it (caseworker, coordinator, transfer officer)."
OWNED_READ_ONLY = (
    "id", "owner", "shared_with", "created_at", "updated_at", "display_name",
    # Optimistic locking: also sent as the ETag; send it back as If-Match when changing.
    "version",
)  # fmt: skip


# Organisations ------------------------------------------------------------------------------


class OrganizationSerializer(serializers.ModelSerializer):
    # A plain string in the schema: an enum here would collide with attachments' "kind".
    kind = serializers.CharField(
        read_only=True,
        help_text="One of: " + ", ".join(OrganizationKind.values) + ".",
    )

    class Meta:
        model = Organization
        fields = ("id", "short_name", "name", "kind", "country")
        read_only_fields = fields


# Persons ------------------------------------------------------------------------------------


class PersonSerializer(OwnedRecordMixin, RegistryModelSerializer):
    display_name = serializers.CharField(read_only=True)
    other_names = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, max_length=20
    )

    class Meta:
        model = Person
        fields = (*OWNED_READ_ONLY, *actions.PERSON_FIELDS)
        read_only_fields = OWNED_READ_ONLY
        extra_kwargs = {
            "contact": {"help_text": "How to reach the person." + RESTRICTED_HELP},
            "notes": _TEXT,
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.root.instance is None and not (
            attrs.get("surname") or attrs.get("given_name") or attrs.get("full_name")
        ):
            raise serializers.ValidationError(
                {"surname": "Give the person's surname, given name or full name."}
            )
        birth = attrs.get("birth_date")
        if birth and birth > _today():
            raise serializers.ValidationError({"birth_date": "The date is in the future."})
        return attrs


# Children -----------------------------------------------------------------------------------


class ChildNameSerializer(EnumMessagesModelSerializer):
    class Meta:
        model = ChildName
        fields = actions.NAME_FIELDS


class IdentityDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = IdentityDocument
        fields = ("id", "kind", "number", "issuing_country", "issued_on")
        read_only_fields = fields


class IdentityDocumentCreateSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=60, help_text="Birth certificate, passport, …")
    number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    issuing_country = CountryCodeField(required=False, allow_blank=True)
    issued_on = serializers.DateField(required=False, allow_null=True)

    def validate_issued_on(self, value: dt.date | None) -> dt.date | None:
        if value and value > _today():
            raise serializers.ValidationError("The date is in the future.")
        return value

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        return {k: v for k, v in value.items() if v is not None}


class AttachmentSerializer(serializers.ModelSerializer):
    """A file's description and checksum; the bytes are never sent through the API."""

    uploaded_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    # A plain string here (the upload request carries the enum): a choice set used in one
    # component only keeps a stable enum name when other apps also have a field "kind".
    kind = serializers.CharField(
        read_only=True, help_text="One of: " + ", ".join(Attachment.Kind.values) + "."
    )

    class Meta:
        model = Attachment
        fields = (
            "id", "kind", "description", "original_name", "content_type", "size", "sha256",
            "uploaded_at", "uploaded_by",
        )  # fmt: skip
        read_only_fields = fields


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="JPEG, PNG or PDF; at most 10 MB.")
    kind = enum_field(Attachment.Kind.choices)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AgeOutSerializer(serializers.Serializer):
    adult_on = serializers.DateField(help_text="The earliest date the child may turn 18.")
    already_adult = serializers.BooleanField()


class ChildSerializer(OwnedRecordMixin, RegistryModelSerializer):
    display_name = serializers.CharField(read_only=True)
    # The stubs' BaseSerializer.__init__ lacks the ListSerializer arguments many=True passes on.
    names = ChildNameSerializer(  # type: ignore[call-arg]
        many=True, max_length=MAX_NAMES,  # an empty list is refused in validate_names
        help_text="All the child's names (aliases); the first is primary unless one says so. "
        "On update, the list replaces the stored names.",
    )  # fmt: skip
    birth_date = PartialDateField("birth_date")
    separation_date = PartialDateField("separation_date")
    estimated_age = serializers.IntegerField(
        min_value=0, max_value=25, required=False, allow_null=True,
        help_text="Years, when the birth date is unknown.",
    )  # fmt: skip
    estimated_age_on = serializers.DateField(
        required=False, allow_null=True,
        help_text="When the age was estimated (today, if an estimated age is given without it).",
    )  # fmt: skip
    citizenships = serializers.ListField(child=CountryCodeField(), required=False, max_length=10)
    altered_fields = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=20,
        help_text="Which personal details were changed after separation (e.g. name, birth_date).",
    )  # fmt: skip
    identity_documents = IdentityDocumentSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    age_out = serializers.SerializerMethodField(
        help_text="Set when the child turns 18 within the warning window or is already 18."
    )

    class Meta:
        model = Child
        fields = (
            *OWNED_READ_ONLY, "names",
            *(f for f in actions.CHILD_FIELDS if not f.endswith("_precision")),
            "age_out", "identity_documents", "attachments",
        )  # fmt: skip
        read_only_fields = OWNED_READ_ONLY
        extra_kwargs = {
            **{
                name: {"help_text": f"{name.replace('_', ' ').capitalize()}." + RESTRICTED_HELP}
                for name in ("custodian", "institution", "current_location")
            },
            "notes": _TEXT,
        }

    @extend_schema_field(AgeOutSerializer(allow_null=True))
    def get_age_out(self, child: Child) -> dict[str, Any] | None:
        status = age_out_status(child)
        if status is None:
            return None
        return {"adult_on": status.adult_on, "already_adult": status.already_adult}

    def validate_names(self, names: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not any(n.get("surname") or n.get("given_name") or n.get("full_name") for n in names):
            raise serializers.ValidationError(
                "Give at least one name (a surname, given name or full name)."
            )
        if sum(1 for n in names if n.get("is_primary")) > 1:
            raise serializers.ValidationError("Only one name can be primary.")
        return names

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("estimated_age") is not None and not attrs.get("estimated_age_on"):
            attrs["estimated_age_on"] = _today()
        on = attrs.get("estimated_age_on")
        if on and on > _today():
            raise serializers.ValidationError({"estimated_age_on": "The date is in the future."})
        return attrs

    @staticmethod
    def split(validated: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
        """The validated data as (child fields for the actions, names or None)."""
        data = dict(validated)
        names = data.pop("names", None)
        return data, [dict(n) for n in names] if names is not None else None


# Enquiries ----------------------------------------------------------------------------------


class EnquirerSerializer(PersonSerializer):
    """The person making the enquiry, nested in it."""

    class Meta(PersonSerializer.Meta):
        ref_name = "Enquirer"

    def to_representation(self, instance: Any) -> dict[str, Any]:
        # Whether the contact shows depends on the enquiry (set by EnquirySerializer).
        data = serializers.ModelSerializer.to_representation(self, instance)
        if not self.context.get("_show_enquirer_contact"):
            data.pop("contact", None)
        return data  # type: ignore[no-any-return]


class EnquirySerializer(OwnedRecordMixin, RegistryModelSerializer):
    display_name = serializers.CharField(read_only=True)
    enquirer = EnquirerSerializer(
        required=False,
        help_text="The person asking. On create give either this or enquirer_id; on update, "
        "the fields given here change the enquirer's record.",
    )
    enquirer_id = serializers.IntegerField(
        required=False, write_only=True,
        help_text="An existing person record of your organisation as the enquirer (create only).",
    )  # fmt: skip
    other_names = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, max_length=20,
        help_text="Other names or spellings the child may be known by.",
    )  # fmt: skip
    birth_date = PartialDateField("birth_date")
    separation_date = PartialDateField("separation_date")
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Enquiry
        fields = (
            *OWNED_READ_ONLY, "enquirer", "enquirer_id",
            *(f for f in actions.ENQUIRY_FIELDS if not f.endswith("_precision")),
            "attachments",
        )  # fmt: skip
        read_only_fields = OWNED_READ_ONLY
        # Required on create, checked in validate() so all missing fields are named at once.
        extra_kwargs = {
            "enquirer_relationship": {"required": False},
            "notes": _TEXT,
            "circumstances": _TEXT,
        }

    def to_representation(self, instance: Any) -> dict[str, Any]:
        # The stubs type the context read-only; DRF keeps the dict the root was given, and
        # the nested enquirer serializer reads it from there.
        context = cast(dict[str, Any], self.context)
        context["_show_enquirer_contact"] = self.show_restricted(instance)
        try:
            return super().to_representation(instance)
        finally:
            context.pop("_show_enquirer_contact", None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        if self.instance is None:
            if ("enquirer" in attrs) == ("enquirer_id" in attrs):
                errors["enquirer"] = "Give either the enquirer's details or enquirer_id."
            if "enquirer_relationship" not in attrs:
                errors["enquirer_relationship"] = "This field is required."
            if not (attrs.get("surname") or attrs.get("given_name") or attrs.get("full_name")):
                errors["surname"] = (
                    "Give at least the sought child's surname, given name or full name."
                )
        elif "enquirer_id" in attrs:
            errors["enquirer_id"] = "The enquirer cannot be replaced; change its details instead."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    @staticmethod
    def split(
        validated: dict[str, Any],
    ) -> tuple[dict[str, Any], dict[str, Any] | None, int | None]:
        """The validated data as (enquiry fields, enquirer fields or None, enquirer id or None)."""
        data = dict(validated)
        enquirer = data.pop("enquirer", None)
        enquirer_id = data.pop("enquirer_id", None)
        return data, dict(enquirer) if enquirer is not None else None, enquirer_id


# Sharing, tokens, the current user --------------------------------------------------------


class ShareSerializer(serializers.Serializer):
    organization = serializers.SlugRelatedField(
        slug_field="short_name", queryset=Organization.objects.all(),
        help_text="The short name of the organisation to share the record with.",
        error_messages={"does_not_exist": 'No organisation with short name "{value}".'},
    )  # fmt: skip


class SharedWithSerializer(serializers.Serializer):
    owner = serializers.CharField()
    shared_with = serializers.ListField(child=serializers.CharField())


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    otp = serializers.CharField(
        max_length=16, required=False, allow_blank=True,
        help_text="The code from your authenticator app (or a recovery code): required for "
        "every role that sees child data.",
    )  # fmt: skip
    password = serializers.CharField(
        max_length=1024, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    username = serializers.CharField()
    organization = serializers.CharField()
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    organization = OrganizationSerializer()
    role = serializers.CharField()
    permissions = serializers.ListField(child=serializers.CharField())


class HistoryEventSerializer(serializers.Serializer):
    """One audited change of a record, as the record's history shows it."""

    sequence = serializers.IntegerField(help_text="Position in the audit chain.")
    at = serializers.DateTimeField()
    action = serializers.CharField(help_text="create, update, share, transition, …")
    actor = serializers.CharField(source="actor_username")
    organization = serializers.CharField()
    changes = serializers.JSONField(
        help_text='Changed fields as {"field": [before, after]}; restricted details read '
        '"(restricted)" for roles that may not see them.'
    )
