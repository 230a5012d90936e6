"""Interchange records -> tokens per field, from the names engine's canonical keys.

Nothing here keeps raw text: a given name becomes its canonical ids ("Сашко", "Александр",
"Oleksandr" -> ``oleksandr``), a surname its gender- and script-neutral key, a patronymic
the father's ids, a place its gazetteer id. Only those keys are hashed. Names repeat
heavily, so every names-engine call is memoised per distinct string.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

Tokens = dict[str, list[str]]


def _grams(key: str) -> list[str]:
    padded = f"_{key}_"
    return sorted({padded[i:i + 2] for i in range(len(padded) - 1)})


class TokenBuilder:
    """Computes each record's tokens; caches live as long as the builder."""

    def __init__(self, reference_year: int | None = None) -> None:
        from reunite import names

        self._ref_year = reference_year or date.today().year
        cache = lru_cache(maxsize=None)
        self.given_ids: Callable[[str], frozenset[str]] = cache(names.given_name_ids)
        self.surname_key: Callable[[str], str] = cache(names.surname_key)
        self.father_ids: Callable[[str], frozenset[str]] = cache(names.patronymic_father_ids)
        self.latin_key: Callable[[str], str] = cache(names.latin_key)
        self.phonetic_key: Callable[[str], str] = cache(names.phonetic_key)
        self._names = names
        self.parse = cache(self._parse)
        self.place = cache(self._place)

    def _parse(self, text: str) -> tuple[str, str, str]:
        pn = self._names.parse_name(text=text)
        return (pn.surname or "", pn.given or "", pn.patronymic or "")

    def _place(self, text: str) -> tuple[str | None, str | None]:
        if not text:
            return (None, None)
        p = self._names.place(text)
        if p is None:
            key = self.latin_key(text)
            return (f"text:{key}" if key else None, None)
        return (str(p.id), str(p.oblast) if p.oblast else None)

    def tokens(self, r: Any) -> Tokens:
        """Tokens per field of one ``InterchangeRecord`` (or alike)."""
        out: Tokens = {}
        surname, given, patronymic = r.surname, r.given_name, r.patronymic
        if r.full_name and not (surname and given):
            ps, pg, pp = self.parse(r.full_name)
            surname, given, patronymic = surname or ps, given or pg, patronymic or pp

        g_ids: set[str] = set(self.given_ids(given)) if given else set()
        s_keys: set[str] = set()
        if surname:
            k = self.surname_key(surname)
            if k:
                s_keys.add(k)
        for alias in r.other_names:
            for token in alias.replace(",", " ").split():
                ids = self.given_ids(token)
                if ids:
                    g_ids |= ids
                else:
                    k = self.surname_key(token)
                    if k:
                        s_keys.add(k)
        if g_ids:
            out["given_id"] = sorted(g_ids)
            out["given_grams"] = sorted({g for i in g_ids for g in _grams(i)})
        elif given:
            lk = self.latin_key(given)
            if lk:
                out["given_id"] = [f"~{lk}"]
                out["given_grams"] = _grams(lk)
        if s_keys:
            out["surname_key"] = sorted(s_keys)
            out["surname_grams"] = sorted({g for k in s_keys for g in _grams(k)})
            ph = self.phonetic_key(surname) if surname else ""
            if ph:
                out["surname_sound"] = [ph]

        f_ids: set[str] = set(self.father_ids(patronymic)) if patronymic else set()
        if r.father_name:
            f_ids |= self.given_ids(self.parse(r.father_name)[1] or "")
        if f_ids:
            out["father_id"] = sorted(f_ids)
        if r.mother_name:
            ms, mg, _ = self.parse(r.mother_name)
            mother = [f"g:{i}" for i in sorted(self.given_ids(mg))] if mg else []
            msk = self.surname_key(ms) if ms else ""
            if msk:
                mother.append(f"s:{msk}")
            if mother:
                out["mother"] = mother
        if r.sex in ("M", "F"):
            out["sex"] = [r.sex]

        bd = r.birth_date
        years: list[int] = []
        if bd.year is not None:
            years = [bd.year]
        elif r.estimated_age is not None:
            # age n on the reference day: born n or n+1 years before it
            ref = r.separation_date.year or self._ref_year
            years = [ref - r.estimated_age - 1, ref - r.estimated_age]
        if years:
            out["birth_year"] = [str(y) for y in years]
            out["birth_year_near"] = sorted({f"{y // 2}" for y in years}
                                            | {f"o{(y + 1) // 2}" for y in years})
        if bd.month is not None:
            out["birth_month"] = [f"{bd.year}-{bd.month:02d}"]
            if bd.day is not None:
                out["birth_day"] = [f"{bd.year}-{bd.month:02d}-{bd.day:02d}"]
                lo, hi = sorted((bd.month, bd.day))
                out["birth_daymonth"] = [f"{bd.year}:{lo}:{hi}"]
        bplace, bobl = self.place(r.birth_place)
        if bplace:
            out["birth_place"] = [bplace]
        if bobl:
            out["birth_region"] = [bobl]
        regions = {o for o in (self.place(r.separation_place)[1], self.place(r.current_region)[1])
                   if o}
        if regions:
            out["separation_region"] = sorted(regions)
        return out
