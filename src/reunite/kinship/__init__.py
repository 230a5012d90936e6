"""DNA kinship: likelihood ratios for claimed relationships, trios, screening, reports.

A plain Python engine (no Django). Typical use::

    from reunite.kinship import read_profiles, read_frequencies, likelihood_ratio

    freqs = read_frequencies("lab_frequencies.csv")
    profiles = read_profiles("profiles.csv", freqs)
    result = likelihood_ratio(profiles["M-01"], profiles["C-07"], "parent-child", freqs,
                              theta=0.01, mutation_rate=0.002)
    result.combined_lr, result.verbal, result.posterior(0.5)

See ``docs/kinship.md`` for formulas, sources and limits.
"""

from reunite.kinship._io import read_frequencies, read_profiles, write_frequencies, write_profiles
from reunite.kinship._loci import CODIS_CORE_20, EUROPEAN_STANDARD_SET, KNOWN_LOCI
from reunite.kinship._lr import likelihood_ratio, trio_likelihood_ratio
from reunite.kinship._model import (
    CLAIMABLE as CLAIMABLE_RELATIONSHIPS,
)
from reunite.kinship._model import (
    RELATIONSHIPS,
    FrequencyDatabase,
    Profile,
    Relationship,
    get_relationship,
)
from reunite.kinship._pedigree import (
    Assignment,
    Family,
    Pedigree,
    Person,
    joint_assignment,
    pedigree_likelihood_ratio,
    read_pedigree,
)
from reunite.kinship._power import PowerResult, simulate_power
from reunite.kinship._report import report_pdf
from reunite.kinship._result import VERBAL_SCALE_SOURCE, KinshipResult, LocusResult, verbal_scale
from reunite.kinship._screen import ScreenHit, screen
from reunite.kinship._simulate import (
    ScreeningPopulation,
    Simulator,
    simulate_pair,
    simulate_screening,
    simulate_trio,
)
from reunite.kinship._synthetic import synthetic_frequencies
from reunite.kinship.exceptions import KinshipError, KinshipInputError, Problem

__all__ = [
    "CLAIMABLE_RELATIONSHIPS",
    "CODIS_CORE_20",
    "EUROPEAN_STANDARD_SET",
    "KNOWN_LOCI",
    "RELATIONSHIPS",
    "VERBAL_SCALE_SOURCE",
    "Assignment",
    "Family",
    "FrequencyDatabase",
    "KinshipError",
    "KinshipInputError",
    "KinshipResult",
    "LocusResult",
    "Pedigree",
    "Person",
    "PowerResult",
    "Problem",
    "Profile",
    "Relationship",
    "ScreenHit",
    "ScreeningPopulation",
    "Simulator",
    "get_relationship",
    "joint_assignment",
    "likelihood_ratio",
    "pedigree_likelihood_ratio",
    "read_frequencies",
    "read_pedigree",
    "read_profiles",
    "report_pdf",
    "screen",
    "simulate_pair",
    "simulate_power",
    "simulate_screening",
    "simulate_trio",
    "synthetic_frequencies",
    "trio_likelihood_ratio",
    "verbal_scale",
    "write_frequencies",
    "write_profiles",
]
