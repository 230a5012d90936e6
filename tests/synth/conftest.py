"""Populations shared by the synth tests (generated once per session: generation is fast)."""

from __future__ import annotations

import pytest

from reunite.synth import Population, generate


@pytest.fixture(scope="session")
def pops() -> dict[str, Population]:
    """One mid-sized population per difficulty, same seed."""
    return {
        d: generate(records=6000, enquiries=2500, difficulty=d, seed=7)  # type: ignore[arg-type]
        for d in ("easy", "realistic", "hard")
    }


@pytest.fixture(scope="session")
def pop(pops: dict[str, Population]) -> Population:
    return pops["realistic"]
