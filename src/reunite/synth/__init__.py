"""Synthetic populations with known truth for testing and demonstrating matching.

Ukrainian families and their separated children (names by frequency, sibling groups,
twins), the tracing requests the families write, the other side's registry records
(Russified, adopted, re-registered) and unrelated Russian children as distractors. Seeded
and deterministic. Name data is the generator's own (``data/``), independent of
``reunite.names``. No Django import. See ``docs/synth.md``.

>>> from reunite.synth import generate
>>> pop = generate(records=200, enquiries=60, difficulty="easy", seed=0)
>>> len(pop.enquiries), len(pop.records)
(60, 200)
"""

from reunite.synth._generate import MAX_ENQUIRIES, MAX_RECORDS, generate
from reunite.synth._model import (
    AS_OF,
    DIFFICULTIES,
    Difficulty,
    Enquirer,
    Population,
    SyntheticChild,
)
from reunite.synth._params import PARAMS, Params
from reunite.synth._write import write_population
from reunite.synth.exceptions import SynthError

__all__ = [
    "AS_OF",
    "DIFFICULTIES",
    "MAX_ENQUIRIES",
    "MAX_RECORDS",
    "PARAMS",
    "Difficulty",
    "Enquirer",
    "Params",
    "Population",
    "SynthError",
    "SyntheticChild",
    "demo_people",
    "generate",
    "write_population",
]


def demo_people(seed: int = 0) -> Population:
    """A small, easy population for the web demo: 200 registry records, 60 enquiries."""
    return generate(records=200, enquiries=60, difficulty="easy", seed=seed)
