"""Known words for the enumerated columns, in Ukrainian, Russian and Latin transliteration.

Lists written by officials of either side say ``усыновлена``, ``под опекой`` or
``pod opekoi`` where the format says ``adopted`` or ``under_guardianship``. This table says
what such words mean (docs/interchange.md, "Known words"). Tolerant reading maps a value
through it; strict reading (the registry import) still refuses the value but names the
word it reads as, so the person fixing the file knows what to write.

A value is first normalised (case folded, ``ё`` read as ``е``, apostrophes removed,
punctuation, hyphens and underscores read as spaces), then looked up as a whole word or
phrase, then matched against word stems, so gendered and case forms (``усыновлён``,
``усыновлена``, ``усыновлённая``; ``опека``, ``под опекой``, ``опекаемый``) need one entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "RELATIONSHIPS",
    "RELATIONSHIP_WORDS",
    "KnownWord",
    "known_legal_status",
    "known_relationship",
    "known_sex",
    "normalise_word",
]

RELATIONSHIPS: tuple[str, ...] = (
    "mother",
    "father",
    "grandmother",
    "grandfather",
    "sibling",
    "aunt",
    "uncle",
    "other_relative",
    "legal_guardian",
    "other",
)

_APOSTROPHES = re.compile("[\u2019\u02bc`\u2018\u00b4\u02b9'\u2032]")
_PUNCTUATION = re.compile(r"[\s\-_.,;:!?/\\()\[\]\"«»„“”№#*+=|]+")


def normalise_word(text: str) -> str:
    """Case-folded, ``ё``→``е``, no apostrophes, punctuation as single spaces, stripped."""
    text = text.casefold().replace("ё", "е")
    text = _APOSTROPHES.sub("", text)
    return _PUNCTUATION.sub(" ", text).strip()


@dataclass(frozen=True)
class KnownWord:
    """What a known word means: the format's ``value`` and a note for the repair report."""

    value: str
    note: str = ""


# Words that say "not known": kept as unknown, but recognised (so not reported as garbage).
_UNKNOWN = re.compile(
    r"^(?:н д|нд|n a|na|нет данных|немає даних|нема даних|\?+|0)$"
    r"|неизвест|невідом|не известн|не відом|не установлен|не встановлен|не указан|не вказан"
    r"|неустановлен|невстановлен|нет сведений|немає відомостей|neizvest|nevidom|unknown"
    r"|not known|ne ustanovlen|ne vstanovlen"
)
_NEGATION = re.compile(r"(?:^| )(?:не|ні|нет|ne|ni|net|not|no)(?: |$)")

# Legal status: ordered; the first rule that matches wins. Adoption and guardianship come
# before orphanhood because an adopted or fostered orphan's legal status is the former.
_LEGAL_RULES: tuple[tuple[re.Pattern[str], KnownWord], ...] = tuple(
    (re.compile(pattern), word)
    for pattern, word in (
        (r"усынов|удочер|усинов|удочер|usynov|usinov|usyn|udocher|udochir|adopt",
         KnownWord("adopted")),
        (r"опек|опік|опiк|попечител|піклувальн|під піклуван|пiд пiклуван|pid pikluvann"
         r"|патронат|приемн\w* сем|прийомн\w* сім"
         r"|прийомн\w* сiм|дбст|будин\w* сімейн\w* тип|семейн\w* детск\w* дом"
         r"|opek|opik|popechitel|pikluvaln|patronat|priemn|priyemn|priyomn|pryiomn|pryjomn"
         r"|prijomn|guardian|foster",
         KnownWord("under_guardianship")),
        (r"сирот|сиріт|сирiт|без попечени|позбавлен\w* батьківськ|позбавлен\w* батькiвськ"
         r"|sirot|syrot|bez popecheni|pozbavlen|orphan",
         KnownWord("orphan", "a child without parental care is filed as orphan")),
        (r"родител\w* известн|батьк\w* відом|батьк\w* вiдом|с родител|з батьк|в семье"
         r"|у сім|в сім|roditel\w* izvestn|batk\w* vidom|s roditel|z batk|parents known"
         r"|with parents",
         KnownWord("parents_known")),
        (r"учрежден|установ|заклад|интернат|інтернат|iнтернат|детск\w* дом|дитяч\w* будин"
         r"|приют|притул|временн\w* размещ|тимчасов\w* розміщ|тимчасов\w* розмiщ|размещ"
         r"|розміщ|uchrezhd|uchrejd|zaklad|internat|detdom|detsk\w* dom|dytiach|pryiut"
         r"|priyut|prijut|vremenn|razmeshch|razmeshen|tymchasov|rozmishch|institution"
         r"|temporary",
         KnownWord("unknown", "a placement, not a legal status: legal status unknown")),
    )
)  # fmt: skip

