"""REST API of the registry: children, tracing requests, persons (DRF + drf-spectacular).

The API follows the same rules as the web screens, from the same places:

- *Who may see or do what* is asked of ``reunite.accounts.policy`` and nothing else.
  Lists go through ``policy.visible``; one record is looked up with
  ``policy.get_visible_or_404``: a record the caller's organisation cannot see is
  "not found" (404, the same body as a record that does not exist), a visible record the
  caller's role may not act on is "forbidden" (403).
- *Every write* goes through ``reunite.registry.actions``, which checks the policy again
  and writes the audit event in the same transaction. Django ``ValidationError`` from an
  action becomes a 400 naming each invalid field, ``PermissionDenied`` a 403.
- *Every read* of registry records is audited: lists with ``actions.record_list`` (the
  ids on the page and the filters used), single records with ``actions.record_view``
  (noting whether the restricted details were shown). Refused requests (403) of members
  are audited as ``denied``.
- The restricted details (``policy.RESTRICTED_FIELDS``) appear only in single-record
  responses and only for roles with ``policy.can_see_restricted``; lists never carry
  them, like the web lists.

Authentication, pagination and the error format are the API's one style,
``reunite.core.api``. Authentication is a DRF token (``POST /api/token/``) or the web
session (with CSRF).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any, cast

from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from reunite.accounts import policy
from reunite.accounts.authentication import ExpiringTokenAuthentication
from reunite.accounts.models import Organization
from reunite.audit.models import AuditEvent
from reunite.core import tokens
from reunite.core.api import (
    IF_MATCH,
    INVALID,
    ApiMixin,
    ErrorSerializer,
    MemberPermission,
    PreconditionFailed,
    errors,
)
from reunite.core.two_factor import check_second_factor
from reunite.registry import actions
from reunite.registry.ageing import ageing_out
from reunite.registry.models import (
    Child,
    Enquiry,
    LegalStatus,
    Person,
    Sex,
)
from reunite.registry.search import filter_by_name
from reunite.registry.serializers import (
    MODEL_TO_API_FIELD,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    ChildNameSerializer,
    ChildSerializer,
    EnquirySerializer,
    HistoryEventSerializer,
    IdentityDocumentCreateSerializer,
    IdentityDocumentSerializer,
    MeSerializer,
    OrganizationSerializer,
    PersonSerializer,
    SharedWithSerializer,
    ShareSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    enum_field,
)

MAX_QUERY_CHARS = 200
# Newest events a record's history shows (the full trail is in the audit log).
MAX_HISTORY_EVENTS = 500
# Audit actions that are reads or refusals, not changes: left out of a record's history.
NOT_HISTORY = ("view", "list", "denied", "download")

def _record_schemas(
    serializer: type[serializers.Serializer],
    filters: type[serializers.Serializer],
    noun: str,
    plural: str,
    create_examples: list[OpenApiExample] | None = None,
) -> dict[str, Any]:
    """The schema of a record viewset's standard actions, with their error responses."""
    return {
        "list": extend_schema(
            summary=f"List {plural} (audited)", parameters=[filters],
            responses={200: serializer(many=True), **errors(400, 403)},
        ),
        "retrieve": extend_schema(
            summary=f"One {noun} (audited)", responses={200: serializer, **errors(403, 404)}
        ),
        "create": extend_schema(
            summary=f"Register a {noun}", examples=create_examples or [],
            responses={201: serializer, **errors(400, 403)},
        ),
        "update": extend_schema(
            summary=f"Replace a {noun}'s details", parameters=[IF_MATCH],
            responses={200: serializer, **errors(400, 403, 404, 412)},
        ),
        "partial_update": extend_schema(
            summary=f"Change some of a {noun}'s details", parameters=[IF_MATCH],
            responses={200: serializer, **errors(400, 403, 404, 412)},
        ),
        "destroy": extend_schema(
            summary=f"Delete a {noun} record", responses={204: None, **errors(400, 403, 404)}
        ),
    }  # fmt: skip


