"""Forms for the web screens: field-level validation with messages a caseworker can act on."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reunite.interchange import PartialDate
from reunite.registry.models import (
    Attachment,
    Language,
    LegalStatus,
    NameSource,
    Relationship,
    Script,
    Sex,
)

DATE_HELP = _("YYYY-MM-DD, or YYYY-MM or YYYY when only part is known.")


def parse_partial_date(text: str) -> tuple[dt.date | None, str]:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` into (first possible day, precision)."""
    try:
        value = PartialDate.parse(text or "")
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from exc
    first_day = value.to_date()
    if first_day is not None and first_day > dt.date.today():
        raise forms.ValidationError(_("The date is in the future."))
    return first_day, value.precision


class PartialDateField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("help_text", DATE_HELP)
        attrs = {"placeholder": _("YYYY-MM-DD"), "inputmode": "numeric"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> tuple[dt.date | None, str]:  # type: ignore[override]
        return parse_partial_date(super().clean(value))


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


class NameForm(forms.Form):
    surname = forms.CharField(label=_("Surname"), max_length=120, required=False)
    given_name = forms.CharField(label=_("Given name"), max_length=120, required=False)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=120, required=False)
    # Names known only as one string (list files' other_names): kept, never dropped.
    full_name = forms.CharField(
        max_length=300, required=False, label=_("Full name"),
        help_text=_("When the parts are not known."),
    )  # fmt: skip
    script = forms.ChoiceField(
        label=_("Script"),
        choices=Script.choices,
        initial=Script.UNKNOWN,
        required=False,
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Language.choices,
        initial=Language.UNKNOWN,
        required=False,
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=NameSource.choices, initial=NameSource.REPORTED, required=False
    )

    def has_name(self) -> bool:
        data = self.cleaned_data
        return bool(
            data.get("surname") or data.get("given_name") or data.get("patronymic")
            or data.get("full_name")
        )  # fmt: skip


# As many names as the API and list files accept (a child re-registered under several
# names collects them); fewer forms would drop names on save.
NameFormSet = forms.formset_factory(NameForm, extra=2, max_num=20, validate_max=True)
NAME_FORM_FIELDS = (
    "surname", "given_name", "patronymic", "full_name", "script", "language", "source",
)  # fmt: skip


