"""Patronymics: gender, and the father's given-name ids hidden in them.

The index is generated at first use from the given-name dictionary: every masculine
Ukrainian form gets its Ukrainian patronymics (Сергій → Сергійович, Сергіївна) and every
Russian form its Russian ones (Сергей → Сергеевич, Сергеевна), with the irregular forms
written out (Ілля → Ілліч/Іллівна, Илья → Ильич/Ильинична, Яков → Яковлевич ...).
names-translator's validated Ukrainian → Russian patronymic dictionary adds the Russian
variants clerks actually wrote (Іллівна → Ильевна, Ильинична). Latin spellings reach the
same entries through :func:`latin_key`; anything else falls back to stripping the suffix
and looking the stem up as a given name.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from reunite.names._given import all_given_names, given_name_ids
from reunite.names._latin import latin_key
from reunite.names._text import normalize

_IRREGULAR_UK: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Ілля": (("Ілліч",), ("Іллівна",)),
    "Микола": (("Миколайович",), ("Миколаївна",)),
    "Кузьма": (("Кузьмич",), ("Кузьмівна",)),
    "Лука": (("Лукич",), ("Луківна",)),
    "Хома": (("Хомич",), ("Хомівна",)),
    "Яків": (("Якович",), ("Яківна",)),
    "Лев": (("Львович",), ("Львівна",)),
    "Федір": (("Федорович",), ("Федорівна",)),
    "Григорій": (("Григорович", "Григорійович"), ("Григорівна", "Григоріївна")),
    "Сава": (("Савович", "Савич"), ("Савівна",)),
    "Микита": (("Микитович",), ("Микитівна",)),
    "Нікіта": (("Нікітович",), ("Нікітівна",)),
    "Мар'ян": (("Мар'янович",), ("Мар'янівна",)),
}
_IRREGULAR_RU: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Илья": (("Ильич",), ("Ильинична", "Ильевна")),
    "Кузьма": (("Кузьмич",), ("Кузьминична",)),
    "Лука": (("Лукич",), ("Лукинична",)),
    "Фома": (("Фомич",), ("Фоминична",)),
    "Никита": (("Никитич",), ("Никитична",)),
    "Савва": (("Саввич",), ("Саввична",)),
    "Данила": (("Данилович",), ("Даниловна",)),
    "Даниил": (("Даниилович", "Данилович"), ("Данииловна", "Даниловна")),
    "Лев": (("Львович",), ("Львовна",)),
    "Павел": (("Павлович",), ("Павловна",)),
    "Пётр": (("Петрович",), ("Петровна",)),
    "Петр": (("Петрович",), ("Петровна",)),
    "Яков": (("Яковлевич", "Якович"), ("Яковлевна",)),
    "Михаил": (("Михайлович",), ("Михайловна",)),
    "Гавриил": (("Гаврилович",), ("Гавриловна",)),
    "Николай": (("Николаевич",), ("Николаевна",)),
    "Иосиф": (("Иосифович",), ("Иосифовна",)),
}
_VOWELS = "аеєиіїоуюяыэ"


def _uk_forms(name: str) -> tuple[list[str], list[str]]:
    if name in _IRREGULAR_UK:
        m, f = _IRREGULAR_UK[name]
        return list(m), list(f)
    if name.endswith("ій"):
        return [name + "ович"], [name[:-1] + "ївна"]
    if name.endswith("ь"):
        return [name + "ович"], [name[:-1] + "івна"]
    if name.endswith("й"):
        return [name + "ович"], [name[:-1] + "ївна"]
    if name[-1] in "оа":
        return [name[:-1] + "ович"], [name[:-1] + "івна"]
    if name[-1] in "я":
        return [name[:-1] + "ович"], [name[:-1] + "івна"]
    return [name + "ович"], [name + "івна"]


def _ru_forms(name: str) -> tuple[list[str], list[str]]:
    if name in _IRREGULAR_RU:
        m, f = _IRREGULAR_RU[name]
        return list(m), list(f)
    if name.endswith("ий"):
        stem = name[:-2]
        return [stem + "ьевич", stem + "иевич"], [stem + "ьевна", stem + "иевна"]
    if name.endswith("ей"):
        return [name[:-2] + "еевич"], [name[:-2] + "еевна"]
    if name.endswith("ай"):
        return [name[:-2] + "аевич"], [name[:-2] + "аевна"]
    if name.endswith("ь"):
        return [name[:-1] + "евич"], [name[:-1] + "евна"]
    if name[-1] in "ая":
        return [name[:-1] + "ич", name[:-1] + "ович"], [name[:-1] + "ична", name[:-1] + "овна"]
    return [name + "ович"], [name + "овна"]


class _Index:
    def __init__(self) -> None:
        self.by_key: dict[str, set[str]] = {}

    def add(self, form: str, father: str) -> None:
        key = latin_key(form)
        if key:
            self.by_key.setdefault(key, set()).add(father)


_lock = threading.Lock()
_index: _Index | None = None


def _ru_translations(form: str) -> list[str]:
    try:
        from names_translator.dicts import default_dicts
    except ImportError:  # pragma: no cover - dependency is pinned; keep working without it
        return []
    try:
        return default_dicts().lookup(form, "patronymic")
    except (OSError, RuntimeError, ValueError):  # pragma: no cover - broken install
        return []


def _build() -> _Index:
    idx = _Index()
    for name in all_given_names():
        if name.gender != "M":
            continue
        for form in name.uk:
            male, female = _uk_forms(form)
            for p in male + female:
                idx.add(p, name.id)
                for ru in _ru_translations(p):
                    idx.add(ru, name.id)
        for form in name.ru:
            male, female = _ru_forms(form)
            for p in male + female:
                idx.add(p, name.id)
    for key, ids in idx.by_key.items():  # tuples: not tracked by the garbage collector
        idx.by_key[key] = tuple(sorted(ids))  # type: ignore[assignment]
    return idx


def index() -> _Index:
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = _build()
    return _index


# Suffixes on the folded Latin key, longest first.
_SUFFIX = re.compile(
    r"(?:ievich|ievna|evich|evna|iovich|ovich|ovna|ivna|inichna|ichna|ich|ogli|ohli|kizi)$"
)


@lru_cache(maxsize=200_000)
def patronymic_father_ids(text: str) -> frozenset[str]:
    """Ids of the father's given name in a patronymic (Сергійович/Сергеевич → {"serhii"})."""
    if not isinstance(text, str):
        return frozenset()
    key = latin_key(text)
    if not key or " " in key:
        parts = key.split() if key else []
        out: set[str] = set()
        for part in parts:
            out |= patronymic_father_ids(part)
        return frozenset(out)
    hit = index().by_key.get(key)
    if hit:
        return frozenset(hit)
    m = _SUFFIX.search(key)
    if not m or m.start() < 2:
        return frozenset()
    stem = key[: m.start()]
    for cand in (stem, stem + "i", stem + "o", stem + "a", stem[:-1] if stem.endswith("i") else ""):
        if cand:
            ids = {i for i in given_name_ids(cand) if _is_male(i)}
            if ids:
                return frozenset(ids)
    return frozenset()


