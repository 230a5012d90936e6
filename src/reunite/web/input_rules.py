"""Rules for what is typed into Reunite, wherever it comes from.

**Text.**
Control characters (C0 and C1, except tab and line breaks) and bidirectional embeddings,
overrides and isolates (U+202A-U+202E, U+2066-U+2069) are refused in every text field
of every web form and every API serializer, with the same rule the list importer applies
(``reunite.interchange.bad_character``). An override makes a name display differently
from what it holds, and a control character makes the record unexportable.

**Whole numbers** (ids in query parameters and bodies) must fit a 64-bit database
integer: a bigger one is a 400 with a message, never an ``OverflowError`` (a 500).

The rules are installed as default validators of Django's ``forms.CharField`` and DRF's
``serializers.CharField`` (and so of their subclasses and of list children) when the
web app is ready: a form or serializer added later is covered without remembering to
add it, which a per-field validator could not guarantee.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reunite.interchange import bad_character


def refuse_unsafe_characters(value: Any) -> None:
    """Validator: refuse a string holding a control or bidirectional control character."""
    if not isinstance(value, str) or not value:
        return
    if bad_character(value) is None:
        return
    for ch in value:
        if bad_character(ch) is not None:
            break
    code = f"U+{ord(ch):04X}"
    if 0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069:
        message = _("Contains the bidirectional control character %(code)s; remove it.")
    else:
        message = _("Contains the control character %(code)s; remove it.")
    raise ValidationError(message, code="unsafe_character", params={"code": code})


# What a database integer column (PostgreSQL bigint, SQLite INTEGER) can hold.
MAX_DATABASE_INTEGER = 2**63 - 1
MIN_DATABASE_INTEGER = -(2**63)
_INTEGER_RANGE = (
    MinValueValidator(MIN_DATABASE_INTEGER),
    MaxValueValidator(MAX_DATABASE_INTEGER),
)


def fits_database_integer(value: Any) -> bool:
    """Whether ``value`` (an int or the text of one) is an integer a database column holds."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return False
    return MIN_DATABASE_INTEGER <= number <= MAX_DATABASE_INTEGER


def _add_default_validators(field_classes: tuple[Any, ...], validators: tuple[Any, ...]) -> None:
    for field_class in field_classes:
        current = list(getattr(field_class, "default_validators", []))
        missing = [v for v in validators if v not in current]
        if missing:
            field_class.default_validators = [*current, *missing]


def install() -> None:
    """Make the rules default validators of every form and serializer field they concern."""
    _add_default_validators((forms.CharField, serializers.CharField), (refuse_unsafe_characters,))
    _add_default_validators((forms.IntegerField, serializers.IntegerField), _INTEGER_RANGE)


class OutOfRangeNumberMiddleware:
    """The last line for numbers no database integer holds: a 400, never a 500.

    Form and serializer fields refuse them with a field message (see ``install``); an id in
    a URL path that reaches a query unchecked raises ``OverflowError`` in the database
    driver (SQLite), which lands here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OverflowError):
            return None
        message = _("A number in the request is too large.")
        if request.path.startswith("/api/") or "/api/" in request.path:
            return JsonResponse({"detail": str(message)}, status=400)
        return HttpResponseBadRequest(message)
