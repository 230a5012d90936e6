"""Likely spellings of a name in Latin and Cyrillic, ranked.

Cyrillic input: the Ukrainian and Russian Cyrillic forms (given names from the project
dictionary, surnames and patronymics from names-translator's validated Ukrainian → Russian
dictionaries), each written in the document schemes of its language, official first.

Latin input: Cyrillic candidates from the beam search in :mod:`._translit`, preferring those
that names-translator or the given-name dictionary knows as real Ukrainian names; then the
same expansion as for Cyrillic.
"""

from __future__ import annotations

from functools import lru_cache

from reunite.names._given import given_name, given_name_ids, is_diminutive
from reunite.names._latin import latin_key
from reunite.names._patronymic import (
    looks_like_patronymic,
    patronymic_father_ids,
    patronymic_forms,
    patronymic_gender,
)
from reunite.names._text import UK_ONLY, clean, detect_language, detect_script
from reunite.names._translit import (
    DOCUMENT_SCHEMES_RU,
    DOCUMENT_SCHEMES_UK,
    to_cyrillic,
    transliterate,
)

MAX_SPELLINGS = 40


def _nt_lookup(word: str, kind: str) -> list[str]:
    try:
        from names_translator.dicts import default_dicts

        return default_dicts().lookup(word, kind)
    except (ImportError, OSError, RuntimeError, ValueError):  # pragma: no cover
        return []


def _kind(word: str) -> str:
    if given_name_ids(word):
        return "first"
    if looks_like_patronymic(word):
        return "patronymic"
    return "last"


def _cap(word: str) -> str:
    return "-".join(p[:1].upper() + p[1:] for p in word.split("-"))


def _patronymic_forms(word: str) -> tuple[list[str], list[str]]:
    if given_name_ids(word) or not looks_like_patronymic(word):
        return [], []
    gender = patronymic_gender(word)
    uk: list[str] = []
    ru: list[str] = []
    for fid in sorted(patronymic_father_ids(word)):
        u, r = patronymic_forms(fid, gender)
        uk += u
        ru += r
    return uk, ru


@lru_cache(maxsize=50_000)
def _cyrillic_forms(word: str) -> tuple[list[str], list[str]]:
    """(Ukrainian forms, Russian forms) of one Cyrillic word, best first."""
    w = _cap(clean(word).lower())
    p_uk, p_ru = _patronymic_forms(w)
    if p_uk or p_ru:
        lang = detect_language(w)
        is_ru = lang == "ru" or (lang == "unknown" and w.casefold() in
                                 {x.casefold() for x in p_ru})
        first = [w]
        return (list(dict.fromkeys((first if not is_ru else []) + p_uk)),
                list(dict.fromkeys((first if is_ru else []) + p_ru)))
    lang = detect_language(w)
    uk: list[str] = []
    ru: list[str] = []
    ids = given_name_ids(w)
    if ids and not is_diminutive(w):
        for i in sorted(ids):
            entry = given_name(i)
            if entry:
                uk += list(entry.uk[:2])
                ru += list(entry.ru[:2])
        if lang == "ru":
            ru.insert(0, w)
        else:
            uk.insert(0, w)
    else:
        if lang == "ru":
            ru.append(w)
        else:
            uk.append(w)
            ru += _nt_lookup(w, _kind(w))
        if lang != "uk":
            ru.insert(0, w) if w not in ru else None
    if ids and is_diminutive(w):
        (ru if lang == "ru" else uk).insert(0, w)
        for i in sorted(ids):
            entry = given_name(i)
            if entry:
                uk.append(entry.uk[0])
                ru.append(entry.ru[0])
    if not any(c in UK_ONLY for c in w) and w not in ru and lang != "uk":
        ru.append(w)
    return list(dict.fromkeys(uk)), list(dict.fromkeys(ru))


# (pattern, English-style replacement); upper-case placeholders keep a later rule from
# rewriting what an earlier one produced
_FR_TO_EN = [("chtch", "Q"), ("tch", "C"), ("ch", "S"), ("ou", "u"), ("dj", "dZ"), ("j", "Z"),
             ("gue", "ge"), ("gui", "gi")]
