"""Forms of the case screens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reunite.cases.models import CaseState, ClosingReason


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(choices=CaseState.choices, label=_("Next state"))
    closing_reason = forms.ChoiceField(
        choices=[("", "—"), *ClosingReason.choices], required=False, label=_("Closing reason")
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000,
        label=_("Note"),
    )  # fmt: skip


class LinkChildForm(forms.Form):
    child = forms.IntegerField(min_value=1, label=_("Child record number"))