_SEX_WORDS: dict[str, KnownWord] = {
    word: KnownWord(value)
    for value, words in (
        ("F", "f female girl w woman ж жен женск женская женский жін жіноча жіночий жiноча "
              "дівчинка дiвчинка девочка девушка дев zh zhen zhenskii zhenskiy zhenskaia "
              "zhenskaya zhin zhinocha zhinochyi devochka divchynka divchinka"),
        ("M", "m male boy man м муж мужск мужская мужской ч чол чоловіча чоловічий чоловiча "
              "хлопчик мальчик юноша мал muzh muzhskoi muzhskoy muzhskaia chol cholovicha "
              "cholovichyi malchik malchyk khlopchyk hlopchik"),
    )
    for word in words.split()
}  # fmt: skip

_RELATIONSHIP_WORDS: dict[str, str] = {
    **{value: value for value in RELATIONSHIPS},
    **{value.replace("_", " "): value for value in RELATIONSHIPS},
    "mum": "mother", "mom": "mother", "dad": "father", "grandma": "grandmother",
    "grandpa": "grandfather", "brother": "sibling", "sister": "sibling",
    "guardian": "legal_guardian", "relative": "other_relative",
    # Ukrainian
    "мати": "mother", "мама": "mother", "батько": "father", "тато": "father",
    "бабуся": "grandmother", "баба": "grandmother", "дідусь": "grandfather", "дід": "grandfather",
    "брат": "sibling", "сестра": "sibling", "тітка": "aunt", "дядько": "uncle",
    "опікун": "legal_guardian", "опікунка": "legal_guardian", "родич": "other_relative",
    "родичка": "other_relative", "інше": "other",
    # Russian
    "мать": "mother", "отец": "father", "папа": "father", "бабушка": "grandmother",
    "дедушка": "grandfather", "тетя": "aunt", "дядя": "uncle",
    "опекун": "legal_guardian", "родственник": "other_relative",
    "родственница": "other_relative", "другое": "other",
    # Latin transliteration
    "mati": "mother", "mat": "mother", "mama": "mother", "batko": "father", "tato": "father",
    "otets": "father", "otec": "father", "papa": "father", "baba": "grandmother",
    "did": "grandfather", "ded": "grandfather", "brat": "sibling", "sestra": "sibling",
}  # fmt: skip