def patronymic_forms(father_id: str, gender: str) -> tuple[list[str], list[str]]:
    """(Ukrainian, Russian) patronymics from a father's given-name id; gender "M" or "F"."""
    from reunite.names._given import given_name

    entry = given_name(father_id)
    if entry is None or entry.gender != "M":
        return [], []
    pick = 0 if gender == "M" else 1
    uk = _uk_forms(entry.uk[0])[pick] if entry.uk else []
    ru = _ru_forms(entry.ru[0])[pick] if entry.ru else []
    return list(uk), list(ru)


def _is_male(name_id: str) -> bool:
    from reunite.names._given import given_name_gender

    return given_name_gender(name_id) == "M"


# Latin endings include German (-owytsch, -owitsch, -iwna), French (-ovitch) and Polish
# (-owicz) spellings.
_MALE = re.compile(
    r"(?:ич|іч|ych|ich|yich|vych|vich|itsch|ytsch|itch|ytch|icz|ycz|огли|оглы|ogly|ohly|ogli|"
    r"uly|улы)$"
)
_FEMALE = re.compile(r"(?:вна|ична|чна|vna|wna|ichna|chna|tschna|кизи|кызы|kyzy|kyzi|qizi)$")
# endings that only patronymics have (a surname may end in -ич: Маринич, Гаєвич)
_STRONG = re.compile(
    r"(?:ович|евич|івна|ївна|овна|евна|ична|ілліч|ильич|ovych|ovich|evich|ivna|iivna|ovna|"
    r"evna|ichna|owytsch|owitsch|ewitsch|ovitch|evitch|owicz|ewicz|iwna|owna|ewna|ijiwna|"
    r"\sоглы|\sогли|\sкызы|\sкизи|\sogly|\sohly|\sogli|\soglu|\skyzy|\skyzi|\sqizi)$"
)


def strong_patronymic(text: str) -> bool:
    """True when the word ends the way only patronymics end (-ович, -івна, -ovitch ...)."""
    t = normalize(text) if isinstance(text, str) else ""
    return bool(t) and bool(_STRONG.search(t))


@lru_cache(maxsize=100_000)
def patronymic_gender(text: str) -> str:
    """"M", "F" or "U" from the ending of a patronymic (any script)."""
    t = normalize(text) if isinstance(text, str) else ""
    if not t:
        return "U"
    word = t.split()[-1]
    if _FEMALE.search(word):
        return "F"
    if _MALE.search(word):
        return "M"
    return "U"


def looks_like_patronymic(text: str) -> bool:
    """True when the word ends like a patronymic and is not itself a known given name."""
    return patronymic_gender(text) != "U" and len(normalize(text)) > 4