class ChildForm(forms.Form):
    # Optimistic locking (see reunite.web.merge): the version the form was filled from, and
    # the signed values it was filled with.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    baseline = forms.CharField(widget=forms.HiddenInput, required=False)
    record_id = forms.CharField(max_length=64, required=False, label=_("Your reference"))
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)
    birth_date = PartialDateField(label=_("Birth date"))
    estimated_age = forms.IntegerField(
        label=_("Estimated age"), min_value=0, max_value=25, required=False,
        help_text=_("Years, when the birth date is unknown."),
    )  # fmt: skip
    birth_place = forms.CharField(label=_("Birthplace"), max_length=200, required=False)
    separation_date = PartialDateField(label=_("Date of separation"))
    separation_place = forms.CharField(
        label=_("Place of separation"),
        max_length=200,
        required=False,
    )
    custodian = forms.CharField(max_length=200, required=False, label=_("Current custodian"))
    institution = forms.CharField(label=_("Institution"), max_length=200, required=False)
    current_location = forms.CharField(label=_("Current location"), max_length=200, required=False)
    current_region = forms.CharField(label=_("Region"), max_length=120, required=False)
    citizenships = forms.CharField(
        label=_("Citizenships"),
        max_length=40,
        required=False,
        help_text=_("Country codes separated by ';', e.g. UA;RU"),
    )
    legal_status = forms.ChoiceField(
        label=_("Legal status"),
        choices=LegalStatus.choices,
        initial=LegalStatus.UNKNOWN,
    )
    personal_status_altered = forms.BooleanField(
        required=False,
        label=_("Name, birth date, birthplace or citizenship changed after separation"),
    )
    consent_for_tracing = forms.BooleanField(required=False, label=_("Consent for tracing given"))
    sibling_group = forms.CharField(label=_("Sibling group"), max_length=64, required=False)
    mother_name = forms.CharField(label=_("Mother's name"), max_length=300, required=False)
    father_name = forms.CharField(label=_("Father's name"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )

    def clean_citizenships(self) -> list[str]:
        codes = [c.upper() for c in _split_list(self.cleaned_data.get("citizenships", ""))]
        for code in codes:
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise forms.ValidationError(
                    _("'%(code)s' is not a two-letter country code."), params={"code": code}
                )
        return codes

    def model_fields(self) -> dict[str, Any]:
        """The cleaned data as Child fields."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data.pop("baseline", None)
        birth_date, birth_precision = data.pop("birth_date")
        separation_date, separation_precision = data.pop("separation_date")
        fields = {
            **data,
            "birth_date": birth_date,
            "birth_date_precision": birth_precision,
            "separation_date": separation_date,
            "separation_date_precision": separation_precision,
            "estimated_age_on": dt.date.today() if data.get("estimated_age") is not None else None,
        }
        return fields


class EnquiryForm(forms.Form):
    # Optimistic locking (see reunite.web.merge): "<enquiry version>.<enquirer version>".
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    baseline = forms.CharField(widget=forms.HiddenInput, required=False)
    # The enquirer
    enquirer_surname = forms.CharField(max_length=120, label=_("Enquirer's surname"))
    enquirer_given_name = forms.CharField(max_length=120, label=_("Enquirer's given name"))
    enquirer_patronymic = forms.CharField(
        max_length=120, required=False, label=_("Enquirer's patronymic")
    )
    enquirer_relationship = forms.ChoiceField(
        choices=Relationship.choices, label=_("Relationship to the child")
    )
    enquirer_contact = forms.CharField(
        max_length=300, required=False, label=_("Enquirer's contact details")
    )
    # The sought child
    surname = forms.CharField(max_length=120, required=False, label=_("Child's surname"))
    given_name = forms.CharField(max_length=120, required=False, label=_("Child's given name"))
    patronymic = forms.CharField(max_length=120, required=False, label=_("Child's patronymic"))
    other_names = forms.CharField(
        max_length=1000, required=False, label=_("Other names"),
        help_text=_("Other names or spellings the child may be known by, separated by ';'."),
    )  # fmt: skip
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)
    birth_date = PartialDateField(label=_("Child's birth date"))
    birth_place = forms.CharField(label=_("Birthplace"), max_length=200, required=False)
    separation_date = PartialDateField(label=_("Date of separation"))
    separation_place = forms.CharField(
        label=_("Place of separation"),
        max_length=200,
        required=False,
    )
    circumstances = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000,
        label=_("Circumstances of separation"),
    )  # fmt: skip
    mother_name = forms.CharField(label=_("Mother's name"), max_length=300, required=False)
    father_name = forms.CharField(label=_("Father's name"), max_length=300, required=False)
    consent_for_tracing = forms.BooleanField(required=False, label=_("Consent for tracing given"))
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("surname") or data.get("given_name")):
            self.add_error("surname", _("Give at least the child's surname or given name."))
        return data

    def enquirer_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "surname": d["enquirer_surname"],
            "given_name": d["enquirer_given_name"],
            "patronymic": d.get("enquirer_patronymic", ""),
            "contact": d.get("enquirer_contact", ""),
        }

    def model_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        birth_date, birth_precision = d["birth_date"]
        separation_date, separation_precision = d["separation_date"]
        return {
            "enquirer_relationship": d["enquirer_relationship"],
            "surname": d.get("surname", ""),
            "given_name": d.get("given_name", ""),
            "patronymic": d.get("patronymic", ""),
            "other_names": _split_list(d.get("other_names", "")),
            "sex": d.get("sex", ""),
            "birth_date": birth_date,
            "birth_date_precision": birth_precision,
            "birth_place": d.get("birth_place", ""),
            "separation_date": separation_date,
            "separation_date_precision": separation_precision,
            "separation_place": d.get("separation_place", ""),
            "circumstances": d.get("circumstances", ""),
            "mother_name": d.get("mother_name", ""),
            "father_name": d.get("father_name", ""),
            "consent_for_tracing": d.get("consent_for_tracing", False),
            "notes": d.get("notes", ""),
        }


class IdentityDocumentForm(forms.Form):
    kind = forms.CharField(
        label=_("Kind"),
        max_length=60,
        help_text=_("e.g. birth certificate, passport"),
    )
    number = forms.CharField(label=_("Number"), max_length=60, required=False)
    issuing_country = forms.CharField(
        label=_("Issuing country"),
        max_length=2,
        required=False,
        help_text=_("Two-letter code"),
    )
    issued_on = forms.DateField(label=_("Issued on"), required=False, help_text=_("YYYY-MM-DD"))

    def clean_issuing_country(self) -> str:
        code = self.cleaned_data.get("issuing_country", "").upper()
        if code and not re.fullmatch(r"[A-Z]{2}", code):
            raise forms.ValidationError(
                _("'%(code)s' is not a two-letter country code."), params={"code": code}
            )
        return code


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Attachment.Kind.choices)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
    )


class ChildFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Name"))
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=[("", _("Any sex")), ("F", _("Female")), ("M", _("Male"))],
        required=False,
    )
    legal_status = forms.ChoiceField(
        label=_("Legal status"),
        choices=[("", _("Any legal status")), *LegalStatus.choices],
        required=False,
    )
    consent = forms.ChoiceField(
        choices=[("", _("Consent: any")), ("yes", _("Consent given")), ("no", _("No consent"))],
        required=False,
    )
    altered = forms.BooleanField(required=False, label=_("Personal status altered"))
    ageing_out = forms.BooleanField(required=False, label=_("Ageing out"))
