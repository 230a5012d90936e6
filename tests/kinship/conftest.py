"""Shared fixtures for the kinship engine tests: a tiny hand-checkable frequency table."""

from __future__ import annotations

import pytest

from reunite.kinship import FrequencyDatabase, Profile, synthetic_frequencies

# One locus with round-number frequencies, so every expected value can be checked by hand.
P = {"6": 0.1, "7": 0.2, "8": 0.05, "9": 0.3, "9.3": 0.15, "10": 0.2}
P2 = {"11": 0.25, "12": 0.25, "13": 0.4, "14": 0.1}


@pytest.fixture(scope="session")
def toy_db() -> FrequencyDatabase:
    return FrequencyDatabase("toy (hand-checkable)", {"TH01": P, "vWA": P2})


@pytest.fixture(scope="session")
def synth():
    return synthetic_frequencies()


def one_locus(pid: str, a: str, b: str, locus: str = "TH01") -> Profile:
    return Profile.from_alleles(pid, {locus: (a, b)})
