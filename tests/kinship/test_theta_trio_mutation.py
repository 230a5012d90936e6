"""θ correction (NRC II 4.10 / Balding–Nichols), trios and the stepwise mutation model.

Sources:
* NRC II, "The Evaluation of Forensic DNA Evidence" (1996), eq. 4.10a/4.10b: conditional
  match probabilities with θ. A κ2 = 1 relationship (the same genotype passed on whole)
  has LR = 1 / match probability, which checks the θ machinery directly.
* Parent–child and trio LRs with θ: derived by hand in the comment above each assertion
  from the Balding & Nichols (1994) sampling formula
  π(x | n alleles seen, m of them x) = (mθ + (1−θ)p) / (1 + (n−1)θ).
* Trio paternity index table and worked example: U.S. National Institute of Justice,
  "Population Genetics and Statistics for Forensic Analysts", section "Paternity
  Calculations" (nij.ojp.gov): loci D3S1358, vWA, FGA, D18S51, combined PI 38.3815.
* C. H. Brenner, dna-view.com/patform.htm (trio rows).
"""

from __future__ import annotations

import numpy as np
import pytest

from reunite.kinship import (
    FrequencyDatabase,
    Profile,
    likelihood_ratio,
    trio_likelihood_ratio,
)
from reunite.kinship._formulas import pair_lr
from tests.kinship.conftest import one_locus

p6, p7, p8, p9, p93, p10 = 0.1, 0.2, 0.05, 0.3, 0.15, 0.2


def lr(a, b, rel, db, **kw) -> float:
    return likelihood_ratio(one_locus("A", *a), one_locus("B", *b), rel, db,
                            min_frequency=1e-9, **kw).combined_lr


@pytest.mark.parametrize("theta", [0.0, 0.01, 0.03, 0.1])
def test_identity_lr_is_inverse_of_nrc2_4_10(theta):
    p = np.array([0.1, 0.2, 0.3])
    v = np.array([6.0, 7.0, 8.0])
    t = theta
    # 4.10a homozygote: [2θ + (1−θ)p][3θ + (1−θ)p] / [(1+θ)(1+2θ)]
    hom = (2 * t + (1 - t) * 0.1) * (3 * t + (1 - t) * 0.1) / ((1 + t) * (1 + 2 * t))
    # 4.10b heterozygote: 2[θ + (1−θ)pi][θ + (1−θ)pj] / [(1+θ)(1+2θ)]
    het = 2 * (t + (1 - t) * 0.1) * (t + (1 - t) * 0.3) / ((1 + t) * (1 + 2 * t))
    a = np.array([0]), np.array([0])
    assert pair_lr(*a, *a, p, v, (0, 0, 1), t)[0] == pytest.approx(1 / hom, rel=1e-12)
    b = np.array([0]), np.array([2])
    assert pair_lr(*b, *b, p, v, (0, 0, 1), t)[0] == pytest.approx(1 / het, rel=1e-12)


@pytest.mark.parametrize("t", [0.01, 0.05])
def test_parent_child_with_theta(toy_db, t):
    # Parent ab, child ac: the shared a is passed on; the child's other allele c is new.
    # R1 = 1/4 · 1/π(a | a, b, c) = (1 + 2θ) / (4[θ + (1−θ)pa]).
    assert lr(("6", "9"), ("6", "10"), "parent-child", toy_db, theta=t) == pytest.approx(
        (1 + 2 * t) / (4 * (t + (1 - t) * p6)), rel=1e-12)
    # Parent aa, child aa: R1 = 1/π(a | a, a, a) = (1 + 2θ) / (3θ + (1−θ)pa).
    assert lr(("9", "9"), ("9", "9"), "parent-child", toy_db, theta=t) == pytest.approx(
        (1 + 2 * t) / (3 * t + (1 - t) * p9), rel=1e-12)
    # Parent aa, child ab: R1 = 1/2 · 1/π(a | a, a, b) = (1 + 2θ) / (2[2θ + (1−θ)pa]).
    assert lr(("9", "9"), ("9", "10"), "parent-child", toy_db, theta=t) == pytest.approx(
        (1 + 2 * t) / (2 * (2 * t + (1 - t) * p9)), rel=1e-12)
    # Parent ab, child ab: R1 = (1+2θ)/4 · [1/(θ + (1−θ)pa) + 1/(θ + (1−θ)pb)].
    assert lr(("6", "9"), ("6", "9"), "parent-child", toy_db, theta=t) == pytest.approx(
        (1 + 2 * t) / 4 * (1 / (t + (1 - t) * p6) + 1 / (t + (1 - t) * p9)), rel=1e-12)


