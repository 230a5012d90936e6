"""`reunite match-registry` (src/reunite/cli/matching.py) on the real database and engine."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from reunite.cli import matching as cli_matching
from reunite.matching import actions as m
from reunite.matching.models import CandidatePair, LinkModelVersion, MatchRun
from tests.app.fixtures_matching import (
    acting,
    add_pair_records,
    trained_link_model,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    cli_matching.register(app)

    @app.command("noop", hidden=True)
    def _noop() -> None:  # a second command keeps Typer from collapsing the group
        pass

    return app


def _invoke(app: typer.Typer, *args: str) -> Any:
    return CliRunner().invoke(app, ["match-registry", *args])


@pytest.fixture
def records(users: Any, trained_link_model: Any) -> tuple[Any, Any]:  # noqa: F811
    m.install_model(acting(users[("ua", "caseworker")]), trained_link_model)
    return add_pair_records(users, surname="Мельник", given="Злата", birth=dt.date(2015, 4, 4))


def test_json_run_then_incremental_run(app: typer.Typer, users: Any, records: Any) -> None:
    username = users[("ua", "caseworker")].username
    result = _invoke(app, "--as", username, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["mode"] == "full" and data["pairs_created"] >= 1
    assert data["model_version"] == 1
    enquiry, child = records
    assert CandidatePair.objects.filter(enquiry=enquiry, child=child).exists()
    # The second run is incremental and finds nothing new; with the progress bar on.
    result = _invoke(app, "--as", username)
    assert result.exit_code == 0, result.output
    assert "incremental" in result.stdout and "0 new" in result.stdout
    assert MatchRun.objects.count() == 2


def test_user_errors_give_messages_and_exit_codes(
    app: typer.Typer, users: Any, records: Any, tmp_path: Path
) -> None:
    result = _invoke(app, "--as", "nobody")
    assert result.exit_code == 2 and "No active user 'nobody'" in result.output
    result = _invoke(app, "--as", users[("ua", "verifier")].username)
    assert result.exit_code == 3 and "does not allow" in result.output
    bad = tmp_path / "model.json"
    bad.write_text("{not json", encoding="utf-8")
    result = _invoke(app, "--as", users[("ua", "caseworker")].username, "--load-model", str(bad))
    assert result.exit_code == 2 and "not valid JSON" in result.output
    result = _invoke(app, "--as", users[("ua", "caseworker")].username, "--threshold", "2")
    assert result.exit_code == 2
    result = _invoke(app, "--as", users[("ua", "caseworker")].username, "--backend", "oracle")
    assert result.exit_code == 2 and "Unknown back-end 'oracle'" in result.output
    result = _invoke(app, "--as", users[("ua", "caseworker")].username, "--retrain")
    assert result.exit_code == 1 and "No decided pairs" in result.output
    assert "Traceback" not in result.output
    assert not MatchRun.objects.exists()


def test_load_model_and_retrain_make_new_versions(
    app: typer.Typer,
    users: Any,
    records: Any,
    tmp_path: Path,
    trained_link_model: Any,  # noqa: F811
) -> None:
    path = trained_link_model.save(tmp_path / "model.json")
    username = users[("ua", "caseworker")].username
    result = _invoke(app, "--as", username, "--load-model", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model_version"] == 2
    assert LinkModelVersion.objects.get(version=2).source == LinkModelVersion.Source.IMPORTED
    pair = CandidatePair.objects.get(enquiry=records[0], child=records[1])
    m.decide(acting(users[("ua", "verifier")]), pair, "same")
    result = _invoke(app, "--as", username, "--retrain", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["model_version"] == 3 and data["mode"] == "full"
    assert LinkModelVersion.objects.get(version=3).based_on.version == 2


def test_failed_run_exits_non_zero(app: typer.Typer, users: Any, records: Any) -> None:
    LinkModelVersion.objects.create(version=5, model_json={"format": "x"}, source="imported")
    result = _invoke(app, "--as", users[("ua", "caseworker")].username, "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["status"] == "failed" and data["error"]
    assert not CandidatePair.objects.exists()


@pytest.mark.spark
def test_a_registry_run_on_the_spark_backend(
    app: typer.Typer, users: Any, records: Any, settings: Any
) -> None:
    from reunite.linkage import java_available

    if not java_available():
        pytest.skip(reason="no Java runtime: the Spark backend needs Java 17 (install-java.sh)")
    pytest.importorskip("pyspark")
    result = _invoke(app, "--as", users[("ua", "caseworker")].username, "--backend", "spark",
                     "--json", "--quiet")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["ok"] is True
    enquiry, child = records
    assert CandidatePair.objects.filter(enquiry=enquiry, child=child).exists()
