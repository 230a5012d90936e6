"""Pedigree engine: agreement with the pair/trio closed forms, hand-derived reference
questions, and validation of bad pedigrees."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from reunite.kinship import (
    FrequencyDatabase,
    KinshipInputError,
    Pedigree,
    Profile,
    likelihood_ratio,
    pedigree_likelihood_ratio,
    read_pedigree,
    trio_likelihood_ratio,
)

FREQ = {
    "L1": {"8": 0.1, "9": 0.2, "10": 0.3, "11": 0.15, "12": 0.25},
    "L2": {"14": 0.05, "15": 0.35, "16": 0.4, "17": 0.2},
    "L3": {"20": 0.12, "21": 0.18, "22": 0.22, "23": 0.28, "24": 0.2},
}
DB = FrequencyDatabase("test", FREQ)


def ped(*rows: str) -> Pedigree:
    return Pedigree.from_rows([r.split(",") for r in rows])


def prof(pid: str, **loci: str) -> Profile:
    return Profile.from_alleles(pid, {k: tuple(v.split("/")) for k, v in loci.items()})


def rand_profile(rng: random.Random, pid: str) -> Profile:
    alleles = {}
    for locus, table in FREQ.items():
        names, weights = list(table), list(table.values())
        alleles[locus] = tuple(rng.choices(names, weights, k=2))
    return Profile.from_alleles(pid, alleles)


PAIR_PEDIGREES = {
    # relationship -> (pedigree rows, reference id, missing id); "R" is the typed reference
    "parent-child": (["R,,,M", "W,,,F", "X,R,W,M"], "X"),
    "full-siblings": (["F,,,M", "M,,,F", "R,F,M,M", "X,F,M,M"], "X"),
    "half-siblings": (["F,,,M", "M1,,,F", "M2,,,F", "R,F,M1,M", "X,F,M2,M"], "X"),
    "grandparent": (["R,,,M", "W,,,F", "P,R,W,M", "Q,,,F", "X,P,Q,M"], "X"),
    "avuncular": (["G,,,M", "H,,,F", "R,G,H,M", "S,G,H,M", "Q,,,F", "X,S,Q,M"], "X"),
    "first-cousins": (["G,,,M", "H,,,F", "A,G,H,M", "B,G,H,M", "W1,,,F", "W2,,,F",
                       "R,A,W1,M", "X,B,W2,M"], "X"),
}


@pytest.mark.parametrize("theta", [0.0, 0.03])
@pytest.mark.parametrize("relationship", list(PAIR_PEDIGREES))
def test_pedigree_matches_pair_closed_forms(relationship: str, theta: float) -> None:
    rows, missing = PAIR_PEDIGREES[relationship]
    pedigree = ped(*rows)
    rng = random.Random(hash(relationship) % 1000 + int(theta * 100))
    for _ in range(15):
        ref, cand = rand_profile(rng, "R"), rand_profile(rng, "C")
        old = likelihood_ratio(ref, cand, relationship, DB, theta=theta)
        new = pedigree_likelihood_ratio(pedigree, {"R": ref, "C": cand}, DB, missing=missing,
                                        candidate="C", theta=theta)
        for a, b in zip(old.loci, new.loci, strict=True):
            assert b.lr == pytest.approx(a.lr, rel=1e-9, abs=1e-300)
        assert new.combined_lr == pytest.approx(old.combined_lr, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("theta", [0.0, 0.02])
def test_pedigree_matches_duo_with_mutation(theta: float) -> None:
    pedigree = ped("R,,,M", "W,,,F", "X,R,W,M")
    rng = random.Random(7)
    for _ in range(15):
        ref, cand = rand_profile(rng, "R"), rand_profile(rng, "C")
        old = likelihood_ratio(ref, cand, "parent-child", DB, theta=theta, mutation_rate=0.01,
                               mutation_range=0.2)
        new = pedigree_likelihood_ratio(pedigree, {"R": ref, "C": cand}, DB, missing="X",
                                        candidate="C", theta=theta, mutation_rate=0.01,
                                        mutation_range=0.2)
        assert new.combined_lr == pytest.approx(old.combined_lr, rel=1e-9)


@pytest.mark.parametrize("mutation", [None, 0.005])
@pytest.mark.parametrize("theta", [0.0, 0.02])
def test_pedigree_matches_trio_closed_form(theta: float, mutation: float | None) -> None:
    # Alleged father F is the missing person's father; the question is asked with the child
    # as the candidate placed under the typed mother M and typed alleged father F.
    pedigree = ped("F,,,M", "M,,,F", "X,F,M,M")
    rng = random.Random(11)
    checked = 0
    while checked < 15:
        f, m = rand_profile(rng, "F"), rand_profile(rng, "M")
        # a child drawn from M (so the trio formula's denominator is not 0) and anyone else
        alleles = {}
        for locus in FREQ:
            other = rand_profile(rng, "o").genotypes[locus]
            alleles[locus] = (rng.choice(m.genotypes[locus]), rng.choice(other))
        child = Profile.from_alleles("C", alleles)
        old = trio_likelihood_ratio(child, m, f, DB, theta=theta, mutation_rate=mutation)
        # trio PI = L(C,M,F | F father) / L(C,M,F | unrelated father): the same ratio as
        # placing the child under M and F vs the child of M and an unrelated man.
        h1 = ped("F,,,M", "M,,,F", "C,F,M,M")
        h2 = ped("F,,,M", "M,,,F", "U,,,M", "C,U,M,M")
        from reunite.kinship._lr import mutation_for
        from reunite.kinship._pedigree import _locus_alleles, _prune, locus_likelihood
        combined = 1.0
        for locus in FREQ:
            mut = mutation_for(locus, mutation, 0.1)
            obs = [a for p in (child, m, f) for a in p.genotypes[locus]]
            la, p, v = _locus_alleles(locus, DB, 0.001, obs, mut)
            typed = {pid: (la.index[g[0]], la.index[g[1]]) for pid, g in
                     (("F", f.genotypes[locus]), ("M", m.genotypes[locus]),
                      ("C", child.genotypes[locus]))}
            num = locus_likelihood(_prune(h1, set(typed)), typed, p, v, theta, mut)
            den = locus_likelihood(_prune(h2, set(typed)), typed, p, v, theta, mut)
            combined *= num / den
        assert combined == pytest.approx(old.combined_lr, rel=1e-9, abs=1e-300)
        assert pedigree.person("X").father == "F"
        checked += 1


# --- the questions people ask, against hand-derived closed forms -----------------------
# No reference value for these exact inputs is stated in forrel/pedtools/dvir; each
# expected value below is derived by hand (derivation in the comment).

P = FREQ["L1"]


def one(pid: str, g: str) -> Profile:
    return prof(pid, L1=g)


def lr1(rows: list[str], refs: dict[str, str], cand: str, missing: str = "X",
        theta: float = 0.0) -> float:
    profiles = {pid: one(pid, g) for pid, g in refs.items()}
    profiles["C"] = one("C", cand)
    res = pedigree_likelihood_ratio(ped(*rows), profiles, DB, missing=missing, candidate="C",
                                    theta=theta)
    return res.combined_lr


def test_both_parents_alleged() -> None:
    # Mother 8/9, father 10/11, child 8/10: P(child | parents) = 1/4; unrelated 2 p8 p10.
    # LR = 1 / (8 p8 p10). Homozygous child 9/9 of 9/10 × 9/12: 1/4 / p9².
    rows = ["F,,,M", "M,,,F", "X,F,M,M"]
    assert lr1(rows, {"F": "10/11", "M": "8/9"}, "8/10") == pytest.approx(
        1 / (8 * P["8"] * P["10"]), rel=1e-6)
    assert lr1(rows, {"F": "9/10", "M": "9/12"}, "9/9") == pytest.approx(
        0.25 / P["9"] ** 2, rel=1e-6)
    assert lr1(rows, {"F": "10/11", "M": "8/9"}, "8/12") == 0.0


def test_grandchild_of_two_typed_grandparents() -> None:
    # Paternal grandparents G (8/9) and H (10/11), mother untyped. Child 8/12: the child's
    # paternal allele is 8 with probability 1/4 (from the father, who got 8 from G with
    # prob 1/2), else a population draw. P(8/12 | H1) = (1/4)(p12) + (3/4)(2 p8 p12) ... by
    # κ: grandparent pair has κ1 = 1/2 each; with both grandparents typed the father is
    # fully "transmitted": P(paternal allele = x) = 1/4 for each of 8, 9, 10, 11.
    # P(C=8/12 | H1) = P(pat=8) p12 + P(pat=12) p8 = (1/4) p12 + 0; H2: 2 p8 p12.
    # LR = 1 / (8 p8).
    rows = ["G,,,M", "H,,,F", "P,G,H,M", "Q,,,F", "X,P,Q,M"]
    assert lr1(rows, {"G": "8/9", "H": "10/11"}, "8/12") == pytest.approx(
        1 / (8 * P["8"]), rel=1e-6)
    # both parents missing, all four grandparents typed: child 8/10 with paternal
    # grandparents 8/9 × 11/12 and maternal 10/10 × 9/9: pat=8 w.p. 1/4, mat=10 w.p. 1/2.
    # P = 1/4·1/2 = 1/8 (pat=10 impossible); LR = (1/8)/(2 p8 p10).
    rows4 = ["G,,,M", "H,,,F", "P,G,H,M", "I,,,M", "J,,,F", "Q,I,J,F", "X,P,Q,M"]
    assert lr1(rows4, {"G": "8/9", "H": "11/12", "I": "10/10", "J": "9/9"}, "8/10") == \
        pytest.approx(1 / (16 * P["8"] * P["10"]), rel=1e-6)


def test_full_sibling_of_two_typed_siblings() -> None:
    # Siblings S1 = 8/9 and S2 = 10/11 reveal both parents' genotypes up to phase: the
    # parents are {8,9}×{10,11} or {8,10}×{9,11}-type splits... Simplest exact case:
    # siblings 8/8 and 9/9 force parents 8/9 and 8/9, so the missing sibling 8/9 has
    # P = 1/2 and LR = 1/2 / (2 p8 p9) — but parents could be 8/9 × 8/9 only: yes.
    rows = ["F,,,M", "M,,,F", "S1,F,M,M", "S2,F,M,F", "X,F,M,M"]
    assert lr1(rows, {"S1": "8/8", "S2": "9/9"}, "8/9") == pytest.approx(
        0.5 / (2 * P["8"] * P["9"]), rel=1e-6)
    assert lr1(rows, {"S1": "8/8", "S2": "9/9"}, "8/8") == pytest.approx(
        0.25 / P["8"] ** 2, rel=1e-6)


def test_half_versus_full_sibling() -> None:
    # One typed sibling R = 8/9, candidate 8/9. Closed forms with κ:
    # full: 1/4 + 1/2·R1 + 1/4·R2, half: 1/2 + 1/2·R1, R1 = (p8+p9)/(4 p8 p9),
    # R2 = 1/(2 p8 p9). Full vs half LR = ratio of the two pedigree LRs.
    p8, p9 = P["8"], P["9"]
    r1 = (p8 + p9) / (4 * p8 * p9)
    r2 = 1 / (2 * p8 * p9)
    full = lr1(PAIR_PEDIGREES["full-siblings"][0], {"R": "8/9"}, "8/9")
    half = lr1(PAIR_PEDIGREES["half-siblings"][0], {"R": "8/9"}, "8/9")
    assert full == pytest.approx(0.25 + 0.5 * r1 + 0.25 * r2, rel=1e-6)
    assert half == pytest.approx(0.5 + 0.5 * r1, rel=1e-6)
    assert full / half == pytest.approx((0.25 + 0.5 * r1 + 0.25 * r2) / (0.5 + 0.5 * r1),
                                        rel=1e-6)


def test_missing_father_with_his_mother_and_brother_typed() -> None:
    # Father's mother GM = 8/8 (so the father carries an 8 from her), brother B = 8/9 (so
    # the untyped grandfather carries 9 — his genotype is 9/y with y population-drawn given
    # a 9 observed... exact: GF ~ (9, y), P(GF | B=9/9) ∝ P(B | GF)P(GF).
    # Father = (8 from GM, z from GF); child 8/10 with untyped mother.
    # P(GF alleles) for z: given B's paternal allele 9, GF = (9, y): the other allele
    # transmitted to the father is 9 w.p. 1/2... Posterior of GF: GF=9/9 ∝ p9² ·1,
    # GF=9/y (y≠9) ∝ 2 p9 p_y · 1/2. Normaliser p9² + p9(1-p9) = p9. So
    # P(z=9) = p9 + (1-p9)/2·... compute: P(z=9) = [p9²·1 + Σ_y p9 p_y ·(1/2)]/p9
    # = p9 + (1-p9)/2 = (1+p9)/2 ; P(z=y≠9) = p_y/2.
    # Child 8/10: paternal allele is 8 (prob 1/2, father's 8) → mother gives 10: ½·p10;
    # or paternal 10 (prob ½·P(z=10) = ½·p10/2) → mother gives 8: p8.
    # or paternal 8 via z = 8 (prob ½·p8/2) → mother gives 10.
    # P(H1) = p10 (½ + ½ p8) ; P(H2) = 2 p8 p10. LR = (1 + p8) / (4 p8).
    rows = ["GF,,,M", "GM,,,F", "FA,GF,GM,M", "B,GF,GM,M", "MO,,,F", "X,FA,MO,M"]
    p8 = P["8"]
    assert lr1(rows, {"GM": "8/8", "B": "8/9"}, "8/10") == pytest.approx(
        (1 + p8) / (4 * p8), rel=1e-6)


# --- validation --------------------------------------------------------------------------


def test_bad_pedigrees_name_the_row(tmp_path: Path) -> None:
    cases = {
        "female father": ("id,father,mother,sex\nF,,,F\nM,,,F\nX,F,M,M\n", "row 4"),
        "male mother": ("id,father,mother,sex\nF,,,M\nM,,,M\nX,F,M,M\n", "is male"),
        "unknown": ("id,father,mother,sex\nF,,,M\nX,F,Z,M\n", "'Z' is not a person"),
        "cycle": ("id,father,mother,sex\nA,B,M,M\nB,A,M,M\nM,,,F\n", "own ancestor"),
        "self": ("id,father,mother,sex\nA,A,M,M\nM,,,F\n", "own parent"),
        "one parent": ("id,father,mother,sex\nF,,,M\nX,F,,M\n", "both parents"),
        "duplicate": ("id,father,mother,sex\nF,,,M\nF,,,M\n", "row 3"),
        "sex": ("id,father,mother,sex\nF,,,Q\n", "sex 'Q'"),
    }
    for name, (text, needle) in cases.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(text)
        with pytest.raises(KinshipInputError) as err:
            read_pedigree(path)
        assert needle in str(err.value), (name, str(err.value))


def test_missing_person_typed_and_rare_allele() -> None:
    pedigree = ped("F,,,M", "M,,,F", "X,F,M,M")
    profiles = {"F": one("F", "8/9"), "X": one("X", "8/9"), "C": one("C", "8/10")}
    with pytest.raises(KinshipInputError, match="missing person must be untyped"):
        pedigree_likelihood_ratio(pedigree, profiles, DB, missing="X", candidate="C")
    profiles = {"F": one("F", "8/30"), "C": one("C", "30/10")}
    res = pedigree_likelihood_ratio(pedigree, profiles, DB, missing="X", candidate="C",
                                    min_frequency=0.01)
    assert "allele 30 not in database: minimum frequency 0.01 used" in res.loci[0].note
    # duo: LR = 1/(4 p30) with p30 = 0.01 (the documented minimum)
    assert res.combined_lr == pytest.approx(1 / (4 * 0.01), rel=1e-9)
    with pytest.raises(KinshipInputError, match="expected 2 alleles"):
        Profile.from_alleles("C", {"L1": ("8", "9", "10")})
    assert math.isfinite(res.combined_lr)


def test_forrel_paternity_reference_values() -> None:
    # Source: magnusdv/forrel tests/testthat/test-kinshipLR.R, commit 8c71254 ("kinshipLR()
    # computes correctly in paternity case"): father A/A, child A/A, afreq A = 0.05 gives
    # LR 20 and A = 0.1 gives LR 10 (total 200). Also quickLR "pat" 1/1, 1/1 with
    # afreq 0.1 → 10 (same file, "quickLR() keeps LRresult layout").
    db = FrequencyDatabase("forrel", {"M1": {"10": 0.05, "11": 0.95},
                                      "M2": {"10": 0.1, "11": 0.9}})
    pedigree = ped("fa,,,M", "mo,,,F", "ch,fa,mo,M")
    profiles = {"fa": prof("fa", M1="10/10", M2="10/10"),
                "C": prof("C", M1="10/10", M2="10/10")}
    res = pedigree_likelihood_ratio(pedigree, profiles, db, missing="ch", candidate="C")
    assert [r.lr for r in res.loci] == [pytest.approx(20, rel=1e-6), pytest.approx(10, rel=1e-6)]
    assert res.combined_lr == pytest.approx(200, rel=1e-6)


def test_two_children_two_families_joint_assignment() -> None:
    from reunite.kinship import Family, joint_assignment

    trio = ["F,,,M", "M,,,F", "X,F,M,M"]
    fam1 = Family("one", ped(*trio), "X", {"F": one("F", "8/9"), "M": one("M", "10/11")})
    fam2 = Family("two", ped(*trio), "X", {"F": one("F", "12/12"), "M": one("M", "8/10")})
    kids = {"C1": one("C1", "9/10"), "C2": one("C2", "8/12")}
    ranked = joint_assignment([fam1, fam2], kids, DB)
    # 7 assignments: none, 2 single × 2 families, 2 pairings (C1→one, C2→two) and swap.
    assert len(ranked) == 7
    best = ranked[0]
    assert dict(best.matches) == {"one": "C1", "two": "C2"}
    # Hand: C1 9/10 to parents 8/9 × 10/11 → 1/4 / (2 p9 p10); C2 8/12 to 12/12 × 8/10 →
    # 1/2 / (2 p8 p12). C1 cannot be family two's child (no 12), C2 not family one's.
    p9, p10, p8, p12 = P["9"], P["10"], P["8"], P["12"]
    expected = (0.25 / (2 * p9 * p10)) * (0.5 / (2 * p8 * p12))
    assert best.lr == pytest.approx(expected, rel=1e-6)
    total = sum(a.lr for a in ranked)
    assert best.posterior == pytest.approx(expected / total, rel=1e-9)
    assert all(a.lr == 0.0 for a in ranked if dict(a.matches).get("two") == "C1")


def test_pedigree_pdf_report_names_the_family(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from reunite.kinship import report_pdf

    rows = ["GF,,,M", "GM,,,F", "FA,GF,GM,M", "B,GF,GM,M", "AU,GF,GM,F", "MO,,,F",
            "X,FA,MO,M", "S1,FA,MO,F", "S2,FA,MO,M"]
    refs = {pid: prof(pid, L1="8/9", L2="15/16", L3="20/21")
            for pid in ("GM", "B", "AU", "MO", "S1", "S2")}
    refs["C"] = prof("C", L1="8/9", L2="15/16", L3="20/22")
    res = pedigree_likelihood_ratio(ped(*rows), refs, DB, missing="X", candidate="C")
    path = tmp_path / "r.pdf"
    path.write_bytes(report_pdf(res, title="Pedigree case"))
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Pedigree" in text and "X [missing]" in text and "GM [typed]" in text
    assert "exact summation" in text