def test_theta_is_conservative_for_rare_shared_alleles(toy_db):
    plain = lr(("8", "9"), ("8", "10"), "parent-child", toy_db)
    assert lr(("8", "9"), ("8", "10"), "parent-child", toy_db, theta=0.03) < plain


def test_nij_paternity_example():
    # NIJ worked example. Only the frequencies of the alleles that enter the formulas are
    # printed there; the other alleles here just complete each locus. The page truncates
    # the per-locus values to 4 decimals (1/[2(0.2627+0.2219)] = 1.03178 shown as 1.0317)
    # and multiplies the truncated values, hence the tolerances.
    db = FrequencyDatabase("NIJ example", {
        "D3S1358": {"15": 0.1, "16": 0.2315, "17": 0.6685},
        "vWA": {"17": 0.2627, "18": 0.2219, "20": 0.5154},
        "FGA": {"21": 0.2, "23": 0.1581, "25": 0.3, "27": 0.3419},
        "D18S51": {"14": 0.3, "18": 0.0918, "20": 0.6082},
    })
    mother = Profile.from_alleles("M", {"D3S1358": ("16", "16"), "vWA": ("17", "18"),
                                        "FGA": ("25", "27"), "D18S51": ("14", "18")})
    child = Profile.from_alleles("C", {"D3S1358": ("16", "16"), "vWA": ("17", "18"),
                                       "FGA": ("23", "25"), "D18S51": ("18", "18")})
    father = Profile.from_alleles("AF", {"D3S1358": ("15", "16"), "vWA": ("18", "20"),
                                         "FGA": ("21", "23"), "D18S51": ("18", "20")})
    r = trio_likelihood_ratio(child, mother, father, db, min_frequency=1e-9)
    by_locus = {row.locus: row.lr for row in r.loci}
    assert by_locus["D3S1358"] == pytest.approx(2.1598, abs=1e-4)  # 1/(2 p16)
    assert by_locus["vWA"] == pytest.approx(1.0317, abs=1e-4)      # 1/[2(p17 + p18)]
    assert by_locus["FGA"] == pytest.approx(3.1625, abs=1e-4)      # 1/(2 p23)
    assert by_locus["D18S51"] == pytest.approx(5.4466, abs=1e-4)   # 1/(2 p18)
    assert r.combined_lr == pytest.approx(38.3815, rel=5e-4)
    assert r.kind == "trio" and r.relationship == "trio-paternity"


def trio(c, m, f, db, **kw) -> float:
    return trio_likelihood_ratio(one_locus("C", *c), one_locus("M", *m), one_locus("F", *f),
                                 db, min_frequency=1e-9, **kw).combined_lr


@pytest.mark.parametrize(
    ("child", "mother", "father", "expected"),
    [
        # NIJ / Brenner trio tables (child, mother, alleged father):
        (("9", "9"), ("9", "9"), ("9", "9"), 1 / p9),
        (("9", "9"), ("9", "6"), ("9", "10"), 1 / (2 * p9)),
        (("6", "9"), ("6", "6"), ("9", "9"), 1 / p9),
        (("6", "9"), ("6", "7"), ("9", "10"), 1 / (2 * p9)),
        (("6", "9"), ("6", "9"), ("6", "9"), 1 / (p6 + p9)),
        (("6", "9"), ("6", "9"), ("6", "6"), 1 / (p6 + p9)),
        (("6", "9"), ("6", "9"), ("9", "10"), 1 / (2 * (p6 + p9))),
        (("6", "9"), ("6", "7"), ("7", "10"), 0.0),
    ],
)
def test_trio_table(toy_db, child, mother, father, expected):
    assert trio(child, mother, father, toy_db) == pytest.approx(expected, rel=1e-12)


