"""Probabilities behind each difficulty level (documented in docs/synth.md).

Every probability is per child, per enquiry or per registry record as named. "easy" is a
sanity check for a matcher, "realistic" our best guess at real lists, "hard" a stress test
(more Russification, adoptions, shifted dates, look-alike distractors).
"""

from __future__ import annotations

from dataclasses import dataclass

from reunite.synth._model import Difficulty


@dataclass(frozen=True)
class Params:
    # population structure
    in_registry: float  # an enquired family's children are in the other side's registry
    second_enquiry: float  # share of enquired children with a second enquiry (2nd relative)
    registry_duplicate: float  # a registry child is listed twice
    ua_unenquired_share: float  # of the distractors: Ukrainian-origin children nobody asked about
    confuser_rate: float  # look-alike "cousin" records per true registry record
    # enquiry side (families)
    latin: float
    russian: float  # the request written in Russian (Russian-speaking families)
    diminutive: float
    alias_listed: float
    patronymic_missing: float
    birth_month_only: float
    birth_year_only: float
    birth_missing: float
    birth_wrong: float
    typo_surname: float
    typo_given: float
    full_name_only: float
    sex_missing: float
    birthplace_missing: float
    parent_missing: float
    # registry side (the other side's clerks)
    given_translated: float  # Микола → Николай
    given_letter: float  # Микола → Микола/Мыкола (rest: Ukrainian spelling kept)
    surname_translated: float  # Олійник → Олейник where a translation exists
    phonetic: float  # и → ы (Лисенко → Лысенко)
    gender_form_error: float
    adopted: float  # adoption: Russian surname, patronymic, maybe given name, birthplace
    rename_on_adoption: float
    patronymic_missing_ru: float
    birth_shift: float
    birth_year_only_ru: float
    birthplace_old_name: float
    birthplace_missing_ru: float
    birthplace_russian: float  # birthplace rewritten to a Russian town without adoption
    parent_names_ru: float
    original_alias: float  # the original Ukrainian name kept as an alias
    full_name_only_ru: float
    typo_ru: float


PARAMS: dict[Difficulty, Params] = {
    "easy": Params(
        in_registry=0.95,
        second_enquiry=0.05,
        registry_duplicate=0.02,
        ua_unenquired_share=0.02,
        confuser_rate=0.0,
        latin=0.05,
        russian=0.02,
        diminutive=0.02,
        alias_listed=0.3,
        patronymic_missing=0.1,
        birth_month_only=0.05,
        birth_year_only=0.02,
        birth_missing=0.01,
        birth_wrong=0.01,
        typo_surname=0.02,
        typo_given=0.02,
        full_name_only=0.02,
        sex_missing=0.01,
        birthplace_missing=0.05,
        parent_missing=0.05,
        given_translated=0.5,
        given_letter=0.3,
        surname_translated=0.3,
        phonetic=0.0,
        gender_form_error=0.0,
        adopted=0.02,
        rename_on_adoption=0.3,
        patronymic_missing_ru=0.1,
        birth_shift=0.01,
        birth_year_only_ru=0.0,
        birthplace_old_name=0.1,
        birthplace_missing_ru=0.05,
        birthplace_russian=0.0,
        parent_names_ru=0.5,
        original_alias=0.3,
        full_name_only_ru=0.0,
        typo_ru=0.01,
    ),
    "realistic": Params(
        in_registry=0.85,
        second_enquiry=0.08,
        registry_duplicate=0.04,
        ua_unenquired_share=0.05,
        confuser_rate=0.02,
        latin=0.15,
        russian=0.06,
        diminutive=0.06,
        alias_listed=0.2,
        patronymic_missing=0.3,
        birth_month_only=0.12,
        birth_year_only=0.05,
        birth_missing=0.03,
        birth_wrong=0.03,
        typo_surname=0.08,
        typo_given=0.05,
        full_name_only=0.05,
        sex_missing=0.03,
        birthplace_missing=0.15,
        parent_missing=0.15,
        given_translated=0.7,
        given_letter=0.2,
        surname_translated=0.5,
        phonetic=0.05,
        gender_form_error=0.01,
        adopted=0.06,
        rename_on_adoption=0.5,
        patronymic_missing_ru=0.2,
        birth_shift=0.03,
        birth_year_only_ru=0.02,
        birthplace_old_name=0.2,
        birthplace_missing_ru=0.15,
        birthplace_russian=0.03,
        parent_names_ru=0.3,
        original_alias=0.15,
        full_name_only_ru=0.05,
        typo_ru=0.04,
    ),
    "hard": Params(
        in_registry=0.75,
        second_enquiry=0.10,
        registry_duplicate=0.06,
        ua_unenquired_share=0.08,
        confuser_rate=0.10,
        latin=0.25,
        russian=0.08,
        diminutive=0.12,
        alias_listed=0.1,
        patronymic_missing=0.5,
        birth_month_only=0.2,
        birth_year_only=0.1,
        birth_missing=0.06,
        birth_wrong=0.06,
        typo_surname=0.15,
        typo_given=0.1,
        full_name_only=0.1,
        sex_missing=0.06,
        birthplace_missing=0.3,
        parent_missing=0.3,
        given_translated=0.8,
        given_letter=0.15,
        surname_translated=0.7,
        phonetic=0.1,
        gender_form_error=0.03,
        adopted=0.12,
        rename_on_adoption=0.6,
        patronymic_missing_ru=0.3,
        birth_shift=0.08,
        birth_year_only_ru=0.05,
        birthplace_old_name=0.3,
        birthplace_missing_ru=0.25,
        birthplace_russian=0.08,
        parent_names_ru=0.15,
        original_alias=0.05,
        full_name_only_ru=0.1,
        typo_ru=0.1,
    ),
}
