"""Full names: parsing in any order, similarity per part, and search keys."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from reunite.names._given import (
    diminutive_ids,
    given_name,
    given_name_gender,
    given_name_ids,
    is_diminutive,
)
from reunite.names._latin import latin_key, phonetic_key
from reunite.names._patronymic import (
    looks_like_patronymic,
    patronymic_father_ids,
    patronymic_gender,
    strong_patronymic,
)
from reunite.names._surname import surname_key, surname_keys
from reunite.names._text import MAX_LENGTH, clean, detect_script, is_cyrillic

# Flags a PersonName may carry (documented in docs/names.md).
FLAGS = frozenset({
    "empty", "truncated", "digits", "symbols", "mixed_script", "initials", "diminutive",
    "ambiguous_given", "unknown_given", "unknown_order", "extra_tokens", "no_surname",
    "no_given", "fields", "patronymic_gender_mismatch",
})


@dataclass(frozen=True, slots=True)
class PersonName:
    """A name split into parts, as written (cleaned), with how sure the split is."""

    surname: str | None = None
    given: str | None = None
    patronymic: str | None = None
    confidence: float = 0.0
    flags: frozenset[str] = field(default_factory=frozenset)

    def parts(self) -> dict[str, str]:
        return {k: v for k, v in (("surname", self.surname), ("given", self.given),
                                  ("patronymic", self.patronymic)) if v}

    def display(self) -> str:
        """Register order, capitalised: "KOVALCHUK oleksandr" → "Kovalchuk Oleksandr"."""
        return " ".join(
            " ".join(_title(w) for w in v.split())
            for v in (self.surname, self.given, self.patronymic) if v
        )


@dataclass(frozen=True, slots=True)
class NameSimilarity:
    """Similarity of two names: overall score, verdict, and the per-part scores compared."""

    score: float
    same: bool
    parts: dict[str, float]

    @property
    def agreed(self) -> list[str]:
        """The parts that agree (score ≥ 0.85)."""
        return [k for k, v in self.parts.items() if v >= 0.85]


_INITIAL = re.compile(r"^[^\W\d_]\.?$")
_INITIALS_RUN = re.compile(r"^(?:[^\W\d_]\.){2,3}$")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_WORD_SPLIT = re.compile(r"[\s,;/]+")


def _split_tokens(text: str, flags: set[str]) -> list[str]:
    words, found = _tokens_cached(text)
    flags |= found
    return list(words)


@lru_cache(maxsize=20_000)  # whole names are mostly unique: keep this small
def _tokens_cached(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    flags: set[str] = set()
    raw = text[: MAX_LENGTH * 2]
    if len(raw) > MAX_LENGTH or len(text) > MAX_LENGTH * 2:
        flags.add("truncated")
    t = clean(raw)
    if _DIGIT.search(t):
        flags.add("digits")
    words: list[str] = []
    for w in _WORD_SPLIT.split(t):
        if not w:
            continue
        if _INITIALS_RUN.match(w):
            words.extend(p + "." for p in w.split(".") if p)
            continue
        letters = w if w.isalpha() else "".join(c for c in w if c.isalpha() or c in "'.-")
        if letters != w:
            flags.add("symbols")
        letters = letters.strip("'-")
        if letters and _HAS_LETTER.search(letters):
            if words and letters.casefold() in _TURKIC_PATRONYMIC:
                # Azerbaijani / Crimean Tatar patronymics are two words: "Рашид кизи"
                words[-1] = f"{words[-1]} {letters}"
            else:
                words.append(letters)
    return tuple(words), frozenset(flags)


_TURKIC_PATRONYMIC = frozenset({"оглы", "огли", "кызы", "кизи", "ogly", "ohly", "ogli", "oglu",
                                "oğlu", "kyzy", "kyzi", "qizi", "qızı", "uly", "улы"})


@lru_cache(maxsize=100_000)
def _is_initial(w: str) -> bool:
    return bool(_INITIAL.match(w)) and (w.endswith(".") or len(w) == 1)


def _title(w: str) -> str:
    """Display form of one word: KOVALCHUK → Kovalchuk (for display(), not for the parts)."""
    if w.isupper() or w.islower():
        return "-".join(p[:1].upper() + p[1:].lower() for p in w.split("-"))
    return w


def _from_fields(surname: str | None, given: str | None, patronymic: str | None) -> PersonName:
    flags = {"fields"}
    s = clean(surname) if isinstance(surname, str) and clean(surname) else None
    g = clean(given) if isinstance(given, str) and clean(given) else None
    p = clean(patronymic) if isinstance(patronymic, str) and clean(patronymic) else None
    conf = 1.0
    if g and not _is_initial(g) and not given_name_ids(g):
        flags.add("unknown_given")
        conf -= 0.1
    if g and _is_initial(g):
        flags.add("initials")
    if not s:
        flags.add("no_surname")
    if not g:
        flags.add("no_given")
    if not (s or g or p):
        flags.add("empty")
        conf = 0.0
    return _finish(s, g, p, conf, flags)


def _finish(s: str | None, g: str | None, p: str | None, conf: float,
            flags: set[str]) -> PersonName:
    scripts = {detect_script(x) for x in (s, g, p) if x}
    if "mixed" in scripts or {"latin", "cyrillic"} <= scripts:
        flags.add("mixed_script")
        conf -= 0.15
    if g and not _is_initial(g):
        extra, penalty = _given_flags(g, p)
        flags |= extra
        conf -= penalty
    if "truncated" in flags:
        conf -= 0.1
    if "digits" in flags or "symbols" in flags:
        conf -= 0.05
    return PersonName(s, g, p, round(max(0.0, min(1.0, conf)), 2), frozenset(flags))


@lru_cache(maxsize=200_000)
def _given_flags(g: str, p: str | None) -> tuple[frozenset[str], float]:
    flags: set[str] = set()
    penalty = 0.0
    ids = given_name_ids(g)
    # ambiguous when one word has several readings (Саша), not for a double name (Анна Марія)
    if any(len(given_name_ids(w)) > 1 for w in g.replace("-", " ").split()):
        flags.add("ambiguous_given")
    if ids and is_diminutive(g):
        flags.add("diminutive")
    if p and ids and not _is_initial(p):
        genders = {given_name_gender(i) for i in ids}
        pg = patronymic_gender(p)
        if pg in ("M", "F") and genders == {"M" if pg == "F" else "F"}:
            flags.add("patronymic_gender_mismatch")
            penalty = 0.2
    return frozenset(flags), penalty


@lru_cache(maxsize=200_000)
def _is_patronymic(w: str) -> bool:
    return (not _is_initial(w) and looks_like_patronymic(w) and not given_name_ids(w)
            and bool(patronymic_father_ids(w) or strong_patronymic(w)))


@lru_cache(maxsize=20_000)  # whole names are mostly unique: keep this small
def _parse_text(text: str) -> PersonName:
    flags: set[str] = set()
    words = _split_tokens(text, flags)
    if not words:
        flags.add("empty")
        return PersonName(None, None, None, 0.0, frozenset(flags))
    initials = [i for i, w in enumerate(words) if _is_initial(w)]
    if initials:
        flags.add("initials")
    full = [i for i in range(len(words)) if i not in initials]
    given_ix = [i for i in full if given_name_ids(words[i])]
    patr_ix = [i for i in full if _is_patronymic(words[i])]
    conf = 1.0
    s = g = p = None

    if not full:
        # only initials: nothing to hold on to
        g = words[0]
        p = words[1] if len(words) > 1 else None
        flags.add("no_surname")
        return _finish(None, g, p, 0.2, flags)

    if len(words) == 1:
        w = words[0]
        if given_ix:
            g = w
            flags.add("no_surname")
        elif patr_ix:
            p = w
            flags |= {"no_surname", "no_given"}
        else:
            s = w
            flags.add("no_given")
        return _finish(s, g, p, 0.5, flags)

    # Initials next to a surname: "Ковальчук О. П.", "O. P. Kovalchuk"
    if initials and len(full) == 1:
        s = words[full[0]]
        rest = [words[i] for i in initials]
        g = rest[0]
        p = rest[1] if len(rest) > 1 else None
        if len(rest) > 2:
            flags.add("extra_tokens")
        return _finish(s, g, p, 0.7, flags)

    patr = patr_ix[-1] if patr_ix else None
    others = [i for i in range(len(words)) if i != patr]
    if patr is not None:
        p = words[patr]
    cands = [i for i in others if i not in initials] or others
    if len(cands) >= 2:
        a, b = cands[0], cands[-1]
        a_given, b_given = a in given_ix, b in given_ix
        if patr is not None and patr == len(words) - 1 and b == patr - 1 and b_given:
            gi, si = b, a                        # Ковальчук Олександр Петрович
        elif patr is not None and a == patr - 1 and a_given:
            gi, si = a, b                        # Олександр Петрович Ковальчук
        elif a_given and not b_given:
            gi, si = a, b                        # Oleksandr Kovalchuk
        elif b_given and not a_given:
            gi, si = b, a                        # Ковальчук Олександр
        else:
            flags.add("unknown_order")
            conf -= 0.25
            if not a_given:
                flags.add("unknown_given")
                conf -= 0.1
            # registers (mostly Cyrillic) put the surname first; Latin text the given name
            if patr is not None and patr > b:
                gi, si = b, a
            elif is_cyrillic(next((c for c in words[a] if c.isalpha()), "a")):
                gi, si = b, a
            else:
                gi, si = a, b
        g, s = words[gi], words[si]
        middle = [words[i] for i in cands if i not in (gi, si)]
        if middle:
            flags.add("extra_tokens")
            conf -= 0.15
            # a second given name or a second surname: keep it with the given name
            g = " ".join([g, *[m for m in middle if given_name_ids(m)]])
            extra_s = [m for m in middle if not given_name_ids(m)]
            if extra_s:
                s = " ".join([s, *extra_s])
    else:
        only = words[cands[0]]
        if cands[0] in given_ix:
            g = only
            flags.add("no_surname")
        else:
            s = only
            flags.add("no_given")
        conf -= 0.2
    if initials and len(full) >= 2:
        extra_initials = [words[i] for i in initials]
        if p is None and extra_initials:
            p = extra_initials[0]
    return _finish(s, g, p, conf, flags)


def parse_name(text: str | None = None, *, surname: str | None = None,
               given: str | None = None, patronymic: str | None = None) -> PersonName:
    """Split a full name written in any order, or accept parts already split into fields."""
    if text is None or (isinstance(text, str) and not text.strip() and
                        (surname or given or patronymic)):
        return _from_fields(surname, given, patronymic)
    if not isinstance(text, str):
        return PersonName(None, None, None, 0.0, frozenset({"empty"}))
    return _parse_text(text)


# --- similarity ---
# Verdict "same": overall ≥ 0.85, given name ≥ 0.85, surname ≥ 0.9 (surname keys already
# absorb gender, language and spelling; a residual difference counts only when the consonant
# frame agrees), patronymic ≥ 0.7, and at least two parts compared.


def _initial_of(text: str) -> str:
    k = latin_key(text)
    return k[:1]


def _name_initials(ids: frozenset[str], text: str) -> set[str]:
    out = {_initial_of(text)}
    for i in ids:
        entry = given_name(i)
        if entry:
            out |= {_initial_of(f) for f in (*entry.uk, *entry.ru, *entry.latin)}
    return out


def _given_score(a: str, b: str) -> float:
    if _is_initial(a) or _is_initial(b):
        if _is_initial(a) and _is_initial(b):
            ia, ib = _initial_of(a), _initial_of(b)
            return 0.9 if ia and ia == ib else 0.0
        init, full = (a, b) if _is_initial(a) else (b, a)
        letter = _initial_of(init)
        if not letter:
            return 0.0
        return 0.9 if letter in _name_initials(given_name_ids(full), full) else 0.0
    ids_a, ids_b = given_name_ids(a), given_name_ids(b)
    if ids_a and ids_b:
        if ids_a & ids_b:
            return 1.0
        # a short form that is also a full name (Арсен, Сава, Віта): still a diminutive of the
        # other name
        if diminutive_ids(a) & ids_b or diminutive_ids(b) & ids_a:
            return 0.9
        return min(0.5, JaroWinkler.similarity(latin_key(a), latin_key(b)))
    return JaroWinkler.similarity(latin_key(a), latin_key(b))


def _surname_score(a: str, b: str) -> float:
    ka, kb = surname_key(a), surname_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb or surname_keys(a) & surname_keys(b):
        return 1.0
    score = JaroWinkler.similarity(ka, kb)
    if phonetic_key(ka) == phonetic_key(kb):
        # same consonant frame: a vowel or spelling difference (Moros/Мороз, Іванів/Иванов
        # after Russification) - close enough to propose, not to be certain
        score = max(score, 0.9)
    else:
        # a different consonant frame is a different family (Ковальчук/Коваленко,
        # Петренко/Петров), however long the shared prefix
        score = min(score, 0.8)
    # a double surname containing the other one
    if "-" in ka or "-" in kb:
        pa, pb = set(ka.split("-")), set(kb.split("-"))
        if pa & pb:
            score = max(score, 0.9)
    return score


def _patronymic_score(a: str, b: str) -> float:
    if _is_initial(a) or _is_initial(b):
        ia, ib = _initial_of(a), _initial_of(b)
        return 0.9 if ia and ia == ib else 0.0
    fa, fb = patronymic_father_ids(a), patronymic_father_ids(b)
    ga, gb = patronymic_gender(a), patronymic_gender(b)
    gender_clash = ga in "MF" and gb in "MF" and ga != gb
    if fa and fb:
        if fa & fb:
            return 0.6 if gender_clash else 1.0
        return min(0.5, JaroWinkler.similarity(latin_key(a), latin_key(b)))
    score = JaroWinkler.similarity(latin_key(a), latin_key(b))
    return min(score, 0.6) if gender_clash else score


_WEIGHTS = {"given": 0.4, "surname": 0.45, "patronymic": 0.15}


def _compare(pa: PersonName, pb: PersonName) -> NameSimilarity:
    parts: dict[str, float] = {}
    if pa.given and pb.given:
        parts["given"] = round(_given_score(pa.given, pb.given), 4)
    if pa.surname and pb.surname:
        parts["surname"] = round(_surname_score(pa.surname, pb.surname), 4)
    if pa.patronymic and pb.patronymic:
        parts["patronymic"] = round(_patronymic_score(pa.patronymic, pb.patronymic), 4)
    if not parts:
        return NameSimilarity(0.0, False, {})
    total = sum(_WEIGHTS[k] for k in parts)
    score = sum(_WEIGHTS[k] * v for k, v in parts.items()) / total
    # Agreement on one part alone is weak evidence: shrink towards it when the other is absent.
    if len(parts) == 1:
        score *= 0.8
    same = (
        score >= 0.85
        and parts.get("given", 1.0) >= 0.85
        and parts.get("surname", 1.0) >= 0.9
        and parts.get("patronymic", 1.0) >= 0.7
        and ("given" in parts or "surname" in parts)
        and len(parts) >= 2
    )
    return NameSimilarity(round(score, 4), same, parts)


def _swap(p: PersonName) -> PersonName:
    return PersonName(p.given, p.surname, p.patronymic, p.confidence, p.flags)


def name_similarity(a: str | PersonName, b: str | PersonName) -> NameSimilarity:
    """Compare two full names part by part (scores 0–1) and give a same/not-same verdict.

    Strings are parsed with :func:`parse_name`; when either parse is unsure of the order,
    the swapped reading is tried as well and the better one kept.
    """
    pa = a if isinstance(a, PersonName) else parse_name(a if isinstance(a, str) else "")
    pb = b if isinstance(b, PersonName) else parse_name(b if isinstance(b, str) else "")
    best = _compare(pa, pb)
    if "unknown_order" in pa.flags or "unknown_order" in pb.flags:
        for x, y in ((_swap(pa), pb), (pa, _swap(pb))):
            alt = _compare(x, y)
            if alt.score > best.score:
                best = alt
    return best


# --- search keys -----------------------------------------------------------------------------
@lru_cache(maxsize=300_000)
def token_keys(token: str) -> frozenset[str]:
    """Keys of one word: "g:" given-name ids, "s:" surname keys (every reading of a Latin
    spelling), "f:" father ids of a patronymic, "p:" phonetic code; "i:" for an initial."""
    keys: set[str] = set()
    if _is_initial(token):
        k = latin_key(token)
        return frozenset({f"i:{k[:1]}"}) if k else frozenset()
    # a short form that is also a full name (Ніка, Сава, Олеся) also keys the names it is a
    # diminutive of, on both sides, so that search follows name_similarity
    for gid in given_name_ids(token) | diminutive_ids(token):
        keys.add(f"g:{gid}")
    for sk in surname_keys(token):
        keys.add(f"s:{sk}")
    if _is_patronymic(token):
        for fid in patronymic_father_ids(token):
            keys.add(f"f:{fid}")
    ph = phonetic_key(token)
    if ph:
        keys.add(f"p:{ph}")
    return frozenset(keys)


def _search_tokens(text: str) -> list[str]:
    if not isinstance(text, str):
        return []
    return list(_tokens_cached(text)[0])


@lru_cache(maxsize=20_000)  # whole names are mostly unique: keep this small
def name_search_keys(text: str) -> frozenset[str]:
    """All search keys of a (full) name; see :func:`query_matches` for the matching rule."""
    out: set[str] = set()
    for token in _search_tokens(text):
        out |= token_keys(token)
    return frozenset(out)


def query_token_keys(text: str) -> list[frozenset[str]]:
    """One key set per query word (initials included), in order."""
    return [k for k in (token_keys(t) for t in _search_tokens(text)) if k]


def query_matches(query: str, record_keys: frozenset[str] | set[str]) -> bool:
    """The intended use of :func:`name_search_keys`: a record matches when every query
    word's key set intersects the record's key set."""
    per_token = query_token_keys(query)
    return bool(per_token) and all(k & record_keys for k in per_token)