_DE_TO_EN = [("schtsch", "Q"), ("tsch", "C"), ("sch", "S"), ("sh", "Z"), ("ch", "kh"),
             ("tz", "ts"), ("z", "ts"), ("w", "v"), ("j", "y")]
_PLACEHOLDERS = str.maketrans({"Q": "shch", "C": "ch", "S": "sh", "Z": "zh"})


def _foreign_readings(word: str) -> list[str]:
    """The word rewritten from French and from German conventions to English-style Latin."""
    w = word.lower()
    out = []
    for rules, markers in ((_FR_TO_EN, ("ch", "ou", "j")),
                           (_DE_TO_EN, ("sch", "w", "z", "j", "ch", "sh"))):
        if any(m in w for m in markers):
            r = w
            for a, b in rules:
                r = r.replace(a, b)
            out.append(r.translate(_PLACEHOLDERS))
    return [r for r in out if r != w]


@lru_cache(maxsize=50_000)
def _latin_to_cyrillic(word: str) -> tuple[list[str], list[str]]:
    w = clean(word)
    p_uk, p_ru = _patronymic_forms(w)
    if p_uk or p_ru:
        return p_uk, p_ru
    ids = given_name_ids(w)
    uk: list[str] = []
    ru: list[str] = []
    if ids:
        # a known given name: the dictionary's forms, no guessing; a diminutive first keeps
        # its own Cyrillic form (Sasha → Саша, then Олександр, Александр)
        key = latin_key(w)
        for i in sorted(ids) if is_diminutive(w) else ():
            entry = given_name(i)
            if entry:
                dims = [d for d in entry.diminutives if latin_key(d) == key]
                uk += dims[:1]
                ru += dims[:1]
        for i in sorted(ids):
            entry = given_name(i)
            if entry:
                uk.append(entry.uk[0])
                ru.append(entry.ru[0])
        return list(dict.fromkeys(uk)), list(dict.fromkeys(ru))
    cands_uk = to_cyrillic(w, "uk", 12)
    kind = "patronymic" if looks_like_patronymic(w) else "last"
    # French (Chevtchenko, Tychtchenko) and German (Schewtschenko, Wyschnewskyj) spellings are
    # also read through their own conventions; the dictionary check below picks the real name
    extra = [c for r in _foreign_readings(w) for c in to_cyrillic(r, "uk", 6)]
    low = w.lower()
    # a spelling that shows a foreign convention plainly (tsch, sch, w; tch, ou) is read that
    # way first: Schewtschenko is Шевченко, not Щевченко
    first = extra + cands_uk if any(m in low for m in ("tsch", "sch", "w", "tch", "ou")) \
        else cands_uk + extra
    known = [c for c in dict.fromkeys(first) if _nt_lookup(_cap(c), kind)]
    # Latin drops the soft sign; when a name is known with and without it, the soft form
    # is the usual Ukrainian one (Мельник, not Мелник)
    soft = {c.replace("ь", "") for c in known if "ь" in c}
    known = sorted(known, key=lambda c: c in soft and "ь" not in c)
    if known:
        # names-translator knows these as Ukrainian names: take them and their Russian forms
        uk += [_cap(c) for c in known[:3]]
        for c in known[:2]:
            ru += _nt_lookup(_cap(c), kind)[:2]
        return list(dict.fromkeys(uk)), list(dict.fromkeys(ru))
    # unknown name: the most regular writing per language, and one alternative that folds
    # back to the same Latin key
    key = latin_key(w)
    same_key = [c for c in cands_uk if latin_key(c) == key]
    uk += [_cap(c) for c in (cands_uk[:1] + same_key[:2])]
    cands_ru = to_cyrillic(w, "ru", 4)
    ru += [_cap(c) for c in cands_ru[:1] + [c for c in cands_ru[1:] if latin_key(c) == key][:1]]
    return list(dict.fromkeys(uk))[:2], list(dict.fromkeys(ru))[:2]


def _words(text: str) -> list[str]:
    return [w for w in clean(text).split(" ") if w]


