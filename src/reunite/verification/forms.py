"""Forms of the verification tab: they parse input; the rules live in ``actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reunite.verification.labels import kinship_relationship
from reunite.verification.models import BidDecision, EvidenceKind, Interviewee, Supports

PANEL_ROWS = 6
_DATE = forms.DateInput(attrs={"type": "date"})


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *EvidenceKind.choices])
    title = forms.CharField(label=_("Title"), max_length=200)
    provided_by = forms.CharField(
        max_length=200,
        label=_("Provided by"),
        help_text=_("A person, an authority or a laboratory."),
    )
    supports = forms.MultipleChoiceField(
        choices=Supports.choices, required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Supports"), help_text=_("Leave empty for what this kind usually supports."),
    )  # fmt: skip
    issued_on = forms.DateField(required=False, widget=_DATE, label=_("Issued on"))
    expires_on = forms.DateField(required=False, widget=_DATE, label=_("Expires on"))
    on_required_form = forms.TypedChoiceField(
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No (plain paper)"))], required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v), empty_value=None,
        label=_("Power of attorney on the special notarial form?"),
    )  # fmt: skip
    interviewee = forms.ChoiceField(
        choices=[("", "—"), *Interviewee.choices], required=False, label=_("Interviewee")
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    file = forms.FileField(required=False, label=_("File (JPEG, PNG or PDF)"))

    def fields_for_action(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("file")
        return data

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "ev_%s")  # unique ids: several forms share a page
        super().__init__(*args, **kwargs)


class EvidenceEditForm(EvidenceForm):
    """The details of an item that its party may correct (not its kind or its file)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        del self.fields["file"]

    def fields_for_action(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class DoubtForm(forms.Form):
    doubt = forms.CharField(
        max_length=2000, required=False, label=_("Doubt"), help_text=_("Empty clears the doubt.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "doubt_%s")  # unique ids: several forms share a page
        super().__init__(*args, **kwargs)


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=2000, label=_("Why is it withdrawn?"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "wd_%s")  # unique ids: several forms share a page
        super().__init__(*args, **kwargs)


class DnaForm(forms.Form):
    profiles = forms.FileField(label=_("STR profiles (CSV: person_id, locus, allele1, allele2)"))
    frequencies = forms.FileField(
        required=False, label=_("Allele frequencies (CSV: locus, allele, frequency)")
    )
    use_synthetic = forms.BooleanField(
        required=False,
        label=_("No laboratory database: use the SYNTHETIC one (demo and training only)"),
    )
    claimant_profile = forms.CharField(max_length=64, label=_("Claimant's person id in the file"))
    child_profile = forms.CharField(max_length=64, label=_("Child's person id in the file"))
    relationship = forms.ChoiceField(choices=[], label=_("Relationship tested"))
    theta = forms.FloatField(initial=0.01, min_value=0, max_value=0.49, label=_("θ (Fst)"))
    mutation_rate = forms.FloatField(
        required=False, initial=0.002, min_value=0, max_value=0.5,
        label=_("Mutation rate (parent–child only)"),
    )  # fmt: skip
    provided_by = forms.CharField(max_length=200, label=_("Laboratory"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "dna_%s")
        super().__init__(*args, **kwargs)
        from reunite.kinship import CLAIMABLE_RELATIONSHIPS

        self.fields["relationship"].choices = [  # type: ignore[attr-defined]
            (r, kinship_relationship(r)) for r in sorted(CLAIMABLE_RELATIONSHIPS)
        ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    evidence = forms.TypedMultipleChoiceField(
        choices=[], coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Evidence relied on"),
    )  # fmt: skip
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000,
        label=_("Reason"), help_text=_("Required for a rejection."),
    )  # fmt: skip

    def __init__(self, *args: Any, evidence_choices: list[tuple[int, str]], **kwargs: Any):
        kwargs.setdefault("auto_id", "dec_%s")
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = evidence_choices  # type: ignore[attr-defined]


class CountersignForm(forms.Form):
    note = forms.CharField(max_length=2000, required=False, label=_("Note"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "cs_%s")  # unique ids: several forms share a page
        super().__init__(*args, **kwargs)


class BidForm(forms.Form):
    decided_on = forms.DateField(widget=_DATE, label=_("Decided on"))
    child_views = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False,
        label=_("The child's views, in the child's own words"),
    )  # fmt: skip
    child_views_language = forms.CharField(max_length=40, required=False, label=_("Language"))
    child_views_verbatim = forms.BooleanField(
        required=False, label=_("Recorded verbatim, in the child's own words")
    )
    child_not_heard_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False,
        label=_("If the child (under 12) was not heard: why"),
    )  # fmt: skip
    risks_family = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Risks in the family")
    )
    risks_journey = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Risks on the way")
    )
    options_considered = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False,
        label=_("Options considered (one per line)"),
    )  # fmt: skip
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("", "—"), *BidDecision.choices], required=False
    )
    reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Reasons")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "bid_%s")
        super().__init__(*args, **kwargs)
        for i in range(1, PANEL_ROWS + 1):
            self.fields[f"panel_name_{i}"] = forms.CharField(
                max_length=200, required=False, label=_("Panel member %(number)s") % {"number": i}
            )
            self.fields[f"panel_role_{i}"] = forms.CharField(
                max_length=100, required=False, label=_("Role %(number)s") % {"number": i}
            )

    @property
    def panel_rows(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"panel_name_{i}"], self[f"panel_role_{i}"]) for i in range(1, PANEL_ROWS + 1)
        ]

    def fields_for_action(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "panel": [
                {"name": data[f"panel_name_{i}"], "role": data[f"panel_role_{i}"]}
                for i in range(1, PANEL_ROWS + 1)
            ],
            "options_considered": [
                line for line in data["options_considered"].splitlines() if line.strip()
            ],
            **{
                name: data[name]
                for name in (
                    "decided_on", "child_views", "child_views_language", "child_views_verbatim",
                    "child_not_heard_reason", "risks_family", "risks_journey", "decision",
                    "reasons",
                )
            },
        }  # fmt: skip
