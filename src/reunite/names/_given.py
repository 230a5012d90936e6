"""Given-name dictionary: any spelling or diminutive → canonical ids with gender.

Data: ``data/given_names.tsv`` (project file, hand-curated; see the header of that file).
At first use every Ukrainian form is also written in the Ukrainian document schemes and
every Russian form in the Russian ones, and all of it is indexed by :func:`latin_key`.

Why not rigour or names-translator alone: names-translator maps Ukrainian → Russian only for
full forms and has no diminutives; rigour's Wikidata corpus misses Mykola–Nikolay (see
docs/names.md). The project file fixes the pairs and adds both languages' diminutives.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from reunite.names._latin import latin_key
from reunite.names._text import normalize
from reunite.names._translit import DOCUMENT_SCHEMES_RU, DOCUMENT_SCHEMES_UK, transliterate

# Russian forms are also indexed under GOST 7.79 B (х → x) and the telegraph scheme.
_INDEX_SCHEMES_RU = (*DOCUMENT_SCHEMES_RU, "ru_gost_779b", "ru_telegram")


@dataclass(frozen=True, slots=True)
class GivenName:
    """One canonical given name."""

    id: str
    gender: str
    uk: tuple[str, ...]
    ru: tuple[str, ...]
    diminutives: tuple[str, ...]
    latin: tuple[str, ...]


class _Index:
    def __init__(self) -> None:
        self.names: dict[str, GivenName] = {}
        self.full: dict[str, set[str]] = {}
        self.dim: dict[str, set[str]] = {}
        self.cyr_full: dict[str, set[str]] = {}

    def add(self, table: dict[str, set[str]], key: str, name_id: str) -> None:
        if key:
            table.setdefault(key, set()).add(name_id)


_lock = threading.Lock()
_index: _Index | None = None


def _split(field: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in field.split("|") if x.strip())


def _load() -> _Index:
    idx = _Index()
    text = resources.files("reunite.names").joinpath("data/given_names.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        f = (line.split("\t") + [""] * 6)[:6]
        name = GivenName(f[0], f[1], _split(f[2]), _split(f[3]), _split(f[4]), _split(f[5]))
        idx.names[name.id] = name
        for form in name.uk + name.ru:
            idx.add(idx.full, latin_key(form), name.id)
            idx.add(idx.cyr_full, normalize(form), name.id)
        for form in name.uk:
            for scheme in DOCUMENT_SCHEMES_UK:
                idx.add(idx.full, latin_key(transliterate(form, scheme)), name.id)
        for form in name.ru:
            for scheme in _INDEX_SCHEMES_RU:
                idx.add(idx.full, latin_key(transliterate(form, scheme)), name.id)
        dim_keys = {latin_key(d) for d in name.diminutives}
        for form in name.latin:
            # informal Latin forms (Sasha, Kolya, Lena) are diminutives, not full names
            key = latin_key(form)
            idx.add(idx.dim if key in dim_keys else idx.full, key, name.id)
        for form in name.diminutives:
            idx.add(idx.dim, latin_key(form), name.id)
            idx.add(idx.dim, latin_key(transliterate(form, "uk_kmu_2010")), name.id)
            idx.add(idx.dim, latin_key(transliterate(form, "ru_mvd_310")), name.id)
    # sets → sorted tuples: tuples of strings are not tracked by the garbage collector
    for table in (idx.full, idx.dim, idx.cyr_full):
        for key, ids in table.items():
            table[key] = tuple(sorted(ids))  # type: ignore[assignment]
    return idx


def index() -> _Index:
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = _load()
    return _index


@lru_cache(maxsize=200_000)
def _ids_for_token(token: str) -> tuple[frozenset[str], bool]:
    """(ids, is_diminutive) for one word."""
    idx = index()
    norm = normalize(token)
    if norm in idx.cyr_full:
        return frozenset(idx.cyr_full[norm]), False
    key = latin_key(token)
    if not key:
        return frozenset(), False
    if key in idx.full:
        return frozenset(idx.full[key]), False
    if key in idx.dim:
        return frozenset(idx.dim[key]), True
    return frozenset(), False


@lru_cache(maxsize=200_000)
def given_name_ids(text: str) -> frozenset[str]:
    """Canonical ids of a given name in any script, spelling or diminutive.

    Full forms win over diminutives (Олеся is its own name, not also Олександра); a
    diminutive shared by several names returns all of them (Саша → oleksandr, oleksandra).
    Hyphenated or two-word given names return the ids of each part.
    """
    if not isinstance(text, str):
        return frozenset()
    norm = normalize(text)
    if not norm:
        return frozenset()
    ids, _dim = _ids_for_token(norm)
    if ids:
        return ids
    parts = [p for p in norm.replace("-", " ").split() if p]
    if len(parts) > 1:
        out: set[str] = set()
        for p in parts:
            out |= _ids_for_token(p)[0]
        return frozenset(out)
    return frozenset()


@lru_cache(maxsize=100_000)
def diminutive_ids(text: str) -> frozenset[str]:
    """Ids of the names that list this word as a diminutive (even if it is also a full name)."""
    key = latin_key(text) if isinstance(text, str) else ""
    return frozenset(index().dim.get(key, ())) if key else frozenset()


def is_diminutive(text: str) -> bool:
    """True when the word is known only as a diminutive (Саша, Kolya)."""
    ids, dim = _ids_for_token(normalize(text)) if isinstance(text, str) else (frozenset(), False)
    return bool(ids) and dim


def given_name_gender(name_id: str) -> str:
    """"M", "F", or "U" for an unknown id."""
    name = index().names.get(name_id) if isinstance(name_id, str) else None
    return name.gender if name else "U"


def given_name(name_id: str) -> GivenName | None:
    """The dictionary entry of a canonical id."""
    return index().names.get(name_id) if isinstance(name_id, str) else None


def all_given_names() -> list[GivenName]:
    return list(index().names.values())
