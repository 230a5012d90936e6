"""The channel's commands in-process (the three-process tests run them as real processes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from reunite import channel
from reunite.cli import exchange as cli
from reunite.exchange.models import BundleOut, CaseSummary, SoughtList
from tests.app.conftest import acting
from tests.app.test_exchange import remotes, ua  # noqa: F401


@pytest.fixture
def run() -> Any:
    app = typer.Typer()
    cli.register(app)

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(app, list(args))

    return invoke


def test_list_from_cases_and_case_summary(
    run: Any,
    ua: channel.Identity,  # noqa: F811
    users: Any,
    make_enquiry: Callable[..., Any],
    make_child: Callable[..., Any],
) -> None:
    from reunite.cases import actions as registry_actions

    worker = users[("ua", "caseworker")]
    enquiry = make_enquiry(surname="Кравець", given_name="Ніна", consent_for_tracing=True)
    case = registry_actions.open_case(acting(worker), enquiry=enquiry)
    no_request = registry_actions.open_case(acting(worker), child=make_child(org="ua"))
    result = run(
        "lists",
        "send",
        "--as",
        worker.username,
        "--to",
        "RU",
        "--title",
        "Cases",
        "--case",
        case.reference,
    )
    assert result.exit_code == 0, result.output
    assert SoughtList.objects.get().entries.get().enquiry == enquiry
    result = run(
        "lists",
        "send",
        "--as",
        worker.username,
        "--to",
        "RU",
        "--title",
        "x",
        "--case",
        no_request.reference,
    )
    assert result.exit_code == 2 and "no tracing request" in result.output
    result = run("lists", "send", "--as", worker.username, "--to", "NOBODY", "--title", "x")
    assert result.exit_code == 2 and "No peer 'NOBODY'" in result.output
    result = run("messages", "share-case", "--as", worker.username, case.reference, "--to", "RU")
    assert result.exit_code == 0, result.output
    assert CaseSummary.objects.get().thread == f"case:{case.reference}"
    denied = run(
        "messages",
        "share-case",
        "--as",
        users[("ua", "auditor")].username,
        case.reference,
        "--to",
        "RU",
    )
    assert denied.exit_code == 3
    assert BundleOut.objects.count() == 2
    listed = run("peers", "list", "--json")
    assert listed.exit_code == 0 and '"waiting": 2' in listed.output


def test_demo_channel_prints_the_logins_the_demo_creates() -> None:
    from reunite.cli import channel_demo
    from reunite.demo import DEMO_PASSWORD
    from reunite.demo.channel import PARTIES

    assert channel_demo.DEMO_PASSWORD == DEMO_PASSWORD
    for installation_id, spec in PARTIES.items():
        assert channel_demo.LOGINS[installation_id] == tuple(u for u, _r in spec["users"])
