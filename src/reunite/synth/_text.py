"""Text distortions: how a Russian clerk, a family abroad or a tired typist writes a name."""

from __future__ import annotations

import random
from functools import cache

import translitua

# Ukrainian → Russian alphabet, letter by letter, as a clerk copies a Ukrainian document
# (Андрій → Андрий, Олійник → Олийник). The apostrophe becomes the soft sign before
# я/ю/є/ї (Лук'яненко → Лукьяненко, Дар'я → Дарья) except after a labial, where Russian
# writes nothing (В'ячеслав → Вячеслав).
_LETTER = str.maketrans(
    {"і": "и", "І": "И", "ї": "и", "Ї": "И", "є": "е", "Є": "Е", "ґ": "г", "Ґ": "Г"}
)
_APOSTROPHES = ("'", "’", "ʼ")
# The phonetic variant renders Ukrainian и as ы (Микола → Мыкола, Лисенко → Лысенко).
_PHONETIC = str.maketrans({"и": "ы", "И": "Ы"})


def ua_to_ru_letters(text: str, *, phonetic: bool = False) -> str:
    """Letter-for-letter Russian rendering of Ukrainian text."""
    for a in _APOSTROPHES:
        if a in text:
            out = []
            for i, ch in enumerate(text):
                if ch == a:
                    nxt = text[i + 1 : i + 2]
                    prev = text[i - 1 : i].lower()
                    if nxt in ("я", "ю", "є", "ї") and prev and prev not in "бпвмф":
                        out.append("ь")
                    continue
                out.append(ch)
            text = "".join(out)
    if phonetic:
        text = text.translate(_PHONETIC)
    return text.translate(_LETTER)


def drop_yo(text: str) -> str:
    """Russian records usually write ё as е (Артём → Артем)."""
    return text.replace("ё", "е").replace("Ё", "Е")


# Latin schemes a family's documents may use, with rough shares: the official 2010 system
# dominates; older passports (2007), the 1996 national system and BGN/PCGN appear; German
# spellings come from families registered in Germany.
LATIN_SCHEMES: tuple[tuple[str, float], ...] = (
    ("UkrainianKMU", 0.6),
    ("UkrainianPassport2007", 0.15),
    ("UkrainianNational1996", 0.1),
    ("UkrainianBGN", 0.1),
    ("UkrainianGerman", 0.05),
)


@cache
def to_latin(text: str, scheme: str) -> str:
    """Transliterate Ukrainian Cyrillic with one of translitua's tables (cached)."""
    return translitua.translit(text, getattr(translitua, scheme))


# Typing mistakes: letters people confuse when writing Ukrainian/Russian by hand or on a
# phone keyboard (и/і/ы, е/є/э, г/х/ґ, ш/щ, о/а, ц/ч) and their Latin counterparts.
_CONFUSABLE: dict[str, str] = {
    "и": "іы",
    "і": "иї",
    "ы": "и",
    "е": "єэи",
    "є": "е",
    "э": "е",
    "г": "хґ",
    "х": "г",
    "ш": "щ",
    "щ": "ш",
    "о": "а",
    "а": "о",
    "ц": "ч",
    "ч": "ц",
    "й": "и",
    "я": "а",
    "ю": "у",
    "y": "i",
    "i": "y",
    "k": "c",
    "c": "k",
    "h": "g",
    "g": "h",
    "e": "ie",
    "a": "o",
    "o": "a",
    "v": "w",
    "w": "v",
}


# Letters a keyboard layout does not have: a Russian clerk cannot type і ї є ґ, and a
# Ukrainian layout has no ы э ё.
_NOT_ON_KEYBOARD = {"ru": frozenset("іїєґ"), "ua": frozenset("ыэё")}


def typo(text: str, rng: random.Random, *, layout: str = "ua") -> str:
    """One plausible typing mistake: confusable letter, dropped, doubled or swapped letter.

    ``layout`` ("ua" or "ru") keeps substitutions to letters that keyboard can type. The
    result differs from ``text`` whenever ``text`` has three letters or more (swapping
    two equal letters changes nothing, so another mistake is tried).
    """
    for _ in range(8):
        out = _typo_once(text, rng, layout)
        if out != text:
            return out
    return text[:-1] if len(text) >= 3 else text


def _typo_once(text: str, rng: random.Random, layout: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text))  # keep the first letter: people rarely get it wrong
    ch = text[i]
    op = rng.random()
    banned = _NOT_ON_KEYBOARD.get(layout, frozenset())
    choices = [c for c in _CONFUSABLE.get(ch.lower(), "") if c not in banned]
    if op < 0.45 and choices:
        sub = rng.choice(choices)
        return text[:i] + (sub.upper() if ch.isupper() else sub) + text[i + 1 :]
    if op < 0.65:
        return text[:i] + text[i + 1 :] if len(text) > 3 else text
    if op < 0.85:
        return text[:i] + ch + text[i:]
    if i + 1 < len(text):
        return text[:i] + text[i + 1] + ch + text[i + 2 :]
    return text[:i] + ch + text[i:]
