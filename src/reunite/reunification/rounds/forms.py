"""Forms of the round and transfer screens (input checks; the rules are in ``actions``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reunite.accounts.models import Organization
from reunite.reunification.models.rounds import Channel, CollectorRole
from reunite.routes import DOCUMENTS, LINK_MODES


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    planned_date = forms.DateField(label=_("Planned date"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    channel_name = forms.CharField(label=_("Mediator or channel name"), max_length=200,
                                   required=False)
    parties = forms.ModelMultipleChoiceField(label=_("Other parties"),
                                             queryset=Organization.objects.all(), required=False)


class AddCaseForm(forms.Form):
    case = forms.ChoiceField(label=_("Approved case"))
    from_country = forms.CharField(label=_("From country"), max_length=2, initial="RU")
    to_country = forms.CharField(label=_("To country"), max_length=2, initial="UA")
    origin = forms.ChoiceField(label=_("Starts at"), required=False)
    destination = forms.ChoiceField(label=_("Final handover at"), required=False)

    def __init__(self, *args: Any, cases: list[tuple[str, str]], places: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "case", cases)
        _choices(self, "origin", [("", "—"), *places])
        _choices(self, "destination", [("", "—"), *places])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    entries = forms.MultipleChoiceField(label=_("Child or sibling group"),
                                        widget=forms.CheckboxSelectMultiple)
    collector_name = forms.CharField(label=_("Collecting adult"), max_length=200)
    collector_relationship = forms.CharField(label=_("Relationship to the child"),
                                             max_length=40)
    collector_role = forms.ChoiceField(label=_("Acts as"), choices=CollectorRole.choices)
    collector_sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), ("F", _("female")),
                                                               ("M", _("male"))],
                                      required=False)
    collector_birth_year = forms.IntegerField(label=_("Year of birth"), required=False,
                                              min_value=1900, max_value=2100)
    collector_citizenships = forms.CharField(label=_("Citizenships (codes, comma-separated)"),
                                             max_length=40, required=False, initial="UA")
    collector_documents = forms.MultipleChoiceField(
        label=_("Documents the adult carries"), required=False,
        choices=[(d, d.replace("_", " ")) for d in DOCUMENTS],
        widget=forms.CheckboxSelectMultiple)
    evidence = forms.MultipleChoiceField(label=_("Authorising documents (evidence register)"),
                                         required=False, widget=forms.CheckboxSelectMultiple)
    escorts = forms.CharField(
        label=_("Escorts (one per line: name; organisation; role)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}))
    initial_custodian = forms.ModelChoiceField(label=_("Holds the child at the start"),
                                               queryset=Organization.objects.all())

    def __init__(self, *args: Any, entries: list[tuple[str, str]],
                 evidence: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "entries", entries)
        _choices(self, "evidence", evidence)

    def escort_list(self) -> list[dict[str, str]]:
        escorts = []
        for line in (self.cleaned_data.get("escorts") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(";")] + ["", ""]
            escorts.append({"name": parts[0], "organisation": parts[1], "role": parts[2]})
        return escorts


class PlanForm(forms.Form):
    origin = forms.ChoiceField(label=_("From"))
    destination = forms.ChoiceField(label=_("To"))
    date = forms.DateField(label=_("Travel date"), widget=forms.DateInput(attrs={"type": "date"}))
    depart_time = forms.TimeField(label=_("Departure (UTC)"), initial="06:00",
                                  widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "origin", places)
        _choices(self, "destination", places)


class LegForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=[(m, m) for m in LINK_MODES])
    from_place = forms.ChoiceField(label=_("From"))
    to_place = forms.ChoiceField(label=_("To"))

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "from_place", places)
        _choices(self, "to_place", places)


class LegTimeForm(forms.Form):
    departed_at = forms.DateTimeField(label=_("Departed (UTC)"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type":
                                                                        "datetime-local"}))
    arrived_at = forms.DateTimeField(label=_("Arrived (UTC)"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class HandoverForm(forms.Form):
    place = forms.ChoiceField(label=_("Place"))
    from_org = forms.ModelChoiceField(label=_("Released by"), queryset=Organization.objects.all())
    from_person = forms.CharField(label=_("Releasing person"), max_length=200, required=False)
    to_org = forms.ModelChoiceField(label=_("Received by"), queryset=Organization.objects.all())
    to_person = forms.CharField(label=_("Receiving person"), max_length=200, required=False)
    is_final = forms.BooleanField(label=_("Final handover to the legal representative"),
                                  required=False)

    def __init__(self, *args: Any, places: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "place", places)


class ConfirmForm(forms.Form):
    side = forms.ChoiceField(choices=[("release", _("release")), ("receive", _("receive"))])
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
