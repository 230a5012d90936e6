"""Forms of the review queue and the run screens (validation only; actions do the writing)."""

from __future__ import annotations

from django import forms

from reunite.matching.models import Decision

SHOW_CHOICES = [
    ("open", "To review (pending and unsure)"),
    ("pending", "Pending"),
    ("unsure", "Unsure: waiting for a second reviewer"),
    ("decided", "Decided (confirmed and rejected)"),
    ("confirmed", "Confirmed"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
    ("all", "All"),
]


class QueueFilterForm(forms.Form):
    show = forms.ChoiceField(choices=SHOW_CHOICES, required=False, label="Show")

    def selected(self) -> str:
        if self.is_valid():
            return self.cleaned_data["show"] or "open"
        return "open"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Note",
        help_text="Why you decided so (required when unsure, for the second reviewer).",
    )


class RunForm(forms.Form):
    full = forms.BooleanField(
        required=False,
        label="Full re-run",
        help_text="Compare every record again, not only those new or changed since the last run.",
    )
