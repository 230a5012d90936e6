"""``reunite verification …``: the same four-eyes and BID rules from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from reunite.accounts.models import Role
from reunite.cli import verification as cli
from reunite.verification.models import BestInterestsDetermination, Evidence
from tests.app import fixtures_verification
from tests.app.fixtures_verification import PDF, bid_fields, dna_files

vcase = fixtures_verification.vcase


@pytest.fixture
def run() -> Any:
    app = typer.Typer()
    app.command("noop")(lambda: None)  # a group needs a command besides the sub-app
    cli.register(app)

    def invoke(*args: str) -> Any:
        return CliRunner().invoke(app, ["verification", *args])

    return invoke


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_status_per_role(role: str, run: Any, vcase: Any, users: Any) -> None:
    user = users[("med" if role == Role.COORDINATOR else "ua", role)]
    result = run("status", "--as", user.username, "--case", vcase.reference, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["case"] == vcase.reference and data["verified"] is False
    assert any("two verifiers" in m for m in data["missing_for_approved"])


@pytest.mark.django_db
def test_unknown_user_or_case_are_usage_errors(run: Any, vcase: Any, users: Any) -> None:
    assert run("status", "--as", "nobody", "--case", vcase.reference).exit_code == 2
    result = run("status", "--as", users[("ua", "verifier")].username, "--case", "C-1900-1")
    assert result.exit_code == 2 and "No such case" in result.output
    assert "Traceback" not in result.output


@pytest.mark.django_db
def test_four_eyes_from_the_cli(
    run: Any, vcase: Any, users: Any, tmp_path: Path, make_user: Any
) -> None:
    certificate = tmp_path / "birth.pdf"
    certificate.write_bytes(PDF)
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"plain text")
    ua_verifier, ru_verifier = users[("ua", "verifier")], users[("ru", "verifier")]
    base = ["--case", vcase.reference, "--kind", "birth_certificate", "--title", "Birth cert",
            "--provided-by", "Registry"]  # fmt: skip
    bad = run("evidence", "--as", users[("ua", "caseworker")].username, *base, "--file", str(fake))
    assert bad.exit_code == 1 and "Only JPEG, PNG and PDF" in bad.output
    denied = run("evidence", "--as", users[("ua", "auditor")].username, *base, "--file",
                 str(certificate))  # fmt: skip
    assert denied.exit_code == 3
    own = run("evidence", "--as", ua_verifier.username, *base, "--file", str(certificate),
              "--json")  # fmt: skip
    theirs = run("evidence", "--as", users[("ru", "caseworker")].username, *base, "--file",
                 str(certificate), "--json")  # fmt: skip
    own_id, their_id = json.loads(own.output)["evidence"], json.loads(theirs.output)["evidence"]
    result = run("approve", "--as", ua_verifier.username, "--case", vcase.reference,
                 "--evidence", f"{own_id},{their_id}")  # fmt: skip
    assert result.exit_code == 3 and "Nobody approves what they submitted" in result.output
    result = run("approve", "--as", ua_verifier.username, "--case", vcase.reference,
                 "--evidence", str(their_id))  # fmt: skip
    assert result.exit_code == 0 and "Still:" in result.output
    again = run("approve", "--as", ua_verifier.username, "--case", vcase.reference,
                "--evidence", str(their_id))  # fmt: skip
    assert again.exit_code == 1 and "already approved" in again.output
    second_ua = make_user("verifier", "ua")
    result = run("approve", "--as", second_ua.username, "--case", vcase.reference,
                 "--evidence", str(their_id), "--json")  # fmt: skip
    assert json.loads(result.output)["verified"] is False  # still no RU verifier
    blank = run("reject", "--as", ru_verifier.username, "--case", vcase.reference, "--reason", " ")
    assert blank.exit_code == 1 and "needs a reason" in blank.output
    result = run("approve", "--as", ru_verifier.username, "--case", vcase.reference,
                 "--evidence", f"{own_id},{their_id}", "--json")  # fmt: skip
    assert result.exit_code == 0 and json.loads(result.output)["verified"] is True
    denied = run("countersign", "--as", users[("ua", "coordinator")].username, "--case",
                 vcase.reference)  # fmt: skip
    assert denied.exit_code == 3
    ok = run("countersign", "--as", users[("med", "coordinator")].username, "--case",
             vcase.reference)  # fmt: skip
    assert ok.exit_code == 0 and Evidence.objects.count() == 2


@pytest.mark.django_db
def test_dna_from_the_cli_writes_the_pdf(run: Any, vcase: Any, users: Any, tmp_path: Path) -> None:
    profiles, freqs = dna_files()
    (tmp_path / "p.csv").write_bytes(profiles.read())
    (tmp_path / "f.csv").write_bytes(freqs.read())
    out = tmp_path / "report.pdf"
    result = run(
        "dna", "--as", users[("ua", "verifier")].username, "--case", vcase.reference,
        "--profiles", str(tmp_path / "p.csv"), "--frequencies", str(tmp_path / "f.csv"),
        "--claimant", "M-01", "--child", "C-07", "--theta", "0.01", "--pdf", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "combined LR" in result.output and out.read_bytes().startswith(b"%PDF")
    same = run(
        "dna", "--as", users[("ua", "verifier")].username, "--case", vcase.reference,
        "--profiles", str(tmp_path / "p.csv"), "--synthetic", "--claimant", "M-01",
        "--child", "M-01",
    )  # fmt: skip
    assert same.exit_code == 1 and "compared with itself" in same.output


@pytest.mark.django_db
def test_bid_from_the_cli(run: Any, vcase: Any, users: Any, tmp_path: Path) -> None:
    path = tmp_path / "bid.json"
    path.write_text(json.dumps(bid_fields(panel=bid_fields()["panel"][:2])), encoding="utf-8")
    user = users[("ua", "caseworker")].username
    result = run("bid", "--as", user, "--case", vcase.reference, "--from-json", str(path))
    assert result.exit_code == 1 and "at least 3 different people" in result.output
    path.write_text("{not json", encoding="utf-8")
    assert (
        run("bid", "--as", user, "--case", vcase.reference, "--from-json", str(path)).exit_code == 2
    )
    path.write_text(json.dumps(bid_fields()), encoding="utf-8")
    denied = run("bid", "--as", users[("ua", "verifier")].username, "--case", vcase.reference,
                 "--from-json", str(path))  # fmt: skip
    assert denied.exit_code == 3
    result = run("bid", "--as", user, "--case", vcase.reference, "--from-json", str(path))
    assert result.exit_code == 0 and BestInterestsDetermination.objects.count() == 1
