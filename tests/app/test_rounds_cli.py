"""``reunite rounds|custody|stats`` and ``reunite routes plan --child``: the same policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reunite.cli.main import app
from reunite.reunification.rounds import actions
from reunite.routes import default_network
from tests.app.conftest import acting
from tests.app.fixtures_rounds import ROUND_DAY, approved_case

NET = default_network()


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def completed(users: Any, orgs: Any, make_child: Any, make_enquiry: Any) -> Any:
    """A completed round: one RU→UA child handed over to the mother, confirmed by both."""
    coordinator = acting(users[("med", "coordinator")])
    case = approved_case(users, orgs, make_child, make_enquiry)
    round_ = actions.create_round(coordinator, title="February round", planned_date=ROUND_DAY,
                                  channel="mediator", channel_name="State of Qatar",
                                  parties=[orgs["ua"], orgs["ru"]])
    entry = actions.add_case(coordinator, round_, case, from_country="RU", to_country="UA")
    transfer = actions.create_transfer(
        coordinator, round_, entries=[entry],
        collector=actions.Collector(name="Ганна Ковальчук", relationship="mother",
                                    role="legal_representative", sex="F"),
        evidence=[case.evidence.get(kind="birth_certificate")], initial_custodian=orgs["ru"])
    actions.add_leg(coordinator, transfer, mode="convoy", from_place="moscow",
                    to_place="minsk", network=NET)
    first = actions.add_handover(coordinator, transfer, place="minsk", from_org=orgs["ru"],
                                 to_org=orgs["ua"], network=NET)
    final = actions.add_handover(coordinator, transfer, place="minsk", from_org=orgs["ua"],
                                 to_org=orgs["ua"], to_person="Ганна Ковальчук",
                                 is_final=True, network=NET)
    actions.confirm_round(coordinator, round_)
    actions.start_round(coordinator, round_)
    actions.confirm_handover(acting(users[("ru", "transfer_officer")]), first, side="release")
    actions.confirm_handover(acting(users[("ua", "transfer_officer")]), first, side="receive")
    actions.confirm_handover(acting(users[("ua", "transfer_officer")]), final, side="release")
    return round_, case, final


@pytest.mark.django_db
def test_rounds_list_show_report(completed: Any, users: Any, tmp_path: Path) -> None:
    round_, case, final = completed
    coordinator = users[("med", "coordinator")].username
    result = run("rounds", "list", "--as", coordinator, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["reference"] == round_.reference and rows[0]["unconfirmed_custody"]
    shown = run("rounds", "show", round_.reference, "--as", coordinator)
    assert "custody unconfirmed at Minsk" in shown.output
    assert f"{case.reference}  RU→UA" in shown.output
    actions.confirm_handover(acting(users[("ua", "caseworker")]), final, side="receive")
    pdf = tmp_path / "manifest.pdf"
    report = run("rounds", "report", round_.reference, "--as", coordinator, "--manifest",
                 str(pdf), "--json")
    assert report.exit_code == 0, report.output
    assert json.loads(report.output)["by_direction"] == {"RU→UA": 1}
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.django_db
def test_custody_show(completed: Any, users: Any) -> None:
    _round, case, _final = completed
    result = run("custody", "show", case.reference, "--as",
                 users[("ua", "transfer_officer")].username)
    assert result.exit_code == 0, result.output
    assert "1. RU → UA at Minsk: confirmed by both sides" in result.output
    assert "2. UA → UA (Ганна Ковальчук) at Minsk: UNCONFIRMED: released, not received" in (
        result.output)
    missing = run("custody", "show", "C-1999-000001", "--as",
                  users[("ua", "transfer_officer")].username)
    assert missing.exit_code == 2


@pytest.mark.django_db
def test_stats_export_and_policy(completed: Any, users: Any, tmp_path: Path) -> None:
    out = tmp_path / "public.json"
    result = run("stats", "export", "--out", str(out), "--as",
                 users[("med", "coordinator")].username)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["tables"] and "Aggregates only" in data["note"]
    denied = run("stats", "export", "--out", str(tmp_path / "x.csv"), "--as",
                 users[("ua", "verifier")].username)
    assert denied.exit_code == 3 and not (tmp_path / "x.csv").exists()
    assert run("stats", "export", "--out", str(tmp_path / "x.txt"), "--as",
               users[("med", "coordinator")].username).exit_code == 2


@pytest.mark.django_db
def test_routes_plan_for_a_recorded_child(completed: Any, users: Any) -> None:
    _round, case, _final = completed
    result = run("routes", "plan", "--from", "qatar-embassy-moscow", "--to", "kyiv",
                 "--date", "2026-02-12", "--child", case.reference, "--as",
                 users[("med", "coordinator")].username, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert any("the child has no passport" in r for route in data["rejected"]
               for r in route["reasons"])
    no_user = run("routes", "plan", "--from", "moscow", "--to", "kyiv", "--date",
                  "2026-02-12", "--child", case.reference)
    assert no_user.exit_code == 2 and "--as" in no_user.output
