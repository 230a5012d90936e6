"""Form pieces every app's screens share: an action's errors on a form, the share form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reunite.accounts.models import Organization


def apply_validation_error(form: Any, error: ValidationError) -> None:
    """Put each message on its field when the form has it, else on the whole form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class ShareForm(forms.Form):
    """Share a record (child, tracing request, case) with another organisation."""

    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(), label=_("Organisation")
    )
