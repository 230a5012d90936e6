"""Two-factor authentication (TOTP, django-otp) for every role that sees child data.

After the password, a member must give a code from an authenticator app (or one of ten
single-use recovery codes) before any page with child data opens. A member without an
authenticator is sent to enrol: scan the QR code (or type the secret), confirm with a
code, and keep the recovery codes shown once. ``REUNITE_TWO_FACTOR_REQUIRED`` (default on;
environment ``REUNITE_TWO_FACTOR=off`` turns it off) exists for the test suite, whose
fixtures log users in directly; the demo keeps it on and pre-enrols its users instead.

The API: ``POST /api/token/`` asks for ``otp`` as well, from members who must use two
factors; token-authenticated requests are then trusted for the token's lifetime.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from reunite.audit.log import log_event
from reunite.core.acting import Acting
from reunite.core.two_factor import required_for

RECOVERY_CODES = 10
_PENDING_DEVICE = "reunite_pending_totp_device"
_FRESH_CODES = "reunite_fresh_recovery_codes"
# Paths open before the second factor: logging in and out, the two-factor pages, health.
_OPEN_PREFIXES = ("/login/", "/logout/", "/account/two-factor/", "/static/", "/healthz")


def is_verified(request: HttpRequest) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", lambda: False)())


class RequireTwoFactorMiddleware:
    """Send members who have not passed the second factor to verify or enrol."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and required_for(user)
            and not is_verified(request)
        ):
            if "/api/" in request.path:
                return JsonResponse(
                    {"detail": _("Two-factor authentication is required: log in again.")},
                    status=403,
                )
            target = "two-factor-verify" if user_has_device(user) else "two-factor-setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=16, label=gettext_lazy("Code"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=gettext_lazy("The 6 digits from your authenticator app, or a recovery code."),
    )  # fmt: skip


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("dashboard")


def _audit(request: HttpRequest, action: str, changes: dict[str, Any] | None = None) -> None:
    log_event(
        Acting.from_request(request).audit_actor, action, "user", request.user.pk or "", changes
    )


def new_recovery_codes(user: Any) -> list[str]:
    """Replace the user's recovery codes with ten new single-use ones; return them."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name="recovery", defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def _qr_data_uri(text: str) -> str:
    import segno

    svg = segno.make(text, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of logging in: a code from the app or a recovery code."""
    if not user_has_device(request.user):
        return redirect(f"{reverse('two-factor-setup')}?next={_next_url(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            method = "recovery" if isinstance(device, StaticDevice) else "totp"
            _audit(request, "login_2fa", {"method": method})
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device=device).count()
                messages.warning(
                    request,
                    _("You used a recovery code; %(left)s are left. Make new ones soon.")
                    % {"left": left},
                )
            return redirect(_next_url(request))
        _audit(request, "login_2fa_failed")
        form.add_error("code", _("That code is not valid (or was used already)."))
    return render(
        request, "web/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan, confirm with a code, keep the recovery codes."""
    if user_has_device(request.user) and not is_verified(request):
        return redirect(f"{reverse('two-factor-verify')}?next={_next_url(request)}")
    device = TOTPDevice.objects.filter(
        pk=request.session.get(_PENDING_DEVICE), user=request.user, confirmed=False
    ).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="app", confirmed=False)
        request.session[_PENDING_DEVICE] = device.pk
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = new_recovery_codes(request.user)
            request.session.pop(_PENDING_DEVICE, None)
            otp_login(request, device)
            _audit(request, "two_factor_enrolled")
            request.session[_FRESH_CODES] = codes
            return redirect(f"{reverse('two-factor-recovery')}?next={_next_url(request)}")
        form.add_error("code", _("That code does not match: check the time on your phone."))
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form, "secret": secret, "qr": _qr_data_uri(device.config_url),
        "next": _next_url(request),
    }  # fmt: skip
    return render(request, "web/two_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def recovery(request: HttpRequest) -> HttpResponse:
    """Show fresh recovery codes once (after enrolment), or make new ones on request."""
    codes = request.session.pop(_FRESH_CODES, None)
    if request.method == "POST" and is_verified(request):
        codes = new_recovery_codes(request.user)
        _audit(request, "recovery_codes_renewed")
    return render(
        request, "web/two_factor_recovery.html", {"codes": codes, "next": _next_url(request)}
    )
