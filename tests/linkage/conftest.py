"""Shared fixtures: one synthetic population and one model trained on it per session."""

from __future__ import annotations

import pytest

from reunite.linkage import LinkageModel, train
from reunite.synth import Population, generate


@pytest.fixture(scope="session")
def population() -> Population:
    return generate(records=3000, enquiries=400, difficulty="realistic", seed=11)


@pytest.fixture(scope="session")
def model(population: Population) -> LinkageModel:
    return train(population.enquiries, population.records, seed=3)


@pytest.fixture(scope="session")
def enquiry_by_id(population: Population) -> dict:
    return {e.record_id: e for e in population.enquiries}


@pytest.fixture(scope="session")
def record_by_id(population: Population) -> dict:
    return {r.record_id: r for r in population.records}
