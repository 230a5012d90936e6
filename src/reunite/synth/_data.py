"""Load the generator's own name and place tables (``data/*.tsv``).

The tables are curated for this generator and deliberately independent of
``reunite.names``: the names engine is tested against this data, so sharing its
dictionaries would make those tests circular.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("reunite.synth").joinpath("data", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return [
        {k: ("" if v == "-" else v) for k, v in row.items()}
        for row in csv.DictReader(lines, delimiter="\t")
    ]


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(";") if v)


def _probs(weights: list[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return w / w.sum()


@dataclass(frozen=True)
class GivenNames:
    """One sex's given names with sampling probabilities for children and for parents."""

    names: tuple[str, ...]
    ru: tuple[str, ...]  # Russian "translation" (same as names for the Russian table)
    child_p: np.ndarray
    parent_p: np.ndarray
    parent_idx: np.ndarray  # indices with parent weight > 0 (for fathers' patronymics)
    pat_m: tuple[str, ...]  # patronymic a son of this (male) name gets, own language
    pat_f: tuple[str, ...]
    pat_ru_m: tuple[str, ...]  # the Russian patronymic a Russian record writes
    pat_ru_f: tuple[str, ...]
    dim: tuple[tuple[str, ...], ...]
    dim_ru: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Surnames:
    male: tuple[str, ...]
    female: tuple[str, ...]
    letter_m: tuple[str, ...]
    letter_f: tuple[str, ...]
    trans_m: tuple[str, ...]
    trans_f: tuple[str, ...]
    p: np.ndarray


@dataclass(frozen=True)
class Places:
    ua: tuple[str, ...]
    ru: tuple[str, ...]
    ru_alt: tuple[str, ...]
    oblast_ua: tuple[str, ...]
    oblast_ru: tuple[str, ...]
    status: tuple[str, ...]
    p: np.ndarray


@dataclass(frozen=True)
class RuPlaces:
    region: tuple[str, ...]
    city: tuple[str, ...]
    p: np.ndarray


@dataclass(frozen=True)
class Tables:
    ua_given: dict[str, GivenNames]  # by sex "F"/"M"
    ru_given: dict[str, GivenNames]
    ua_surnames: Surnames
    ru_surnames: Surnames
    ua_places: Places
    ru_places: RuPlaces


def _given(rows: list[dict[str, str]], sex: str, lang: str) -> GivenNames:
    sel = [r for r in rows if r["sex"] == sex]
    name_key = "ua" if lang == "ua" else "name"
    names = tuple(r[name_key] for r in sel)
    parent_w = [float(r["parent_w"]) for r in sel]
    child_w = [float(r["child_w"]) for r in sel]
    if lang == "ua":
        pats = [(r["pat_ua_m"], r["pat_ua_f"], r["pat_ru_m"], r["pat_ru_f"]) for r in sel]
        ru = tuple(r["ru"] for r in sel)
        dim, dim_ru = (
            tuple(_split(r["dim_ua"]) for r in sel),
            tuple(_split(r["dim_ru"]) for r in sel),
        )
    else:
        pats = [(r["pat_m"], r["pat_f"], r["pat_m"], r["pat_f"]) for r in sel]
        ru = names
        dim, dim_ru = tuple(() for _ in sel), tuple(() for _ in sel)
    parent_idx = np.flatnonzero(np.asarray(parent_w) > 0)
    return GivenNames(
        names=names,
        ru=ru,
        child_p=_probs(child_w),
        parent_p=_probs(parent_w),
        parent_idx=parent_idx,
        pat_m=tuple(p[0] for p in pats),
        pat_f=tuple(p[1] for p in pats),
        pat_ru_m=tuple(p[2] for p in pats),
        pat_ru_f=tuple(p[3] for p in pats),
        dim=dim,
        dim_ru=dim_ru,
    )


@cache
def tables() -> Tables:
    """All tables, loaded once per process."""
    ua_given = _rows("given_names_ua.tsv")
    ru_given = _rows("given_names_ru.tsv")
    ua_s = _rows("surnames_ua.tsv")
    ru_s = _rows("surnames_ru.tsv")
    places = _rows("places_ua.tsv")
    ru_places = _rows("places_ru.tsv")
    return Tables(
        ua_given={s: _given(ua_given, s, "ua") for s in ("F", "M")},
        ru_given={s: _given(ru_given, s, "ru") for s in ("F", "M")},
        ua_surnames=Surnames(
            male=tuple(r["ua_m"] for r in ua_s),
            female=tuple(r["ua_f"] for r in ua_s),
            letter_m=tuple(r["ru_letter_m"] for r in ua_s),
            letter_f=tuple(r["ru_letter_f"] for r in ua_s),
            trans_m=tuple(r["ru_trans_m"] for r in ua_s),
            trans_f=tuple(r["ru_trans_f"] for r in ua_s),
            p=_probs([float(r["weight"]) for r in ua_s]),
        ),
        ru_surnames=Surnames(
            male=tuple(r["m"] for r in ru_s),
            female=tuple(r["f"] for r in ru_s),
            letter_m=tuple(r["m"] for r in ru_s),
            letter_f=tuple(r["f"] for r in ru_s),
            trans_m=tuple(r["m"] for r in ru_s),
            trans_f=tuple(r["f"] for r in ru_s),
            p=_probs([float(r["weight"]) for r in ru_s]),
        ),
        ua_places=Places(
            ua=tuple(r["ua"] for r in places),
            ru=tuple(r["ru"] for r in places),
            ru_alt=tuple(r["ru_alt"] for r in places),
            oblast_ua=tuple(r["oblast_ua"] for r in places),
            oblast_ru=tuple(r["oblast_ru"] for r in places),
            status=tuple(r["status"] for r in places),
            p=_probs([float(r["weight"]) for r in places]),
        ),
        ru_places=RuPlaces(
            region=tuple(r["region"] for r in ru_places),
            city=tuple(r["city"] for r in ru_places),
            p=_probs([float(r["weight"]) for r in ru_places]),
        ),
    )
