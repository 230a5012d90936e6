"""`reunite pprl` commands: clear errors, exit codes, nothing written on failure."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from reunite.cli.main import app
from reunite.interchange import write_file
from reunite.synth import generate

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory):  # type: ignore[no-untyped-def]
    d = tmp_path_factory.mktemp("cli")
    pop = generate(records=150, enquiries=30, difficulty="easy", seed=4)
    write_file(d / "E.csv", pop.enquiries, "enquiries")
    write_file(d / "R.csv", pop.records, "records")
    for name in ("s1.key", "s2.key"):
        assert runner.invoke(app, ["pprl", "secret", "--out", str(d / name)]).exit_code == 0
    for src, kind, out, key in (("E.csv", "enquiries", "a.enc", "s1.key"),
                                ("R.csv", "records", "b.enc", "s1.key"),
                                ("R.csv", "records", "other.enc", "s2.key")):
        res = runner.invoke(app, ["pprl", "encode", "--records", str(d / src), "--kind", kind,
                                  "--secret-file", str(d / key), "--out", str(d / out),
                                  "--quiet"])
        assert res.exit_code == 0, res.output
    return d


def _link(d, a: str, b: str, out: str = "pairs.json"):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["pprl", "link", "--a", str(d / a), "--b", str(d / b), "--out",
                               str(d / out), "--state-dir", str(d / "med"), "--json"])


def test_secret_is_not_overwritten(files) -> None:
    res = runner.invoke(app, ["pprl", "secret", "--out", str(files / "s1.key")])
    assert res.exit_code == 2 and "--force" in res.output


def test_link_reports_json_and_writes_pairs(files) -> None:
    res = _link(files, "a.enc", "b.enc")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["a_records"] == 30 and summary["pairs"] > 10
    doc = json.loads((files / "pairs.json").read_text())
    assert len(doc["pairs"]) == summary["pairs"]


def test_bad_inputs_exit_2_and_write_nothing(files) -> None:
    raw = (files / "b.enc").read_bytes()
    (files / "cut.enc").write_bytes(raw[: len(raw) // 2])
    cases = {
        ("a.enc", "cut.enc"): "truncated",
        ("a.enc", "other.enc"): "different secrets",
        ("a.enc", "missing.enc"): "no such file",
        ("a.enc", "E.csv"): "not a Reunite PPRL encoding",
    }
    for (a, b), message in cases.items():
        res = _link(files, a, b, "bad.json")
        assert res.exit_code == 2, (a, b, res.output)
        assert message in res.output
        assert not (files / "bad.json").exists()


def test_refusal_exits_3(files) -> None:
    res = _link(files, "b.enc", "b.enc", "self.json")
    assert res.exit_code == 3 and "same list" in res.output
    assert not (files / "self.json").exists()


def test_encode_with_a_missing_or_short_secret(files) -> None:
    (files / "short.key").write_text("00ff\n")
    for key, message in (("nope.key", "no such secret file"), ("short.key", "at least 16")):
        res = runner.invoke(app, ["pprl", "encode", "--records", str(files / "R.csv"),
                                  "--secret-file", str(files / key), "--out",
                                  str(files / "x.enc")])
        assert res.exit_code == 2 and message in res.output
        assert not (files / "x.enc").exists()


def test_reveal_rejects_unknown_fields(files) -> None:
    if not (files / "pairs.json").exists():
        assert _link(files, "a.enc", "b.enc").exit_code == 0
    res = runner.invoke(app, ["pprl", "reveal", "--pairs", str(files / "pairs.json"),
                              "--side", "b", "--ids", str(files / "b.enc.ids.csv"),
                              "--records", str(files / "R.csv"), "--fields",
                              "given_name,enquirer_contact", "--out", str(files / "d.json")])
    assert res.exit_code == 2 and "cannot reveal enquirer_contact" in res.output
    assert not (files / "d.json").exists()
