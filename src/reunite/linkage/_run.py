"""Splink runs over feature tables: training, prediction, comparison counts.

Inputs are pyarrow tables in the layout of ``_features.FEATURE_SCHEMA``; this module
knows nothing about interchange records. Left is always the enquiries (or, for dedupe,
the one list), right the records.
"""

from __future__ import annotations

import copy
import logging
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from reunite.linkage import _spec
from reunite.linkage._backend import Backend, make_api
from reunite.linkage._model import LinkageModel, LinkType, now_iso, settings_creator
from reunite.linkage._types import RuleCount
from reunite.linkage.exceptions import BackendError, TrainingError

log = logging.getLogger(__name__)

LEFT, RIGHT = "a_enquiries", "b_records"
Progress = Callable[[str], None]

# Splink logs every step at INFO and warns about each untrained level; the engine reports
# its own progress, so Splink speaks only on errors unless REUNITE_SPLINK_LOG is set.
logging.getLogger("splink").setLevel(os.environ.get("REUNITE_SPLINK_LOG", "ERROR").upper())


def _noop(_: str) -> None:
    pass


def _linker(api: Any, tables: list[pa.Table], settings: Any, validate: bool = True) -> Any:
    from splink import Linker

    sdfs = _register(api, tables)
    return Linker(sdfs if len(sdfs) > 1 else sdfs[0], settings, log_level=None,
                  validate_settings=validate)


def _register(api: Any, tables: list[pa.Table]) -> list[Any]:
    """Register inputs under fresh physical names (a Spark session outlives one run)."""
    names = [LEFT, RIGHT] if len(tables) == 2 else [LEFT]
    run = uuid.uuid4().hex[:10]
    return [
        api.register(t, dataset_display_name=n, table_name=f"{n}_{run}")
        for t, n in zip(tables, names, strict=True)
    ]


def _relink(linker: Any, settings: dict[str, Any]) -> Any:
    from splink import Linker

    sdfs = list(linker._input_tables_dict.values())
    return Linker(sdfs if len(sdfs) > 1 else sdfs[0], settings, log_level=None)


def rows_of(table: Any) -> int:
    """Rows of a pyarrow table or of a Spark DataFrame (features computed on the cluster)."""
    return int(table.num_rows) if isinstance(table, pa.Table) else int(table.count())


def spark_tf_tables(frames: list[Any]) -> dict[str, Any]:
    """``tf_tables`` computed on the cluster (Spark DataFrames in, Spark DataFrames out)."""
    from pyspark.sql import functions as F

    out = {}
    for col in _spec.TF_COLUMNS:
        values = frames[0].select(col)
        for frame in frames[1:]:
            values = values.unionByName(frame.select(col))
        values = values.where(F.col(col).isNotNull())
        total = values.count()
        if total == 0:
            continue
        out[col] = values.groupBy(col).count().select(
            col, (F.col("count") / F.lit(float(total))).alias(f"tf_{col}"))
    return out


def _tables(left: pa.Table, right: pa.Table | None) -> list[pa.Table]:
    return [left] if right is None else [left, right]


def fit(
    left: pa.Table,
    right: pa.Table | None,
    *,
    backend: Backend = "duckdb",
    seed: int = 42,
    u_max_pairs: float = 2e6,
    em_max_pairs: float = 2e6,
    progress: Progress = _noop,
    spark: Any = None,
) -> LinkageModel:
    """Estimate a model from the data alone: prior from deterministic rules, u from
    random pairs, m by expectation maximisation in two blocked sessions."""
    link_type: LinkType = "link_only" if right is not None else "dedupe_only"
    n_left, n_right = rows_of(left), (rows_of(right) if right is not None else 0)
    if n_left < 2 or (right is not None and n_right < 2):
        raise TrainingError("too few records to train a model (use a saved model instead)")
    started = time.perf_counter()
    api = make_api(backend, spark=spark)
    comps = _spec.comparisons()
    linker = _linker(api, _tables(left, right), settings_creator(comps, link_type, None))
    sessions: list[dict[str, Any]] = []
    try:
        progress("estimating the prior from deterministic rules")
        linker.training.estimate_probability_two_random_records_match(
            list(_spec.PRIOR_RULES), recall=_spec.PRIOR_RULES_RECALL
        )
        progress("estimating u from random pairs")
        linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
        for rule in _spec.EM_RULES:
            progress(f"expectation maximisation blocked on {rule.description}")
            snapshot = copy.deepcopy(linker.misc.save_model_to_json())
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule.creator(),
                    estimate_without_term_frequencies=True,
                    max_pairs=em_max_pairs,
                )
                sessions.append({"blocking_rule": rule.name, "ok": True})
            except Exception as exc:
                # Splink 5.0.0 can leave the linker half-updated when a session fails
                # (e.g. a level whose expected match count underflows to 0): start again
                # from the parameters before the session.
                log.warning("EM session %s failed: %s", rule.name, exc)
                linker = _relink(linker, snapshot)
                sessions.append({"blocking_rule": rule.name, "ok": False, "error": str(exc)})
        model_dict = linker.misc.save_model_to_json()
    except TrainingError:
        raise
    except Exception as exc:
        raise TrainingError(f"training failed: {exc}") from exc
    if not any(s["ok"] for s in sessions):
        raise TrainingError("expectation maximisation failed in every session: " + "; ".join(
            s.get("error", "") for s in sessions))
    import splink

    from reunite import __version__ as reunite_version

    metadata = {
        "created_at": now_iso(),
        "trained_on": {"left_records": n_left, "right_records": n_right},
        "backend": backend,
        "splink_version": splink.__version__,
        "reunite_version": reunite_version,
        "method": "EM (Fellegi-Sunter), u from random sampling, prior from rules",
        "prior_rules": list(_spec.PRIOR_RULES),
        "prior_rules_recall": _spec.PRIOR_RULES_RECALL,
        "em_sessions": sessions,
        "u_max_pairs": u_max_pairs,
        "seed": seed,
        "training_seconds": round(time.perf_counter() - started, 2),
        "labels": {"confirmed": 0, "rejected": 0},
        "history": [],
    }
    # The assumed recall of the prior rules is kept on purpose: deriving it from the
    # trained m (m(dob exact) x m(surname) x m(given)) put the prior within 5 % of the
    # truth on synthetic data but, with EM's over-confident pair weights, cut F1 at 0.5
    # from 0.76 to 0.73 at 1 M records (docs/benchmarks.md).
    return LinkageModel.from_splink(model_dict, link_type=link_type, metadata=metadata)