def bool_param(**kwargs: Any) -> serializers.BooleanField:
    return serializers.BooleanField(required=False, allow_null=True, default=None, **kwargs)


class RecordViewSet(ApiMixin, viewsets.GenericViewSet):
    """Common list/retrieve/create/update/delete/share for an owned registry record."""

    model: type[Model]
    api_field_names = MODEL_TO_API_FIELD
    filter_serializer: type[serializers.Serializer] | None = None
    lookup_value_regex = r"\d+"
    list_order: tuple[str, ...] = ("pk",)

    @property
    def object_type(self) -> str:
        return self.model._meta.model_name or ""

    def base_queryset(self) -> QuerySet:
        return self.model._default_manager.all()

    def get_queryset(self) -> QuerySet:
        return policy.visible(self.request.user, self.base_queryset())

    def get_record(self, action_name: str) -> Any:
        return policy.get_visible_or_404(
            self.request.user, self.base_queryset(), self.kwargs["pk"], action_name
        )

    def get_object(self) -> Any:
        # Used by the browsable API's forms: the same lookup as every action.
        return self.get_record(f"{self.object_type}.view")

    def serializer_for(self, instance: Any, *, restricted: bool | None, **kwargs: Any) -> Any:
        """A serializer that shows restricted details when ``restricted`` is true."""
        decide: Callable[[Model], bool] | None = None
        if restricted:
            decide = partial(policy.can_see_restricted, self.request.user)
        context = {**self.get_serializer_context(), "show_restricted": decide}
        return self.get_serializer_class()(instance, context=context, **kwargs)

    def detail_response(self, record: Model, code: int = status.HTTP_200_OK) -> Response:
        record = self.base_queryset().get(pk=record.pk)
        restricted = policy.can_see_restricted(self.request.user, record)
        response = Response(self.serializer_for(record, restricted=restricted).data, status=code)
        return self.with_etag(response, record)

    # Optimistic locking ----------------------------------------------------------------------

    def etag_of(self, record: Model) -> str | None:
        """The record's version as an HTTP entity tag (None for records without one)."""
        version = getattr(record, "version", None)
        return None if version is None else f'"{version}"'

    def with_etag(self, response: Response, record: Model) -> Response:
        etag = self.etag_of(record)
        if etag:
            response["ETag"] = etag
        return response

    def check_if_match(self, record: Model) -> bool:
        """Refuse (412) a change based on an older copy; True if the client named a version.

        Without If-Match the change is applied to the record as stored (the API stays usable
        by simple clients); the audit trail shows every change either way.
        """
        header = self.request.headers.get("If-Match", "").strip()
        current = self.etag_of(record)
        if not header or header == "*" or current is None:
            return False
        tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
        if current not in tags:
            raise PreconditionFailed(current)
        return True

    # Filters ---------------------------------------------------------------------------------

    def filter_list(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        return queryset

    def list_filters(self) -> tuple[dict[str, Any], str]:
        """The validated query parameters, and a text of them for the audit event."""
        if self.filter_serializer is None:
            return {}, ""
        serializer = self.filter_serializer(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        params = {k: v for k, v in serializer.validated_data.items() if v not in (None, "")}
        text = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        return params, text

    # Actions ---------------------------------------------------------------------------------

    def list(self, request: Request) -> Response:
        policy.require(request.user, f"{self.object_type}.view")
        params, query_text = self.list_filters()
        queryset = self.filter_list(self.get_queryset(), params).order_by(*self.list_order)
        page = self.paginate_queryset(queryset)
        records = list(page) if page is not None else list(queryset)
        actions.record_list(self.acting(), self.object_type, [r.pk for r in records], query_text)
        data = self.serializer_for(records, restricted=False, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, pk: str) -> Response:
        record = self.get_record(f"{self.object_type}.view")
        restricted = policy.can_see_restricted(request.user, record)
        actions.record_view(self.acting(), record, restricted_shown=restricted)
        response = Response(self.serializer_for(record, restricted=restricted).data)
        return self.with_etag(response, record)

    def destroy(self, request: Request, pk: str) -> Response:
        record = self.get_record(f"{self.object_type}.delete")
        self.delete_record(record)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def delete_record(self, record: Any) -> None:
        raise NotImplementedError

    def check_restricted_write(self, record: Model, data: dict[str, Any]) -> None:
        """Refuse changing a restricted detail the caller may not even see."""
        touched = policy.RESTRICTED_FIELDS & set(data)
        if touched and not policy.can_see_restricted(self.request.user, record):
            raise DjangoPermissionDenied("Your role does not allow changing these details.")

    @extend_schema(
        summary="Share the record with another organisation",
        request=ShareSerializer,
        responses={200: SharedWithSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: str) -> Response:
        record = self.get_record("record.share")
        serializer = ShareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.share_record(self.acting(), record, serializer.validated_data["organization"])
        record = self.base_queryset().get(pk=record.pk)
        return Response(
            {
                "owner": record.owner.short_name,
                "shared_with": sorted(o.short_name for o in record.shared_with.all()),
            }
        )

    @extend_schema(
        summary="The record's change history, newest first (audited as a view)",
        responses={200: HistoryEventSerializer(many=True), **errors(403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk: str) -> Response:
        record = self.get_record(f"{self.object_type}.view")
        restricted = policy.can_see_restricted(request.user, record)
        actions.record_view(self.acting(), record, restricted_shown=restricted)
        events = (
            AuditEvent.objects.filter(object_type=self.object_type, object_id=str(record.pk))
            .exclude(action__in=NOT_HISTORY)
            .order_by("-sequence")[:MAX_HISTORY_EVENTS]
        )
        rows = []
        for event in events:
            changes = event.changes if isinstance(event.changes, dict) else {}
            if not restricted:
                changes = {
                    name: ["(restricted)", "(restricted)"]
                    if name in policy.RESTRICTED_FIELDS else values
                    for name, values in changes.items()
                }  # fmt: skip
            rows.append(
                {
                    "sequence": event.sequence, "at": event.at, "action": event.action,
                    "actor_username": event.actor_username,
                    "organization": event.organization, "changes": changes,
                }
            )  # fmt: skip
        return Response(HistoryEventSerializer(rows, many=True).data)


class AttachmentUploadMixin:
    """``POST /<records>/{id}/attachments/``: add a photo or document (multipart)."""

    @extend_schema(
        summary="Attach a photo or document (multipart/form-data)",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request: Request, pk: str) -> Response:
        record = self.get_record("attachment.add")  # type: ignore[attr-defined]
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        attachment = actions.add_attachment(
            self.acting(), record, data["file"], data["kind"],  # type: ignore[attr-defined]
            data.get("description", ""),
        )  # fmt: skip
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


# Children ----------------------------------------------------------------------------------


class ChildFilter(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_QUERY_CHARS,
        help_text="Name search: every word must match one of the child's names "
        "(script-, spelling- and diminutive-independent when the names engine is installed).",
    )  # fmt: skip
    sex = enum_field(Sex.choices, required=False, allow_blank=True)
    legal_status = enum_field(LegalStatus.choices, required=False, allow_blank=True)
    consent = bool_param(help_text="Consent for tracing given (true) or not (false).")
    altered = bool_param(help_text="Only children whose personal status was altered.")
    ageing_out = bool_param(help_text="Only children turning 18 soon or already 18.")


@extend_schema_view(**_record_schemas(ChildSerializer, ChildFilter, "child", "children"))
class ChildViewSet(AttachmentUploadMixin, RecordViewSet):
    """Children known to be in someone's care, with their names (aliases)."""

    model = Child
    serializer_class = ChildSerializer
    filter_serializer = ChildFilter
    queryset = Child.objects.none()  # for the schema; requests use get_queryset()

    def base_queryset(self) -> QuerySet:
        return Child.objects.select_related("owner").prefetch_related(
            "names", "identity_documents", "attachments__uploaded_by", "shared_with"
        )

    def filter_list(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        if params.get("q"):
            queryset = filter_by_name(queryset, params["q"])
        if params.get("sex") is not None:
            queryset = queryset.filter(sex=params["sex"])
        if params.get("legal_status"):
            queryset = queryset.filter(legal_status=params["legal_status"])
        if params.get("consent") is not None:
            queryset = queryset.filter(consent_for_tracing=params["consent"])
        if params.get("altered") is not None:
            queryset = queryset.filter(personal_status_altered=params["altered"])
        if params.get("ageing_out"):
            queryset = queryset.filter(pk__in=[w.child.pk for w in ageing_out(queryset)])
        return queryset

    def create(self, request: Request) -> Response:
        policy.require(request.user, "child.create")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, names = ChildSerializer.split(serializer.validated_data)
        child = actions.create_child(self.acting(), fields, names or [])
        return self.detail_response(child, status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        child = self.get_record("child.change")
        serializer = self.get_serializer(child, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields, names = ChildSerializer.split(serializer.validated_data)
        self.check_restricted_write(child, fields)
        expected = child.version if self.check_if_match(child) else None
        child = actions.update_child(
            self.acting(), child, fields, names, expected_version=expected
        )
        return self.detail_response(child)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=True)

    def delete_record(self, record: Any) -> None:
        actions.delete_child(self.acting(), record)

    @extend_schema(
        summary="Add one name (alias) to the child, keeping all others",
        description="Safe to call from several clients at once: every name sent is kept. "
        "(Replacing `names` with PUT/PATCH needs `If-Match` for the same guarantee.)",
        request=ChildNameSerializer,
        responses={201: ChildSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="names")
    def add_name(self, request: Request, pk: str) -> Response:
        child = self.get_record("child.change")
        body = ChildNameSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        child = actions.add_child_name(self.acting(), child, dict(body.validated_data))
        return self.detail_response(child, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record an identity document of the child",
        request=IdentityDocumentCreateSerializer,
        responses={201: IdentityDocumentSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="identity-documents")
    def identity_documents(self, request: Request, pk: str) -> Response:
        child = self.get_record("child.change")
        serializer = IdentityDocumentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = actions.add_identity_document(
            self.acting(), child, dict(serializer.validated_data)
        )
        return Response(IdentityDocumentSerializer(document).data, status=status.HTTP_201_CREATED)


# Persons -----------------------------------------------------------------------------------


class PersonFilter(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_QUERY_CHARS,
        help_text="Part of the surname, given name, patronymic or full name.",
    )  # fmt: skip


@extend_schema_view(**_record_schemas(PersonSerializer, PersonFilter, "person", "persons"))
class PersonViewSet(RecordViewSet):
    """Parents, relatives, guardians and enquirers."""

    model = Person
    serializer_class = PersonSerializer
    filter_serializer = PersonFilter
    queryset = Person.objects.none()
    list_order = ("surname", "given_name", "pk")

    def base_queryset(self) -> QuerySet:
        return Person.objects.select_related("owner").prefetch_related("shared_with")

    def filter_list(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        # SQLite compares only ASCII letters case-insensitively, so the usual spellings of a
        # word (as typed, lower, capitalised, upper) are tried; PostgreSQL needs just one.
        for word in (params.get("q") or "").split()[:8]:
            condition = Q()
            for variant in {word, word.lower(), word.capitalize(), word.upper()}:
                for name in ("surname", "given_name", "patronymic", "full_name"):
                    condition |= Q(**{f"{name}__icontains": variant})
            queryset = queryset.filter(condition)
        return queryset

    def create(self, request: Request) -> Response:
        policy.require(request.user, "person.create")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = actions.create_person(self.acting(), dict(serializer.validated_data))
        return self.detail_response(person, status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        person = self.get_record("person.change")
        serializer = self.get_serializer(person, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        self.check_restricted_write(person, fields)
        expected = person.version if self.check_if_match(person) else None
        person = actions.update_person(self.acting(), person, fields, expected_version=expected)
        return self.detail_response(person)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=True)

    def delete_record(self, record: Any) -> None:
        actions.delete_person(self.acting(), record)


# Enquiries ---------------------------------------------------------------------------------


class EnquiryFilter(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_QUERY_CHARS,
        help_text="Name search over the sought child's names (as for children).",
    )  # fmt: skip


_ENQUIRY_EXAMPLE = OpenApiExample(
    "A mother's tracing request",
    request_only=True,
    value={
        "enquirer": {"surname": "Ткаченко", "given_name": "Оксана", "contact": "+380 00 000 0000"},
        "enquirer_relationship": "mother",
        "surname": "Ткаченко",
        "given_name": "Максим",
        "birth_date": "2014-05",
        "separation_place": "Mariupol",
        "consent_for_tracing": True,
    },
)


@extend_schema_view(
    **_record_schemas(
        EnquirySerializer,
        EnquiryFilter,
        "tracing request",
        "tracing requests",
        create_examples=[_ENQUIRY_EXAMPLE],
    )
)
class EnquiryViewSet(AttachmentUploadMixin, RecordViewSet):
    """Tracing requests: who seeks whom, with the child's details as the family gives them."""

    model = Enquiry
    serializer_class = EnquirySerializer
    filter_serializer = EnquiryFilter
    queryset = Enquiry.objects.none()
    list_order = ("-pk",)

    def base_queryset(self) -> QuerySet:
        return Enquiry.objects.select_related("owner", "enquirer__owner").prefetch_related(
            "shared_with", "enquirer__shared_with", "attachments__uploaded_by"
        )

    def filter_list(self, queryset: QuerySet, params: dict[str, Any]) -> QuerySet:
        if params.get("q"):
            queryset = filter_by_name(queryset, params["q"])
        return queryset

    def create(self, request: Request) -> Response:
        policy.require(request.user, "enquiry.create")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, enquirer, enquirer_id = EnquirySerializer.split(serializer.validated_data)
        if enquirer_id is not None:
            person = lookup_visible(request, Person, enquirer_id, "enquirer_id")
            if not policy.can(request.user, "person.change", person):
                raise exceptions.ValidationError(
                    {"enquirer_id": ["Name a person record your organisation owns."]}
                )
            enquiry = actions.create_enquiry(self.acting(), fields, person)
        else:
            enquiry = actions.create_enquiry(self.acting(), fields, enquirer or {})
        return self.detail_response(enquiry, status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        enquiry = self.get_record("enquiry.change")
        serializer = self.get_serializer(enquiry, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields, enquirer, _enquirer_id = EnquirySerializer.split(serializer.validated_data)
        if enquirer:
            self.check_restricted_write(enquiry, enquirer)
        named = self.check_if_match(enquiry)
        with transaction.atomic():  # both records change, or neither
            if fields:
                enquiry = actions.update_enquiry(
                    self.acting(), enquiry, fields,
                    expected_version=enquiry.version if named else None,
                )  # fmt: skip
            if enquirer:
                actions.update_person(
                    self.acting(), enquiry.enquirer, enquirer,
                    expected_version=enquiry.enquirer.version if named else None,
                )  # fmt: skip
        return self.detail_response(enquiry)

    def etag_of(self, record: Model) -> str | None:
        # The enquirer's details are edited through the enquiry: both versions count.
        enquiry = cast(Enquiry, record)
        return f'"{enquiry.version}.{enquiry.enquirer.version}"'

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=True)

    def delete_record(self, record: Any) -> None:
        actions.delete_enquiry(self.acting(), record)


def lookup_visible(
    request: Request, model: type[Child] | type[Enquiry] | type[Person], pk: Any, field: str
) -> Any:
    """A visible record named in a request body; otherwise a 400 naming the field.

    The message is the same whether the record does not exist or is not visible.
    """
    name = model._meta.model_name
    try:
        return policy.get_visible_or_404(request.user, model.objects.all(), pk, f"{name}.view")
    except Http404:
        message = f"No {name} record {pk} is visible to you."
        raise exceptions.ValidationError({field: [message]}) from None


# Organisations, the current user, tokens ---------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Organisations (to share records with)",
        responses={200: OrganizationSerializer(many=True), **errors(403)},
    ),
    retrieve=extend_schema(
        summary="One organisation", responses={200: OrganizationSerializer, **errors(403, 404)}
    ),
)
class OrganizationViewSet(ApiMixin, viewsets.ReadOnlyModelViewSet):
    """The parties to the process. Not registry data; not audited."""

    permission_classes = (MemberPermission,)
    serializer_class = OrganizationSerializer
    queryset = Organization.objects.order_by("short_name")
    lookup_value_regex = r"\d+"


class MeView(ApiMixin, APIView):
    permission_classes = (MemberPermission,)

    @extend_schema(
        summary="Who am I: organisation, role and permissions",
        responses={200: MeSerializer, **errors(403)},
    )
    def get(self, request: Request) -> Response:
        membership = policy.membership_of(request.user)
        assert membership is not None  # MemberPermission
        user = request.user
        every_action = sorted(set().union(*policy.ROLE_PERMISSIONS.values()))
        return Response(
            MeSerializer(
                {
                    "username": user.get_username(),
                    "organization": membership.organization,
                    "role": membership.role,
                    "permissions": [a for a in every_action if policy.has_permission(user, a)],
                }
            ).data
        )


class TokenRateThrottle(AnonRateThrottle):
    """At most ten token requests a minute from one address (password guessing).

    Without ``NUM_PROXIES`` in the REST_FRAMEWORK settings, DRF would take the whole
    ``X-Forwarded-For`` header as the address, which any client can set to a new value on
    every try; here the socket address is used instead. Behind a reverse proxy, set
    ``NUM_PROXIES`` so that the client's address is read from the proxy's header.
    """

    scope = "api-token"
    rate = "10/min"

    def get_ident(self, request: Request) -> str:
        if api_settings.NUM_PROXIES is None:
            return str(request.META.get("REMOTE_ADDR", ""))
        return str(super().get_ident(request))


class TokenUsernameThrottle(SimpleRateThrottle):
    """At most ten token requests a minute for one username, from anywhere."""

    scope = "api-token-username"
    rate = "10/min"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not username:
            return None
        digest = hashlib.sha256(username.casefold().encode("utf-8")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


class TokenView(APIView):
    """Obtain (POST, with username and password) or revoke (DELETE) an API token."""

    authentication_classes = (ExpiringTokenAuthentication,)
    throttle_classes = (TokenRateThrottle, TokenUsernameThrottle)

    def get_permissions(self) -> list[Any]:
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        summary="Obtain an API token (audited as a login)",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: INVALID, 429: ErrorSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # authenticate() sends user_login_failed on a bad password: audited as login_failed.
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": ["Unable to log in with the given username and password."]}
            )
        membership = policy.membership_of(user)
        if membership is None:
            raise exceptions.ValidationError(
                {"non_field_errors": ["This account does not belong to an organisation."]}
            )
        check_second_factor(request._request, user, data.get("otp") or "")
        token = tokens.issue(user)
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response(
            {
                "token": token.key,
                "username": user.get_username(),
                "organization": membership.organization.short_name,
                "role": membership.role,
            }
        )

    @extend_schema(
        summary="Revoke your API token (audited as a logout)",
        responses={204: None, 401: ErrorSerializer},
    )
    def delete(self, request: Request) -> Response:
        user = request.user
        assert not isinstance(user, AnonymousUser)  # get_permissions: IsAuthenticated
        Token.objects.filter(user=user).delete()
        user_logged_out.send(sender=user.__class__, request=request._request, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: DefaultRouter) -> None:
    """Add the registry's viewsets to the router (URL names start with ``api-``)."""
    router.register("children", ChildViewSet, basename="api-child")
    router.register("enquiries", EnquiryViewSet, basename="api-enquiry")
    router.register("persons", PersonViewSet, basename="api-person")
    router.register("organizations", OrganizationViewSet, basename="api-organization")
