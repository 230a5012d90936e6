"""Probabilistic record linkage of tracing requests with found children (no Django import).

A Fellegi–Sunter model run by Splink 5 on embedded DuckDB (default) or Apache Spark.
Features come from :mod:`reunite.names` (given-name equivalence ids, gender-neutral
surname keys, patronymic -> father ids, Latin keys, gazetteer places), so Russified names,
adoption surnames and rewritten birthplaces still meet. Inputs are
:class:`reunite.interchange.InterchangeRecord` lists.

>>> from reunite.linkage import link, train                       # doctest: +SKIP
>>> model = train(enquiries, records)                             # doctest: +SKIP
>>> for pair in link(enquiries, records, model=model):            # doctest: +SKIP
...     print(pair.enquiry_id, pair.record_id, pair.probability, pair.explanation_text())
"""

from reunite.linkage._backend import BACKENDS, Backend, java_available, spark_session
from reunite.linkage._engine import (
    DEFAULT_DEDUPE_THRESHOLD,
    DEFAULT_THRESHOLD,
    DEFAULT_TOP_K,
    Incremental,
    comparison_counts,
    dedupe,
    default_model,
    features,
    link,
    link_features,
    retrain_with_labels,
    score_pairs,
    train,
    train_dedupe,
)
from reunite.linkage._model import FORMAT_VERSION, LevelParams, LinkageModel
from reunite.linkage._spec import FIELDS, SPEC_VERSION
from reunite.linkage._types import CandidatePair, Cluster, FieldExplanation, RuleCount
from reunite.linkage.exceptions import BackendError, LinkageError, ModelError, TrainingError

__all__ = [
    "BACKENDS",
    "DEFAULT_DEDUPE_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "DEFAULT_TOP_K",
    "FIELDS",
    "FORMAT_VERSION",
    "SPEC_VERSION",
    "Backend",
    "BackendError",
    "CandidatePair",
    "Cluster",
    "FieldExplanation",
    "Incremental",
    "LevelParams",
    "LinkageError",
    "LinkageModel",
    "ModelError",
    "RuleCount",
    "TrainingError",
    "comparison_counts",
    "dedupe",
    "default_model",
    "features",
    "java_available",
    "link",
    "link_features",
    "retrain_with_labels",
    "score_pairs",
    "spark_session",
    "train",
    "train_dedupe",
]
