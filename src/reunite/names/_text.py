"""Unicode clean-up, script and language detection.

Everything downstream (keys, transliteration, parsing) starts from :func:`clean`, so the
rules for apostrophes, look-alike letters, hyphens and length live in one place.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Longest input we look at; anything longer is cut (and parse_name flags it). Real full
#: names are far below this; the limit keeps pathological input from costing time or memory.
MAX_LENGTH = 200

#: Every apostrophe-like character seen in Ukrainian names maps to ASCII U+0027.
#: translitua strips U+0027 but not U+0060, so the backtick must be folded first.
APOSTROPHES = "'\u2019\u02bc`\u2018\u00b4\u02b9\u2032\u02bb\u02c8\uff07"
_APOSTROPHE_RE = re.compile(f"[{re.escape(APOSTROPHES)}]")
_HYPHEN_RE = re.compile(r"\s*[\u002d\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d]+\s*")
_SPACE_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2060\ufeff]")

#: Latin letters that look like Cyrillic ones (and the reverse), used only inside a word
#: that is otherwise written in the other script.
_LAT_TO_CYR = str.maketrans(
    "AaBCcEeHIiKkMOoPpTXxYy",
    "АаВСсЕеНІіКкМОоРрТХхУу",
)
_CYR_TO_LAT = str.maketrans(
    "АаВСсЕеНІіКкМОоРрТХхУуЅѕЈј",
    "AaBCcEeHIiKkMOoPpTXxYySsJj",
)
_LAT_CONFUSABLE = set("AaBCcEeHIiKkMOoPpTXxYy")
_CYR_CONFUSABLE = set("АаВСсЕеНІіКкМОоРрТХхУуЅѕЈј")

UK_ONLY = frozenset("іїєґІЇЄҐ")
RU_ONLY = frozenset("ыэъёЫЭЪЁ")
_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*", re.UNICODE)


def is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff" or "\u0500" <= ch <= "\u052f"


@lru_cache(maxsize=4096)
def is_latin(ch: str) -> bool:
    if ch.isascii():
        return ch.isalpha()
    return ch.isalpha() and "LATIN" in unicodedata.name(ch, "")


_CYR_CHAR_RE = re.compile(r"[\u0400-\u052f]")
# Latin letters: ASCII and the Latin-1 Supplement / Extended-A/B / Extended Additional blocks
_LAT_CHAR_RE = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
_APOSTROPHE_TABLE = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))


# Lower-case Latin letters that stand for Cyrillic capitals once a caps string was lowered
# (ВАНН → "bahh"): used only inside words that also hold Cyrillic letters, in Cyrillic text.
_LOWER_CAPS_TO_CYR = str.maketrans({"b": "в", "h": "н", "k": "к", "m": "м", "t": "т"})


def _dominant(text: str) -> str:
    """Script of the letters that cannot be look-alikes: "cyr", "lat" or ""."""
    cyr = lat = 0
    for c in text:
        if c in _LAT_CONFUSABLE or c in _CYR_CONFUSABLE or not c.isalpha():
            continue
        if is_cyrillic(c):
            cyr += 1
        elif is_latin(c):
            lat += 1
    if cyr > lat:
        return "cyr"
    if lat > cyr:
        return "lat"
    return ""


def _fix_word(word: str, dominant: str) -> str:
    """Replace look-alike letters with the script the word (or else the text) is written in."""
    cyr = sum(1 for c in word if is_cyrillic(c))
    lat = sum(1 for c in word if is_latin(c))
    lat_ok = all(c in _LAT_CONFUSABLE for c in word if is_latin(c))
    cyr_ok = all(c in _CYR_CONFUSABLE for c in word if is_cyrillic(c))
    if not (cyr and lat):
        # a whole word of look-alikes takes the script of the text ("IBAHHA ЧОРНА")
        if lat and lat_ok and dominant == "cyr":
            return word.translate(_LAT_TO_CYR)
        if cyr and cyr_ok and dominant == "lat":
            return word.translate(_CYR_TO_LAT)
        return word
    own = _dominant(word)
    target = own or dominant or ("cyr" if cyr >= lat else "lat")
    if target == "cyr" and not lat_ok:
        fixed = word.translate(_LAT_TO_CYR).translate(_LOWER_CAPS_TO_CYR)
        if all(not is_latin(c) for c in fixed):
            return fixed
    if target == "cyr" and lat_ok:
        return word.translate(_LAT_TO_CYR)
    if target == "lat" and cyr_ok:
        return word.translate(_CYR_TO_LAT)
    if lat_ok:
        return word.translate(_LAT_TO_CYR)
    if cyr_ok:
        return word.translate(_CYR_TO_LAT)
    return word


@lru_cache(maxsize=100_000)
def clean(text: str) -> str:
    """NFC, one apostrophe, look-alikes fixed, spaces and hyphens tidied; case kept."""
    if not text:
        return ""
    text = text[: MAX_LENGTH * 2]
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _CONTROL_RE.search(text):
        text = _CONTROL_RE.sub("", text)
    text = text.translate(_APOSTROPHE_TABLE)
    if "-" in text or _HYPHEN_RE.search(text):
        text = _HYPHEN_RE.sub("-", text)
    text = " ".join(text.split()).strip(" -'")
    # look-alike repair only where both scripts occur in the text
    if _CYR_CHAR_RE.search(text) and _LAT_CHAR_RE.search(text):
        dominant = _dominant(text)
        text = _WORD_RE.sub(lambda m: _fix_word(m.group(0), dominant), text)
    return text[:MAX_LENGTH].strip(" -")


@lru_cache(maxsize=100_000)
def normalize(text: str) -> str:
    """The canonical comparison form: :func:`clean` plus case folding."""
    if not isinstance(text, str):
        return ""
    out = clean(text).casefold()
    # Look-alike repair depends on case (B looks like В, b does not), so settle it: apply the
    # repair again until the folded text no longer changes (normally once).
    for _ in range(4):
        again = clean(out).casefold()
        if again == out:
            break
        out = again
    return out


def script_counts(text: str) -> tuple[int, int, int]:
    """(Cyrillic letters, Latin letters, other letters) after look-alike repair."""
    cyr = lat = other = 0
    for ch in clean(text) if isinstance(text, str) else "":
        if not ch.isalpha():
            continue
        if is_cyrillic(ch):
            cyr += 1
        elif is_latin(ch):
            lat += 1
        else:
            other += 1
    return cyr, lat, other


@lru_cache(maxsize=50_000)
def detect_script(text: str) -> str:
    """"latin", "cyrillic", "mixed" (both, after look-alike repair) or "unknown"."""
    t = clean(text) if isinstance(text, str) else ""
    cyr = bool(_CYR_CHAR_RE.search(t))
    lat = bool(_LAT_CHAR_RE.search(t)) or (not cyr and any(is_latin(c) for c in t))
    if cyr and lat:
        return "mixed"
    if cyr:
        return "cyrillic"
    if lat:
        return "latin"
    return "unknown"


def detect_language(text: str) -> str:
    """"uk" or "ru" when the Cyrillic letters tell, else "unknown".

    Only letters decide (і ї є ґ and an apostrophe inside a word for Ukrainian, ы э ъ ё for
    Russian); names such as "Олег" or "Максим" are the same in both and stay "unknown".
    """
    if not isinstance(text, str):
        return "unknown"
    t = clean(text)
    letters = set(t)
    has_cyr = any(is_cyrillic(c) for c in letters)
    if not has_cyr:
        return "unknown"
    uk = bool(letters & UK_ONLY) or bool(re.search(r"[а-яіїєґ]'[а-яіїєґ]", t.lower()))
    ru = bool(letters & RU_ONLY)
    if uk and not ru:
        return "uk"
    if ru and not uk:
        return "ru"
    return "unknown"


def tokens(text: str) -> list[str]:
    """Words of a cleaned name: split on spaces and commas, hyphenated parts stay together."""
    t = clean(text) if isinstance(text, str) else ""
    return [w for w in re.split(r"[\s,;/]+", t) if w]
