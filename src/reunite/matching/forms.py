"""Forms of the review queue and the run screens (validation only; actions do the writing)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reunite.matching.models import Decision

SHOW_CHOICES = [
    ("open", _("To review (pending and unsure)")),
    ("pending", _("Pending")),
    ("unsure", _("Unsure: waiting for a second reviewer")),
    ("decided", _("Decided (confirmed and rejected)")),
    ("confirmed", _("Confirmed")),
    ("rejected", _("Rejected")),
    ("withdrawn", _("Withdrawn")),
    ("all", _("All")),
]


PROBABILITY_CHOICES = [
    ("", _("Any probability")),
    ("0.99", _("99% or more")),
    ("0.9", _("90% or more")),
    ("0.5", _("50% or more")),
]


class QueueFilterForm(forms.Form):
    show = forms.ChoiceField(choices=SHOW_CHOICES, required=False, label=_("Show"))
    q = forms.CharField(required=False, max_length=200, label=_("Name, in any script"))
    min_probability = forms.TypedChoiceField(
        choices=PROBABILITY_CHOICES, required=False, coerce=float, empty_value=None,
        label=_("Probability"),
    )  # fmt: skip

    def selected(self) -> str:
        if self.is_valid():
            return self.cleaned_data["show"] or "open"
        return "open"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Note"),
        help_text=_("Why you decided so (required when unsure, for the second reviewer)."),
    )


class RunForm(forms.Form):
    full = forms.BooleanField(
        required=False,
        label=_("Full re-run"),
        help_text=_(
            "Compare every record again, not only those new or changed since the last run."
        ),
    )
