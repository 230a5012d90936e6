"""The one style of Reunite's REST API, shared by every app's ``api.py``.

Every app registers its viewsets on one router mounted at ``/api/`` (see
``reunite.config.api_urls``), and every viewset derives from :class:`ApiMixin`, so all
endpoints have

- the same authentication: a DRF token first (an anonymous request gets 401 with
  ``WWW-Authenticate: Token``), then the web session (with CSRF);
- the same pagination: ``?limit=`` (default 50, at most 200) and ``?offset=``;
- the same error format: a 400 maps each invalid field to a list of messages (problems not
  tied to one field are under ``non_field_errors``); 401/403/404 are ``{"detail": "…"}``.
  A Django ``ValidationError`` raised by an action becomes such a 400, a
  ``PermissionDenied`` a 403;
- the same audit of refusals: a member's 403 is audited as ``denied``, and so is a 404 for
  a record id (``reason: not found``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
)
from rest_framework.pagination import BasePagination, LimitOffsetPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from reunite.accounts import policy
from reunite.accounts.authentication import ExpiringTokenAuthentication
from reunite.audit.log import log_event
from reunite.core.acting import Acting
from reunite.core.locking import StaleRecord

# Error bodies and their schema -------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """401/403/404 body."""

    detail = serializers.CharField()


INVALID = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Invalid input: each invalid field maps to a list of messages "
    '(e.g. `{"birth_date": ["\'2014-13\' is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)"]}`); '
    "problems not tied to one field are under `non_field_errors`.",
)
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Your role may not do this.")
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description="No such record, or not visible to your organisation."
)
UNAUTHENTICATED = OpenApiResponse(ErrorSerializer, description="No or an invalid token.")
STALE = OpenApiResponse(
    ErrorSerializer,
    description="The record changed since the version named in `If-Match` (its current "
    "ETag is in the response's `ETag` header): read it again and reapply your change.",
)
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False,
    description="The `ETag` header of the response you read the record from (for children "
    "and persons also the `version` in quotes, e.g. `\"3\"`): the change is refused with 412 "
    "if someone changed the record since. Send it to never overwrite another person's "
    "change unseen.",
)  # fmt: skip


class PreconditionFailed(exceptions.APIException):
    """412: the client's copy of the record (If-Match) is out of date."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record was changed by someone else since you read it."
    default_code = "precondition_failed"

    def __init__(self, etag: str | None) -> None:
        detail = self.default_detail
        if etag:
            detail = (
                f"{detail} Its current ETag is {etag}: read it again and reapply your change."
            )
        super().__init__(detail)
        self.etag = etag


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error responses of an endpoint for its schema (401 is always among them)."""
    table = {
        400: INVALID, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND, 412: STALE,
    }  # fmt: skip
    return {code: table[code] for code in (401, *codes)}


def allowed_values_message(values: Iterable[Any]) -> str:
    shown = ", ".join(f'"{v}"' for v in values)
    return f'"{{input}}" is not allowed; use one of: {shown}.'


def enum_field(choices: Iterable[tuple[str, Any]], **kwargs: Any) -> serializers.ChoiceField:
    """A choice field whose error message names every allowed value."""
    choices = list(choices)
    if not kwargs.get("read_only"):
        kwargs.setdefault("error_messages", {})["invalid_choice"] = allowed_values_message(
            v for v, _ in choices
        )
    return serializers.ChoiceField(choices=choices, **kwargs)


# Errors ------------------------------------------------------------------------------------


def validation_detail(
    error: DjangoValidationError, api_field_names: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """A Django ValidationError as ``{api_field: [messages]}``.

    ``api_field_names`` renames model fields to the API's names where they differ.
    """
    names = {"__all__": "non_field_errors", **(api_field_names or {})}
    if hasattr(error, "error_dict"):
        detail: dict[str, list[str]] = {}
        for field, messages in error.message_dict.items():
            detail.setdefault(names.get(field, field), []).extend(messages)
        return detail
    return {"non_field_errors": list(error.messages)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Any:
    """DRF's handler, plus Django's ValidationError as 400; refused requests are audited."""
    if isinstance(exc, DjangoValidationError):
        names = getattr(context.get("view"), "api_field_names", None)
        exc = exceptions.ValidationError(validation_detail(exc, names))
    if isinstance(exc, StaleRecord):
        etag_of = getattr(context.get("view"), "etag_of", None)
        exc = PreconditionFailed(etag_of(exc.current) if etag_of else None)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, PreconditionFailed) and exc.etag:
        response["ETag"] = exc.etag
    if response is not None and response.status_code == status.HTTP_403_FORBIDDEN:
        _audit_denied(exc, context)
    elif response is not None and response.status_code == status.HTTP_404_NOT_FOUND:
        _audit_invisible(exc, context)
    return response


def _audit_denied(exc: Exception, context: dict[str, Any]) -> None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not isinstance(exc, DjangoPermissionDenied | exceptions.PermissionDenied):
        return
    if policy.membership_of(user) is None:
        return
    view = context.get("view")
    model = getattr(view, "model", None)
    object_id = (context.get("kwargs") or {}).get("pk", "")
    log_event(
        Acting.from_request(request).audit_actor, "denied",
        model._meta.model_name if model else "", str(object_id)[:64],
        {"method": request.method, "path": request.path[:300]},
    )  # fmt: skip


def _audit_invisible(exc: Exception, context: dict[str, Any]) -> None:
    """Audit a member's request for a record id they get "not found" for.

    Whether the record exists is not looked up: the work done is the same either way, so
    the response time says nothing about other parties' ids either. An auditor sees
    another party's user walking record ids in these events.
    """
    request = context.get("request")
    view = context.get("view")
    model = getattr(view, "model", None)
    object_id = str((context.get("kwargs") or {}).get("pk", ""))
    if request is None or model is None or not object_id:
        return
    if policy.membership_of(getattr(request, "user", None)) is None:
        return
    changes = {"method": request.method, "path": request.path[:300], "reason": "not found"}
    log_event(
        Acting.from_request(request).audit_actor, "denied", model._meta.model_name or "",
        object_id[:64], changes,
    )  # fmt: skip


# Base --------------------------------------------------------------------------------------


class ApiPagination(LimitOffsetPagination):
    """``?limit=`` (default 50, at most 200) and ``?offset=``: no client pulls a whole registry."""

    max_limit = 200


# An APIView itself (listed first among an API view's bases, the MRO is unchanged), so that
# these settings and ``self.request`` have DRF's types. The docstring shows in the schema.
class ApiMixin(APIView):
    """Token first, so an anonymous request gets 401 with ``WWW-Authenticate: Token``."""

    authentication_classes: Sequence[type[BaseAuthentication]] = (
        ExpiringTokenAuthentication,
        SessionAuthentication,
    )
    permission_classes: Sequence[type[BasePermission]] = (IsAuthenticated,)
    pagination_class: type[BasePagination] | None = ApiPagination
    # Model field → API field, where an action's ValidationError names a model field.
    api_field_names: Mapping[str, str] = {}

    def acting(self) -> Acting:
        return Acting.from_request(self.request)


class MemberPermission(IsAuthenticated):
    """Signed in and a member of an organisation."""

    message = "This account does not belong to an organisation."

    def has_permission(self, request: Any, view: Any) -> bool:
        signed_in = super().has_permission(request, view)
        return signed_in and policy.membership_of(request.user) is not None
