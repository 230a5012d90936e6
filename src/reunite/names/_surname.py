"""Gender- and language-neutral surname keys.

The key is built on :func:`latin_key` (so any script or spelling), then:

1. gender endings are reduced to one form: -ський/-ська/-ский/-ская/-ski/-ska → "ski";
   -ов/-ова/-ев/-ева/-ьов/-ёв → "ov"; -ін/-іна/-ин/-ина/-ын/-ына → "in"; adjectival
   -ий/-а/-ая/-ой are dropped (Білий = Біла = Белый = Белая);
2. vowels e/i/y fold to "i" (Олійник = Олейник = Олийнык; Kovalenko = Kovalinko);
3. -енко, -ко, -ук/-юк/-чук, -ів and consonant-final surnames are left alone (they do
   not change with gender).

Galician -ів (Іванів) and Russian -ов (Иванов) stay distinct: they are different names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reunite.names._latin import latin_key, latin_key_readings

_SK = re.compile(r"(?<=[a-z]{2})(sk|ck|zk|shk)(?:ii|i|a|aia|oi|ia|ai|iaia)$")
_POSSESSIVE = re.compile(r"(?<=[a-z]{3})(?:i?ov|i?ev|iov)a?$")
_IN = re.compile(r"(?<=[a-z]{3})(?:in)a?$")
_ADJ = re.compile(r"(?<=[bcdfhklmnprstvzj]{1})(?:aia|iaia|ii|oi|ai)$")
_FINAL_A = re.compile(r"(?<=[bcdfhklmnprstvzj])(?:ia|a|i)$")
_DOUBLE = re.compile(r"(.)\1+")
_RULES = ((_SK, lambda m: m.group(1) + "i"), (_POSSESSIVE, "ov"), (_IN, "in"))


# Ukrainian o/e in adjective stems that Russian writes otherwise (Чорний/Черный, Жовтий/Желтый)
_STEMS = ((re.compile(r"^chorn"), "chern"), (re.compile(r"^jovt"), "jelt"),
          (re.compile(r"^sokil"), "sokol"))


def _part_key(part: str) -> str:
    word = re.sub(r"[^a-z]", "", part)
    if len(word) < 2:
        return word
    if word.startswith("ie"):
        word = word[1:]
    for pattern, repl in _STEMS:
        word = pattern.sub(repl, word)
    for rule, replacement in _RULES:
        new, count = rule.subn(replacement, word)
        if count:
            word = new
            break
    else:
        if len(word) > 3:
            new, count = _ADJ.subn("", word)
            word = new if count else _FINAL_A.sub("", word)
    word = word.replace("e", "i")
    return _DOUBLE.sub(r"\1", word)


@lru_cache(maxsize=500_000)
def surname_key(text: str) -> str:
    """ASCII key shared by the masculine, feminine, Ukrainian, Russian and Latin forms.

    >>> surname_key("Савицька") == surname_key("Savitskiy") == surname_key("Савицкая")
    True

    Returns "" when the text has no usable letters. Double surnames keep both parts,
    joined by "-".
    """
    key = latin_key(text) if isinstance(text, str) else ""
    return _key_of(key)


def _key_of(key: str) -> str:
    if not key:
        return ""
    parts = [p for p in re.split(r"[ \-]+", key) if p]
    keys = [k for k in (_part_key(p) for p in parts) if k]
    return "-".join(keys)


@lru_cache(maxsize=300_000)
def surname_keys(text: str) -> frozenset[str]:
    """:func:`surname_key` under every reading of a Latin spelling (English/Polish, French,
    German): Chevtchenko and Schewtschenko reach Шевченко's key."""
    if not isinstance(text, str):
        return frozenset()
    keys = {k for k in (_key_of(r) for r in latin_key_readings(text)) if k}
    # older schemes (BGN/PCGN 1965, ALA-LC, German) write зг as zh/sh, the same as ж:
    # Згурський is also keyed as Журський would be
    keys |= {k.replace("zh", "j") for k in keys if "zh" in k}
    return frozenset(keys)
