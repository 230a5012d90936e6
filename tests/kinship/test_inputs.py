"""Bad input: every problem named by row, column, person and locus; nothing half-read."""

from __future__ import annotations

import io
import math

import pytest

from reunite.kinship import (
    KinshipInputError,
    Profile,
    likelihood_ratio,
    read_frequencies,
    read_profiles,
    trio_likelihood_ratio,
)
from tests.kinship.conftest import one_locus

HEADER = "person_id,locus,allele1,allele2\n"


def profiles(text: str, db=None):
    return read_profiles(io.StringIO(HEADER + text), db)


def problems(exc: pytest.ExceptionInfo[KinshipInputError]) -> list[tuple]:
    return [(p.row, p.column, p.locus, p.person_id) for p in exc.value.problems]


def test_reads_valid_file_with_aliases_microvariants_amelogenin_and_dropouts(synth):
    got = profiles(
        "C1,TH01,9.3,6\n"       # microvariant, unsorted
        "C1,VWA,17,\n"          # one allele: homozygote
        "C1,Penta_D,12,13\n"    # alias spelling
        "C1,D18S51,,\n"         # dropped locus
        "C1,AMEL,X,Y\n"
        "C2,tho1,09,9.0\n",     # THO1 spelling, leading zero, .0
        synth,
    )
    c1 = got["C1"]
    assert dict(c1.genotypes) == {"TH01": ("6", "9.3"), "vWA": ("17", "17"),
                                  "Penta D": ("12", "13")}
    assert c1.dropped == frozenset({"D18S51"})
    assert c1.amelogenin == "XY"
    assert dict(got["C2"].genotypes) == {"TH01": ("9", "9")}


def test_unknown_locus_is_named_with_row():
    with pytest.raises(KinshipInputError) as exc:
        profiles("C1,TH01,6,7\nC1,D99S999,10,11\n")
    assert problems(exc) == [(3, "locus", None, "C1")]
    assert "unknown locus 'D99S999'" in str(exc.value)


def test_non_numeric_allele_rejected_but_microvariant_accepted():
    with pytest.raises(KinshipInputError) as exc:
        profiles("C1,TH01,X,9.3\nC1,FGA,OL,22\n")
    assert problems(exc) == [(2, "allele1", "TH01", "C1"), (3, "allele1", "FGA", "C1")]
    assert "'X'" in str(exc.value)


def test_three_alleles_in_extra_column_and_across_duplicate_rows():
    with pytest.raises(KinshipInputError) as exc:
        read_profiles(io.StringIO("person_id,locus,allele1,allele2,allele3\n"
                                  "C1,TH01,6,7,8\n"))
    assert "3 alleles" in str(exc.value) and "tri-allelic" in str(exc.value)
    with pytest.raises(KinshipInputError) as exc:
        profiles("C1,TH01,6,7\nC1,TH01,7,8\n")
    assert "three or more alleles (6, 7, 8)" in str(exc.value)
    with pytest.raises(KinshipInputError, match="given twice"):
        profiles("C1,TH01,6,7\nC1,TH01,6,7\n")


def test_locus_missing_from_frequency_database(toy_db):
    with pytest.raises(KinshipInputError) as exc:
        profiles("C1,TH01,6,7\nC1,FGA,22,23\n", toy_db)
    assert problems(exc) == [(3, "locus", "FGA", "C1")]
    assert "missing from frequency database" in str(exc.value)
    # and at LR time, for profiles built without that check
    a = Profile.from_alleles("A", {"TH01": ("6", "7"), "FGA": ("22", "23")})
    b = Profile.from_alleles("B", {"TH01": ("6", "9"), "FGA": ("22", "24")})
    with pytest.raises(KinshipInputError, match="FGA"):
        likelihood_ratio(a, b, "parent-child", toy_db)


def test_all_problems_reported_at_once_and_nothing_returned():
    with pytest.raises(KinshipInputError) as exc:
        profiles(",TH01,6,7\nC1,,6,7\nC1,TH01,6,Z\nC1,FGA,12/13,\n")
    assert len(exc.value.problems) == 4
    assert [p.column for p in exc.value.problems] == ["person_id", "locus", "allele2",
                                                       "allele1"]


