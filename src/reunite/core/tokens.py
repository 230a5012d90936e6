"""API tokens that expire, and that their owner and administrators can list and revoke.

The token itself is DRF's (one per user, sent as ``Authorization: Token <key>``); it is
valid for ``settings.REUNITE_API_TOKEN_HOURS`` after it was issued. An expired token is
refused (401) and deleted; ``POST /api/token/`` issues a fresh one. Listing shows the first
characters of a key only, never the key. Administrators see and revoke the tokens of their
own organisation's users (``users.manage``). Every revocation is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reunite.accounts import policy
from reunite.accounts.authentication import ExpiringTokenAuthentication, expires_at, is_expired
from reunite.audit.log import Actor, log_event
from reunite.core.acting import Acting

KEY_SHOWN = 6  # characters of a key shown in lists: enough to tell tokens apart


def issue(user: Any) -> Token:
    """The user's valid token, or a new one if they had none or it expired."""
    with transaction.atomic():
        token = Token.objects.select_for_update().filter(user=user).first()
        if token is not None and is_expired(token):
            token.delete()
            token = None
        if token is None:
            token = Token.objects.create(user=user)
    return token


def describe(token: Token) -> dict[str, Any]:
    organization = policy.organization_of(token.user)
    return {
        "username": token.user.get_username(),
        "organization": organization.short_name if organization else "",
        "key_start": token.key[:KEY_SHOWN],
        "created": token.created,
        "expires": expires_at(token),
        "expired": is_expired(token),
    }


def visible_tokens(user: Any) -> list[Token]:
    """The caller's own token; an administrator also sees their organisation's tokens."""
    tokens = Token.objects.select_related("user").order_by("created")
    if policy.has_permission(user, "users.manage"):
        organization = policy.organization_of(user)
        return list(tokens.filter(user__membership__organization=organization))
    return list(tokens.filter(user=user))


def revoke(actor: Actor, username: str, *, by: Any | None = None) -> bool:
    """Delete ``username``'s token (``by``: the user asking, checked; None: the CLI)."""
    target = get_user_model().objects.filter(username=username).first()
    if target is None:
        return False
    if by is not None and by.pk != target.pk:
        same_org = policy.organization_of(by) == policy.organization_of(target)
        if not (policy.has_permission(by, "users.manage") and same_org):
            return False
    deleted, _count = Token.objects.filter(user=target).delete()
    if deleted:
        log_event(actor, "token_revoked", "user", target.pk, {"username": username})
    return bool(deleted)


class TokenInfoSerializer(serializers.Serializer):
    username = serializers.CharField()
    organization = serializers.CharField()
    key_start = serializers.CharField(help_text="The first characters of the key.")
    created = serializers.DateTimeField()
    expires = serializers.DateTimeField()
    expired = serializers.BooleanField()


class TokenListView(APIView):
    """Your API token, and for administrators those of your organisation's users."""

    authentication_classes = (ExpiringTokenAuthentication,)
    permission_classes = (IsAuthenticated,)

    @extend_schema(
        summary="List API tokens (yours; administrators: your organisation's)",
        responses={200: TokenInfoSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = [describe(t) for t in visible_tokens(request.user)]
        return Response(TokenInfoSerializer(rows, many=True).data)


class TokenRevokeView(APIView):
    """Revoke a user's API token: your own, or (administrators) your organisation's users'."""

    authentication_classes = (ExpiringTokenAuthentication,)
    permission_classes = (IsAuthenticated,)

    @extend_schema(summary="Revoke a user's API token (audited)", responses={204: None})
    def delete(self, request: Request, username: str) -> Response:
        actor = Acting.from_request(request).audit_actor
        if not revoke(actor, username, by=request.user):
            raise Http404(_("No such token."))
        return Response(status=status.HTTP_204_NO_CONTENT)
