"""Interchange records -> comparison features (a pyarrow table), through the names engine.

Names repeat heavily (a national list has ~1M rows but only tens of thousands of distinct
given names, surnames and places), so every names-engine call is memoised per distinct
string and the table is built column by column. Nothing here compares raw Cyrillic text:
the comparisons see only ids and Latin keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import pyarrow as pa

from reunite.linkage import _spec

FEATURE_SCHEMA = pa.schema(
    [(c, pa.string()) for c in _spec.SCALAR_COLUMNS]
    + [(c, pa.list_(pa.string())) for c in _spec.ARRAY_COLUMNS]
    + [(c, pa.int32()) for c in _spec.INT_COLUMNS]
)


@dataclass(frozen=True, slots=True)
class _Parsed:
    surname: str
    given: str
    patronymic: str


class FeatureBuilder:
    """Computes features with per-string caches that live as long as the builder.

    One builder can serve both sides of a link (and later incremental runs), so a name
    seen in the enquiries is not analysed again for the records.
    """

    def __init__(self, reference_year: int | None = None) -> None:
        from reunite import names

        self._ref_year = reference_year or date.today().year
        cache = lru_cache(maxsize=None)
        self.given_ids: Callable[[str], frozenset[str]] = cache(names.given_name_ids)
        self.surname_key: Callable[[str], str] = cache(names.surname_key)
        self.father_ids: Callable[[str], frozenset[str]] = cache(names.patronymic_father_ids)
        self.latin_key: Callable[[str], str] = cache(names.latin_key)
        self.phonetic_key: Callable[[str], str] = cache(names.phonetic_key)
        self._place = cache(names.place)
        self._parse_name = names.parse_name
        self.parse_full = cache(self._parse_full)
        self.place = cache(self._place_key)
        self.alias_keys = cache(self._alias_keys)

    # -- cached helpers --------------------------------------------------------------------
    def _parse_full(self, text: str) -> _Parsed:
        pn = self._parse_name(text=text)
        return _Parsed(pn.surname or "", pn.given or "", pn.patronymic or "")

    def _place_key(self, text: str) -> tuple[str | None, str | None]:
        """(place id, oblast): a gazetteer id when known, else the Latin key of the text."""
        if not text:
            return (None, None)
        p = self._place(text)
        if p is None:
            key = self.latin_key(text)
            return (f"text:{key}" if key else None, None)
        oblast = getattr(p, "oblast", None) or None
        return (str(p.id), str(oblast) if oblast else None)

    def _alias_keys(self, alias: str) -> tuple[frozenset[str], frozenset[str]]:
        """(given-name ids, surname keys) found in one alias, token by token.

        Aliases are written anyhow ("Саша", "Alexander Kovalchuk", "Коваль Олександр"):
        a token known as a given name contributes its ids, any other token a surname key.
        """
        given: set[str] = set()
        surnames: set[str] = set()
        for token in alias.replace(",", " ").split():
            ids = self.given_ids(token)
            if ids:
                given |= ids
            else:
                key = self.surname_key(token)
                if key:
                    surnames.add(key)
        return frozenset(given), frozenset(surnames)

    # -- table -----------------------------------------------------------------------------
    def table(self, records: Iterable[Any]) -> pa.Table:
        """The feature table of ``records`` (``InterchangeRecord``s or alike)."""
        cols: dict[str, list[Any]] = {name: [] for name in FEATURE_SCHEMA.names}
        ref_year = self._ref_year
        for r in records:
            surname, given, patronymic = r.surname, r.given_name, r.patronymic
            if r.full_name and not (surname and given):
                parsed = self.parse_full(r.full_name)
                surname = surname or parsed.surname
                given = given or parsed.given
                patronymic = patronymic or parsed.patronymic

            g_ids: set[str] = set(self.given_ids(given)) if given else set()
            s_key = self.surname_key(surname) if surname else ""
            s_keys: set[str] = {s_key} if s_key else set()
            for alias in r.other_names:
                a_given, a_surnames = self.alias_keys(alias)
                g_ids |= a_given
                s_keys |= a_surnames

            f_ids: set[str] = set(self.father_ids(patronymic)) if patronymic else set()
            if r.father_name:
                f_ids |= self.given_ids(self.parse_full(r.father_name).given or "")
            m_ids: frozenset[str] = frozenset()
            m_sk = ""
            if r.mother_name:
                pm = self.parse_full(r.mother_name)
                m_ids = self.given_ids(pm.given) if pm.given else frozenset()
                m_sk = self.surname_key(pm.surname) if pm.surname else ""

            given_lat = self.latin_key(given) if given else ""
            cols["unique_id"].append(r.record_id)
            cols["sex"].append(r.sex or None)
            cols["given_key"].append(min(g_ids) if g_ids else (given_lat or None))
            cols["given_lat"].append(given_lat or None)
            cols["father_key"].append(min(f_ids) if f_ids else None)
            cols["surname_key"].append(s_key or None)
            cols["surname_lat"].append((self.latin_key(surname) if surname else "") or None)
            cols["surname_ph"].append((self.phonetic_key(surname) if surname else "") or None)
            cols["mother_sk"].append(m_sk or None)
            bplace, bobl = self.place(r.birth_place)
            splace, sobl = self.place(r.separation_place)
            _, cobl = self.place(r.current_region)
            cols["bplace"].append(bplace)
            cols["bobl"].append(bobl)
            cols["splace"].append(splace)
            sobls = sorted({o for o in (sobl, cobl) if o})
            cols["sobls"].append(sobls or None)
            cols["given_ids"].append(sorted(g_ids) or None)
            cols["surname_keys"].append(sorted(s_keys) or None)
            cols["father_ids"].append(sorted(f_ids) or None)
            cols["mother_ids"].append(sorted(m_ids) or None)

            bd = r.birth_date
            yr, mo, dy = bd.year, bd.month, bd.day
            cols["yr"].append(yr)
            cols["mo"].append(mo)
            cols["dy"].append(dy)
            if yr is not None:
                lo = hi = yr
            elif r.estimated_age is not None:
                # Age "n" on the reference date means born n or n+1 years before it.
                ref = r.separation_date.year or ref_year
                lo, hi = ref - r.estimated_age - 1, ref - r.estimated_age
            else:
                lo = hi = None
            cols["yr_lo"].append(lo)
            cols["yr_hi"].append(hi)
        return pa.table(
            {name: pa.array(cols[name], type=FEATURE_SCHEMA.field(name).type)
             for name in FEATURE_SCHEMA.names},
            schema=FEATURE_SCHEMA,
        )


def display_values(record: Any) -> dict[str, str]:
    """Each comparison's input as written, for the explanation shown to a caseworker."""
    given = record.given_name
    surname = record.surname
    if record.full_name and not (given and surname):
        given = given or record.full_name
    aliases = "; ".join(record.other_names)
    if record.birth_date.year is not None:
        birth = str(record.birth_date)
    elif record.estimated_age is not None:
        birth = f"age about {record.estimated_age}"
    else:
        birth = ""
    father = " / ".join(p for p in (record.patronymic, record.father_name) if p)
    separation = " / ".join(p for p in (record.separation_place, record.current_region) if p)
    return {
        "given_name": f"{given} ({aliases})" if aliases and given else (given or aliases),
        "surname": surname or (record.full_name if not given else ""),
        "father": father,
        "mother": record.mother_name,
        "sex": record.sex,
        "birth_date": birth,
        "birth_place": record.birth_place,
        "separation_place": separation,
    }
