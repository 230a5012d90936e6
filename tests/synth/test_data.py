"""The generator's curated tables and text helpers."""

from __future__ import annotations

import random
import re

from hypothesis import given
from hypothesis import strategies as st

from reunite.synth._data import tables
from reunite.synth._text import to_latin, typo, ua_to_ru_letters

_UA_ONLY = set("іїєґІЇЄҐ")
_CYR = re.compile(r"[А-ЯЁІЇЄҐа-яёіїєґ'’ -]+")


def test_tables_are_consistent() -> None:
    t = tables()
    for sex in ("F", "M"):
        ua, ru = t.ua_given[sex], t.ru_given[sex]
        assert len(set(ua.names)) == len(ua.names) and len(set(ru.names)) == len(ru.names)
        assert abs(ua.child_p.sum() - 1) < 1e-9 and abs(ru.parent_p.sum() - 1) < 1e-9
        assert all(_CYR.fullmatch(n) for n in ua.names + ua.ru + ru.names)
        assert not _UA_ONLY & set("".join(ua.ru + ru.names))
    ua_m = t.ua_given["M"]
    for i in ua_m.parent_idx:
        assert ua_m.pat_m[i].endswith(("ович", "іч", "ич")), ua_m.names[i]
        assert ua_m.pat_f[i].endswith("вна"), ua_m.names[i]
        assert ua_m.pat_ru_m[i].endswith(("вич", "ич")) and ua_m.pat_ru_f[i].endswith("на")
    s = t.ua_surnames
    assert len(set(s.male)) == len(s.male) > 100
    assert not _UA_ONLY & set("".join(s.letter_m + s.letter_f + s.trans_m + s.trans_f))
    assert {"Ковальська", "Шевченко"} <= set(s.female)
    assert len(t.ru_surnames.male) > 150 and len(t.ua_places.ua) > 40


def test_known_renderings() -> None:
    assert ua_to_ru_letters("Андрій") == "Андрий"
    assert ua_to_ru_letters("Олійник") == "Олийник"
    assert ua_to_ru_letters("Лук'яненко") == "Лукьяненко"
    assert ua_to_ru_letters("В'ячеслав") == "Вячеслав"
    assert ua_to_ru_letters("Микола", phonetic=True) == "Мыкола"
    assert to_latin("Олександр", "UkrainianKMU") == "Oleksandr"
    assert to_latin("Сергій", "UkrainianPassport2007") == "Sergii"


@given(st.text(alphabet="абвгґдеєжзиіїйклмнопрстуфхцчшщьюя'АБВГҐДЕЄЖЗИІЇЙ -", max_size=30))
def test_letter_rendering_leaves_no_ukrainian_letters(text: str) -> None:
    out = ua_to_ru_letters(text)
    assert not _UA_ONLY & set(out) and "'" not in out
    assert len(out) <= len(text)


@given(
    st.text(alphabet="абвгдежзийклмнопрстуфхцчшщьюяіїєґ", min_size=1, max_size=20), st.integers()
)
def test_typo_is_one_small_edit(text: str, seed: int) -> None:
    out = typo(text, random.Random(seed))
    assert abs(len(out) - len(text)) <= 1
    assert out[:1] == text[:1]
    assert (out != text) == (len(text) >= 3)
    ru = typo(text, random.Random(seed), layout="ru")
    assert not set(ru) - set(text) & _UA_ONLY
