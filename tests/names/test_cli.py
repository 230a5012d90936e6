"""`reunite names compare|spellings|place|translit|schemes`, end to end through the real app."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from reunite.cli.main import app

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["names", *args])


def _json(*args: str) -> dict:
    res = _run(*args, "--json")
    return json.loads(res.stdout)


# ----------------------------------------------------------------------------- compare
def test_compare_same_person_across_scripts_and_diminutive() -> None:
    res = _run("compare", "Sasha Kovalchuk", "Ковальчук Олександр Петрович")
    assert res.exit_code == 0, res.output
    assert "same person" in res.stdout
    assert "Олександр" in res.stdout and "Kovalchuk" in res.stdout


def test_compare_json_parts_and_verdict() -> None:
    data = _json("compare", "Oleksandr Kovalchuk", "Александр Ковальчук")
    assert data["same"] is True
    assert 0.85 <= data["score"] <= 1.0
    assert set(data["agreed"]) == {"given", "surname"}
    assert data["a"]["given"] == "Oleksandr" and data["b"]["surname"] == "Ковальчук"
    assert "oleksandr" in data["a"]["keys"]["given_ids"]
    assert data["a"]["keys"]["surname_key"] == data["b"]["keys"]["surname_key"] != ""


def test_compare_patronymic_is_compared_across_languages() -> None:
    data = _json("compare", "Ковальова Олена Сергіївна", "Ковалева Елена Сергеевна")
    assert data["same"] is True
    assert data["parts"]["patronymic"] >= 0.85
    assert "patronymic" in data["agreed"]
    assert "serhii" in data["a"]["keys"]["father_ids"]
    assert data["b"]["keys"]["patronymic_gender"] == "F"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Олександр Ковальчук", "Олексій Ковальчук"),
        ("Іван Шевченко", "Іванна Шевченко"),
        ("Марія Коваленко", "Марина Коваленко"),
    ],
)
def test_compare_different_people(a: str, b: str) -> None:
    data = _json("compare", a, b)
    assert data["same"] is False
    assert "given" not in data["agreed"]


def test_compare_check_sets_exit_code() -> None:
    assert _run("compare", "Микола Шевчук", "Nikolay Shevchuk", "--check").exit_code == 0
    res = _run("compare", "Олександр Ковальчук", "Олексій Ковальчук", "--check")
    assert res.exit_code == 1
    assert "different" in res.stdout


def test_compare_explain_shows_keys() -> None:
    res = _run("compare", "Олександр Ковальчук", "Саша Kowalczuk", "--explain")
    assert res.exit_code == 0, res.output
    assert "given ids oleksandr" in res.stdout
    assert "surname key" in res.stdout


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ("", "Іван", "A is empty"),
        ("Іван", "   ", "B is empty"),
        ("12345", "Іван", "A has no letters"),
        ("Іван", "😀😀", "B has no letters"),
    ],
)
def test_compare_bad_input_exit_2_without_traceback(a: str, b: str, message: str) -> None:
    res = _run("compare", a, b)
    assert res.exit_code == 2
    assert message in res.stderr
    assert "Traceback" not in res.output
    assert json.loads(_run("compare", a, b, "--json").stdout) == {
        "error": res.stderr.split("error: ")[1].strip()
    }


def test_compare_odd_but_usable_input_is_flagged_not_rejected() -> None:
    res = _run("compare", "KOBAЛЬЧУК Oлeкcaндp 1999", "Ковальчук Олександр")
    assert res.exit_code == 0, res.output
    data = _json("compare", "KOBAЛЬЧУК Oлeкcaндp 1999", "Ковальчук Олександр")
    assert data["same"] is True
    assert "digits" in data["a"]["flags"]


def test_compare_very_long_input() -> None:
    data = _json("compare", "Олександр " * 500, "Олександр Ковальчук")
    assert "truncated" in data["a"]["flags"]


# ----------------------------------------------------------------------------- spellings
def test_spellings_cyrillic_gives_latin_and_russian_forms() -> None:
    data = _json("spellings", "Юлія")
    assert data["script"] == "cyrillic" and data["language"] == "uk"
    assert data["spellings"][0] == "Юлія"
    for form in ("Yuliia", "Iuliia", "Юлия"):
        assert form in data["spellings"]
    assert data["given_name_ids"] == ["yuliia"]


def test_spellings_latin_gives_cyrillic() -> None:
    data = _json("spellings", "Kovalchuk")
    assert "Ковальчук" in data["spellings"]
    assert data["script"] == "latin"


def test_spellings_table_and_limit() -> None:
    res = _run("spellings", "Олександр Ковальчук", "--limit", "3")
    assert res.exit_code == 0, res.output
    assert "latin" in res.stdout or "cyrillic" in res.stdout
    data = _json("spellings", "Олександр Ковальчук", "--limit", "3")
    assert len(data["spellings"]) == 3


def test_spellings_bad_input() -> None:
    res = _run("spellings", "")
    assert res.exit_code == 2 and "empty" in res.stderr
    assert _run("spellings", "Іван", "--limit", "0").exit_code == 2  # typer range check


# ----------------------------------------------------------------------------- place
@pytest.mark.parametrize("text", ["Харків", "Харьков", "Kharkiv", "Kharkov"])
def test_place_same_city_any_script(text: str) -> None:
    data = _json("place", text)
    assert data["query"] == text
    assert data["place"]["name_uk"] == "Харків"
    assert data["place"]["katotth"].startswith("UA63")
    assert data["place"]["country"] == "UA"


def test_place_former_name_shows_current_and_date() -> None:
    data = _json("place", "Дніпропетровськ")
    assert data["place"]["name_uk"] == "Дніпро"
    renamed = {f["name"]: f["renamed_on"] for f in data["place"]["former_names"]}
    assert renamed["Дніпропетровськ"] == "2016-05-19"
    res = _run("place", "Кіровоград")
    assert res.exit_code == 0
    assert (
        "Кропивницький" in res.stdout and "Кіровоград" in res.stdout and "until 2016" in res.stdout
    )


def test_place_russian_city_is_outside_ukraine() -> None:
    data = _json("place", "Подольск")
    assert data["place"]["country"] == "RU"


def test_place_not_found_exit_1() -> None:
    res = _run("place", "Qwertyuiop")
    assert res.exit_code == 1
    assert "no place found" in res.stderr
    res = _run("place", "Qwertyuiop", "--json")
    assert res.exit_code == 1
    assert json.loads(res.stdout) == {"query": "Qwertyuiop", "place": None}


def test_place_bad_input_exit_2() -> None:
    res = _run("place", "  ")
    assert res.exit_code == 2 and "empty" in res.stderr


# ----------------------------------------------------------------------------- translit
def test_translit_official_schemes() -> None:
    data = _json("translit", "Згурський", "-s", "uk_kmu_2010", "-s", "uk_passport_2007")
    assert data["transliterations"] == {"uk_kmu_2010": "Zghurskyi", "uk_passport_2007": "Zgurskyi"}
    data = _json("translit", "Юлия Щеглова", "-s", "ru_mvd_310_fr")
    assert data["transliterations"]["ru_mvd_310_fr"] == "Iouliia Chtcheglova"


def test_translit_all_schemes_and_unknown_scheme() -> None:
    schemes = _json("schemes")["schemes"]
    assert "uk_kmu_2010" in schemes and "ru_icao_2013" in schemes
    data = _json("translit", "Київ")
    assert set(data["transliterations"]) == set(schemes)
    res = _run("translit", "Київ", "-s", "no_such_scheme")
    assert res.exit_code == 2
    assert "no_such_scheme" in res.stderr and "Traceback" not in res.output


def test_names_help_lists_commands() -> None:
    res = runner.invoke(app, ["names", "--help"])
    assert res.exit_code == 0
    for cmd in ("compare", "spellings", "place", "translit", "schemes"):
        assert cmd in res.stdout


def test_names_commands_do_not_start_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from reunite.cli.names import app\n"
        "args = ['compare', 'Sasha Kovalchuk', 'Олександр Ковальчук', '--json']\n"
        "r = CliRunner().invoke(app, args)\n"
        "assert r.exit_code == 0, r.output\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)  # noqa: S603
