"""The user's language: chosen once, remembered on their membership, used on every request.

Django's ``LocaleMiddleware`` picks the language from the cookie or, failing that, the
browser's ``Accept-Language``. A logged-in user's saved choice wins over both, so a
caseworker sees the same language on every machine they log in from.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from reunite.accounts import policy

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def saved_language(request: HttpRequest) -> str:
    """The language saved on the user's membership, or '' when none is saved."""
    membership = policy.membership_of(getattr(request, "user", None))
    language = getattr(membership, "language", "") if membership else ""
    return language if language in LANGUAGE_CODES else ""


class UserLanguageMiddleware:
    """After authentication: switch to the user's saved language (runs after LocaleMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = saved_language(request)
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; saved on the membership of a logged-in user."""
    language = request.POST.get("language", "")
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if language not in LANGUAGE_CODES:
        return response
    membership = policy.membership_of(getattr(request, "user", None))
    if membership is not None and membership.language != language:
        membership.language = language
        membership.save(update_fields=["language"])
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response