@lru_cache(maxsize=20_000)
def _spellings(text: str) -> tuple[str, ...]:
    t = clean(text)
    if not t:
        return ()
    script = detect_script(t)
    words = _words(t)
    per_word: list[tuple[list[str], list[str]]] = []
    for w in words:
        if detect_script(w) == "latin":
            per_word.append(_latin_to_cyrillic(w))
        elif detect_script(w) == "cyrillic":
            per_word.append(_cyrillic_forms(w))
        else:
            per_word.append(([w], [w]))
    uk_best = " ".join(f[0][0] if f[0] else (f[1][0] if f[1] else "") for f in per_word).strip()
    ru_best = " ".join(f[1][0] if f[1] else (f[0][0] if f[0] else "") for f in per_word).strip()
    out: list[str] = []
    if script == "latin":
        out.append(t)
    cyr_uk_all = [uk_best] + [" ".join(_alt(f[0] or f[1], i) for f in per_word) for i in (1, 2)]
    cyr_ru_all = [ru_best] + [" ".join(_alt(f[1] or f[0], i) for f in per_word) for i in (1, 2)]
    # Latin: official Ukrainian first, then the Russian passport schemes, then the rest
    latin: list[str] = []
    if uk_best:
        latin.append(transliterate(uk_best, "uk_kmu_2010"))
    if ru_best:
        latin.append(transliterate(ru_best, "ru_icao_2013"))
        latin.append(transliterate(ru_best, "ru_mvd_310"))
    for scheme in DOCUMENT_SCHEMES_UK[1:]:
        if uk_best:
            latin.append(transliterate(uk_best, scheme))
    for scheme in DOCUMENT_SCHEMES_RU:
        if ru_best:
            latin.append(transliterate(ru_best, scheme))
    for alt in cyr_uk_all[1:]:
        latin.append(transliterate(alt, "uk_kmu_2010"))
    for alt in cyr_ru_all[1:]:
        latin.append(transliterate(alt, "ru_icao_2013"))
    cyr = [c for c in cyr_uk_all[:1] + cyr_ru_all[:1] + cyr_uk_all[1:] + cyr_ru_all[1:] if c]
    if script == "cyrillic":
        out.append(t)
        out += cyr
        out += latin
    else:
        out += latin[:3]
        out += cyr
        out += latin[3:]
    seen: set[str] = set()
    ranked: list[str] = []
    for s in out:
        s = " ".join(s.split())
        if s and s.casefold() not in seen and "`" not in s:
            seen.add(s.casefold())
            ranked.append(s)
    return tuple(ranked[:MAX_SPELLINGS])


def _alt(forms: list[str], i: int) -> str:
    if not forms:
        return ""
    return forms[i] if i < len(forms) else forms[0]


def cyrillic_spellings(text: str) -> dict[str, list[str]]:
    """Ranked Cyrillic forms of a name in each language: {"uk": [...], "ru": [...]}.

    Latin input is written back (dictionary forms for known given names and patronymics,
    names-translator's validated Ukrainian names and their Russian forms for surnames, else
    the most regular writing); Cyrillic input gets the other language's form.
    """
    t = clean(text) if isinstance(text, str) else ""
    words = _words(t) if t else []
    if not words:
        return {"uk": [], "ru": []}
    per_word = []
    for w in words:
        script = detect_script(w)
        if script == "latin":
            per_word.append(_latin_to_cyrillic(w))
        elif script == "cyrillic":
            per_word.append(_cyrillic_forms(w))
        else:
            per_word.append(([w], [w]))
    out: dict[str, list[str]] = {}
    for lang, idx in (("uk", 0), ("ru", 1)):
        variants = []
        for i in range(3):
            forms = [f[idx] or f[1 - idx] for f in per_word]
            variants.append(" ".join(_alt(fs, i) for fs in forms).strip())
        out[lang] = [v for v in dict.fromkeys(variants) if v]
    return out


def spellings(text: str) -> list[str]:
    """Likely Latin and Cyrillic forms of a name (one word or a full name), ranked.

    The input itself comes first; then, for Cyrillic input, the other language's Cyrillic form
    and the official transliterations (KMU 2010, ICAO, MVD 310), then older schemes.
    """
    if not isinstance(text, str):
        return []
    return list(_spellings(text))
