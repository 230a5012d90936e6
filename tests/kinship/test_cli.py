"""`reunite kinship …` end to end through the real Typer app."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reunite.cli.main import app
from reunite.kinship import simulate_pair, simulate_trio, synthetic_frequencies, write_profiles

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["kinship", *map(str, args)])


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("kin")
    db = synthetic_frequencies()
    freqs = d / "freqs.csv"
    assert run("frequencies", "--out", freqs).exit_code == 0
    mother_child = simulate_pair("parent-child", db, seed=3, ids=("M01", "C07"))
    c, m, f = simulate_trio(db, seed=4, ids=("C10", "M10", "F10"))
    profiles = d / "profiles.csv"
    write_profiles([*mother_child, c, m, f], profiles)
    return {"dir": d, "freqs": freqs, "profiles": profiles}


def test_pair_json(files):
    res = run("lr", "--profiles", files["profiles"], "--frequencies", files["freqs"],
              "--a", "M01", "--b", "C07", "--relationship", "parent-child", "--theta", "0.01",
              "--mutation-rate", "0.002", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["relationship"] == "parent-child" and data["subjects"] == {"a": "M01",
                                                                            "b": "C07"}
    assert len(data["loci"]) == 23 and all(row["lr"] > 0 for row in data["loci"])
    assert data["log10_lr"] > 3 and not data["excluded"]
    assert data["assumptions"]["theta"] == 0.01
    assert data["assumptions"]["frequency_database_synthetic"] is True


def test_trio_table_and_pdf(files):
    pdf = files["dir"] / "report.pdf"
    res = run("lr", "-p", files["profiles"], "-f", files["freqs"], "--child", "C10",
              "--mother", "M10", "--alleged-father", "F10", "--pdf", pdf,
              "--label", "C10=Марія")
    assert res.exit_code == 0, res.output
    assert "Combined LR" in res.stdout and "alleged father" in res.stdout
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_report_from_stored_json(files):
    res = run("lr", "-p", files["profiles"], "-f", files["freqs"], "--a", "M01", "--b", "C07",
              "-r", "parent-child", "--json")
    stored = files["dir"] / "result.json"
    stored.write_text(res.stdout, encoding="utf-8")
    pdf = files["dir"] / "from_json.pdf"
    res = run("report", "--result", stored, "--pdf", pdf, "--label", "M01=Олена")
    assert res.exit_code == 0, res.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    broken = files["dir"] / "broken.json"
    broken.write_text('{"kind": "pair"}', encoding="utf-8")
    res = run("report", "--result", broken, "--pdf", pdf)
    assert res.exit_code == 2 and "not a stored kinship result" in res.output
    broken.write_text("[1, 2", encoding="utf-8")
    assert run("report", "--result", broken, "--pdf", pdf).exit_code == 2


def test_alleged_mother_form(files):
    res = run("lr", "-p", files["profiles"], "-f", "synthetic", "--child", "C10",
              "--father", "F10", "--alleged-mother", "M10", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["relationship"] == "trio-maternity"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--a", "M01", "--b", "NOPE", "-r", "parent-child"], "'NOPE' is not in the profile"),
        (["--a", "M01", "--b", "M01", "-r", "parent-child"], "compared with itself"),
        (["--a", "M01", "--b", "C07", "-r", "second-cousins"], "unknown relationship"),
        (["--a", "M01", "--b", "C07"], "needs --a, --b and --relationship"),
        (["--child", "C10", "--alleged-father", "F10"], "needs the known --mother"),
        (["--a", "M01", "--b", "C07", "-r", "parent-child", "--theta", "2"], "theta"),
        (["--a", "M01", "--b", "C07", "-r", "parent-child", "--mutation-rate", "x=y"],
         "--mutation-rate"),
        ([], "give --a, --b"),
    ],
)
def test_lr_user_errors_exit_2_without_traceback(files, args, message):
    res = run("lr", "-p", files["profiles"], "-f", files["freqs"], *args)
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output


def test_malformed_files_exit_2(files):
    bad = files["dir"] / "bad.csv"
    bad.write_text("person_id,locus,allele1,allele2\nC1,TH01,X,7\nC1,D99,1,2\n",
                   encoding="utf-8")
    res = run("lr", "-p", bad, "-f", files["freqs"], "--a", "C1", "--b", "C2", "-r",
              "parent-child")
    assert res.exit_code == 2
    assert "row 2" in res.output and "row 3" in res.output
    badf = files["dir"] / "badf.csv"
    badf.write_text("locus,allele,frequency\nTH01,6,0.4\n", encoding="utf-8")
    res = run("lr", "-p", files["profiles"], "-f", badf, "--a", "M01", "--b", "C07", "-r",
              "parent-child", "--json")
    assert res.exit_code == 2
    assert "sum to 0.4000" in json.loads(res.stdout.splitlines()[0])["error"]


def test_validate(files):
    res = run("validate", "-p", files["profiles"], "-f", files["freqs"], "--json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["profiles"]["count"] == 5
    assert data["frequency_database"]["loci"] == 23
    assert data["frequency_database"]["synthetic"] is True
    res = run("validate", "-f", files["freqs"])
    assert res.exit_code == 0 and "23 loci" in res.stdout
    badf = files["dir"] / "badf2.csv"
    badf.write_text("locus,allele,frequency\nTH01,6,0.4\nTH01,X,0.6\n", encoding="utf-8")
    res = run("validate", "-f", badf, "--json")
    assert res.exit_code == 2
    problems = json.loads(res.stdout.split("\nerror")[0])["problems"]
    assert problems[0] == {"message": "allele 'X' is not a repeat number such as 12 or 9.3",
                           "row": 3, "column": "allele", "locus": "TH01", "person_id": None}
    assert run("validate").exit_code == 2
    bad = files["dir"] / "bad3.csv"
    bad.write_text("person_id,locus,allele1,allele2\nC1,TH01,6,7\nC1,TH01,8,9\n",
                   encoding="utf-8")
    res = run("validate", "-p", bad, "--json")
    assert res.exit_code == 2
    assert json.loads(res.stdout.split("\nerror")[0])["valid"] is False


def test_simulate_and_screen(files):
    out_dir = files["dir"] / "demo"
    res = run("simulate", "screening", "--out-dir", out_dir, "--children", 40,
              "--references", 60, "--seed", 5)
    assert res.exit_code == 0, res.output
    ranked = files["dir"] / "ranked.csv"
    res = run("screen", "--children", out_dir / "children.csv", "--references",
              out_dir / "references.csv", "-f", files["freqs"], "--out", ranked, "--top", 1,
              "--min-lr", 100)
    assert res.exit_code == 0, res.output
    with ranked.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with (out_dir / "truth.csv").open(encoding="utf-8") as fh:
        truth = {(r["child_id"], r["reference_id"]) for r in csv.DictReader(fh)
                 if r["relationship"] in {"parent-child", "full-siblings"}}
    got = {(r["child_id"], r["reference_id"]) for r in rows}
    assert truth <= got
    assert [float(r["log10_lr"]) for r in rows] == sorted(
        (float(r["log10_lr"]) for r in rows), reverse=True)
    res = run("screen", "--children", out_dir / "children.csv", "--references",
              out_dir / "references.csv", "-f", "synthetic", "--json", "--top", 1)
    data = json.loads(res.stdout)
    assert data["pairs"] == 40 * 60 and data["synthetic"] is True


def test_screen_with_claims(files):
    out_dir = files["dir"] / "demo2"
    assert run("simulate", "screening", "--out-dir", out_dir, "--children", 25,
               "--references", 30, "--seed", 6).exit_code == 0
    with (out_dir / "truth.csv").open(encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    claims = files["dir"] / "claims.csv"
    claims.write_text("reference_id,relationship\n" + "".join(
        f"{t['reference_id']},{t['relationship']}\n" for t in truth), encoding="utf-8")
    res = run("screen", "--children", out_dir / "children.csv", "--references",
              out_dir / "references.csv", "-f", "synthetic", "--claims", claims, "--json",
              "--top", 1, "--min-lr", 10)
    assert res.exit_code == 0, res.output
    hits = {(h["child_id"], h["reference_id"]): h for h in json.loads(res.stdout)["hits"]}
    for t in truth:
        h = hits.get((t["child_id"], t["reference_id"]))
        if h is not None:
            assert h["relationship"] == t["relationship"]
    assert any((t["child_id"], t["reference_id"]) in hits for t in truth)
    bad = files["dir"] / "badclaims.csv"
    bad.write_text(f"reference_id,relationship\n{truth[0]['reference_id']},cousin-twice-"
                   "removed\n", encoding="utf-8")
    res = run("screen", "--children", out_dir / "children.csv", "--references",
              out_dir / "references.csv", "-f", "synthetic", "--claims", bad)
    assert res.exit_code == 2 and "unknown relationship" in res.output
    assert "Traceback" not in res.output


def test_simulate_pair_bad_ids(files):
    res = run("simulate", "pair", "-r", "full-siblings", "--out", files["dir"] / "x.csv",
              "--ids", "A,A")
    assert res.exit_code == 2 and "two different IDs" in res.output


def test_pedigree_lr_and_both_parents_agree(files):
    ped = files["dir"] / "family.csv"
    ped.write_text("id,father,mother,sex\nF10,,,M\nM10,,,F\nX,F10,M10,F\n")
    res = run("lr", "--pedigree", ped, "--profiles", files["profiles"], "--frequencies",
              files["freqs"], "--missing", "X", "--candidate", "C10", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["combined_lr"] > 1e6
    both = run("lr", "--profiles", files["profiles"], "--frequencies", files["freqs"],
               "--child", "C10", "--alleged-father", "F10", "--alleged-mother", "M10", "--json")
    assert both.exit_code == 0, both.output
    assert json.loads(both.stdout)["combined_lr"] == pytest.approx(data["combined_lr"],
                                                                   rel=1e-12)
    # the unrelated-looking mother/child pair of the other file cannot be both parents' child
    text = run("lr", "--pedigree", ped, "--profiles", files["profiles"], "--frequencies",
               files["freqs"], "--missing", "X", "--candidate", "C07")
    assert text.exit_code == 0, text.output


def test_pedigree_errors_name_the_row(files):
    ped = files["dir"] / "bad.csv"
    ped.write_text("id,father,mother,sex\nF10,,,F\nM10,,,F\nX,F10,M10,F\n")
    res = run("lr", "--pedigree", ped, "--profiles", files["profiles"], "--frequencies",
              files["freqs"], "--missing", "X", "--candidate", "C10")
    assert res.exit_code == 2
    assert "row 4" in res.output and "female" in res.output
    res = run("lr", "--pedigree", ped, "--profiles", files["profiles"], "--frequencies",
              files["freqs"], "--missing", "X")
    assert res.exit_code == 2 and "--candidate" in res.output


def test_power_compares_reference_choices(files):
    ped = files["dir"] / "power.csv"
    ped.write_text("id,father,mother,sex\nGF,,,M\nGM,,,F\nFA,GF,GM,M\nAU,GF,GM,F\nMO,,,F\n"
                   "X,FA,MO,M\n")
    res = run("power", "--pedigree", ped, "--frequencies", files["freqs"], "--missing", "X",
              "-r", "AU", "-r", "GF,GM", "-n", "10", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [d["references"] for d in data] == [["AU"], ["GF", "GM"]]
    assert data[1]["mean_log10_lr_h1"] > data[0]["mean_log10_lr_h1"]
    bad = run("power", "--pedigree", ped, "--frequencies", files["freqs"], "--missing", "X",
              "-r", "NOBODY", "-n", "2")
    assert bad.exit_code == 2 and "NOBODY" in bad.output
