"""The channel's screens in a real browser: send a list, answer an incoming one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from reunite import channel
from reunite.exchange import services
from reunite.exchange.models import BundleOut, ListAnswer, SoughtList
from tests.app.browser import BROWSER_MARKS, log_in
from tests.app.test_exchange import SYSTEM, Remote, remotes, ua  # noqa: F401

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]


def test_caseworker_sends_a_list_and_answers_one(
    page: Any,
    users: Any,
    ua: channel.Identity,  # noqa: F811
    remotes: dict[str, channel.Identity],  # noqa: F811
    make_enquiry: Callable[..., Any],
    make_child: Callable[..., Any],
) -> None:
    enquiry = make_enquiry(surname="Савченко", given_name="Ілля", consent_for_tracing=True)
    make_enquiry(surname="Без", given_name="Згоди", consent_for_tracing=False)
    child = make_child(
        org="ua",
        surname="Ткаченко",
        given_name="Олена",
        sex="F",
        birth_date=dt.date(2012, 2, 3),
        birth_date_precision="day",
    )
    log_in(page, users[("ua", "caseworker")])

    # send a list from the screen: only the request with consent is offered
    page.goto("/exchange/lists/")
    assert "Згоди" not in page.inner_text("main")
    page.fill("input[name=title]", "Browser list")
    page.check(f"#enq-{enquiry.pk}")
    page.click("text=Send the list")
    assert "List sent to RU with 1 names" in page.inner_text(".messages")
    assert BundleOut.objects.get(kind="list").recipients == ["RU"]

    # an incoming list from RU, matched against our registry
    _h, data = Remote(remotes["RU"]).bundle(
        [ua],
        "list",
        {
            "list_id": "a" * 32,
            "title": "RU asks",
            "asking": "RU",
            "asked": "UA",
            "due_days": 30,
            "entries": [
                {
                    "ref": "1",
                    "fields": {
                        "surname": "Ткаченко",
                        "given_name": "Олена",
                        "sex": "F",
                        "birth_date": "2012-02-03",
                    },
                }
            ],
        },
    )
    assert services.receive_bundle(data, SYSTEM, via="MED").outcome == "accepted"
    page.goto("/exchange/lists/" + "a" * 32 + "/")
    assert "0 of 1 answered" in page.inner_text("[data-testid=progress]")
    # the candidate from our own registry
    assert page.locator("main td a[href^='/children/']").first.get_attribute("href") == (
        f"/children/{child.pk}/"
    )
    page.select_option("select[name=status]", "located")
    page.fill("input[name=region]", "Kyiv")
    page.select_option("select[name=placement]", "relatives")
    page.click("text=Send answer")
    assert "Answer recorded" in page.inner_text(".messages")
    assert "1 of 1 answered" in page.inner_text("[data-testid=progress]")
    answer = ListAnswer.objects.get(entry__sought_list__list_id="a" * 32)
    assert (answer.status, answer.region, answer.placement) == ("located", "Kyiv", "relatives")
    assert BundleOut.objects.filter(kind="answers").count() == 1
    assert SoughtList.objects.count() == 2
