"""Who must pass a second login factor, and the check for API token requests.

The web screens (enrolment, verification, recovery codes) are in ``reunite.web.two_factor``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django_otp import match_token, user_has_device
from rest_framework import exceptions

from reunite.accounts import policy
from reunite.audit.log import log_event
from reunite.core.acting import Acting


def required_for(user: Any) -> bool:
    """Whether this user must pass a second factor: every role that sees child data."""
    if not getattr(settings, "REUNITE_TWO_FACTOR_REQUIRED", True):
        return False
    return policy.has_permission(user, "child.view")


def check_second_factor(request: Any, user: Any, code: str) -> None:
    """A token is a login: members who see child data give their second factor too."""
    if not required_for(user):
        return
    if not user_has_device(user):
        raise exceptions.ValidationError(
            {"otp": [_("Set up two-factor authentication in the web application first.")]}
        )
    if not code:
        raise exceptions.ValidationError(
            {"otp": [_("Give the code from your authenticator app (or a recovery code).")]}
        )
    if match_token(user, code.replace(" ", "")) is None:
        actor = Acting(user, getattr(request, "request_id", "")).audit_actor
        log_event(actor, "login_2fa_failed", "user", user.pk)
        raise exceptions.ValidationError({"otp": [_("That code is not valid.")]})
