"""Latin comparison keys: one folded Latin form for any spelling, and a phonetic skeleton.

Why a project table and not an official scheme: the official schemes (in translitua and
iuliia, used by :mod:`._translit`) are for *writing* a name; here we need the opposite, a
many-to-one fold under which Oleksandr, Aleksandr, Олександр and Александр come out close
and Kovalchuk, Kowalczuk, Kowaltschuk and Ковальчук come out equal. The fold:

* Cyrillic goes through one pan-East-Slavic letter map (і/и/ы → i, г/х → h, щ → sh ...);
* Latin diacritics and the multigraphs of English, Ukrainian, Russian, Polish, German and
  French spellings are reduced (shch/sch/szcz/chtch → sh, tsch/tch/cz → ch, ts/tc/tz → c,
  kh/gh/g → h, w → v, x → ks, y/j → i; ж ends up as "j" so that зг (zgh) stays distinct);
* doubled letters are collapsed, and an "e" after a vowel loses its iotation.

The result is plain ASCII. French "ch" (= ш) is not recognised; it is read as English ч.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from reunite.names._text import is_cyrillic, normalize

_CYR = {
    "а": "a", "б": "b", "в": "v", "г": "G", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ё": "e", "ж": "J", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "H", "ц": "T", "ч": "C", "ш": "S", "щ": "S", "ъ": "",
    "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia", "'": "",
    # Belarusian and other letters that turn up in ex-Soviet records
    "ў": "u", "ј": "i", "ѕ": "dz", "ђ": "dj", "ћ": "c", "љ": "l", "њ": "n", "џ": "dJ",
}
_CYR_TABLE = str.maketrans(_CYR)

# Latin letters with diacritics that carry a sound of their own in Slavic spellings.
_DIACRITICS = str.maketrans({
    "š": "S", "č": "C", "ž": "J", "ŝ": "S", "ĉ": "C", "ẑ": "J", "ż": "J", "ź": "z",
    "ś": "s", "ć": "c", "ł": "l", "ń": "n", "ë": "e", "ё": "e", "ê": "ie", "û": "iu",
    "â": "ia", "ï": "i", "è": "e", "ğ": "h", "ǵ": "h", "ĝ": "h", "ǧ": "h", "ß": "ss",
    "ø": "o", "æ": "ae", "œ": "oe", "đ": "dj", "ħ": "h", "ı": "i",
})

# Ordered multigraph rules for Latin text (lower case); placeholders in upper case:
# S = ш/щ, C = ч, J = ж, T = ц, and (from Cyrillic only) G = г, H = х, so that з+г or с+х never
# read as the digraphs zh or sh.
_MULTI = [
    (re.compile(r"schtsch|shtsch|chtch|szcz|shch|shtch|shh|ssch"), "S"),
    (re.compile(r"tsch|tch"), "C"),
    (re.compile(r"sch|sz|sh"), "S"),
    (re.compile(r"cz|ch"), "C"),
    (re.compile(r"zh|zs|rz(?=[aeiouy])"), "J"),
    (re.compile(r"kh|gh|ckh"), "h"),
    (re.compile(r"ts|tz|tc"), "T"),
    # Polish -cki/-cka (Sawicki) keeps ц
    (re.compile(r"c(?=k(?:i|y|a|ie|aia|aya|ij|ii|iy|yi|yj)$)"), "T"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"qu"), "kv"),
    (re.compile(r"ou"), "u"),
    # c before a hard vowel or a consonant is k in English spellings (Victor, Nicolai)
    (re.compile(r"c(?=[aouklmnrtvbdgpszfC]|$)"), "k"),
    (re.compile(r"c"), "T"),
]
_CONSONANT_YO = re.compile(r"(?<=[bcdfhklmnprstvzSCJT])[yj]o")
_VOWEL_IE = re.compile(r"(?<=[aeiou])ie")
_DOUBLE = re.compile(r"(.)\1+")
_NON_KEY = re.compile(r"[^a-zSCJT \-]")
_SINGLE = str.maketrans({"G": "h", "H": "h", "g": "h", "x": "ks", "q": "k", "w": "v", "y": "i",
"j": "i"})
_FINAL = str.maketrans({"S": "sh", "C": "ch", "J": "j", "T": "c"})


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold_latin(text: str) -> str:
    """Fold a lower-case, Cyrillic-free string to the key alphabet (with placeholders)."""
    text = text.translate(_DIACRITICS)
    text = _strip_marks(text)
    text = _CONSONANT_YO.sub("e", text)
    for pattern, repl in _MULTI:
        text = pattern.sub(repl, text)
    text = text.translate(_SINGLE)
    text = _NON_KEY.sub("", text)
    text = _VOWEL_IE.sub("e", text)
    text = _DOUBLE.sub(r"\1", text)
    return text


@lru_cache(maxsize=500_000)
def latin_key(text: str) -> str:
    """One folded Latin form of a name part, for string distances across scripts.

    >>> latin_key("Ковальчук") == latin_key("Kowalczuk") == latin_key("Kovalchuk")
    True
    """
    if not isinstance(text, str):
        return ""
    t = normalize(text)
    if not t:
        return ""
    if any(is_cyrillic(c) for c in t):
        t = t.translate(_CYR_TABLE)
        # Latin letters left in a mixed word are folded like any Latin spelling
    t = _fold_latin(t)
    t = re.sub(r"[ \-]+", lambda m: "-" if "-" in m.group(0) else " ", t).strip(" -")
    return t.translate(_FINAL)


# --- other readings of a Latin spelling ------------------------------------------------------
# A Latin spelling may follow French (Chevtchenko, Iouri, Djamila) or German (Schewtschenko,
# Wjatscheslaw, Kusnezowa, Prychodko = Приходько, Shuk = Жук as in translitua's uk_german)
# conventions. latin_key reads English/Polish-style; these readings are extra keys for search
# and similarity, not a replacement.
_FRENCH = [
    (re.compile(r"chtch"), "S"), (re.compile(r"tch"), "C"), (re.compile(r"ch"), "S"),
    (re.compile(r"dj"), "dJ"), (re.compile(r"j"), "J"), (re.compile(r"gu(?=[eiy])"), "g"),
    (re.compile(r"(?<=[aeiouy])ss(?=[aeiouy])"), "s"),
]
_GERMAN = [
    (re.compile(r"schtsch"), "S"), (re.compile(r"tsch"), "C"), (re.compile(r"sch"), "S"),
    (re.compile(r"sh"), "J"), (re.compile(r"ch"), "h"), (re.compile(r"tz|z"), "T"),
    (re.compile(r"ss"), "Q"), (re.compile(r"s(?=[aeiouybdglmnrvwj])"), "z"),
    (re.compile(r"Q"), "s"), (re.compile(r"w"), "v"), (re.compile(r"j"), "i"),
]


# only spellings that show the convention get its reading (Sasha is not German)
_FRENCH_MARK = re.compile(r"ch|ou|j")
_GERMAN_MARK = re.compile(r"sch|w|z|j|ch|sh")


@lru_cache(maxsize=200_000)
def latin_key_readings(text: str) -> tuple[str, ...]:
    """latin_key plus the French and German readings of a Latin spelling (deduplicated)."""
    base = latin_key(text)
    t = normalize(text) if isinstance(text, str) else ""
    if not base or not t.isascii():
        return (base,) if base else ()
    out = [base]
    for rules, marker in ((_FRENCH, _FRENCH_MARK), (_GERMAN, _GERMAN_MARK)):
        if not marker.search(t):
            continue
        r = t
        for pattern, repl in rules:
            r = pattern.sub(repl, r)
        key = re.sub(r"[ \-]+", lambda m: "-" if "-" in m.group(0) else " ", _fold_latin(r))
        key = key.strip(" -").translate(_FINAL)
        if key and key not in out:
            out.append(key)
    return tuple(out)


# --- Daitch-Mokotoff-style phonetic skeleton -------------------------------------------------
# Coded on the folded key, so the spelling variants are already gone; the code keeps the
# consonant frame that survives vowel differences (Олійник/Олейник, Kovalenko/Kovalinko).
_DM_CODES = [
    ("shch", "2"), ("sh", "4"), ("ch", "4"), ("dz", "4"), ("dj", "4"), ("zd", "43"),
    ("st", "43"), ("ks", "54"),
    ("b", "7"), ("p", "7"), ("f", "7"), ("v", "7"),
    ("d", "3"), ("t", "3"),
    ("c", "4"), ("s", "4"), ("z", "4"), ("j", "4"),
    ("k", "5"), ("h", "5"),
    ("l", "8"), ("m", "6"), ("n", "6"), ("r", "9"),
]
_VOWELS = frozenset("aeiou")


@lru_cache(maxsize=500_000)
def phonetic_key(text: str) -> str:
    """A six-digit Daitch–Mokotoff-style code of the folded Latin form ("" if no letters).

    Differences from textbook D–M: a single code (no branching), computed after our own
    cross-script fold, so Шевченко, Shevchenko, Szewczenko and Schewtschenko share 474650.
    """
    key = latin_key(text)
    word = key.replace(" ", "").replace("-", "")
    if not word:
        return ""
    out: list[str] = []
    last = ""
    i = 0
    n = len(word)
    if word[0] in _VOWELS:
        if word[0] == "i" and n > 1 and word[1] in _VOWELS:
            out.append("1")
            i = 2
        else:
            out.append("0")
            i = 1
            while i < n and word[i] in _VOWELS:
                i += 1
        last = out[-1]
    while i < n and len("".join(out)) < 6:
        ch = word[i]
        if ch in _VOWELS:
            last = ""
            i += 1
            continue
        for graph, code in _DM_CODES:
            if word.startswith(graph, i):
                if code != last:
                    out.append(code)
                last = code
                i += len(graph)
                break
        else:
            i += 1
    return ("".join(out) + "000000")[:6]


# --- Surname key --------------------------------------------------------------------
# Applied to the folded Latin form (see fold()): gender endings are rewritten to one
# neutral ending, then the front vowels e/i/y (Ukrainian і и, Russian е и ы, Polish
# e/y/j) are merged, because Ukrainian and Russian spell the same surname with different
# vowel letters (Олійник / Олейник / Олийнык).
_SURNAME_ENDINGS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        # adjectival -ський/-ська/-ский/-ская/-цький/-зький, Polish -ski/-ska/-cki/-cka
        (r"([scz])k(?:aia|aa|oi|ii|i|a|oe)$", r"\1k"),
        # other adjectival forms: Білий/Белый/Белая, Толстой/Толстая
        (r"([bcdfgklmnprstvz])(?:aia|oi|ii)$", r"\1"),
        # possessive -ов/-ова, -ев/-ева, -ьов/-ьова, -ёв/-ёва, -єв/-єва, German -ow/-owa
        (r"(?:ev|ov)a?$", "ov"),
        # possessive -ин/-ина, -ін/-іна, -ын/-ына
        (r"ina$", "in"),
    )
)
_SURNAME_VOWELS = re.compile(r"[eiy]+")


@lru_cache(maxsize=262144)
def surname_key(text: str) -> str:
    """Gender- and language-neutral ASCII key of a surname ('' when nothing usable).

    Ковальов, Ковальова, Ковалев, Kovalyova and Kowalew share 'kovalov'; Савицька,
    Савицький, Савицкая and Sawicki share 'savick'; Олійник, Олейник, Olijnyk share
    'olinik'. Invariant surnames (-енко, -ук, consonant-final) only lose spelling variation.
    A double surname keeps its parts in order, joined by '-'.
    """
    parts = []
    for word in latin_key(text).split():
        for pattern, repl in _SURNAME_ENDINGS:
            new = pattern.sub(repl, word)
            if new != word:
                word = new
                break
        word = _SURNAME_VOWELS.sub("i", word)
        word = re.sub(r"([a-z])\1+", r"\1", word)
        if word:
            parts.append(word)
    return "-".join(parts)
