"""Power simulation: exclusion probability against forrel's closed form, ordering of
reference choices."""

from __future__ import annotations

import pytest

from reunite.kinship import FrequencyDatabase, KinshipInputError, Pedigree, simulate_power


def ped(*rows: str) -> Pedigree:
    return Pedigree.from_rows([r.split(",") for r in rows])


def test_exclusion_probability_matches_forrel_closed_form() -> None:
    # forrel tests/testthat/test-exclusion.R (commit 8c71254), "EP works in empty paternity
    # case": two alleles with frequencies .1/.9, father and child untyped →
    # EP = 2 p1² p2². That is the chance a random man and the true child are opposite
    # homozygotes... here the father is the reference and the candidate the child: the
    # candidate (unrelated) is excluded iff the two are opposite homozygotes, same EP.
    db = FrequencyDatabase("two", {"L": {"1": 0.1, "2": 0.9}})
    pedigree = ped("fa,,,M", "mo,,,F", "ch,fa,mo,M")
    res = simulate_power(pedigree, ["fa"], "ch", db, simulations=3000, seed=5)
    ep = 2 * 0.1**2 * 0.9**2
    sd = (ep * (1 - ep) / 3000) ** 0.5
    assert abs(res.exclusion_probability - ep) < 4 * sd


def test_more_references_give_more_power(synth) -> None:
    pedigree = ped("GF,,,M", "GM,,,F", "FA,GF,GM,M", "AU,GF,GM,F", "MO,,,F", "X,FA,MO,M",
                   "W,,,M", "CO,W,AU,F")
    loci = synth.loci[:15]
    aunt = simulate_power(pedigree, ["AU"], "X", synth, simulations=40, loci=loci, seed=2)
    cousin = simulate_power(pedigree, ["CO"], "X", synth, simulations=40, loci=loci, seed=2)
    both_gp = simulate_power(pedigree, ["GF", "GM"], "X", synth, simulations=40, loci=loci,
                             seed=2)
    assert both_gp.mean_log10_lr_h1 > aunt.mean_log10_lr_h1 > cousin.mean_log10_lr_h1
    assert both_gp.exclusion_probability >= aunt.exclusion_probability
    with pytest.raises(KinshipInputError, match="cannot be a reference"):
        simulate_power(pedigree, ["X"], "X", synth, simulations=2)