# Stems for the forms the table above does not list (case and gender endings, diminutives,
# qualifiers such as "по матери"). Ordered: grandparents, aunts and uncles before parents,
# because "бабушка по матери" names the mother only to say which grandmother.
_RELATIONSHIP_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), value)
    for pattern, value in (
        (r"отчим|вітчим|вiтчим|мачех|мачух|otchim|vitchym|machekh|machukh|step", "other"),
        (r"бабус|бабуш|бабул|бабц|прабаб|^баб|babus|babush|babul|grandmother|granny",
         "grandmother"),
        (r"дідус|дiдус|дедуш|дедул|прадед|прадід|^дід|^дед|didus|dedush|dedul|grandfather",
         "grandfather"),
        (r"тітк|тiтк|тет[яюиек]|тётк|titk|tetia|tetya|tetka|tiotia|aunt", "aunt"),
        (r"дядьк|дяд[яюиеь]|diadk|diadia|dyadya|dyadk|uncle", "uncle"),
        (r"сестр\w* (?:матер|мам|отц|пап|батьк|тат)|sestr\w* (?:mater|mam|otts|pap|batk|tat)",
         "aunt"),
        (r"брат\w* (?:матер|мам|отц|пап|батьк|тат)|brat\w* (?:mater|mam|otts|pap|batk|tat)",
         "uncle"),
        (r"опікун|опiкун|опекун|піклувальник|попечител|opikun|opekun|guardian|tutor",
         "legal_guardian"),
        (r"двоюрідн|двоюрiдн|двоюродн|троюрідн|троюродн|кузен|кузин|племінн|племiнн|племянн"
         r"|родич|родственн|ridn|dvoiurid|dvoyurod|dvoiurod|rodych|rodstvenn|plemin|plemian"
         r"|cousin|nephew|niece|relative",
         "other_relative"),
        (r"^брат|^сестр|^brat|^sestr|brother|sister|sibling|^рідн\w* (?:брат|сестр)"
         r"|^родн\w* (?:брат|сестр)|^(?:старш|молодш|младш)\w* (?:брат|сестр)",
         "sibling"),
        (r"^мат[иіiьеу]|^матер|^мам|^нен[ья]|mother|^mum|^mom|^mama|^mati|^mat\b|^mater",
         "mother"),
        (r"^батьк|^бать|^тат[оуа]|^татк|^отец|^отц|^пап|^father|^dad|^batk|^tato|^tatk"
         r"|^otets|^otts|^otec|^papa",
         "father"),
        (r"інше|iнше|друг|знаком|сосед|сусід|сусiд|friend|neighbo|^other|^inshe|^drug", "other"),
    )
)  # fmt: skip


#: The whole words and phrases known for each relationship (stems cover other forms).
RELATIONSHIP_WORDS: Mapping[str, str] = MappingProxyType(_RELATIONSHIP_WORDS)


def known_legal_status(text: str) -> KnownWord | None:
    """The legal status a word or phrase names (``None`` when it names none).

    ``KnownWord("unknown")`` for words that say "not known" and for placements
    (``находится в учреждении``, ``временное размещение``), which are not legal statuses.
    """
    key = normalise_word(text)
    if not key:
        return KnownWord("unknown", "punctuation only") if text.strip() else None
    underscored = key.replace(" ", "_")
    if underscored in ("parents_known", "orphan", "under_guardianship", "adopted", "unknown"):
        return KnownWord(underscored)
    if _UNKNOWN.search(key):
        return KnownWord("unknown", "says the status is not known")
    if _NEGATION.search(key):
        return None  # "не усыновлен": a negation is not guessed at
    for pattern, word in _LEGAL_RULES:
        if pattern.search(key):
            return word
    return None


def known_sex(text: str) -> KnownWord | None:
    """``F`` or ``M`` for a word that names a sex; ``""`` for one that says "not known"."""
    key = normalise_word(text)
    if not key:
        return KnownWord("", "punctuation only") if text.strip() else None
    word = _SEX_WORDS.get(key)
    if word is not None:
        return word
    if _UNKNOWN.search(key) or key in ("x", "u", "н", "не указано", "не вказано"):
        return KnownWord("", "says the sex is not known")
    return None


def known_relationship(text: str) -> str | None:
    """The ``enquirer_relationship`` value for how an enquirer describes themselves."""
    key = normalise_word(text)
    if not key:
        return None
    exact = _RELATIONSHIP_WORDS.get(key) or _RELATIONSHIP_WORDS.get(key.replace(" ", "_"))
    if exact is not None:
        return exact
    for pattern, value in _RELATIONSHIP_RULES:
        if pattern.search(key):
            return value
    return None