def tf_tables(tables: list[pa.Table]) -> dict[str, pa.Table]:
    """Term frequencies of the TF-adjusted columns over the given tables.

    Computed once over the *whole* lists and handed to every run, so an incremental run
    (a subset against a subset) scores a pair exactly as a full run would; Splink would
    otherwise count frequencies within each run's inputs only.
    """
    out = {}
    for col in _spec.TF_COLUMNS:
        values = pa.chunked_array(
            [chunk for t in tables for chunk in t[col].chunks], type=pa.string()
        ).drop_null()
        if len(values) == 0:
            continue
        counts = pc.value_counts(values)
        total = float(len(values))
        out[col] = pa.table({
            col: counts.field("values"),
            f"tf_{col}": pc.divide(pc.cast(counts.field("counts"), pa.float64()), total),
        })
    return out


def predict(
    left: pa.Table,
    right: pa.Table | None,
    model: LinkageModel,
    *,
    threshold: float,
    backend: Backend = "duckdb",
    progress: Progress = _noop,
    spark: Any = None,
    tf: dict[str, pa.Table] | None = None,
) -> pa.Table:
    """Score every blocked pair above ``threshold``; returns ids, weight, probability and
    the gamma (level) of every comparison."""
    link_type: LinkType = "link_only" if right is not None else "dedupe_only"
    api = make_api(backend, spark=spark)
    # The settings come from this package's spec (checked when the model was trained and
    # by the tests); validating them again costs about a second per run.
    linker = _linker(api, _tables(left, right), model.settings(link_type=link_type),
                     validate=False)
    for col, table in (tf or {}).items():
        sdf = api.register(table, table_name=f"tf_{col}_{uuid.uuid4().hex[:10]}")
        linker.table_management.register_term_frequency_lookup(sdf, col)
    progress("scoring blocked pairs")
    try:
        df = linker.inference.predict(threshold_match_probability=threshold)
    except Exception as exc:
        raise BackendError(f"prediction failed on {backend}: {exc}") from exc
    cols = ["unique_id_l", "unique_id_r", "source_dataset_l", "match_weight",
            "match_probability"] + [f"gamma_{f.name}" for f in _spec.FIELDS]
    if link_type == "dedupe_only":
        cols.remove("source_dataset_l")
    table = df.as_pyarrow_table()
    # Term-frequency adjustments (common surnames count for less) come as extra columns.
    cols += [c for c in table.column_names if c.startswith("mw_tf_adj_")]
    # The Latin keys of the given names, for the sibling rule (a short form is no sibling).
    cols += [c for c in ("given_lat_l", "given_lat_r") if c in table.column_names]
    return table.select(cols)


def score_aligned(
    left: pa.Table, right: pa.Table, model: LinkageModel, *, backend: Backend = "duckdb",
    spark: Any = None,
) -> pa.Table:
    """Score the pairs left[i] x right[i] where both rows share ``unique_id``."""
    api = make_api(backend, spark=spark)
    settings = model.settings(link_type="link_only",
                              blocking_rules=["l.unique_id = r.unique_id"])
    linker = _linker(api, [left, right], settings)
    df = linker.inference.predict()
    cols = ["unique_id_l", "unique_id_r", "match_weight"] + [
        f"gamma_{f.name}" for f in _spec.FIELDS]
    return df.as_pyarrow_table().select(cols)


def comparison_counts(
    left: pa.Table,
    right: pa.Table | None,
    *,
    backend: Backend = "duckdb",
    sample: float = 1.0,
    spark: Any = None,
) -> list[RuleCount]:
    """Comparisons each prediction blocking rule adds (exact when ``sample`` is 1)."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    api = make_api(backend, spark=spark)
    sdfs = _register(api, _tables(left, right))
    records = count_comparisons_from_blocking_rules(
        sdfs if len(sdfs) > 1 else sdfs[0],
        blocking_rules=[r.creator() for r in _spec.BLOCKING_RULES],
        link_type="link_only" if right is not None else "dedupe_only",
        unique_id_column_name="unique_id",
        record_sample_proportion=sample,
    )
    out = []
    for rule, rec in zip(_spec.BLOCKING_RULES, records, strict=True):
        out.append(RuleCount(rule.name, rule.description, int(_get(rec, "marginal")),
                             int(_get(rec, "cumulative"))))
    return out


def _get(rec: Any, which: str) -> float:
    name = f"{which}_comparison_count" if which == "marginal" else "cumulative_comparison_count"
    if isinstance(rec, dict):
        return float(rec[name])
    return float(getattr(rec, name))
