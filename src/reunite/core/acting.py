"""The acting-user context that every action receives first (user, organisation, request id)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from reunite.accounts import policy
from reunite.accounts.models import Organization
from reunite.audit.log import Actor


@dataclass(frozen=True)
class Acting:
    """A user acting for their organisation within one request (or CLI run)."""

    user: Any
    request_id: str

    @property
    def organization(self) -> Organization:
        organization = policy.organization_of(self.user)
        if organization is None:
            raise PermissionDenied("This account does not belong to an organisation.")
        return organization

    @property
    def audit_actor(self) -> Actor:
        organization = policy.organization_of(self.user)
        return Actor(
            user_id=self.user.pk,
            username=self.user.get_username(),
            organization=organization.short_name if organization else "",
            request_id=self.request_id,
        )

    @classmethod
    def from_request(cls, request: Any) -> Acting:
        return cls(user=request.user, request_id=getattr(request, "request_id", ""))
