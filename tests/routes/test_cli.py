"""`reunite routes plan|check|places|map`, end to end through the real app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from reunite.cli.main import app
from reunite.routes import default_network, network_to_toml

runner = CliRunner()


def _run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, ["routes", *args], env=env)


def test_plan_prints_routes_and_reasons() -> None:
    res = _run("plan", "--from", "Embassy of Qatar, Moscow", "--to", "kyiv", "--date",
               "2026-02-12", "--child-age", "15", "--adult",
               "role=legal_representative,sex=F,age=38,citizenship=UA,documents=passport")
    assert res.exit_code == 0, res.output
    assert "Route 1:" in res.stdout and "Humanitarian crossing" in res.stdout
    assert "the child has no passport and Sheremetyevo Airport requires one" in res.stdout
    assert "ILLUSTRATIVE" in res.stderr


def test_plan_json_and_svg(tmp_path: Path) -> None:
    svg = tmp_path / "route.svg"
    res = _run("plan", "--from", "moscow", "--to", "kyiv", "--date", "2026-02-12", "--json",
               "--svg", str(svg))
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["routes"][0]["legs"][0]["from"] == "moscow"
    assert data["routes"][0]["legs"][-1]["to"] == "kyiv"
    assert svg.read_text(encoding="utf-8").startswith("<svg")


def test_no_feasible_route_exits_1_with_reasons() -> None:
    res = _run("plan", "--from", "kyiv", "--to", "warsaw", "--date", "2026-02-12",
               "--adult", "role=escort,sex=M,age=40,citizenship=UA,name=Petro", "--json")
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["routes"] == []
    assert any("Petro may not leave Ukraine" in reason for route in data["rejected"]
               for reason in route["reasons"])


def test_bad_input_exits_2_with_a_message() -> None:
    res = _run("plan", "--from", "Kyev", "--to", "moscow", "--date", "2026-02-12")
    assert res.exit_code == 2 and "did you mean" in res.stderr
    res = _run("plan", "--from", "kyiv", "--to", "moscow", "--date", "12.02.2026")
    assert res.exit_code == 2 and "--date must be a date" in res.stderr
    res = _run("plan", "--from", "kyiv", "--to", "moscow", "--date", "2026-02-12",
               "--adult", "role=escort,age=forty")
    assert res.exit_code == 2 and "age=<whole number>" in res.stderr
    res = _run("plan", "--from", "kyiv", "--to", "moscow", "--date", "2026-02-12",
               "--child-documents", "visa")
    assert res.exit_code == 2 and "unknown document" in res.stderr


def test_check_reports_lines_and_uses_env_network(tmp_path: Path) -> None:
    good = tmp_path / "net.toml"
    good.write_text(network_to_toml(default_network()), encoding="utf-8")
    res = _run("check", str(good))
    assert res.exit_code == 0 and "valid" in res.stdout
    lines = good.read_text(encoding="utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith("hours = "))
    lines[number] = "hours = -2"
    bad = tmp_path / "bad.toml"
    bad.write_text("\n".join(lines), encoding="utf-8")
    res = _run("check", str(bad), "--json")
    assert res.exit_code == 2
    assert json.loads(res.stdout)["problems"][0]["line"] == number + 1
    assert f"bad.toml:{number + 1}:" in res.stderr
    res = _run("places", "--json", env={"REUNITE_ROUTE_NETWORK": str(bad)})
    assert res.exit_code == 2


def test_places_and_map(tmp_path: Path) -> None:
    res = _run("places", "--json")
    assert res.exit_code == 0
    assert {"kyiv", "sheremetyevo"} <= {p["id"] for p in json.loads(res.stdout)}
    out = tmp_path / "map.svg"
    res = _run("map", "--out", str(out), "--date", "2026-02-12")
    assert res.exit_code == 0 and out.read_text(encoding="utf-8").endswith("</svg>")
