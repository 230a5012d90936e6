"""The Reunite comparison model: comparisons, levels, blocking rules and training rules.

Everything here is dialect-neutral: array levels use Splink's own dialect-aware creators,
and hand-written conditions are DuckDB SQL marked ``base_dialect_str="duckdb"`` so that
Splink translates them with sqlglot for Spark. Conditions only compare the Latin keys and
ids computed by the names engine, never raw Cyrillic text: DuckDB 1.x measures string
distances on UTF-8 bytes, and keys make the model independent of script.

A saved model stores only the m and u probability of each (comparison, level) plus the
prior; the comparisons are rebuilt from this module, so one trained model runs on DuckDB
and on Spark alike. Changing a comparison's levels means bumping ``SPEC_VERSION``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

SPEC_VERSION = 1

#: Feature columns every input table carries (see ``_features.FEATURE_SCHEMA``).
SCALAR_COLUMNS = (
    "unique_id",
    "sex",
    "given_key",
    "father_key",
    "given_lat",
    "surname_key",
    "surname_lat",
    "surname_ph",
    "mother_sk",
    "bplace",
    "bobl",
    "splace",
)
ARRAY_COLUMNS = ("given_ids", "surname_keys", "father_ids", "mother_ids", "sobls")
INT_COLUMNS = ("yr", "mo", "dy", "yr_lo", "yr_hi")
#: Columns with a term-frequency adjustment (a common value is weaker evidence).
TF_COLUMNS = ("surname_key",)


def _custom(sql: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One comparison: its Splink output name, the caseworker's name for it, its levels."""

    name: str
    title: str
    level_labels: tuple[str, ...]  # non-null levels, strongest first

    def creator(self) -> ComparisonCreator:
        return _CREATORS[self.name]()


def _given_name() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="given_name",
        comparison_description="Given name: equivalence ids, then Latin-key spelling",
        comparison_levels=[
            # given_key is null exactly when no given name is known; using it here also
            # tells Splink's EM to skip this comparison when blocking on given_key.
            cll.NullLevel("given_key"),
            cll.ArrayIntersectLevel("given_ids", 1).configure(
                label_for_charts="same name (incl. diminutive or Russified form)"
            ),
            cll.JaroWinklerLevel("given_lat", 0.92).configure(
                label_for_charts="spelled similarly"
            ),
            cll.JaroWinklerLevel("given_lat", 0.80).configure(
                label_for_charts="loosely similar spelling"
            ),
            cll.ElseLevel().configure(label_for_charts="different names"),
        ],
    )


def _surname() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_description="Surname: gender/language-neutral key, aliases, phonetics",
        comparison_levels=[
            cll.And(cll.NullLevel("surname_key"), cll.NullLevel("surname_keys")),
            cll.ExactMatchLevel("surname_key", term_frequency_adjustments=True).configure(
                label_for_charts="same surname"
            ),
            cll.ArrayIntersectLevel("surname_keys", 1).configure(
                label_for_charts="matches an alternative or former surname"
            ),
            cll.ExactMatchLevel("surname_ph").configure(label_for_charts="sounds the same"),
            cll.JaroWinklerLevel("surname_lat", 0.90).configure(
                label_for_charts="spelled similarly"
            ),
            cll.ElseLevel().configure(label_for_charts="different surnames"),
        ],
    )


def _father() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="father",
        comparison_description="Patronymic and father's given name, compared as father ids",
        comparison_levels=[
            cll.NullLevel("father_ids"),
            cll.ArrayIntersectLevel("father_ids", 1).configure(
                label_for_charts="father's name agrees"
            ),
            cll.ElseLevel().configure(label_for_charts="father's names differ"),
        ],
    )


