"""Official transliteration schemes (through translitua and iuliia) and Latin → Cyrillic.

Cyrillic → Latin uses the maintained packages and never a re-typed table:

* Ukrainian schemes come from ``translitua`` (MIT), which passes all 76 official examples of
  CMU Resolution 55 (2010). ``uklatn`` (MIT) provides DSTU 9112 decoding.
* Russian schemes come from ``iuliia`` (MIT), whose JSON schemas carry the published samples.
  iuliia knows no Ukrainian letters, so Ukrainian-only letters are first written the way a
  Russian clerk writes them (і → и, ї → йи, є → е, ґ → г, apostrophe → ь).

Latin → Cyrillic has no official scheme; :func:`to_cyrillic` generates a short ranked list by
a beam search over the ambiguous Latin letters (y, i, h, g, e ...) for each language.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import iuliia
import translitua

from reunite.names._text import UK_ONLY, clean, is_cyrillic
from reunite.names.exceptions import UnknownSchemeError

_UA_SCHEMES: dict[str, Any] = {
    "uk_kmu_2010": translitua.UkrainianKMU,
    "uk_passport_2007": translitua.UkrainianPassport2007,
    "uk_passport_2004_alt": translitua.UkrainianPassport2004Alt,
    "uk_national_1996": translitua.UkrainianNational1996,
    "uk_bgn_1965": translitua.UkrainianBGN,
    "uk_bgn_2019": translitua.UkrainianBGN2019,
    "uk_ungegn": translitua.UkrainianUNGEGN,
    "uk_iso9": translitua.UkrainianISO9,
    "uk_gost_1971": translitua.UkrainianGOST1971,
    "uk_gost_1986": translitua.UkrainianGOST1986,
    "uk_dstu_9112_a": translitua.UkrainianDSTU9112A,
    "uk_dstu_9112_b": translitua.UkrainianDSTU9112B,
    "uk_ala_lc": translitua.UkrainianALALC,
    "uk_british": translitua.UkrainianBritish,
    "uk_german": translitua.UkrainianGerman,
    "uk_french": translitua.UkrainianFrench,
    "uk_wws": translitua.UkrainianWWS,
    "uk_simple": translitua.UkrainianSimple,
}

_RU_SCHEMES: dict[str, Any] = {
    "ru_icao_2013": iuliia.ICAO_DOC_9303,
    "ru_gost_52535": iuliia.GOST_52535,
    "ru_mvd_310": iuliia.MVD_310,
    "ru_mvd_310_fr": iuliia.MVD_310_FR,
    "ru_mvd_782": iuliia.MVD_782,
    "ru_bgn_pcgn": iuliia.BGN_PCGN,
    "ru_gost_779b": iuliia.GOST_779_ALT,
    "ru_iso9": iuliia.GOST_779,
    "ru_wikipedia": iuliia.WIKIPEDIA,
    "ru_ala_lc": iuliia.ALA_LC,
    "ru_telegram": iuliia.TELEGRAM,
    "ru_ungegn_1987": iuliia.UNGEGN_1987,
    "ru_scientific": iuliia.SCIENTIFIC,
}

#: Latin → Cyrillic "schemes": the best candidate of :func:`to_cyrillic` for one language.
_BACK_SCHEMES = ("uk_cyrillic", "ru_cyrillic")

#: Schemes whose output appears in identity documents; spellings() ranks these first.
# (uk_passport_2004_alt is left out: translitua writes к as "c" in it, which we have not seen
# in real documents.)
DOCUMENT_SCHEMES_UK = ("uk_kmu_2010", "uk_passport_2007", "uk_national_1996", "uk_bgn_1965",
                       "uk_german")
DOCUMENT_SCHEMES_RU = ("ru_icao_2013", "ru_mvd_310", "ru_gost_52535", "ru_bgn_pcgn",
                       "ru_wikipedia", "ru_mvd_782", "ru_mvd_310_fr")

SCHEME_NOTES: dict[str, str] = {
    "uk_kmu_2010": "Ukraine, CMU Resolution 55 of 27 Jan 2010: passports since 2010",
    "uk_passport_2007": "Ukrainian passports 2007-2010 (г → g, Ye → ie)",
    "uk_passport_2004_alt": "Ukrainian passport variant of 2004 (ж → j, ґ → h)",
    "uk_national_1996": "Ukrainian national system 1996 (щ → sch)",
    "uk_bgn_1965": "BGN/PCGN 1965 for Ukrainian (ye, yi, y, yu, ya)",
    "uk_bgn_2019": "BGN/PCGN 2019 = KMU 2010",
    "ru_icao_2013": "ICAO Doc 9303: Russian passports from 2013/14",
    "ru_gost_52535": "GOST R 52535.1-2006: Russian passports 2010-2013/14",
    "ru_mvd_310": "MVD order 310 (1997): Russian passports 1997-2010",
    "ru_mvd_310_fr": "MVD order 310, French variant",
    "ru_mvd_782": "MVD order 782 (2000): driving licences",
    "ru_bgn_pcgn": "BGN/PCGN for Russian (ye at word start)",
    "ru_gost_779b": "GOST 7.79-2000 system B",
    "ru_iso9": "ISO 9:1995 = GOST 7.79-2000 system A (diacritics)",
}


def schemes() -> list[str]:
    """All scheme names accepted by :func:`transliterate`."""
    return [*_UA_SCHEMES, *_RU_SCHEMES, *_BACK_SCHEMES]


_UA_TO_RU_LETTERS = str.maketrans({
    "і": "и", "І": "И", "ї": "йи", "Ї": "Йи", "є": "е", "Є": "Е", "ґ": "г", "Ґ": "Г",
})
_RU_TO_UA_LETTERS = str.maketrans({
    "ы": "и", "Ы": "И", "э": "е", "Э": "Е", "ъ": "'", "Ъ": "'",
})
_APOS_AFTER_LETTER = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")


def _ru_ready(text: str) -> str:
    if not any(c in UK_ONLY for c in text) and "'" not in text:
        return text
    text = _APOS_AFTER_LETTER.sub("ь", text)
    return text.translate(_UA_TO_RU_LETTERS)


def _ua_ready(text: str) -> str:
    # A Ukrainian clerk writes Артём as Артем and Ёлкин as Йолкін.
    text = re.sub(r"(?<=[^\W\d_])ё", "е", text)
    text = text.replace("ё", "йо").replace("Ё", "Йо")
    return text.translate(_RU_TO_UA_LETTERS)


@lru_cache(maxsize=100_000)
def transliterate(text: str, scheme: str) -> str:
    """Write ``text`` in ``scheme`` (see :func:`schemes`). Unknown scheme: UnknownSchemeError.

    Text that is already in the target script passes through unchanged (cleaned).
    """
    if scheme not in _UA_SCHEMES and scheme not in _RU_SCHEMES and scheme not in _BACK_SCHEMES:
        raise UnknownSchemeError(f"unknown transliteration scheme {scheme!r}; see schemes()")
    t = clean(text) if isinstance(text, str) else ""
    if not t:
        return ""
    if scheme in _BACK_SCHEMES:
        if any(is_cyrillic(c) for c in t):
            return t
        return " ".join(_back_word(w, scheme[:2]) for w in t.split(" "))
    if scheme in _UA_SCHEMES:
        return translitua.translit(_ua_ready(t), _UA_SCHEMES[scheme])
    return _RU_SCHEMES[scheme].translate(_ru_ready(t))


def _back_word(word: str, lang: str) -> str:
    from reunite.names._spellings import _latin_to_cyrillic  # lexicon-ranked candidates

    if not any(c.isalpha() for c in word):
        return word
    uk, ru = _latin_to_cyrillic(word)
    forms = uk if lang == "uk" else ru
    best = forms[0] if forms else (to_cyrillic(word, lang)[:1] or [word])[0]
    if word.isupper() and len(word) > 1:
        return best.upper()
    if word[:1].isupper():
        return "-".join(p[:1].upper() + p[1:] for p in best.split("-"))
    return best.lower()


# --- Latin → Cyrillic ------------------------------------------------------------------------
# Each rule: Latin grapheme → [(Cyrillic, cost)] per language. Lower cost = more likely.
_BACK_UK: dict[str, list[tuple[str, float]]] = {
    "shch": [("щ", 0)], "schtsch": [("щ", 0)], "szcz": [("щ", 0)], "sch": [("щ", 0.3), ("ш", 0.6)],
    "zgh": [("зг", 0)], "zh": [("ж", 0)], "kh": [("х", 0)], "ch": [("ч", 0)], "cz": [("ч", 0)],
    "tsch": [("ч", 0)], "tch": [("ч", 0)], "sh": [("ш", 0)], "sz": [("ш", 0)],
    "ts": [("ц", 0), ("ць", 0.2), ("тс", 1.5)], "tz": [("ц", 0)], "tc": [("ц", 0.2)],
    "ya": [("я", 0)], "ia": [("я", 0.1), ("ія", 0.8)], "ja": [("я", 0.2)],
    "yu": [("ю", 0)], "iu": [("ю", 0.1), ("іу", 2)], "ju": [("ю", 0.2)],
    "ye": [("є", 0.1), ("е", 1)], "ie": [("є", 0.2), ("іе", 1.5)], "je": [("є", 0.3)],
    "yi": [("ї", 0), ("ий", 0.8)], "ji": [("ї", 0.3)], "yo": [("йо", 0), ("ьо", 0.3)],
    "io": [("йо", 0.3), ("іо", 0.6), ("ьо", 0.5)], "iy": [("ій", 0.1)], "yy": [("ий", 0.1)],
    "ii": [("ій", 0.1), ("ії", 0.6)], "iia": [("ія", 0)], "iya": [("ія", 0.1)],
    "iyu": [("ію", 0.2)], "iiu": [("ію", 0.1)], "iie": [("іє", 0.1)],  "ij": [("ій", 0.1)],
    "yj": [("ий", 0.2)],
    "skyi": [("ський", 0)], "skyj": [("ський", 0)], "skyy": [("ський", 0)],
    "sky": [("ський", 0.3)], "ska": [("ська", 0.1), ("ска", 0.6)],
    "tskyi": [("цький", 0)], "tska": [("цька", 0.1)], "zkyi": [("зький", 0)],
    "zka": [("зька", 0.2)],
    "a": [("а", 0)], "b": [("б", 0)], "v": [("в", 0)], "w": [("в", 0.1)], "h": [("г", 0), ("х", 1)],
    "g": [("ґ", 0.8), ("г", 0.3)], "d": [("д", 0)], "e": [("е", 0), ("є", 1.2)], "z": [("з", 0)],
    "y": [("и", 0), ("й", 0.6)], "i": [("і", 0), ("и", 0.9), ("й", 0.7), ("ї", 1.5)],
    "j": [("й", 0.3), ("ж", 1.5)], "k": [("к", 0)], "l": [("л", 0), ("ль", 1.2)],
    "m": [("м", 0)], "n": [("н", 0)], "o": [("о", 0)], "p": [("п", 0)], "r": [("р", 0)],
    "s": [("с", 0)], "t": [("т", 0)], "u": [("у", 0)], "f": [("ф", 0)], "c": [("ц", 0.3),
    ("к", 0.6)],
    "x": [("кс", 0)], "q": [("к", 0.5)], "'": [("'", 0)],
}
_BACK_RU: dict[str, list[tuple[str, float]]] = {
    "shch": [("щ", 0)], "schtsch": [("щ", 0)], "szcz": [("щ", 0)], "sch": [("щ", 0.3), ("ш", 0.6)],
    "zh": [("ж", 0)], "kh": [("х", 0)], "ch": [("ч", 0)], "cz": [("ч", 0)], "tsch": [("ч", 0)],
    "tch": [("ч", 0)], "sh": [("ш", 0)], "sz": [("ш", 0)],
    "ts": [("ц", 0), ("тс", 1.5)], "tz": [("ц", 0)], "tc": [("ц", 0.1)],
    "ya": [("я", 0), ("ья", 0.7)], "ia": [("я", 0.1), ("ия", 0.5), ("ья", 0.6)], "ja": [("я", 0.2)],
    "yu": [("ю", 0), ("ью", 0.7)], "iu": [("ю", 0.1), ("ию", 0.8)], "ju": [("ю", 0.2)],
    "ye": [("е", 0.1), ("ье", 0.7)], "ie": [("ие", 0.4), ("ье", 0.5), ("е", 0.6), ("ъе", 1.5)],
    "je": [("е", 0.3)], "yo": [("ё", 0.3), ("йо", 0.6), ("е", 0.5)], "jo": [("ё", 0.4)],
    "iia": [("ия", 0)], "iya": [("ия", 0.2), ("ья", 0.3)], "iyu": [("ию", 0.3)],
    "yi": [("ый", 0.3), ("ий", 0.5), ("йи", 1)], "iy": [("ий", 0)], "ii": [("ий", 0), ("ии", 0.6)],
    "ij": [("ий", 0.1)], "yy": [("ый", 0.2)], "ei": [("ей", 0.1)], "ey": [("ей", 0)],
    "ai": [("ай", 0.1)], "ay": [("ай", 0)], "oi": [("ой", 0.1)], "oy": [("ой", 0)],
    "skiy": [("ский", 0)], "skii": [("ский", 0)], "skij": [("ский", 0)], "sky": [("ский", 0.2)],
    "skaya": [("ская", 0)], "skaia": [("ская", 0)], "skaja": [("ская", 0)],
    "tskiy": [("цкий", 0)], "tskii": [("цкий", 0)], "tskaya": [("цкая", 0)],
    "tskaia": [("цкая", 0)],
    "a": [("а", 0)], "b": [("б", 0)], "v": [("в", 0)], "w": [("в", 0.1)], "h": [("г", 0.2),
    ("х", 0.4)],
    "g": [("г", 0)], "d": [("д", 0)], "e": [("е", 0), ("э", 0.9)], "z": [("з", 0)],
    "y": [("ы", 0.4), ("и", 0.5), ("й", 0.6)], "i": [("и", 0), ("й", 0.7)], "j": [("й", 0.3)],
    "k": [("к", 0)], "l": [("л", 0), ("ль", 0.8)], "m": [("м", 0)], "n": [("н", 0)],
    "o": [("о", 0)],
    "p": [("п", 0)], "r": [("р", 0)], "s": [("с", 0)], "t": [("т", 0)], "u": [("у", 0)],
    "f": [("ф", 0)], "c": [("ц", 0.3), ("к", 0.6)], "x": [("кс", 0)], "q": [("к", 0.5)],
    "'": [("ь", 0)],
}
_MAX_GRAPH = 7


@lru_cache(maxsize=50_000)
def to_cyrillic(word: str, lang: str, limit: int = 4) -> list[str]:
    """Ranked Cyrillic candidates (lower case) for one Latin word in "uk" or "ru".

    A beam search over the grapheme rules; the first candidate is the most regular writing.
    """
    rules = _BACK_UK if lang == "uk" else _BACK_RU
    w = clean(word).lower() if isinstance(word, str) else ""
    w = "".join(c for c in w if c.isascii() and (c.isalpha() or c in "'-"))
    if not w:
        return []
    beams: list[tuple[float, int, str]] = [(0.0, 0, "")]
    done: list[tuple[float, str]] = []
    width = 12
    while beams:
        nxt: list[tuple[float, int, str]] = []
        for cost, pos, out in beams:
            if pos >= len(w):
                done.append((cost, out))
                continue
            if w[pos] == "-":
                nxt.append((cost, pos + 1, out + "-"))
                continue
            longest = 0
            for size in range(min(_MAX_GRAPH, len(w) - pos), 0, -1):
                graph = w[pos : pos + size]
                if graph in rules:
                    longest = longest or size
                    # reading a known digraph as two letters (k+h for kh) is possible but rare
                    split = 3.0 if size < longest and size == 1 else 0.0
                    for cyr, c in rules[graph]:
                        extra = _position_cost(lang, graph, cyr, pos, len(w), out)
                        nxt.append((cost + c + extra + split, pos + size, out + cyr))
            matched = longest > 0
            if not matched:
                nxt.append((cost + 2, pos + 1, out))
        nxt.sort(key=lambda x: x[0])
        beams = nxt[:width]
    done.sort(key=lambda x: x[0])
    seen: list[str] = []
    for _cost, out in done:
        if out not in seen:
            seen.append(out)
        if len(seen) >= limit:
            break
    return seen


_UK_VOWELS_CYR = set("аеєиіїоуюя")


_ENDING_GRAPHS = frozenset({"skyi", "skyj", "skyy", "sky", "ska", "tskyi", "tska", "zkyi",
                            "zka", "skiy", "skii", "skij", "skaya", "skaia", "skaja", "tskiy",
                            "tskii", "tskaya", "tskaia"})


def _position_cost(lang: str, graph: str, cyr: str, pos: int, n: int, out: str) -> float:
    start = pos == 0 or (out[-1:] in ("-", " "))
    after_vowel = out[-1:] in _UK_VOWELS_CYR
    cost = 0.0
    if graph in _ENDING_GRAPHS and pos + len(graph) != n:
        return 5.0
    if lang == "uk" and graph == "ts" and pos + len(graph) == n and cyr == "ц":
        cost += 0.4  # Ukrainian surnames end in -ець far more often than in -ец (Кравець)
    if lang == "uk" and cyr == "ць" and pos + len(graph) != n:
        return 2.0  # -ць at the end of a word, ц inside (Цибуля)
    if lang == "uk":
        # KMU: Ye/Yi/Y/Yu/Ya at word start, ie/i/iu/ia elsewhere
        if graph in ("ie", "iu", "ia") and start:
            cost += 0.8
        if graph in ("ye", "yu", "ya", "yi") and not start and not after_vowel:
            cost += 0.4
        if cyr == "й" and not start and not after_vowel and pos + len(graph) < n:
            cost += 0.8
        if cyr == "й" and graph == "i" and (after_vowel and pos + 1 == n):
            cost -= 0.9
        if cyr == "і" and graph == "i" and after_vowel:
            cost += 0.6
        if cyr == "ї" and after_vowel:
            cost -= 0.3
    else:
        if cyr == "ы" and (start or after_vowel):
            cost += 2
        if cyr == "э" and not start:
            cost += 1
        if cyr == "е" and start and graph == "e":
            cost += 0.3
        if cyr == "й" and not after_vowel and pos + len(graph) < n:
            cost += 0.8
        if cyr == "й" and after_vowel and pos + len(graph) == n:
            cost -= 0.6
    return cost
