"""Pairwise LRs against hand-derived closed forms and published formula tables.

Frequencies (conftest.P): p6 = 0.1, p7 = 0.2, p8 = 0.05, p9 = 0.3, p9.3 = 0.15, p10 = 0.2.

Sources of the closed forms:
* Parent–child ("motherless" paternity) and full/half-sibling tables: C. H. Brenner,
  "Likelihood ratios for paternity situations" (dna-view.com/patform.htm, rows "Mother not
  tested") and "Likelihood ratios for sibship and half-sibship" (dna-view.com/sibfmla.htm),
  which list F : H : U proportions, e.g. pq/pq → (1+p+q+2pq) : (p+q+4pq) : 8pq.
* IBD coefficients: K. Lange, "Applied Probability", Table 5.1 (condensed identity
  coefficients), where Δ7, Δ8, Δ9 are κ2, κ1, κ0.
* For κ-relationships without a published table (grandparent, avuncular, cousins) the
  value follows from LR = κ0 + κ1·PCLR + κ2·IDLR, derived in each test's comment.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from reunite.kinship import RELATIONSHIPS, likelihood_ratio
from tests.kinship.conftest import one_locus

p6, p7, p8, p9, p93, p10 = 0.1, 0.2, 0.05, 0.3, 0.15, 0.2


def lr(a: tuple[str, str], b: tuple[str, str], rel: str, db, **kw) -> float:
    return likelihood_ratio(one_locus("A", *a), one_locus("B", *b), rel, db,
                            min_frequency=1e-9, **kw).combined_lr


# Parent–child, Brenner "Mother not tested" rows (child listed first there).
@pytest.mark.parametrize(
    ("parent", "child", "expected"),
    [
        (("9", "9"), ("9", "9"), 1 / p9),                    # q / q → 1/q
        (("9", "9"), ("6", "9"), 1 / (2 * p9)),              # pq / q → 1/2q
        (("9", "10"), ("9", "9"), 1 / (2 * p9)),             # q / qr → 1/2q
        (("6", "9"), ("6", "9"), (p6 + p9) / (4 * p6 * p9)),  # pq / pq → (p+q)/4pq
        (("9", "10"), ("6", "9"), 1 / (4 * p9)),             # pq / qr → 1/4q
        (("9.3", "10"), ("6", "9.3"), 1 / (4 * p93)),        # microvariant allele as q
        (("7", "10"), ("6", "9"), 0.0),                      # q / r → 0 (exclusion)
        (("8", "8"), ("6", "9"), 0.0),
    ],
)
def test_parent_child_matches_brenner_table(toy_db, parent, child, expected):
    assert lr(parent, child, "parent-child", toy_db) == pytest.approx(expected, rel=1e-12)


# Full and half siblings: Brenner's F : H : U proportions, LR = F/U and H/U.
@pytest.mark.parametrize(
    ("a", "b", "full", "half"),
    [
        (("6", "9"), ("6", "9"), (1 + p6 + p9 + 2 * p6 * p9) / (8 * p6 * p9),
         (p6 + p9 + 4 * p6 * p9) / (8 * p6 * p9)),
        (("9", "9"), ("9", "9"), (1 + p9) ** 2 / (2 * p9) ** 2, 2 * p9 * (1 + p9) / (2 * p9) ** 2),
        (("9", "9"), ("9", "10"), (1 + p9) / (4 * p9), (1 + 2 * p9) / (4 * p9)),
        (("9", "6"), ("9", "10"), (1 + 2 * p9) / (8 * p9), (1 + 4 * p9) / (8 * p9)),
        (("6", "7"), ("9", "10"), 1 / 4, 2 / 4),
        (("8", "8"), ("9", "9"), 1 / 4, 2 / 4),
    ],
)
def test_siblings_match_brenner_table(toy_db, a, b, full, half):
    assert lr(a, b, "full-siblings", toy_db) == pytest.approx(full, rel=1e-12)
    assert lr(a, b, "half-siblings", toy_db) == pytest.approx(half, rel=1e-12)
    # symmetric in the two people
    assert lr(b, a, "full-siblings", toy_db) == pytest.approx(full, rel=1e-12)


@pytest.mark.parametrize("rel", ["grandparent", "avuncular"])
def test_second_degree_relatives(toy_db, rel):
    # κ = (1/2, 1/2, 0): LR = 1/2 + PCLR/2.
    # 6/9 vs 6/10: PCLR = 1/(4 p6) = 2.5 → 1/2 + 1.25 = 1.75
    assert lr(("6", "9"), ("6", "10"), rel, toy_db) == pytest.approx(1.75)
    # 9/9 vs 9/9: PCLR = 1/p9 → 1/2 + 1/(2·0.3) = 2.1666…
    assert lr(("9", "9"), ("9", "9"), rel, toy_db) == pytest.approx(0.5 + 1 / 0.6)
    # nothing shared: κ0 = 1/2
    assert lr(("6", "7"), ("8", "10"), rel, toy_db) == pytest.approx(0.5)


def test_first_cousins(toy_db):
    # κ = (3/4, 1/4, 0): LR = 3/4 + PCLR/4.
    # 8/8 vs 8/9: PCLR = 1/(2 p8) = 10 → 0.75 + 2.5 = 3.25
    assert lr(("8", "8"), ("8", "9"), "first-cousins", toy_db) == pytest.approx(3.25)
    # 6/9 vs 6/9: PCLR = (0.1+0.3)/(4·0.03) = 3.3333 → 0.75 + 0.8333 = 1.58333
    assert lr(("6", "9"), ("6", "9"), "first-cousins", toy_db) == pytest.approx(0.75 + 0.4 / 0.48)
    assert lr(("6", "7"), ("8", "10"), "first-cousins", toy_db) == pytest.approx(0.75)


def test_ibd_coefficients_and_kinship_coefficients_match_lange_table_5_1():
    expected = {
        "parent-child": ((0, 1, 0), Fraction(1, 4)),
        "full-siblings": ((Fraction(1, 4), Fraction(1, 2), Fraction(1, 4)), Fraction(1, 4)),
        "half-siblings": ((Fraction(1, 2), Fraction(1, 2), 0), Fraction(1, 8)),
        "grandparent": ((Fraction(1, 2), Fraction(1, 2), 0), Fraction(1, 8)),
        "avuncular": ((Fraction(1, 2), Fraction(1, 2), 0), Fraction(1, 8)),
        "first-cousins": ((Fraction(3, 4), Fraction(1, 4), 0), Fraction(1, 16)),
        "unrelated": ((1, 0, 0), Fraction(0)),
    }
    assert set(RELATIONSHIPS) == set(expected)
    for name, (kappa, phi) in expected.items():
        assert RELATIONSHIPS[name].kappa == tuple(Fraction(k) for k in kappa)
        assert RELATIONSHIPS[name].kinship_coefficient == phi


def test_multi_locus_product(toy_db):
    from reunite.kinship import Profile

    a = Profile.from_alleles("A", {"TH01": ("6", "9"), "vWA": ("11", "13")})
    b = Profile.from_alleles("B", {"TH01": ("6", "10"), "vWA": ("13", "13")})
    r = likelihood_ratio(a, b, "parent-child", toy_db, min_frequency=1e-9)
    # TH01: 1/(4·0.1) = 2.5; vWA parent 11/13, child 13/13: 1/(2·0.4) = 1.25
    assert [row.lr for row in r.loci] == pytest.approx([2.5, 1.25])
    assert r.combined_lr == pytest.approx(3.125)
    assert r.log10_lr == pytest.approx(0.494850021680094)
    assert not r.excluded