def _mother() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="mother",
        comparison_description="Mother's given name ids and surname key",
        comparison_levels=[
            cll.And(cll.NullLevel("mother_ids"), cll.NullLevel("mother_sk")),
            cll.And(
                cll.ArrayIntersectLevel("mother_ids", 1), cll.ExactMatchLevel("mother_sk")
            ).configure(label_for_charts="same given name and surname"),
            cll.ArrayIntersectLevel("mother_ids", 1).configure(
                label_for_charts="same given name"
            ),
            cll.ExactMatchLevel("mother_sk").configure(label_for_charts="same surname only"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _sex() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="sex",
        comparison_description="Sex",
        comparison_levels=[
            cll.NullLevel("sex"),
            cll.ExactMatchLevel("sex").configure(label_for_charts="same"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _birth_date() -> ComparisonCreator:
    # yr/mo/dy are the known parts of a partial date; yr_lo/yr_hi the possible birth years
    # (equal to yr for a dated record, a range for an estimated age).
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_description="Birth date with precision and tolerance",
        comparison_levels=[
            _custom("yr_lo_l IS NULL OR yr_lo_r IS NULL", "unknown").configure(
                is_null_level=True
            ),
            _custom("yr_l = yr_r AND mo_l = mo_r AND dy_l = dy_r", "exact"),
            _custom(
                "yr_l = yr_r AND mo_l = dy_r AND dy_l = mo_r AND mo_l <> dy_l",
                "day and month swapped",
            ),
            _custom(
                "yr_l = yr_r AND mo_l = mo_r AND (dy_l IS NULL OR dy_r IS NULL)",
                "same year and month (day unknown on one side)",
            ),
            _custom("yr_l = yr_r AND mo_l = mo_r", "same year and month, different day"),
            _custom(
                "yr_l = yr_r AND (mo_l IS NULL OR mo_r IS NULL)",
                "same year (month unknown on one side)",
            ),
            _custom("yr_l = yr_r", "same year, different month"),
            _custom("abs(yr_l - yr_r) <= 1", "one year apart"),
            _custom("abs(yr_l - yr_r) <= 2", "two years apart"),
            _custom(
                "(yr_l IS NULL OR yr_r IS NULL) AND yr_lo_l <= yr_hi_r + 1 "
                "AND yr_lo_r <= yr_hi_l + 1",
                "consistent with the estimated age",
            ),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _birth_place() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="birth_place",
        comparison_description="Birthplace through the gazetteer (weak: often rewritten)",
        comparison_levels=[
            cll.NullLevel("bplace"),
            cll.ExactMatchLevel("bplace").configure(label_for_charts="same place"),
            cll.ExactMatchLevel("bobl").configure(label_for_charts="same region"),
            cll.ElseLevel().configure(label_for_charts="different"),
        ],
    )


def _separation_place() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="separation_place",
        comparison_description="Separation place and institution region (regions compared)",
        comparison_levels=[
            cll.NullLevel("sobls"),
            cll.ExactMatchLevel("splace").configure(label_for_charts="same place"),
            cll.ArrayIntersectLevel("sobls", 1).configure(label_for_charts="same region"),
            cll.ElseLevel().configure(label_for_charts="different regions"),
        ],
    )


_CREATORS = {
    "given_name": _given_name,
    "surname": _surname,
    "father": _father,
    "mother": _mother,
    "sex": _sex,
    "birth_date": _birth_date,
    "birth_place": _birth_place,
    "separation_place": _separation_place,
}

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "given_name",
        "given name",
        (
            "same name (incl. diminutive or Russified form)",
            "spelled similarly",
            "loosely similar spelling",
            "different names",
        ),
    ),
    FieldSpec(
        "surname",
        "surname",
        (
            "same surname",
            "matches an alternative or former surname",
            "sounds the same",
            "spelled similarly",
            "different surnames",
        ),
    ),
    FieldSpec("father", "patronymic / father", ("father's name agrees", "father's names differ")),
    FieldSpec(
        "mother",
        "mother's name",
        ("same given name and surname", "same given name", "same surname only", "different"),
    ),
    FieldSpec("sex", "sex", ("same", "different")),
    FieldSpec(
        "birth_date",
        "birth date",
        (
            "exact",
            "day and month swapped",
            "same year and month (day unknown on one side)",
            "same year and month, different day",
            "same year (month unknown on one side)",
            "same year, different month",
            "one year apart",
            "two years apart",
            "consistent with the estimated age",
            "different",
        ),
    ),
    FieldSpec("birth_place", "birthplace", ("same place", "same region", "different")),
    FieldSpec(
        "separation_place",
        "separation place",
        ("same place", "same region", "different regions"),
    ),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A blocking rule with a stable name (reported with its comparison count)."""

    name: str
    description: str
    columns: tuple[str, ...]
    explode: tuple[str, ...] = ()
    sql: str | None = None

    def creator(self) -> BlockingRuleCreator | str:
        if self.sql is not None:
            return self.sql
        return block_on(*self.columns, arrays_to_explode=list(self.explode) or None)


#: Prediction blocking rules. Each is an equi-join, so the work grows with the sizes of
#: the blocks, not with |enquiries| x |records|. Together they cover the identity-drift
#: cases: a changed surname (dob + given name, dob + mother), a Russified given name
#: (ids shared), a shifted or swapped date (names without date).
BLOCKING_RULES: tuple[RuleSpec, ...] = (
    RuleSpec("dob", "exact birth date", ("yr", "mo", "dy")),
    RuleSpec(
        "dob_swapped",
        "birth date with day and month swapped",
        (),
        sql="l.yr = r.yr AND l.mo = r.dy AND l.dy = r.mo",
    ),
    RuleSpec(
        "surname_year",
        "any surname key (incl. aliases) and birth year",
        ("surname_keys", "yr"),
        explode=("surname_keys",),
    ),
    RuleSpec(
        "given_surname",
        "any given-name id and any surname key (any date)",
        ("given_ids", "surname_keys"),
        explode=("given_ids", "surname_keys"),
    ),
    RuleSpec(
        "given_phonetic",
        "given-name id and surname sound (Daitch-Mokotoff), any date",
        ("given_ids", "surname_ph"),
        explode=("given_ids",),
    ),
    RuleSpec(
        "given_year_month",
        "given-name id, birth year and month",
        ("given_ids", "yr", "mo"),
        explode=("given_ids",),
    ),
    RuleSpec(
        "mother_year",
        "mother's given-name id, mother's surname key and birth year",
        ("mother_ids", "mother_sk", "yr"),
        explode=("mother_ids",),
    ),
    RuleSpec(
        "given_father",
        "given-name id and father id (any date, any surname: the adoption case)",
        ("given_ids", "father_ids"),
        explode=("given_ids", "father_ids"),
    ),
)

#: EM sessions: each blocks on some fields and so estimates the m of all the others.
EM_RULES: tuple[RuleSpec, ...] = (
    RuleSpec("em_dob", "exact birth date", ("yr", "mo", "dy")),
    # Given name + surname alone also gathers unrelated namesakes (common names), and EM
    # then learns "same namesake" instead of "same child" (a different birth date looks
    # normal). The father's id and the birthplace make the block mostly true pairs.
    # Measured on synth "hard", 200k x 20k: F1 at 0.5 went 0.79 -> 0.86, weight of
    # "birth date different" -1.0 -> -3.5 bits.
    RuleSpec(
        "em_names",
        "first given-name id, surname key, father id and birthplace",
        ("given_key", "surname_key", "father_key", "bplace"),
    ),
)

#: Deterministic rules for the prior (probability that two random records match).
PRIOR_RULES: tuple[str, ...] = (
    "l.yr = r.yr AND l.mo = r.mo AND l.dy = r.dy AND l.surname_key = r.surname_key "
    "AND l.given_key = r.given_key",
    "l.yr = r.yr AND l.mo = r.mo AND l.dy = r.dy AND l.given_key = r.given_key "
    "AND l.mother_sk = r.mother_sk",
)
#: Share of true pairs the prior rules are assumed to find (the data decide the rest).
PRIOR_RULES_RECALL = 0.7


def gamma(field: str, label: str) -> int:
    """Splink's level number (gamma) of a field's level: strongest level highest, 0 last."""
    labels = FIELD_BY_NAME[field].level_labels
    return len(labels) - 1 - labels.index(label)


#: The sibling rule (twins included): a pair from one family (a similar surname, or the
#: father's name or the mother's given name agreeing) whose parents do not disagree, but
#: whose two given names are both names the names engine knows and differ (neither the
#: same name nor a diminutive or Russified form; a misspelt name is not "another
#: name", but Ярослав and Ярослава are two names), is a brother or sister of the child
#: sought, not the child; with the same birth date, a twin. EM cannot learn this: on random pairs a
#: different given name is ordinary and the family fields are rare, and an adopted child
#: renamed in Russia shows "different names" too, but with a new surname and patronymic,
#: so the rule does not touch it. The pair's weight is capped at ``SIBLING_RULE_WEIGHT``
#: bits (probability about 10^-6), so it is never proposed as the same child.
SIBLING_RULE = "sibling rule"
SIBLING_RULE_LABEL = (
    "same family but another given name: a brother or sister (a twin when born the same "
    "day), not this child"
)
SIBLING_RULE_WEIGHT = -20.0
_G_DIFFERENT_GIVEN = (
    gamma("given_name", "different names"),
    gamma("given_name", "loosely similar spelling"),
    gamma("given_name", "spelled similarly"),  # Ярослав / Ярослава, Марина / Марія
)
_G_SAME_DAY = (
    gamma("birth_date", "exact"),
    gamma("birth_date", "day and month swapped"),
    gamma("birth_date", "same year and month (day unknown on one side)"),
    gamma("birth_date", "same year (month unknown on one side)"),
)
_G_FATHER_AGREES = gamma("father", "father's name agrees")
_G_FATHER_DIFFERS = gamma("father", "father's names differ")
_G_MOTHER_GIVEN = (
    gamma("mother", "same given name and surname"),
    gamma("mother", "same given name"),
)
_G_MOTHER_DIFFERS = (gamma("mother", "same surname only"), gamma("mother", "different"))
_G_SIMILAR_SURNAME = (
    gamma("surname", "same surname"),
    gamma("surname", "matches an alternative or former surname"),
    gamma("surname", "sounds the same"),
    gamma("surname", "spelled similarly"),
)


_G_SEX_DIFFERS = gamma("sex", "different")


def _short_form(a: str | None, b: str | None) -> bool:
    """Whether one Latin key begins or ends the other (a possible short form)."""
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and (long.startswith(short) or long.endswith(short))


def sibling_signature(levels: dict[str, Any]) -> str | None:
    """``"twin"``, ``"sibling"`` or None: whether a scored pair (``{field: gamma}``) is
    ruled out by the sibling rule, and whether the two were born the same day.

    The caller checks first that both given names are names the names engine knows (a
    misspelt name is not "another name")."""
    if levels.get("given_name") not in _G_DIFFERENT_GIVEN:
        return None
    if _short_form(*levels.get("given_lat", ("", ""))) and levels.get("sex") != _G_SEX_DIFFERS:
        return None  # Міла / Мілана, Ніка / Вероніка: maybe a short form the names miss
    father, mother = levels.get("father"), levels.get("mother")
    if father == _G_FATHER_DIFFERS or mother in _G_MOTHER_DIFFERS:
        return None
    family = (
        father == _G_FATHER_AGREES
        or mother in _G_MOTHER_GIVEN
        or levels.get("surname") in _G_SIMILAR_SURNAME
    )
    if not family:
        return None
    return "twin" if levels.get("birth_date") in _G_SAME_DAY else "sibling"


def comparisons() -> list[ComparisonCreator]:
    return [f.creator() for f in FIELDS]
