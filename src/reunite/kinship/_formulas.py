"""Per-locus likelihood ratios, vectorised over arrays of allele indices.

Every function takes integer arrays of allele indices and two lookup arrays: ``p`` (allele
frequencies, already floored at the minimum frequency) and ``v`` (numeric repeat values,
for the stepwise mutation model). The pairwise API calls them with arrays of length one;
the screening engine calls them once per locus over every possible genotype pair to build
lookup tables. One implementation therefore serves both, and tests check it against
hand-derived closed forms.

Notation. Genotypes A = (a1, a2) and B = (b1, b2). With θ (F_ST) the Balding–Nichols
sampling formula gives the probability that the next allele drawn from the subpopulation
is x when n alleles have been seen, m of them x:

    π(x | seen) = (m θ + (1 − θ) p_x) / (1 + (n − 1) θ)

(Balding & Nichols 1994; NRC II 1996 eq. 4.10 is its two-draw special case).

Pairwise LR against "unrelated" for IBD coefficients κ = (κ0, κ1, κ2):

    LR = κ0 + κ1 R1 + κ2 R2
    R1 = 1/4 Σ_{i∈{1,2}} Σ_{(s,t)∈{(b1,b2),(b2,b1)}} T(a_i → s) / π(s | a1, a2, t)
    R2 = [A = B] / (c_B π(b1 | a1, a2) π(b2 | a1, a2, b1)),   c_B = 2 if B heterozygous else 1

R1 is P(B | A, one allele IBD) / P(B | A, none IBD): one allele of A (chosen with
probability 1/2) is passed on as one allele of B (either position), the other allele of B
is drawn afresh. T is the transmission probability: 1 if equal and 0 otherwise, or under
the stepwise mutation model T(x→x) = 1 − μ and T(x→y) = μ (1 − r) r^(k−1) / 2 for a
difference of k repeat units (a geometric step-size distribution split equally between
gains and losses; r = 0 is the one-step model). Differences that are not whole repeats
(9.3 against 10) are rounded up to whole steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.integer]
FloatArray = NDArray[np.floating]


@dataclass(frozen=True, slots=True)
class Mutation:
    """Stepwise mutation model for one locus: total rate ``rate`` and step ratio ``range``."""

    rate: float
    range: float = 0.1


def draw_prob(x: IntArray, seen: list[IntArray], p: FloatArray, theta: float) -> FloatArray:
    """Balding–Nichols probability π(x | seen) (see module docstring)."""
    n = len(seen)
    p_x = p[x]
    if theta == 0.0:
        return p_x
    m = np.zeros(np.shape(x), dtype=np.float64)
    for y in seen:
        m += x == y
    return (m * theta + (1.0 - theta) * p_x) / (1.0 + (n - 1) * theta)


def transmit(x: IntArray, y: IntArray, v: FloatArray, mutation: Mutation | None) -> FloatArray:
    """Probability that parental allele x is passed on as allele y."""
    same = x == y
    if mutation is None or mutation.rate == 0.0:
        return same.astype(np.float64)
    steps = np.maximum(np.ceil(np.abs(v[x] - v[y]) - 1e-9), 1.0)
    r = mutation.range
    away = mutation.rate * (1.0 - r) * np.power(r, steps - 1.0) / 2.0
    return np.where(same, 1.0 - mutation.rate, away)


def pair_lr(
    a1: IntArray,
    a2: IntArray,
    b1: IntArray,
    b2: IntArray,
    p: FloatArray,
    v: FloatArray,
    kappa: tuple[float, float, float],
    theta: float = 0.0,
    mutation: Mutation | None = None,
) -> FloatArray:
    """Pairwise LR of relationship κ against unrelated, elementwise over genotype arrays.

    ``a`` is the elder/parent side when a mutation model is used (transmission a → b).
    """
    k0, k1, k2 = kappa
    out = np.full(np.broadcast_shapes(np.shape(a1), np.shape(b1)), k0, dtype=np.float64)
    if k1 > 0:
        r1 = np.zeros_like(out)
        for ai in (a1, a2):
            for s, t in ((b1, b2), (b2, b1)):
                r1 += transmit(ai, s, v, mutation) / draw_prob(s, [a1, a2, t], p, theta)
        out += k1 * 0.25 * r1
    if k2 > 0:
        same = ((a1 == b1) & (a2 == b2)) | ((a1 == b2) & (a2 == b1))
        c_b = np.where(b1 == b2, 1.0, 2.0)
        denom = c_b * draw_prob(b1, [a1, a2], p, theta) * draw_prob(b2, [a1, a2, b1], p, theta)
        out += k2 * np.where(same, 1.0 / denom, 0.0)
    return out


def trio_terms(
    c1: IntArray,
    c2: IntArray,
    m1: IntArray,
    m2: IntArray,
    f1: IntArray,
    f2: IntArray,
    p: FloatArray,
    v: FloatArray,
    theta: float = 0.0,
    mutation: Mutation | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Numerator and denominator of the trio paternity (or maternity) index.

    Child C = (c1, c2), known parent M, alleged parent F. For each way of splitting C into
    an allele s from M and an allele t from the other parent:

        H1 (F is the parent):    Σ T_M(s) T_F(t)
        H2 (random unrelated):   Σ T_M(s) π(t | m1, m2, f1, f2)

    with T_X(s) = (T(x1 → s) + T(x2 → s)) / 2. A homozygous child counts its single split
    twice in both sums, which cancels in the ratio.
    """
    num = np.zeros(np.broadcast_shapes(np.shape(c1), np.shape(m1), np.shape(f1)))
    den = np.zeros_like(num)
    for s, t in ((c1, c2), (c2, c1)):
        from_m = 0.5 * (transmit(m1, s, v, mutation) + transmit(m2, s, v, mutation))
        from_f = 0.5 * (transmit(f1, t, v, mutation) + transmit(f2, t, v, mutation))
        num += from_m * from_f
        den += from_m * draw_prob(t, [m1, m2, f1, f2], p, theta)
    return num, den
