"""Transliteration: the official KMU 2010 examples, the Russian schemes' published samples."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from reunite import names

# CMU Resolution 55 of 27 Jan 2010: every official example word (names-reference.md §1.2).
KMU_2010_OFFICIAL = [
    ("Алушта", "Alushta"), ("Андрій", "Andrii"), ("Борщагівка", "Borshchahivka"),
    ("Борисенко", "Borysenko"), ("Вінниця", "Vinnytsia"), ("Володимир", "Volodymyr"),
    ("Гадяч", "Hadiach"), ("Богдан", "Bohdan"), ("Згурський", "Zghurskyi"),
    ("Ґалаґан", "Galagan"), ("Ґорґани", "Gorgany"), ("Донецьк", "Donetsk"),
    ("Дмитро", "Dmytro"), ("Рівне", "Rivne"), ("Олег", "Oleh"), ("Есмань", "Esman"),
    ("Єнакієве", "Yenakiieve"), ("Гаєвич", "Haievych"), ("Короп'є", "Koropie"),
    ("Житомир", "Zhytomyr"), ("Жанна", "Zhanna"), ("Жежелів", "Zhezheliv"),
    ("Закарпаття", "Zakarpattia"), ("Казимирчук", "Kazymyrchuk"), ("Медвин", "Medvyn"),
    ("Михайленко", "Mykhailenko"), ("Іванків", "Ivankiv"), ("Іващенко", "Ivashchenko"),
    ("Їжакевич", "Yizhakevych"), ("Кадиївка", "Kadyivka"), ("Мар'їне", "Marine"),
    ("Йосипівка", "Yosypivka"), ("Стрий", "Stryi"), ("Олексій", "Oleksii"), ("Київ", "Kyiv"),
    ("Коваленко", "Kovalenko"), ("Лебедин", "Lebedyn"), ("Леонід", "Leonid"),
    ("Миколаїв", "Mykolaiv"), ("Маринич", "Marynych"), ("Ніжин", "Nizhyn"),
    ("Наталія", "Nataliia"), ("Одеса", "Odesa"), ("Онищенко", "Onyshchenko"),
    ("Полтава", "Poltava"), ("Петро", "Petro"), ("Решетилівка", "Reshetylivka"),
    ("Рибчинський", "Rybchynskyi"), ("Суми", "Sumy"), ("Соломія", "Solomiia"),
    ("Тернопіль", "Ternopil"), ("Троць", "Trots"), ("Ужгород", "Uzhhorod"), ("Уляна", "Uliana"),
    ("Фастів", "Fastiv"), ("Філіпчук", "Filipchuk"), ("Харків", "Kharkiv"),
    ("Христина", "Khrystyna"), ("Біла Церква", "Bila Tserkva"), ("Стеценко", "Stetsenko"),
    ("Чернівці", "Chernivtsi"), ("Шевченко", "Shevchenko"), ("Шостка", "Shostka"),
    ("Кишеньки", "Kyshenky"), ("Щербухи", "Shcherbukhy"), ("Гоща", "Hoshcha"),
    ("Гаращенко", "Harashchenko"), ("Юрій", "Yurii"), ("Корюківка", "Koriukivka"),
    ("Яготин", "Yahotyn"), ("Ярошенко", "Yaroshenko"), ("Костянтин", "Kostiantyn"),
    ("Знам'янка", "Znamianka"), ("Феодосія", "Feodosiia"), ("Згорани", "Zghorany"),
    ("Розгон", "Rozghon"),
]
# Older example set also used for BGN/PCGN 2019 (names-reference.md §1.2, "extra vectors").
KMU_2010_EXTRA = [
    ("Вишгород", "Vyshhorod"), ("Дон", "Don"), ("Наєнко", "Naienko"),
    ("Запоріжжя", "Zaporizhzhia"), ("Іршава", "Irshava"), ("Кадіївка", "Kadiivka"),
    ("Ромни", "Romny"), ("Тетерів", "Teteriv"), ("Русь", "Rus"), ("Крюківка", "Kriukivka"),
    ("Ічня", "Ichnia"), ("Знам’янка", "Znamianka"),
]


def test_official_set_is_complete() -> None:
    assert len(KMU_2010_OFFICIAL) == 76


@pytest.mark.parametrize(("cyrillic", "latin"), KMU_2010_OFFICIAL + KMU_2010_EXTRA)
def test_kmu_2010_official_examples(cyrillic: str, latin: str) -> None:
    assert names.transliterate(cyrillic, "uk_kmu_2010") == latin


@pytest.mark.parametrize("apostrophe", ["'", "’", "ʼ", "`", "‘", "´"])
def test_every_apostrophe_variant_is_dropped(apostrophe: str) -> None:
    assert names.transliterate(f"Мар{apostrophe}яна", "uk_kmu_2010") == "Mariana"


def test_all_caps_and_initials_keep_word_start_rules() -> None:
    assert names.transliterate("ЗГУРОВСЬКИЙ", "uk_kmu_2010") == "ZGHUROVSKYI"
    assert names.transliterate("Ю. Я. Єрмоленко", "uk_kmu_2010") == "Yu. Ya. Yermolenko"
    assert names.transliterate("Анна-Ярина", "uk_kmu_2010") == "Anna-Yaryna"


OUR_RU_SCHEMES = {
    "ru_icao_2013": "icao_doc_9303", "ru_gost_52535": "gost_52535", "ru_mvd_310": "mvd_310",
    "ru_mvd_310_fr": "mvd_310_fr", "ru_mvd_782": "mvd_782", "ru_bgn_pcgn": "bgn_pcgn",
    "ru_gost_779b": "gost_779_alt", "ru_iso9": "gost_779", "ru_wikipedia": "wikipedia",
    "ru_ala_lc": "ala_lc", "ru_telegram": "telegram", "ru_ungegn_1987": "ungegn_1987",
    "ru_scientific": "scientific",
}


def _iuliia_samples() -> list[tuple[str, str, str]]:
    out = []
    base = resources.files("iuliia").joinpath("schemas")
    for ours, theirs in OUR_RU_SCHEMES.items():
        data = json.loads(base.joinpath(f"{theirs}.json").read_text("utf-8"))
        out += [(ours, cyr, lat) for cyr, lat in data["samples"]]
    return out


RU_SAMPLES = _iuliia_samples()


def test_russian_samples_are_there() -> None:
    assert len(RU_SAMPLES) >= 75
    assert {s for s, _c, _l in RU_SAMPLES} == set(OUR_RU_SCHEMES)


@pytest.mark.parametrize(("scheme", "cyrillic", "latin"), RU_SAMPLES)
def test_russian_published_samples(scheme: str, cyrillic: str, latin: str) -> None:
    assert names.transliterate(cyrillic, scheme) == latin


@pytest.mark.parametrize(
    ("scheme", "cyrillic", "latin"),
    [
        ("ru_icao_2013", "Юлия Щеглова", "Iuliia Shcheglova"),
        ("ru_mvd_310", "Юлия Щеглова", "Yuliya Shcheglova"),
        ("ru_mvd_310_fr", "Юлия Щеглова", "Iouliia Chtcheglova"),
        ("ru_gost_52535", "Юлия Щеглова", "Iuliia Shcheglova"),
        ("ru_icao_2013", "Андрей Видный", "Andrei Vidnyi"),
        ("ru_mvd_310", "Андрей Видный", "Andrey Vidnyy"),
        ("uk_passport_2007", "Сергій", "Sergii"),
        ("uk_passport_2007", "Євген", "Ievgen"),
        ("uk_bgn_1965", "Сергій", "Serhiy"),
    ],
)
def test_document_examples(scheme: str, cyrillic: str, latin: str) -> None:
    assert names.transliterate(cyrillic, scheme) == latin


def test_ukrainian_letters_in_a_russian_scheme_are_written_as_a_russian_clerk_would() -> None:
    assert names.transliterate("Андрій", "ru_icao_2013") == "Andrii"
    assert names.transliterate("Мар'яна", "ru_mvd_310") == "Mar'yana"


def test_schemes_lists_the_contract_names() -> None:
    listed = names.schemes()
    for s in ("uk_kmu_2010", "ru_icao_2013", "ru_gost_52535", "ru_mvd_310", "ru_mvd_310_fr",
              "ru_bgn_pcgn", "ru_gost_779b", "ru_iso9", "uk_passport_2007", "uk_national_1996",
              "uk_bgn_1965", "uk_cyrillic", "ru_cyrillic"):
        assert s in listed
    for s in listed:
        assert isinstance(names.transliterate("Олександр Ковальчук", s), str)


def test_unknown_scheme_raises_a_names_error() -> None:
    with pytest.raises(names.NamesError):
        names.transliterate("Олег", "klingon")


def test_latin_to_cyrillic_schemes() -> None:
    assert names.transliterate("Kovalchuk", "uk_cyrillic") in ("Ковальчук", "Ковалчук")
    assert names.transliterate("Yuliia", "uk_cyrillic") == "Юлія"
    assert names.transliterate("Sergey", "ru_cyrillic") == "Сергей"
    assert names.transliterate("Олег", "uk_cyrillic") == "Олег"


def test_empty_and_non_letters() -> None:
    assert names.transliterate("", "uk_kmu_2010") == ""
    assert names.transliterate("123", "ru_icao_2013") == "123"
