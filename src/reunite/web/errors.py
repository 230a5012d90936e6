"""The app's own error pages, in the user's language (Django's are English-only)."""

from __future__ import annotations

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template.loader import render_to_string


def _page(request: HttpRequest | None, template: str) -> str:
    return render_to_string(template, {"request_path": request.path if request else ""})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseForbidden(_page(request, "web/errors/403.html"))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseNotFound(_page(request, "web/errors/404.html"))


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever failed (perhaps the database) must not fail this page too.
    return HttpResponseServerError(_page(None, "web/errors/500.html"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return HttpResponseForbidden(_page(request, "web/errors/csrf.html"))