def test_header_and_empty_files():
    with pytest.raises(KinshipInputError, match="missing column"):
        read_profiles(io.StringIO("id,marker,a1\nC1,TH01,6\n"))
    with pytest.raises(KinshipInputError, match="empty"):
        read_profiles(io.StringIO(""))
    with pytest.raises(KinshipInputError, match="no rows"):
        read_profiles(io.StringIO(HEADER))
    with pytest.raises(KinshipInputError, match="every locus dropped"):
        profiles("C1,TH01,,\n")


def test_missing_file(tmp_path):
    with pytest.raises(KinshipInputError, match="file not found"):
        read_profiles(tmp_path / "nope.csv")


def test_semicolon_delimited_file_with_bom(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("\ufeffperson_id;locus;allele1;allele2\nC1;TH01;6;7\n", encoding="utf-8")
    assert dict(read_profiles(path)["C1"].genotypes) == {"TH01": ("6", "7")}


# ------------------------------------------------------------------- frequencies
def freqs(text: str, **kw):
    return read_frequencies(io.StringIO(text), **kw)


def test_frequency_file_with_metadata():
    db = freqs("# name: Lab X 2026\n# sample_size: 500\nlocus,allele,frequency\n"
               "TH01,6,0.25\nTH01,9.3,0.75\nMY-LOCUS,10,1.0\n")
    assert db.name == "Lab X 2026" and db.sample_size == 500 and not db.synthetic
    assert db.default_min_frequency == pytest.approx(5 / 1000)
    assert db.loci == ["TH01", "MY-LOCUS"]  # any locus is allowed in a database
    assert db.frequency("th01", "9.3") == 0.75
    assert db.frequency("TH01", "11") == pytest.approx(0.005)  # unseen → 5/2N


def test_frequencies_must_sum_to_about_one():
    with pytest.raises(KinshipInputError) as exc:
        freqs("locus,allele,frequency\nTH01,6,0.5\nTH01,7,0.3\nvWA,14,1\n")
    assert exc.value.problems[0].locus == "TH01"
    assert "sum to 0.8000" in str(exc.value)
    assert freqs("locus,allele,frequency\nTH01,6,0.5\nTH01,7,0.3\n", tolerance=0.25)


def test_bad_frequency_values():
    with pytest.raises(KinshipInputError) as exc:
        freqs("locus,allele,frequency\nTH01,6,abc\nTH01,7,1.5\nTH01,8,0\nTH01,X,0.5\n"
              "TH01,9,0.5\nTH01,9,0.5\n")
    cols = [(p.row, p.column) for p in exc.value.problems]
    assert cols[:5] == [(2, "frequency"), (3, "frequency"), (4, "frequency"), (5, "allele"),
                        (7, "allele")]


# ------------------------------------------------------------------ comparisons
def test_profile_compared_with_itself(toy_db):
    a = one_locus("A", "6", "7")
    with pytest.raises(KinshipInputError, match="compared with itself"):
        likelihood_ratio(a, a, "full-siblings", toy_db)
    with pytest.raises(KinshipInputError, match="three different"):
        trio_likelihood_ratio(a, one_locus("M", "6", "6"), a, toy_db)


def test_identical_twins_are_flagged(synth):
    from reunite.kinship import simulate_pair

    a, _ = simulate_pair("unrelated", synth, seed=1)
    twin = Profile("A-twin", a.genotypes)
    r = likelihood_ratio(a, twin, "full-siblings", synth)
    assert any("identical twins" in w for w in r.warnings)
    assert math.isfinite(r.combined_lr)


def test_partial_profiles_compare_common_loci_and_warn(synth):
    a = Profile.from_alleles("A", {"TH01": ("6", "7"), "FGA": ("22", "23")})
    b = Profile("B", {"TH01": ("6", "9")}, frozenset({"FGA"}))
    r = likelihood_ratio(a, b, "parent-child", synth)
    assert r.loci_used == 1
    fga = next(row for row in r.loci if row.locus == "FGA")
    assert fga.lr is None and "not typed in b" in fga.note
    assert any("only 1 loci" in w for w in r.warnings)
    c = Profile.from_alleles("C", {"vWA": ("14", "15")})
    with pytest.raises(KinshipInputError, match="no typed locus in common"):
        likelihood_ratio(a, c, "parent-child", synth)


def test_bad_arguments(toy_db):
    a, b = one_locus("A", "6", "7"), one_locus("B", "6", "9")
    with pytest.raises(KinshipInputError, match="unknown relationship"):
        likelihood_ratio(a, b, "cousin-once-removed", toy_db)
    with pytest.raises(KinshipInputError, match="alternative"):
        likelihood_ratio(a, b, "unrelated", toy_db)
    with pytest.raises(KinshipInputError, match="theta"):
        likelihood_ratio(a, b, "parent-child", toy_db, theta=0.9)
    with pytest.raises(KinshipInputError, match="mutation rate"):
        likelihood_ratio(a, b, "parent-child", toy_db, mutation_rate=1.5)
    with pytest.raises(KinshipInputError, match="minimum frequency"):
        likelihood_ratio(a, b, "parent-child", toy_db, min_frequency=0)
    r = likelihood_ratio(a, b, "parent-child", toy_db)
    with pytest.raises(ValueError, match="prior"):
        r.posterior(1.0)


def test_unseen_allele_gets_minimum_frequency_and_a_note(toy_db):
    r = likelihood_ratio(one_locus("A", "11", "7"), one_locus("B", "11", "9"),
                         "parent-child", toy_db, min_frequency=0.01)
    assert r.combined_lr == pytest.approx(1 / (4 * 0.01))
    assert "allele 11 not in database: minimum frequency 0.01 used" in r.loci[0].note
    assert r.assumptions["min_frequency"] == 0.01
    # p8 = 0.05 is below a minimum of 0.06: raised, and said so
    r = likelihood_ratio(one_locus("A", "8", "7"), one_locus("B", "8", "9"), "parent-child",
                         toy_db, min_frequency=0.06)
    assert r.combined_lr == pytest.approx(1 / (4 * 0.06))
    assert "allele 8 rarer than the minimum: frequency 0.06 used instead of 0.05" in \
        r.loci[0].note


def test_result_to_dict_is_json_clean(toy_db):
    import json

    r = likelihood_ratio(one_locus("A", "6", "7"), one_locus("B", "6", "9"), "parent-child",
                         toy_db, theta=0.01, mutation_rate=0.002)
    d = json.loads(json.dumps(r.to_dict(prior=0.1), allow_nan=False))
    assert d["loci"][0]["locus"] == "TH01"
    assert d["assumptions"]["theta"] == 0.01
    assert d["assumptions"]["frequency_database"] == "toy (hand-checkable)"
    assert d["assumptions"]["mutation"] == {"model": "stepwise", "rate": 0.002, "range": 0.1}
    assert d["posterior"]["probability"] == pytest.approx(r.posterior(0.1))
    assert "ENFSI" in d["verbal_scale"]


def test_result_round_trips_through_json(toy_db):
    import json

    from reunite.kinship import KinshipResult

    r = likelihood_ratio(one_locus("A", "6", "7"), one_locus("B", "8", "9"), "parent-child",
                         toy_db)
    back = KinshipResult.from_dict(json.loads(json.dumps(r.to_dict())))
    assert back == r and back.excluded
    with pytest.raises(KinshipInputError, match="not a stored kinship result"):
        KinshipResult.from_dict({"kind": "pair"})


@pytest.mark.parametrize(
    ("lr", "words"),
    [(1.0, "do not support either"), (5, "weak support"), (50, "moderate support"),
     (500, "moderately strong"), (5e3, "strong support"), (5e5, "very strong"),
     (5e7, "extremely strong"), (0.01, "moderately strong support for the proposition "
                                       "that the people are unrelated")],
)
def test_enfsi_verbal_scale(lr, words):
    from reunite.kinship import verbal_scale

    assert words in verbal_scale(lr)


def test_posterior_bayes(toy_db):
    r = likelihood_ratio(one_locus("A", "6", "7"), one_locus("B", "6", "9"), "parent-child",
                         toy_db, min_frequency=1e-9)
    # LR 2.5, prior 0.5 → posterior odds 2.5 → 2.5/3.5
    assert r.posterior(0.5) == pytest.approx(2.5 / 3.5)
    # prior 0.01 → odds 2.5/99 → 2.5/101.5
    assert r.posterior(0.01) == pytest.approx(2.5 / 101.5)


def test_profiles_are_hashable_values():
    a = Profile.from_alleles("A", {"TH01": ("7", "6")})
    b = Profile.from_alleles("A", {"TH01": ("6", "7")})
    assert a == b and len({a, b}) == 1
