"""Ukrainian and Russian: complete catalogues, and pages that speak the user's language.

1. Every message id marked in the source has a translation in ``uk`` and ``ru`` (no fuzzy
   entries, the same placeholders as the English).
2. Every page, rendered for users of each role in Ukrainian and in Russian, shows no English
   word beyond names and data the users typed, and a short list of codes (UTC, PDF, SHA-256…).
3. The language: browser first, then the user's own choice, remembered on the membership.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import polib
import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from reunite.accounts.models import Membership
from reunite.matching import actions as m
from reunite.matching.models import CandidatePair, MatchRun
from reunite.verification import actions as v
from tests.app.conftest import acting
from tests.app.fixtures_matching import add_pair_records, trained_link_model  # noqa: F401
from tests.app.fixtures_verification import bid_fields, dna_files, pdf, vcase  # noqa: F401
from tests.app.i18n_pages import LATIN_WORD, SRC, source_message_ids, visible_text

LANGUAGES = ["uk", "ru"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
# Codes and units that stay as they are in every language.
CODES = {
    "UTC", "PDF", "SHA", "LR", "JPEG", "PNG", "CSV", "XLSX", "ISO", "ID", "Fst", "STR", "log",
    "Reunite", "UA", "RU", "QA", "MED", "v", "e", "ID-картка", "person_id", "locus", "allele",
    "allele1", "allele2", "frequency", "alpha", "ENFSI", "JSON",
    # the mark of a suppressed count in published tables, explained on the page
    "x",
    # example names in search placeholders (names are never translated)
    "Kovalchuk", "Sasha",
}  # fmt: skip


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(SRC / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_translation(language: str) -> None:
    po = catalogue(language)
    problems = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not all(t.strip() for t in translations):
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        for text in translations:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {entry.msgid!r} → {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_string_is_in_the_catalogue(language: str) -> None:
    translated = {
        (f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid)
        for e in catalogue(language)
        if not e.obsolete and (e.msgstr or any(e.msgstr_plural.values()))
    }
    missing = sorted(source_message_ids() - translated)
    assert not missing, "Run `make translations` (see docs/i18n.md) and translate:\n" + "\n".join(
        missing
    )


def test_the_source_scan_finds_strings_of_templates_and_python() -> None:
    ids = source_message_ids()
    # One of each kind: a template {% translate %}, a {% blocktranslate %}, a model choice.
    assert {"Review queue", "Case %(reference)s", "Under guardianship"} <= ids


# Pages ------------------------------------------------------------------------------------


@pytest.fixture
def world(
    users: Any, orgs: Any, vcase: Any, trained_link_model: Any, client: Any  # noqa: F811
) -> dict[str, Any]:
    """A case with evidence, a DNA report and a best-interests determination; a match run."""
    ua_cw = acting(users[("ua", "caseworker")])
    v.add_evidence(
        ua_cw, vcase, {"kind": "birth_certificate", "title": "Свідоцтво", "provided_by": "РАЦС"},
        pdf(),
    )  # fmt: skip
    v.add_evidence(
        ua_cw, vcase,
        {"kind": "power_of_attorney", "title": "Довіреність", "provided_by": "Нотаріус",
         "on_required_form": False, "expires_on": dt.date(2020, 1, 1)},
        pdf(),
    )  # fmt: skip
    profiles, freqs = dna_files()
    client.force_login(users[("ua", "verifier")])
    response = client.post(
        f"/verification/cases/{vcase.pk}/dna/",
        {"profiles": profiles, "frequencies": freqs, "claimant_profile": "M-01",
         "child_profile": "C-07", "relationship": "parent-child", "theta": "0.01",
         "mutation_rate": "0.002"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    v.record_bid(ua_cw, vcase, bid_fields(
        panel=[{"name": "Олена Тест", "role": "соцпрацівник"},
               {"name": "Петро Тест", "role": "психолог"}, {"name": "Ірина Тест", "role": "юрист"}],
        risks_family="Немає.", risks_journey="Довга дорога.",
        options_considered=["До матері", "У закладі"],
        reasons="Дитина хоче додому.",
    ))  # fmt: skip
    m.install_model(acting(users[("ua", "caseworker")]), trained_link_model)
    add_pair_records(
        users, surname="Коваленко", given="Дарина", birth=dt.date(2014, 5, 17),
        mother="Коваленко Ірина Петрівна", patronymic="Олегівна",
    )  # fmt: skip
    run = m.run_matching(acting(users[("ua", "caseworker")]))
    assert run.status == MatchRun.Status.SUCCEEDED
    return {"case": vcase, "run": run, "pair": CandidatePair.objects.first()}


def _data_words() -> set[str]:
    """Every Latin word people typed into the database: names, places, notes, usernames.

    Not the audit log nor JSON fields: those hold codes and engine output, which the pages
    must show in words of the user's language.
    """
    words: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label == "audit":
            continue
        fields = [
            f.name for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]  # fmt: skip
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for value in row:
                words |= set(LATIN_WORD.findall(str(value)))
    return words


BY_NAME = {
    "ua-caseworker": ("ua", "caseworker"), "ua-verifier": ("ua", "verifier"),
    "ru-caseworker": ("ru", "caseworker"), "med-coordinator": ("med", "coordinator"),
    "ua-auditor": ("ua", "auditor"),
}  # fmt: skip


def _pages(world: dict[str, Any]) -> dict[str, list[str]]:
    case, run, pair = world["case"], world["run"], world["pair"]
    evidence = case.evidence.first()
    report = evidence.case.evidence.filter(kind="dna").first().kinship
    child, enquiry = case.child, case.enquiry
    return {
        "ua-caseworker": [
            reverse("dashboard"), reverse("child-list"), reverse("child-create"),
            reverse("child-detail", args=[child.pk]), reverse("enquiry-list"),
            reverse("enquiry-create"), reverse("enquiry-detail", args=[enquiry.pk]),
            reverse("enquiry-edit", args=[enquiry.pk]), reverse("case-list"),
            reverse("case-detail", args=[case.pk]), f"/verification/cases/{case.pk}/",
            f"/verification/cases/{case.pk}/summary/",
            f"/verification/evidence/{evidence.pk}/edit/",
            reverse("matching:queue"), reverse("matching:run-list"),
            reverse("matching:run-detail", args=[run.pk]),
            reverse("matching:pair-detail", args=[pair.pk]), "/no-such-page/",
            reverse("import-list"),
        ],
        "ua-verifier": [
            f"/verification/cases/{case.pk}/", reverse("verification:kinship", args=[report.pk]),
            reverse("matching:pair-detail", args=[pair.pk]), reverse("matching:queue"),
        ],
        "ru-caseworker": [
            reverse("child-edit", args=[child.pk]), reverse("case-detail", args=[case.pk]),
        ],
        "med-coordinator": [reverse("dashboard"), reverse("case-detail", args=[case.pk]),
                            "/rounds/", "/exchange/lists/", "/statistics/", "/exchange/",
                            f"/verification/cases/{case.pk}/"],
        "ua-auditor": [reverse("audit-log"), reverse("child-create")],
        "anonymous": [reverse("login")],
    }  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_on_any_page(
    language: str, world: dict[str, Any], users: Any, client: Any
) -> None:
    known = _data_words() | CODES
    leaks: dict[str, set[str]] = {}
    checked = 0
    for who, urls in _pages(world).items():
        client.logout()
        if who != "anonymous":
            client.force_login(users[BY_NAME[who]])
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code in (200, 403, 404), (who, url, response.status_code)
            html = response.content.decode()
            if "<html" in html:  # fragments loaded by htmx have no <html>
                assert f'<html lang="{language}"' in html, (who, url)
            # Words with a digit are codes (versions, digests, SHA-256), not English.
            words = {
                w for w in LATIN_WORD.findall(visible_text(html)) if not re.search(r"\d", w)
            } - known
            if words:
                leaks[f"{who} {url}"] = words
            checked += 1
    assert checked >= 25
    assert not leaks, "\n".join(f"{page}: {sorted(words)}" for page, words in leaks.items())


# Choosing the language -------------------------------------------------------------------


def test_the_browser_language_is_the_default_and_a_choice_is_remembered(
    users: Any, client: Any
) -> None:
    user = users[("ua", "caseworker")]
    assert "Увійти" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert (
        "Войти" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ru,en;q=0.5").content.decode()
    )
    assert "Log in" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    client.force_login(user)
    response = client.post(reverse("set-language"), {"language": "ru", "next": "/children/"})
    assert response.status_code == 302 and response["Location"] == "/children/"
    assert Membership.objects.get(user=user).language == "ru"
    # Another browser (no cookie) that asks for Ukrainian: the saved choice wins.
    client.cookies.clear()
    client.force_login(user)
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert '<html lang="ru"' in page and "Обзор" in page
    # An unknown language or a foreign redirect target change nothing.
    response = client.post(
        reverse("set-language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/" and Membership.objects.get(user=user).language == "ru"


def test_dates_and_numbers_follow_the_language(
    world: dict[str, Any], users: Any, client: Any
) -> None:
    client.force_login(users[("ua", "verifier")])
    run = world["run"]
    en = client.get(reverse("matching:run-detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en")
    uk = client.get(reverse("matching:run-detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="uk")
    day = run.started_at
    assert day.strftime("%Y-%m-%d") in en.content.decode()
    assert day.strftime("%d.%m.%Y") in uk.content.decode()


def test_error_pages_are_our_own_and_translated(client: Any, users: Any, settings: Any) -> None:
    settings.DEBUG = False
    client.force_login(users[("ua", "caseworker")])
    page = client.get("/children/999999/", HTTP_ACCEPT_LANGUAGE="uk")
    assert page.status_code == 404
    assert (
        'data-testid="error-page"' in page.content.decode()
        and "Сторінку не знайдено" in page.content.decode()
    )
    client.force_login(users[("ua", "auditor")])
    page = client.get(reverse("child-create"), HTTP_ACCEPT_LANGUAGE="ru")
    assert page.status_code == 403 and "Вы не можете открыть эту страницу" in page.content.decode()
