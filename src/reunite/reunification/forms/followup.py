"""Forms of the follow-up screens: field-level messages a caseworker can act on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reunite.reunification.actions.followup import MAX_LABEL, MAX_TEXT
from reunite.reunification.models import VisitOutcome

DATE_HELP = _("YYYY-MM-DD")


def _text(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": 2}), required=False,
        max_length=MAX_TEXT,
    )  # fmt: skip


class VisitRecordForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), help_text=DATE_HELP)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *VisitOutcome.choices])
    needs_assessment = _text(_("Needs assessment"))
    psychological_support = _text(_("Psychological support"))
    school = _text(_("School"))
    documents_to_restore = _text(_("Documents to restore"))
    notes = _text(_("Notes"))


class VisitAddForm(forms.Form):
    label = forms.CharField(label=_("Visit"), max_length=MAX_LABEL)
    due_on = forms.DateField(label=_("Due on"), help_text=DATE_HELP)


class VisitRescheduleForm(forms.Form):
    due_on = forms.DateField(label=_("New date"), help_text=DATE_HELP)


class VisitCancelForm(forms.Form):
    reason = forms.CharField(label=_("Why cancelled"), max_length=MAX_TEXT)
