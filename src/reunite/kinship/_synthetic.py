"""The SYNTHETIC allele-frequency database shipped for tests, the demo and the benchmark.

These are NOT population data. Allele ranges and typical modes are loosely shaped like
published STR tables so that the numbers behave realistically (10–40 alleles per locus,
microvariants such as TH01 9.3 and FGA 22.2), but every frequency is drawn from a seeded
random generator. No conclusion about a real person may ever rest on them; a lab supplies
its own database (``read_frequencies``).
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

import numpy as np

from reunite.kinship._model import FrequencyDatabase

SYNTHETIC_NAME = "SYNTHETIC demo database (not population data)"
SYNTHETIC_SEED = 20260501
SYNTHETIC_SAMPLE_SIZE = 1000

# locus: (lowest whole allele, highest whole allele, mode, spread, microvariants)
_SPEC: dict[str, tuple[int, int, float, float, tuple[str, ...]]] = {
    "CSF1PO": (6, 15, 11.5, 1.3, ("10.3",)),
    "FGA": (17, 30, 22.0, 2.0, ("18.2", "19.2", "20.2", "21.2", "22.2", "23.2", "24.2")),
    "TH01": (4, 11, 7.5, 1.4, ("9.3", "8.3")),
    "TPOX": (6, 13, 9.0, 1.2, ()),
    "vWA": (11, 22, 16.5, 1.5, ()),
    "D3S1358": (12, 20, 15.5, 1.2, ("15.2",)),
    "D5S818": (7, 16, 11.5, 1.3, ()),
    "D7S820": (6, 14, 10.0, 1.3, ("10.1", "10.3")),
    "D8S1179": (8, 19, 13.5, 1.6, ()),
    "D13S317": (7, 15, 11.0, 1.4, ()),
    "D16S539": (5, 15, 11.0, 1.2, ()),
    "D18S51": (9, 27, 15.5, 2.3, ("13.2", "14.2", "15.2")),
    "D21S11": (24, 38, 30.0, 1.6, ("27.2", "28.2", "29.2", "30.2", "31.2", "32.2", "33.2")),
    "D1S1656": (10, 20, 15.0, 1.7, ("14.3", "15.3", "16.3", "17.3", "18.3")),
    "D2S441": (9, 16, 11.5, 1.3, ("9.1", "11.3", "14.3")),
    "D2S1338": (15, 28, 20.5, 2.4, ()),
    "D10S1248": (8, 18, 13.5, 1.3, ()),
    "D12S391": (14, 27, 20.0, 1.8, ("17.3", "18.3", "19.3")),
    "D19S433": (9, 18, 13.8, 1.3, ("12.2", "13.2", "14.2", "15.2")),
    "D22S1045": (8, 19, 15.5, 1.5, ()),
    "Penta D": (2, 17, 10.5, 2.0, ("2.2", "3.2")),
    "Penta E": (5, 24, 12.0, 3.2, ()),
    "SE33": (11, 36, 21.0, 4.0, ("20.2", "21.2", "22.2", "23.2", "24.2", "25.2", "26.2",
                                 "27.2", "28.2", "29.2", "30.2", "31.2")),
}


def generate_synthetic_frequencies(seed: int = SYNTHETIC_SEED) -> FrequencyDatabase:
    """Generate the synthetic database from its seed (the shipped CSV is this, written out).

    Frequencies are a discretised normal around each locus' mode, jittered by a log-normal
    factor, microvariants down-weighted, floored at 0.0005 and rounded to 4 decimals with
    the modal allele absorbing the rounding so each locus sums to exactly 1.
    """
    rng = np.random.default_rng(seed)
    table: dict[str, dict[str, float]] = {}
    for locus, (lo, hi, mode, spread, micro) in _SPEC.items():
        alleles = [str(x) for x in range(lo, hi + 1)] + list(micro)
        values = np.array([float(a) for a in alleles])
        w = np.exp(-0.5 * ((values - mode) / spread) ** 2)
        w *= rng.lognormal(0.0, 0.35, size=len(w))
        w[len(alleles) - len(micro):] *= 0.15
        w = np.maximum(w / w.sum(), 0.0005)
        w = np.round(w / w.sum(), 4)
        top = int(np.argmax(w))
        w[top] = round(w[top] + (1.0 - w.sum()), 4)
        table[locus] = {a: float(f) for a, f in sorted(zip(alleles, w, strict=True),
                                                       key=lambda t: float(t[0]))}
    return FrequencyDatabase(
        SYNTHETIC_NAME, table, SYNTHETIC_SAMPLE_SIZE, synthetic=True,
        description="SYNTHETIC frequencies generated from a seed for tests and demos; "
        "not real population data",
    )


@cache
def synthetic_frequencies() -> FrequencyDatabase:
    """The shipped SYNTHETIC database (CODIS core 20 + European Standard Set + Penta D/E, SE33).

    Clearly labelled synthetic: ``db.synthetic`` is True and its name says so.
    """
    from reunite.kinship._io import read_frequencies

    text = resources.files("reunite.kinship").joinpath("data/synthetic_frequencies.csv")
    return read_frequencies(io.StringIO(text.read_text(encoding="utf-8")))
