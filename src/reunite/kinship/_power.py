"""Power before sampling: how strong can a pedigree test be with these references?

Like forrel's ``missingPersonEP`` / ``MPPsims`` (Vigeland): simulate the profiles of the
proposed references and of the missing person by gene dropping through the pedigree, and
compute the pedigree LR with the missing person's simulated profile as the candidate (H1
true) and with an unrelated person's profile (H2 true). The simulation draws founder
alleles from the frequency table (normalised) without mutation and with θ = 0.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from reunite.kinship._model import FrequencyDatabase, Profile, make_genotype
from reunite.kinship._pedigree import Pedigree, pedigree_likelihood_ratio
from reunite.kinship.exceptions import KinshipInputError

CANDIDATE_ID = "candidate (simulated)"


@dataclass(frozen=True, slots=True)
class PowerResult:
    """Summary of simulated LRs for one choice of references."""

    references: tuple[str, ...]
    simulations: int
    exclusion_probability: float  # P(LR = 0 | candidate unrelated)
    mean_log10_lr_h1: float  # over H1 simulations with LR > 0
    p_lr_over_10000_h1: float
    p_lr_over_10000_h2: float  # false-positive rate at the same threshold
    lrs_h1: tuple[float, ...]
    lrs_h2: tuple[float, ...]

    def to_dict(self) -> dict[str, object]:
        return {"references": list(self.references), "simulations": self.simulations,
                "exclusion_probability": self.exclusion_probability,
                "mean_log10_lr_h1": self.mean_log10_lr_h1,
                "p_lr_over_10000_h1": self.p_lr_over_10000_h1,
                "p_lr_over_10000_h2": self.p_lr_over_10000_h2}


def _drop(pedigree: Pedigree, freqs: FrequencyDatabase, loci: Sequence[str],
          rng: random.Random) -> dict[str, dict[str, tuple[str, str]]]:
    out: dict[str, dict[str, tuple[str, str]]] = {p.person_id: {} for p in pedigree.people}
    for locus in loci:
        table = freqs.frequencies[locus]
        names, weights = list(table), list(table.values())
        alleles: dict[str, tuple[str, str]] = {}
        for person in pedigree.people:  # parents come first
            if person.father is None or person.mother is None:
                pair = tuple(rng.choices(names, weights, k=2))
            else:
                pair = (rng.choice(alleles[person.father]), rng.choice(alleles[person.mother]))
            alleles[person.person_id] = (pair[0], pair[1])
            out[person.person_id][locus] = pair[0], pair[1]
    return out


def simulate_power(
    pedigree: Pedigree,
    references: Sequence[str],
    missing: str,
    freqs: FrequencyDatabase,
    *,
    simulations: int = 200,
    loci: Sequence[str] | None = None,
    seed: int = 1,
) -> PowerResult:
    """Simulate LRs for typing ``references`` in ``pedigree`` to look for ``missing``."""
    if simulations < 1:
        raise KinshipInputError("simulations must be at least 1")
    refs = tuple(references)
    for pid in (*refs, missing):
        if pid not in pedigree:
            raise KinshipInputError(f"person {pid!r} is not in the pedigree")
    if missing in refs:
        raise KinshipInputError("the missing person cannot be a reference")
    if not refs:
        raise KinshipInputError("propose at least one reference")
    use = list(loci) if loci is not None else freqs.loci
    rng = random.Random(seed)
    h1: list[float] = []
    h2: list[float] = []
    for _ in range(simulations):
        sim = _drop(pedigree, freqs, use, rng)
        profiles = {pid: Profile(pid, {lo: make_genotype(*g) for lo, g in sim[pid].items()})
                    for pid in refs}
        for truth, out in ((sim[missing], h1), (None, h2)):
            if truth is None:
                stranger: dict[str, tuple[str, str]] = {}
                for lo in use:
                    table = freqs.frequencies[lo]
                    a, b = rng.choices(list(table), list(table.values()), k=2)
                    stranger[lo] = (a, b)
                truth = stranger
            cand = Profile(CANDIDATE_ID, {lo: make_genotype(*g) for lo, g in truth.items()})
            res = pedigree_likelihood_ratio(pedigree, {**profiles, CANDIDATE_ID: cand}, freqs,
                                            missing=missing, candidate=CANDIDATE_ID)
            out.append(res.combined_lr)
    positive = [math.log10(x) for x in h1 if x > 0]
    return PowerResult(
        references=refs,
        simulations=simulations,
        exclusion_probability=sum(1 for x in h2 if x == 0.0) / simulations,
        mean_log10_lr_h1=sum(positive) / len(positive) if positive else float("-inf"),
        p_lr_over_10000_h1=sum(1 for x in h1 if x > 1e4) / simulations,
        p_lr_over_10000_h2=sum(1 for x in h2 if x > 1e4) / simulations,
        lrs_h1=tuple(h1),
        lrs_h2=tuple(h2),
    )
