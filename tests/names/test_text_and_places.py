"""Normalisation, script and language detection, and the gazetteer."""

from __future__ import annotations

import datetime as dt

import pytest

from reunite import names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Мар’яна", "мар'яна"), ("Марʼяна", "мар'яна"), ("Мар`яна", "мар'яна"),
        ("Мар‘яна", "мар'яна"), ("Мар´яна", "мар'яна"),
        ("  Анна — Марія ", "анна-марія"), ("Анна - Марія", "анна-марія"),
        ("КОВАЛЬЧУК\tОлександр\n", "ковальчук олександр"),
        ("Kовальчук", "ковальчук"),          # Latin K inside a Cyrillic word
        ("Оleksandr", "oleksandr"),          # Cyrillic О inside a Latin word
        ("Е\u0301лена", "е\u0301лена"),  # no precomposed form: the accent stays
        ("", ""), ("   ", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert names.normalize(raw) == expected


def test_normalize_nfc() -> None:
    decomposed = "Йосип"  # И + combining breve
    assert names.normalize(decomposed) == "йосип"


@pytest.mark.parametrize(
    ("text", "script", "language"),
    [
        ("Олександр", "cyrillic", "unknown"), ("Олексій", "cyrillic", "uk"),
        ("Мар'яна", "cyrillic", "uk"), ("Ґалаґан", "cyrillic", "uk"), ("Євген", "cyrillic", "uk"),
        ("Артём", "cyrillic", "ru"), ("Эдуард", "cyrillic", "ru"), ("Крылов", "cyrillic", "ru"),
        ("Подъярский", "cyrillic", "ru"), ("Oleksandr", "latin", "unknown"),
        ("Ковальчук Oleksandr", "mixed", "unknown"), ("12345", "unknown", "unknown"),
        ("😀", "unknown", "unknown"), ("", "unknown", "unknown"),
        ("Іван Крылов", "cyrillic", "unknown"),
    ],
)
def test_script_and_language(text: str, script: str, language: str) -> None:
    assert names.detect_script(text) == script
    assert names.detect_language(text) == language


def test_phonetic_key_examples() -> None:
    for group, code in (
        (("Ковальчук", "Kovalchuk", "Kowaltschuk", "Kovalčuk", "Kowalczuk"), "578450"),
        (("Шевченко", "Shevchenko", "Szewczenko", "Schewtschenko", "Chevtchenko"), "474650"),
        (("Ткаченко", "Tkachenko", "Tkatschenko"), "354650"),
    ):
        assert {names.phonetic_key(x) for x in group} == {code}
    assert names.phonetic_key("") == ""


def test_latin_key_examples() -> None:
    assert names.latin_key("Ковальчук") == names.latin_key("Kowalczuk") == "kovalchuk"
    assert names.latin_key("Згурський") != names.latin_key("Журський")
    assert names.latin_key("Zghurskyi") == names.latin_key("Згурський")
    assert names.latin_key("Юлія") == names.latin_key("Iuliia") == names.latin_key("Yulia")


def test_place_requirements_of_the_issue() -> None:
    kharkiv = names.place("Харків")
    assert kharkiv is not None
    assert names.place("Харьков") == names.place("Kharkov") == kharkiv
    assert kharkiv.name_ru == "Харьков" and kharkiv.name_en == "Kharkiv"
    assert kharkiv.kind == "city" and kharkiv.country == "UA"
    assert kharkiv.katotth == "UA63120270010096107"
    assert kharkiv.oblast == "Харківська"
    dnipro = names.place("Дніпропетровськ")
    assert dnipro is not None and dnipro.name_uk == "Дніпро"
    assert ("Дніпропетровськ", dt.date(2016, 5, 19)) in dnipro.former_names
    podolsk = names.place("Подольск")
    assert podolsk is not None and podolsk.country == "RU"


@pytest.mark.parametrize(
    ("query", "name_uk", "kind"),
    [
        ("Кіровоград", "Кропивницький", "city"), ("Сєвєродонецьк", "Сіверськодонецьк", "city"),
        ("Харківська область", "Харківська", "oblast"), ("Kharkiv oblast", "Харківська", "oblast"),
        ("Харьковская обл.", "Харківська", "oblast"), ("Бучанський район", "Бучанський", "raion"),
        ("м. Київ", "Київ", "city"), ("г. Киев", "Київ", "city"), ("Kiev", "Київ", "city"),
        ("Артёмовск", "Бахмут", "city"), ("Жданов", "Маріуполь", "city"),
        ("с. Іванівка, Київська обл.", "Іванівка", "village"),
    ],
)
def test_place_lookups(query: str, name_uk: str, kind: str) -> None:
    p = names.place(query)
    assert p is not None, query
    assert (p.name_uk, p.kind) == (name_uk, kind)


def test_place_context_picks_the_oblast() -> None:
    p = names.place("Іванівка, Київська область")
    assert p is not None and p.oblast == "Київська"
    plain = names.place("Іванівка")
    assert plain is not None and plain.matches > 10


def test_gazetteer_covers_all_cities() -> None:
    from reunite.names._places import gazetteer

    g = gazetteer()
    cats = [r.cat for r in g.rows.values()]
    assert cats.count("O") == 25 and cats.count("K") == 2
    assert cats.count("M") >= 450 and cats.count("X") >= 1900 and cats.count("P") >= 130


def test_unknown_places() -> None:
    assert names.place("Qwxzzz") is None
    assert names.place("") is None
    assert names.place("область") is None


def test_place_as_dict_is_json_ready() -> None:
    import json

    p = names.place("Днепропетровск")
    assert p is not None
    data = json.loads(json.dumps(p.as_dict(), ensure_ascii=False))
    assert data["name_uk"] == "Дніпро"
    assert {"name": "Дніпропетровськ", "renamed_on": "2016-05-19"} in data["former_names"]


@pytest.mark.parametrize(
    ("query", "name_uk", "kind"),
    [
        ("Городок", "Городок", "city"),           # not "город" + "ок"
        ("Хутірське", "Хутірське", "village"),    # not "хутір" + "ське"
        ("Лисківці", "Лисківці", "village"),      # an exact name beats a near one
        ("Лісківці", "Лісківці", "village"),
        ("Ганівка", "Ганівка", "village"),
        ("Barvinivka", "Барвінівка", "village"),  # exact KMU form
        ("Barvynivka", "Барвинівка", "village"),
        ("с. Ульяновка", "Ульяновка", "village"), # the hint keeps the village
        ("Свердловськ", "Довжанськ", "city"),     # a Ukrainian former name stays in Ukraine
        ("Орджонікідзе", "Покров", "city"),
    ],
)
def test_place_exact_names_and_hints(query: str, name_uk: str, kind: str) -> None:
    p = names.place(query)
    assert p is not None, query
    assert (p.name_uk, p.kind) == (name_uk, kind)
    assert p.country == "UA"


def test_every_katotth_name_with_a_type_word_is_found_whole() -> None:
    import re

    from reunite.names._places import _OBLAST, _PREFIX, _RAION, gazetteer

    g = gazetteer()
    checked = 0
    for row in g.rows.values():
        low = row.name.lower()
        if (_PREFIX.match(low) or _OBLAST.search(low) or _RAION.search(low)
                or re.search(r"\b(місто|село|селище|город|край|район|область|хутір)\b", low)):
            checked += 1
            p = names.place(row.name)
            assert p is not None and names.normalize(p.name_uk) == names.normalize(low), low
    assert checked >= 20
    assert names.place("Рідний Край") is not None


def test_every_city_is_found_by_its_own_name_and_official_latin_form() -> None:
    from reunite.names._places import gazetteer

    g = gazetteer()
    cities = [r for r in g.rows.values() if r.cat in ("M", "K")]
    assert len(cities) >= 450
    for row in cities:
        for query in (row.name, names.transliterate(row.name, "uk_kmu_2010")):
            p = names.place(query)
            assert p is not None and p.name_uk == row.name, query


@pytest.mark.parametrize(
    ("query", "kind"),
    [("с. Іванівка", "village"), ("село Іванівка, Харківська область", "village"),
     ("смт Іванівка", "town"), ("селище Іванівка", "town"), ("м. Городок", "city")],
)
def test_type_words_choose_the_kind(query: str, kind: str) -> None:
    p = names.place(query)
    assert p is not None and p.kind == kind