def test_trio_with_theta(toy_db):
    # Mother ab, child ac, alleged father cd. H1: c from the father with prob 1/2.
    # H2: c drawn after the four parental alleles (one c among them): (θ + (1−θ)pc)/(1+3θ).
    t = 0.02
    expected = (1 + 3 * t) / (2 * (t + (1 - t) * p9))
    assert trio(("6", "9"), ("6", "7"), ("9", "10"), toy_db, theta=t) == pytest.approx(expected)
    # Alleged father cc: (1+3θ)/(2θ + (1−θ)pc).
    assert trio(("6", "9"), ("6", "7"), ("9", "9"), toy_db, theta=t) == pytest.approx(
        (1 + 3 * t) / (2 * t + (1 - t) * p9))


def test_maternity_wording_and_roles(toy_db):
    r = trio_likelihood_ratio(one_locus("C", "6", "9"), one_locus("F", "6", "7"),
                              one_locus("AM", "9", "10"), toy_db, alleged="mother",
                              min_frequency=1e-9)
    assert r.relationship == "trio-maternity"
    assert r.subjects == {"child": "C", "father": "F", "alleged_mother": "AM"}
    assert r.combined_lr == pytest.approx(1 / (2 * p9))


def test_trio_without_known_parent_at_a_locus_uses_duo_formula(toy_db):
    child = Profile.from_alleles("C", {"TH01": ("6", "9"), "vWA": ("11", "13")})
    mother = Profile.from_alleles("M", {"TH01": ("6", "7")})
    father = Profile.from_alleles("F", {"TH01": ("9", "10"), "vWA": ("13", "14")})
    r = trio_likelihood_ratio(child, mother, father, toy_db, min_frequency=1e-9)
    rows = {row.locus: row for row in r.loci}
    assert rows["TH01"].lr == pytest.approx(1 / (2 * p9))
    assert rows["vWA"].lr == pytest.approx(1 / (4 * 0.4))  # duo pq/qr → 1/4q
    assert "duo formula" in rows["vWA"].note


def test_trio_child_inconsistent_with_known_mother_is_reported_not_crashed(toy_db):
    child = Profile.from_alleles("C", {"TH01": ("6", "9"), "vWA": ("11", "13")})
    mother = Profile.from_alleles("M", {"TH01": ("7", "10"), "vWA": ("11", "12")})
    father = Profile.from_alleles("F", {"TH01": ("6", "9"), "vWA": ("13", "14")})
    r = trio_likelihood_ratio(child, mother, father, toy_db, min_frequency=1e-9)
    rows = {row.locus: row for row in r.loci}
    assert rows["TH01"].lr is None and "inconsistent with the mother" in rows["TH01"].note
    assert r.combined_lr == pytest.approx(1 / (2 * 0.4))
    assert any("TH01" in w for w in r.warnings)


# ---------------------------------------------------------------- mutation model
def test_parent_child_single_step_mutation(toy_db):
    # Parent 9/9, child 10/10: inconsistent. With μ and step ratio r, the child's 10
    # came from a 9 by a one-step gain: T(9→10) = μ(1−r)/2; the other 10 is random.
    # LR = T · p10 / p10² = μ(1−r) / (2 p10).
    mu, r = 0.002, 0.1
    res = likelihood_ratio(one_locus("P", "9", "9"), one_locus("C", "10", "10"),
                           "parent-child", toy_db, mutation_rate=mu, mutation_range=r,
                           min_frequency=1e-9)
    assert res.combined_lr == pytest.approx(mu * (1 - r) / (2 * p10), rel=1e-12)
    assert res.loci[0].note.startswith("inconsistent: mutation model applied")
    assert not res.excluded
    assert res.inconsistent_loci == ["TH01"]


