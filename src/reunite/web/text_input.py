"""One rule for text typed into Reunite, wherever it comes from.

Control characters (C0 and C1, except tab and line breaks) and bidirectional embeddings,
overrides and isolates (U+202A-U+202E, U+2066-U+2069) are refused in every text field
of every web form and every API serializer, with the same rule the list importer applies
(``reunite.interchange.bad_character``). An override makes a name display differently
from what it holds, and a control character makes the record unexportable.

The rule is installed as a default validator of Django's ``forms.CharField`` and DRF's
``serializers.CharField`` (and so of their subclasses and of list children) when the
web app is ready: a form or serializer added later is covered without remembering to
add it, which a per-field validator could not guarantee.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
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


def install() -> None:
    """Make the rule a default validator of every form and serializer text field."""
    field_classes: tuple[Any, ...] = (forms.CharField, serializers.CharField)
    for field_class in field_classes:
        current = list(getattr(field_class, "default_validators", []))
        if refuse_unsafe_characters not in current:
            field_class.default_validators = [*current, refuse_unsafe_characters]
