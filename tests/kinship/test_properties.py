"""Property tests: the LR formulas are proper likelihood ratios for any frequencies.

For any genotype A, Σ_B P(B | A, unrelated) · LR(A, B) = Σ_B P(B | A, related) = 1, i.e.
the expected LR under the alternative is 1, a general property of likelihood ratios:
Σ_B P(B | H2) · P(B | H1) / P(B | H2) = Σ_B P(B | H1) = 1. The same holds for the trio
index. These identities hold with θ too, which checks the Balding–Nichols conditioning.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reunite.kinship import RELATIONSHIPS, FrequencyDatabase, Profile, likelihood_ratio
from reunite.kinship._formulas import draw_prob, pair_lr, trio_terms
from reunite.kinship._model import parse_allele

freq_vectors = st.lists(st.floats(0.02, 1.0), min_size=2, max_size=6).map(
    lambda w: np.array(w) / sum(w))
thetas = st.sampled_from([0.0, 0.01, 0.05, 0.2])
kappas = st.sampled_from([r.kappa_float for r in RELATIONSHIPS.values()])


def all_genotypes(n: int) -> tuple[np.ndarray, np.ndarray]:
    g = [(i, j) for j in range(n) for i in range(j + 1)]
    return np.array([x[0] for x in g]), np.array([x[1] for x in g])


@settings(max_examples=150, deadline=None)
@given(p=freq_vectors, theta=thetas, kappa=kappas, data=st.data())
def test_expected_lr_under_unrelated_is_one(p, theta, kappa, data):
    n = len(p)
    v = np.arange(n, dtype=float) + 5
    a1 = data.draw(st.integers(0, n - 1))
    a2 = data.draw(st.integers(0, n - 1))
    b1, b2 = all_genotypes(n)
    A1, A2 = np.full_like(b1, a1), np.full_like(b1, a2)
    c_b = np.where(b1 == b2, 1.0, 2.0)
    prob_b = c_b * draw_prob(b1, [A1, A2], p, theta) * draw_prob(b2, [A1, A2, b1], p, theta)
    assert prob_b.sum() == pytest.approx(1.0, abs=1e-12)
    lr = pair_lr(A1, A2, b1, b2, p, v, kappa, theta)
    assert np.all(lr >= kappa[0] - 1e-15)
    assert (prob_b * lr).sum() == pytest.approx(1.0, abs=1e-10)


@settings(max_examples=100, deadline=None)
@given(p=freq_vectors, theta=thetas, data=st.data())
def test_trio_probabilities_sum_to_one(p, theta, data):
    n = len(p)
    v = np.arange(n, dtype=float) + 5
    m = [data.draw(st.integers(0, n - 1)) for _ in range(2)]
    f = [data.draw(st.integers(0, n - 1)) for _ in range(2)]
    c1, c2 = all_genotypes(n)
    full = [np.full_like(c1, x) for x in (*m, *f)]
    num, den = trio_terms(c1, c2, *full, p, v, theta)
    weight = np.where(c1 == c2, 0.5, 1.0)  # a homozygous child's one split is counted twice
    assert (weight * num).sum() == pytest.approx(1.0, abs=1e-12)
    assert (weight * den).sum() == pytest.approx(1.0, abs=1e-12)


alleles = st.sampled_from(["6", "7", "8", "9", "9.3", "10"])


@settings(max_examples=100, deadline=None)
@given(a=st.tuples(alleles, alleles), b=st.tuples(alleles, alleles),
       rel=st.sampled_from(["parent-child", "full-siblings", "half-siblings", "first-cousins"]),
       theta=thetas)
def test_pair_lr_is_symmetric(toy_db, a, b, rel, theta):
    x = likelihood_ratio(Profile.from_alleles("A", {"TH01": a}),
                         Profile.from_alleles("B", {"TH01": b}), rel, toy_db, theta=theta)
    y = likelihood_ratio(Profile.from_alleles("B", {"TH01": b}),
                         Profile.from_alleles("A", {"TH01": a}), rel, toy_db, theta=theta)
    assert x.combined_lr == pytest.approx(y.combined_lr, rel=1e-12, abs=0)


@given(whole=st.integers(1, 199), frac=st.integers(0, 9), pad=st.booleans())
def test_parse_allele_accepts_repeat_numbers_and_microvariants(whole, frac, pad):
    text = (f"0{whole}" if pad and whole < 10 else str(whole)) + (f".{frac}" if frac else "")
    canon = parse_allele(f"  {text} ")
    assert parse_allele(canon) == canon
    assert float(canon) == pytest.approx(whole + frac / 10)


@given(st.text(min_size=1, max_size=6).filter(lambda s: any(c.isalpha() for c in s)))
def test_parse_allele_rejects_anything_with_letters(text):
    with pytest.raises(ValueError):
        parse_allele(text)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["TH01", "vWA"]), st.tuples(alleles, alleles),
                       min_size=1))
def test_profile_csv_round_trip(genotypes):
    import io

    from reunite.kinship import read_profiles, write_profiles

    db = FrequencyDatabase("t", {"TH01": {"6": 1.0}, "vWA": {"11": 1.0}})
    prof = Profile.from_alleles("P-1", genotypes)
    buf = io.StringIO()
    write_profiles([prof], buf)
    back = read_profiles(io.StringIO(buf.getvalue()), db)
    assert dict(back["P-1"].genotypes) == dict(prof.genotypes)