def test_parent_child_two_step_mutation_and_consistent_locus(toy_db):
    mu, r = 0.002, 0.1
    # Parent 7/7, child 9/9: two steps, T = μ(1−r)r/2; LR = T / p9.
    res = lr(("7", "7"), ("9", "9"), "parent-child", toy_db, mutation_rate=mu,
             mutation_range=r)
    assert res == pytest.approx(mu * (1 - r) * r / 2 / p9, rel=1e-12)
    # Consistent locus parent 9/9, child 9/10 under the model:
    # R1 = 1/4 Σ_i [T(9→9)/p9 + T(9→10)/p10] over i = both 9s
    #    = 1/2 [(1−μ)/p9 + μ(1−r)/2 / p10].
    res = lr(("9", "9"), ("9", "10"), "parent-child", toy_db, mutation_rate=mu,
             mutation_range=r)
    assert res == pytest.approx(0.5 * ((1 - mu) / p9 + mu * (1 - r) / 2 / p10), rel=1e-12)


def test_exclusion_without_mutation_model_is_zero_not_an_error(toy_db):
    res = likelihood_ratio(one_locus("P", "9", "9"), one_locus("C", "10", "10"),
                           "parent-child", toy_db)
    assert res.combined_lr == 0.0 and res.excluded and res.log10_lr is None
    assert res.loci[0].note.startswith("exclusion")
    assert res.posterior(0.5) == 0.0
    assert res.verbal.startswith("Exclusion")
    d = res.to_dict()
    assert d["excluded"] is True and d["log10_lr"] is None


def test_per_locus_mutation_rates(synth):
    from reunite.kinship import KinshipInputError, simulate_pair

    a, b = simulate_pair("parent-child", synth, seed=4)
    rates = {"*": 0.001, "FGA": 0.003}
    res = likelihood_ratio(a, b, "parent-child", synth, mutation_rate=rates)
    assert res.assumptions["mutation"]["rates"] == rates
    with pytest.raises(KinshipInputError, match="no mutation rate"):
        likelihood_ratio(a, b, "parent-child", synth, mutation_rate={"FGA": 0.003})


def test_trio_mutation_on_paternal_side(toy_db):
    # Mother 6/7, child 6/10, alleged father 9/9: the paternal 10 must be a mutated 9.
    # T(k steps) = μ(1−r)r^(k−1)/2, T(x→x) = 1 − μ. Two ways to split the child:
    #   maternal 6, paternal 10: Tm(6) = [T(6→6) + T(7→6)]/2,  Tf(10) = T(9→10) (1 step)
    #   maternal 10, paternal 6: Tm(10) = [T(6→10) + T(7→10)]/2 (4 and 3 steps),
    #                            Tf(6) = T(9→6) (3 steps)
    # PI = [Tm(6)Tf(10) + Tm(10)Tf(6)] / [Tm(6) p10 + Tm(10) p6]  ≈ μ(1−r)/(2 p10).
    mu, r = 0.002, 0.1

    def step(k: int) -> float:
        return mu * (1 - r) * r ** (k - 1) / 2

    tm6 = ((1 - mu) + step(1)) / 2
    tm10 = (step(4) + step(3)) / 2
    expected = (tm6 * step(1) + tm10 * step(3)) / (tm6 * p10 + tm10 * p6)
    got = trio(("6", "10"), ("6", "7"), ("9", "9"), toy_db, mutation_rate=mu,
               mutation_range=r)
    assert got == pytest.approx(expected, rel=1e-12)
    assert got == pytest.approx(mu * (1 - r) / (2 * p10), rel=1e-4)


def test_mutation_model_is_only_for_parent_child(toy_db):
    r = likelihood_ratio(one_locus("A", "9", "9"), one_locus("B", "10", "10"),
                         "full-siblings", toy_db, mutation_rate=0.002, min_frequency=1e-9)
    assert r.combined_lr == pytest.approx(0.25)
    assert r.assumptions["mutation"] is None
    assert any("mutation model not applied" in w for w in r.warnings)
