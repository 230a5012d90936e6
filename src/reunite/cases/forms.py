"""Forms of the case screens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from reunite.accounts.models import Role
from reunite.cases.models import Case, CaseState, ClosingReason


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
    """The record picked from the search results (its id travels in the pick button)."""

    kind = forms.ChoiceField(choices=[("child", _("Child")), ("enquiry", _("Tracing request"))])
    record = forms.IntegerField(min_value=1)
    confirm = forms.BooleanField(required=False)


class UnlinkForm(forms.Form):
    field = forms.ChoiceField(choices=[("child", _("Child")), ("enquiry", _("Tracing request"))])
    reason = forms.CharField(max_length=2000, label=_("Why the link is wrong"))


class AssignForm(forms.Form):
    """Choose the caseworker who carries the case, among those who may (or nobody)."""

    assigned_to: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Assigned caseworker"), empty_label="—"
    )

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parties = [case.owner_id, *case.shared_with.values_list("pk", flat=True)]
        field = self.fields["assigned_to"]
        field.queryset = get_user_model().objects.filter(  # type: ignore[attr-defined]
            is_active=True, membership__role=Role.CASEWORKER,
            membership__organization__in=parties,
        ).order_by("username")  # fmt: skip
        field.label_from_instance = lambda user: (  # type: ignore[attr-defined]
            f"{user.get_username()} ({user.membership.organization.short_name})"
        )
