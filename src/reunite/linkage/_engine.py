"""Public operations: train, link (full or incremental), dedupe, retrain from labels."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from reunite.linkage import _run, _spec
from reunite.linkage._backend import Backend, check_backend
from reunite.linkage._features import FeatureBuilder, display_values
from reunite.linkage._model import LevelParams, LinkageModel, now_iso
from reunite.linkage._types import CandidatePair, Cluster, FieldExplanation, RuleCount
from reunite.linkage.exceptions import LinkageError, ModelError, TrainingError

DEFAULT_THRESHOLD = 0.5
DEFAULT_TOP_K = 5
DEFAULT_DEDUPE_THRESHOLD = 0.9
#: Below these sizes EM has too little to learn from; the bundled model is used instead.
MIN_TRAIN_LEFT = 200
MIN_TRAIN_RIGHT = 1000

Progress = Callable[[str], None]


def _noop(_: str) -> None:
    pass


@dataclass(frozen=True, slots=True)
class Incremental:
    """Which enquiries and records are new since the last run.

    ``link(..., only_new=Incremental(...))`` compares only pairs with at least one new
    side: new enquiries against all records, and old enquiries against new records.
    """

    enquiry_ids: frozenset[str] = field(default_factory=frozenset)
    record_ids: frozenset[str] = field(default_factory=frozenset)


def _as_list(records: Iterable[Any]) -> list[Any]:
    out = records if isinstance(records, list) else list(records)
    seen: set[str] = set()
    for r in out:
        rid = r.record_id
        if not rid:
            raise LinkageError("a record has an empty record_id")
        if rid in seen:
            raise LinkageError(f"record_id {rid!r} appears twice in one list")
        seen.add(rid)
    return out


def default_model() -> LinkageModel:
    """The model shipped with Reunite (trained on a synthetic population)."""
    try:
        text = resources.files("reunite.linkage").joinpath("data/default_model.json").read_text(
            encoding="utf-8"
        )
    except FileNotFoundError as exc:  # pragma: no cover - packaging error
        raise ModelError("the bundled default model is missing from this installation") from exc
    import json

    return LinkageModel.from_dict(json.loads(text))


# -- training ---------------------------------------------------------------------------------
def train(
    enquiries: Iterable[Any],
    records: Iterable[Any],
    *,
    backend: Backend = "duckdb",
    seed: int = 42,
    progress: Progress = _noop,
) -> LinkageModel:
    """Estimate a link model from the two lists themselves (no labels needed).

    The prior comes from deterministic rules on the data, u from random pairs, m from
    expectation maximisation; see ``docs/linkage.md``.
    """
    check_backend(backend)
    left, right = _as_list(enquiries), _as_list(records)
    progress("computing name features")
    fb = FeatureBuilder()
    return _run.fit(fb.table(left), fb.table(right), backend=backend, seed=seed,
                    progress=progress)


def train_dedupe(
    records: Iterable[Any], *, backend: Backend = "duckdb", seed: int = 42,
    progress: Progress = _noop,
) -> LinkageModel:
    """Estimate a model for finding duplicates within one list."""
    check_backend(backend)
    rows = _as_list(records)
    progress("computing name features")
    return _run.fit(FeatureBuilder().table(rows), None, backend=backend, seed=seed,
                    progress=progress)


def _model_for(
    model: LinkageModel | None, left: pa.Table, right: pa.Table | None, backend: Backend,
    progress: Progress,
) -> LinkageModel:
    if model is not None:
        return model
    n_left = _run.rows_of(left)
    n_right = _run.rows_of(right) if right is not None else n_left
    if n_left < MIN_TRAIN_LEFT or n_right < MIN_TRAIN_RIGHT:
        progress("lists too small to train on: using the bundled model")
        return default_model()
    try:
        return _run.fit(left, right, backend=backend, progress=progress)
    except TrainingError:
        progress("training failed on these lists: using the bundled model")
        return default_model()


# -- explanation ------------------------------------------------------------------------------
class _Explainer:
    def __init__(self, model: LinkageModel) -> None:
        self.levels: dict[str, tuple[LevelParams, ...]] = model.levels

    def explain(
        self, gammas: dict[str, Any], left_vals: dict[str, str], right_vals: dict[str, str]
    ) -> tuple[FieldExplanation, ...]:
        out = []
        for f in _spec.FIELDS:
            g = gammas[f.name]
            tf = gammas.get(f"tf:{f.name}") or 0.0
            values = (left_vals.get(f.name, ""), right_vals.get(f.name, ""))
            if g is None or g < 0:
                out.append(FieldExplanation(f.title, "not known on both sides", 0.0, values))
                continue
            params = self.levels[f.name]
            p = params[len(params) - 1 - int(g)]
            # The weight includes the term-frequency adjustment (common surnames count less).
            out.append(FieldExplanation(f.title, p.label, round(p.weight + tf, 2), values))
        if _spec.SIBLING_RULE in gammas:
            out.append(FieldExplanation(_spec.SIBLING_RULE, _spec.SIBLING_RULE_LABEL,
                                        round(gammas[_spec.SIBLING_RULE], 2)))
        return tuple(out)


# -- linking ----------------------------------------------------------------------------------
def link(
    enquiries: Iterable[Any],
    records: Iterable[Any],
    *,
    model: LinkageModel | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    top_k: int | None = DEFAULT_TOP_K,
    backend: Backend = "duckdb",
    exclude_pairs: Collection[tuple[str, str]] = frozenset(),
    only_new: Incremental | None = None,
    explain: bool = True,
    progress: Progress = _noop,
) -> list[CandidatePair]:
    """Candidate records for each enquiry, best first.

    Returns pairs with probability >= ``threshold``, at most ``top_k`` per enquiry
    (``None``: all), sorted by enquiry id then probability. ``exclude_pairs`` (e.g. pairs
    reviewers rejected) never appear and do not take a top-k place. With ``model=None`` a
    model is trained on these lists (or the bundled one is used for small lists).
    """
    check_backend(backend)
    if not 0.0 <= threshold <= 1.0:
        raise LinkageError(f"threshold must be between 0 and 1, got {threshold}")
    if top_k is not None and top_k < 1:
        raise LinkageError(f"top_k must be at least 1, got {top_k}")
    left_recs, right_recs = _as_list(enquiries), _as_list(records)
    if not left_recs or not right_recs:
        return []
    left_by_id = {r.record_id: r for r in left_recs}
    right_by_id = {r.record_id: r for r in right_recs}
    if backend == "spark" and only_new is None and _executor_features():
        return _link_on_spark(left_recs, right_recs, left_by_id, right_by_id, model=model,
                              threshold=threshold, top_k=top_k, exclude=exclude_pairs,
                              explain=explain, progress=progress)  # fmt: skip
    progress("computing name features")
    fb = FeatureBuilder()
    left, right = fb.table(left_recs), fb.table(right_recs)
    return link_features(
        left, right, lambda ids: left_by_id, lambda ids: right_by_id, model=model,
        threshold=threshold, top_k=top_k, backend=backend, exclude_pairs=exclude_pairs,
        only_new=only_new, explain=explain, progress=progress,
    )


RecordLookup = Callable[[Collection[str]], Mapping[str, Any]]


def _executor_features() -> bool:
    """``REUNITE_SPARK_EXECUTOR_FEATURES=1``: on Spark, compute the name features on the
    executors (``_spark_features``) instead of in the driver. Off by default until the
    path has run in CI as well as in ``bench/spark_cluster.py``."""
    import os

    return os.environ.get("REUNITE_SPARK_EXECUTOR_FEATURES", "0") == "1"


def _link_on_spark(
    left_recs: list[Any], right_recs: list[Any], left_by_id: dict[str, Any],
    right_by_id: dict[str, Any], *, model: LinkageModel | None, threshold: float,
    top_k: int | None, exclude: Collection[tuple[str, str]], explain: bool,
    progress: Progress,
) -> list[CandidatePair]:
    """``link`` on Spark with the name features computed on the executors (see
    ``_spark_features``); the driver receives only the scored pairs (and the ids of
    records whose given name is known, for the sibling rule)."""
    from reunite.linkage import _spark_features
    from reunite.linkage._backend import spark_session

    spark = spark_session()
    progress("computing name features on the Spark executors")
    frames = []
    for recs in (left_recs, right_recs):
        frame = _spark_features.feature_frame(spark, recs).drop(_spark_features.COMPUTED_BY)
        frames.append(frame.persist())
    left, right = frames
    try:
        model = _model_for(model, left, right, "spark", progress)
        tf = _run.spark_tf_tables([left, right])
        known = [
            {r["unique_id"] for r in f.where(f.given_ids.isNotNull()).select("unique_id")
             .toLocalIterator()}
            for f in frames
        ]  # fmt: skip
        scored = _run.predict(left, right, model, threshold=threshold, backend="spark",
                              progress=progress, tf=tf, spark=spark)  # fmt: skip
    finally:
        for f in frames:
            f.unpersist()
    progress("ranking candidates")
    return _collect([scored], model, lambda ids: left_by_id, lambda ids: right_by_id,
                    top_k=top_k, threshold=threshold, exclude=exclude, explain=explain,
                    known_left=known[0], known_right=known[1])  # fmt: skip


def features(records: Iterable[Any], *, reference_year: int | None = None) -> pa.Table:
    """The comparison features of ``records`` (one row per record, ``unique_id`` first).

    Depends only on each record's own fields (and, for an estimated age without a
    separation date, on ``reference_year``), so callers may cache rows per record and
    pass the tables to :func:`link_features` later.
    """
    return FeatureBuilder(reference_year).table(_as_list(records))


def link_features(
    left: pa.Table,
    right: pa.Table,
    enquiries: RecordLookup,
    records: RecordLookup,
    *,
    model: LinkageModel | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    top_k: int | None = DEFAULT_TOP_K,
    backend: Backend = "duckdb",
    exclude_pairs: Collection[tuple[str, str]] = frozenset(),
    only_new: Incremental | None = None,
    explain: bool = True,
    progress: Progress = _noop,
    spark: Any = None,
) -> list[CandidatePair]:
    """:func:`link` on precomputed feature tables (from :func:`features`).

    ``enquiries(ids)`` and ``records(ids)`` return the interchange records of the given
    ids (only those that became candidates), for the explanation's displayed values; a
    caller with a cache of features needs to load only those records.
    """
    check_backend(backend)
    if not 0.0 <= threshold <= 1.0:
        raise LinkageError(f"threshold must be between 0 and 1, got {threshold}")
    if left.num_rows == 0 or right.num_rows == 0:
        return []
    model = _model_for(model, left, right, backend, progress)

    if only_new is None:
        runs = [(left, right)]
    else:
        new_e = pa.array(sorted(only_new.enquiry_ids), type=pa.string())
        new_r = pa.array(sorted(only_new.record_ids), type=pa.string())
        is_new_e = pc.is_in(left["unique_id"], value_set=new_e)
        is_new_r = pc.is_in(right["unique_id"], value_set=new_r)
        runs = [
            _prefilter(left.filter(is_new_e), right),
            _prefilter(left.filter(pc.invert(is_new_e)), right.filter(is_new_r)),
        ]
        if all(_lopsided(lt, rt) for lt, rt in runs):
            # A few new rows: one Splink run over both parts instead of two (each run has
            # a fixed cost of about a second); pairs of two old rows are dropped below.
            runs = [(_union(runs[0][0], runs[1][0]), _union(runs[0][1], runs[1][1]))]
    tf = _run.tf_tables([left, right])
    # Scoring below the threshold is pointless, but ranking needs every pair above it.
    scored: list[pa.Table] = []
    for lt, rt in runs:
        if lt.num_rows == 0 or rt.num_rows == 0:
            continue
        table = _run.predict(lt, rt, model, threshold=threshold, backend=backend,
                             progress=progress, tf=tf, spark=spark)
        if only_new is not None and len(runs) == 1:
            new_ids = pa.array(sorted(only_new.enquiry_ids | only_new.record_ids),
                               type=pa.string())  # fmt: skip
            table = table.filter(pc.or_(pc.is_in(table["unique_id_l"], value_set=new_ids),
                                        pc.is_in(table["unique_id_r"], value_set=new_ids)))
        scored.append(table)
    progress("ranking candidates")
    return _collect(scored, model, enquiries, records, top_k=top_k, threshold=threshold,
                    exclude=exclude_pairs, explain=explain, known_left=_known_given(left),
                    known_right=_known_given(right))


#: Every blocking rule joins on the birth year or on a given-name id (``dob_swapped``
#: on the year in its SQL), so a row can only be paired with rows sharing one of those.
_PREFILTER_SAFE = all(
    "yr" in r.columns or "given_ids" in r.columns or (r.sql or "").startswith("l.yr = r.yr")
    for r in _spec.BLOCKING_RULES
)


def _prefilter(left: pa.Table, right: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Drop, from the larger side of a lopsided run (an incremental run: a few new rows
    against the whole registry), the rows that share neither a birth year nor a given-name
    id with the smaller side: no blocking rule could pair them, so the scores are the same
    and Splink has far fewer rows to handle."""
    if not _PREFILTER_SAFE:
        return left, right
    small, big = (left, right) if left.num_rows <= right.num_rows else (right, left)
    if small.num_rows * 20 > big.num_rows:
        return left, right
    years = pc.unique(small["yr"].drop_null())
    given = pc.unique(pc.list_flatten(small["given_ids"]).drop_null())
    keep = pc.fill_null(pc.is_in(big["yr"], value_set=years), False)
    flat = big["given_ids"].combine_chunks()
    hits = pc.is_in(pc.list_flatten(flat), value_set=given)
    parents = pc.list_parent_indices(flat)
    rows_with_hit = pc.unique(pc.filter(parents, hits))
    by_name = pc.is_in(pa.array(range(big.num_rows), type=rows_with_hit.type),
                       value_set=rows_with_hit)
    filtered = big.filter(pc.or_(keep, by_name))
    return (left, filtered) if small is left else (filtered, right)


def _lopsided(left: pa.Table, right: pa.Table) -> bool:
    return min(left.num_rows, right.num_rows) * 20 <= max(left.num_rows, right.num_rows)


def _union(a: pa.Table, b: pa.Table) -> pa.Table:
    """Rows of both tables, each id once."""
    if b.num_rows == 0:
        return a
    b = b.filter(pc.invert(pc.is_in(b["unique_id"], value_set=a["unique_id"].combine_chunks())))
    return pa.concat_tables([a, b])


def _known_given(table: pa.Table) -> set[str]:
    """Ids of rows whose given name (or an alias) the names engine recognises."""
    return set(table.filter(pc.is_valid(table["given_ids"]))["unique_id"].to_pylist())


def _collect(
    scored: list[pa.Table],
    model: LinkageModel,
    left_lookup: RecordLookup,
    right_lookup: RecordLookup,
    *,
    top_k: int | None,
    exclude: Collection[tuple[str, str]],
    explain: bool,
    threshold: float = 0.0,
    dedupe: bool = False,
    known_left: Collection[str] = frozenset(),
    known_right: Collection[str] = frozenset(),
) -> list[CandidatePair]:
    """Rank, cap by the sibling rule, filter and explain the scored pairs.

    ``known_left``/``known_right``: ids whose given name the names engine knows (only
    such pairs can fall under the sibling rule)."""
    by_enquiry: dict[str, list[tuple[float, str, dict[str, Any]]]] = defaultdict(list)
    twins_of: dict[str, list[str]] = defaultdict(list)
    exclude_set = exclude if isinstance(exclude, set | frozenset) else set(exclude)
    gamma_cols = [f"gamma_{f.name}" for f in _spec.FIELDS]
    for table in scored:
        swap = _swap_mask(table, dedupe)
        ids_l = table["unique_id_l"].to_pylist()
        ids_r = table["unique_id_r"].to_pylist()
        weights = table["match_weight"].to_pylist()
        gammas = {c: table[c].to_pylist() for c in gamma_cols}
        tfs = {c.removeprefix("mw_tf_adj_"): table[c].to_pylist()
               for c in table.column_names if c.startswith("mw_tf_adj_")}
        lat_l = (table["given_lat_l"].to_pylist() if "given_lat_l" in table.column_names
                 else [None] * table.num_rows)
        lat_r = (table["given_lat_r"].to_pylist() if "given_lat_r" in table.column_names
                 else [None] * table.num_rows)
        for i, (a, b, w) in enumerate(zip(ids_l, ids_r, weights, strict=True)):
            if swap[i]:
                a, b = b, a
            if (a, b) in exclude_set:
                continue
            levels: dict[str, Any] = {f.name: gammas[f"gamma_{f.name}"][i]
                                      for f in _spec.FIELDS}
            for name, vals in tfs.items():
                levels[f"tf:{name}"] = vals[i]
            kin = None
            if a in known_left and b in known_right:
                kin = _spec.sibling_signature({**levels, "given_lat": (lat_l[i], lat_r[i])})
            if kin is not None:
                # One family, another given name: a twin or sibling of the child sought,
                # never the child (see docs/linkage.md, sibling rule).
                capped = min(w, _spec.SIBLING_RULE_WEIGHT)
                levels[_spec.SIBLING_RULE] = capped - w
                w = capped
                if kin == "twin":
                    twins_of[a].append(b)
            by_enquiry[a].append((w, b, levels))
    min_weight = _weight_of_probability(threshold)
    ranked: dict[str, list[tuple[float, str, dict[str, Any]]]] = {}
    for eid, all_cands in by_enquiry.items():
        cands = sorted((c for c in all_cands if c[0] >= min_weight),
                       key=lambda c: (-c[0], c[1]))
        if top_k is not None:
            cands = cands[:top_k]
        if cands:
            ranked[eid] = cands
    needed_left = set(ranked)
    needed_right = {rid for cands in ranked.values() for _, rid, _ in cands}
    left_by_id = left_lookup(needed_left) if explain else {}
    right_by_id = right_lookup(needed_right) if explain else {}
    explainer = _Explainer(model)
    out: list[CandidatePair] = []
    display_cache: dict[str, dict[str, str]] = {}

    def shown(rid: str, side: Mapping[str, Any]) -> dict[str, str]:
        v = display_cache.get(rid)
        if v is None:
            v = display_cache[rid] = display_values(side[rid])
        return v

    for eid in sorted(ranked):
        twins = twins_of.get(eid, [])
        for rank, (w, rid, g) in enumerate(ranked[eid], start=1):
            expl: tuple[FieldExplanation, ...] = ()
            if explain:
                expl = explainer.explain(g, shown(eid, left_by_id), shown(rid, right_by_id))
            flags: tuple[str, ...] = ()
            related: tuple[str, ...] = ()
            if _spec.SIBLING_RULE in g:
                flags = (FLAG_SIBLING_OF_CANDIDATE,)
                # The probable children themselves (p > 0.5), this one's brothers or sisters.
                related = tuple(c for cw, c, lv in ranked[eid]
                                if c != rid and cw > 0 and _spec.SIBLING_RULE not in lv)
            elif twins:
                flags = (FLAG_HAS_TWIN,)
                related = tuple(sorted(set(twins) - {rid}))
            out.append(CandidatePair(eid, rid, _probability(w), round(w, 4), expl, rank,
                                     flags, related))
    return out


#: A candidate whose record has a twin (or same-day sibling) in the other list: the twin
#: was compared with the enquiry too and ruled out by the twin rule; show both together.
FLAG_HAS_TWIN = "has_twin"
#: The candidate itself is ruled out by the sibling rule (shown only at a threshold near 0).
FLAG_SIBLING_OF_CANDIDATE = "sibling"


def _weight_of_probability(p: float) -> float:
    if p <= 0.0:
        return -math.inf
    if p >= 1.0:
        return math.inf
    return math.log2(p / (1.0 - p)) - 1e-9


def _swap_mask(table: pa.Table, dedupe: bool) -> list[bool]:
    """True where Splink put the records side on the left (link_only orders by dataset)."""
    if dedupe or "source_dataset_l" not in table.column_names:
        return [False] * table.num_rows
    return [s != _run.LEFT for s in table["source_dataset_l"].to_pylist()]


def _probability(weight: float) -> float:
    # Computed from the weight (not Splink's column) so DuckDB and Spark agree exactly.
    if weight > 60:
        return 1.0
    bf = 2.0 ** weight
    return round(bf / (1.0 + bf), 6)


# -- deduplication ----------------------------------------------------------------------------
def dedupe(
    records: Iterable[Any],
    *,
    model: LinkageModel | None = None,
    threshold: float = DEFAULT_DEDUPE_THRESHOLD,
    backend: Backend = "duckdb",
    progress: Progress = _noop,
) -> list[Cluster]:
    """Groups of records in one list that probably describe the same child.

    Pairs at or above ``threshold`` are joined transitively (connected components);
    only groups of two or more records are returned, largest first.
    """
    check_backend(backend)
    if not 0.0 <= threshold <= 1.0:
        raise LinkageError(f"threshold must be between 0 and 1, got {threshold}")
    recs = _as_list(records)
    if len(recs) < 2:
        return []
    progress("computing name features")
    table = FeatureBuilder().table(recs)
    model = _model_for(model, table, None, backend, progress)
    scored = _run.predict(table, None, model, threshold=threshold, backend=backend,
                          progress=progress)
    by_id = {r.record_id: r for r in recs}
    known = _known_given(table)
    pairs = _collect([scored], model, lambda ids: by_id, lambda ids: by_id, top_k=None,
                     exclude=(), explain=True, threshold=threshold, dedupe=True,
                     known_left=known, known_right=known)
    return _clusters(pairs)


def _clusters(pairs: list[CandidatePair]) -> list[Cluster]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        a, b = find(p.enquiry_id), find(p.record_id)
        if a != b:
            parent[max(a, b)] = min(a, b)
    members: dict[str, list[str]] = defaultdict(list)
    for x in list(parent):
        members[find(x)].append(x)
    edges: dict[str, list[CandidatePair]] = defaultdict(list)
    for p in pairs:
        edges[find(p.enquiry_id)].append(p)
    groups = sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [
        Cluster(f"dup-{i:06d}", tuple(sorted(ids)), tuple(edges[root]))
        for i, (root, ids) in enumerate(groups, start=1)
    ]


# -- retraining from reviewers' decisions -----------------------------------------------------
def retrain_with_labels(
    model: LinkageModel,
    enquiries: Iterable[Any],
    records: Iterable[Any],
    labels: Iterable[tuple[str, str, bool]],
    *,
    backend: Backend = "duckdb",
    prior_strength: float = 50.0,
) -> LinkageModel:
    """A new model that also learns from reviewed pairs ``(enquiry_id, record_id, same)``.

    Confirmed pairs are true matches, so their levels re-estimate m directly. Rejected
    pairs are hard non-matches drawn from the candidates (not random pairs), so they
    re-estimate u only for the levels they show, shrunk towards the random-pair u: a
    level that keeps appearing in rejected candidates loses weight, but a handful of
    reviews cannot swamp what a million random pairs said. Each estimate is a Dirichlet
    posterior with the current model as prior worth ``prior_strength`` pairs.
    """
    check_backend(backend)
    labelled = [(str(e), str(r), bool(s)) for e, r, s in labels]
    if not labelled:
        raise TrainingError("no labels given")
    left_recs = {r.record_id: r for r in _as_list(enquiries)}
    right_recs = {r.record_id: r for r in _as_list(records)}
    missing = [(e, r) for e, r, _ in labelled if e not in left_recs or r not in right_recs]
    if missing:
        raise TrainingError(f"{len(missing)} labelled pair(s) refer to unknown ids, e.g. "
                            f"{missing[0]!r}")
    gammas = score_pairs(model, [left_recs[e] for e, _, _ in labelled],
                         [right_recs[r] for _, r, _ in labelled], backend=backend)
    counts: dict[bool, Any] = {True: defaultdict(lambda: defaultdict(float)),
              False: defaultdict(lambda: defaultdict(float))}
    n_pos = n_neg = 0
    for (_, _, same), g in zip(labelled, gammas, strict=True):
        if same:
            n_pos += 1
        else:
            n_neg += 1
        for f in _spec.FIELDS:
            level = g[f.name]
            if level is not None and level >= 0:
                counts[same][f.name][level] += 1.0
    new_levels: dict[str, tuple[LevelParams, ...]] = {}
    for f in _spec.FIELDS:
        params = model.levels[f.name]
        n = len(params)
        pos, neg = counts[True][f.name], counts[False][f.name]
        tot_pos, tot_neg = sum(pos.values()), sum(neg.values())
        ms = [(prior_strength * p.m + pos[n - 1 - i]) / (prior_strength + tot_pos)
              for i, p in enumerate(params)]
        us = [(prior_strength * 20 * p.u + neg[n - 1 - i]) / (prior_strength * 20 + tot_neg)
              for i, p in enumerate(params)]
        new_levels[f.name] = tuple(
            LevelParams(p.label, m, u) for p, m, u in zip(params, ms, us, strict=True)
        )
    meta = dict(model.metadata)
    history = list(meta.get("history", []))
    history.append({
        "retrained_at": now_iso(),
        "confirmed": n_pos,
        "rejected": n_neg,
        "prior_strength": prior_strength,
    })
    old_labels = meta.get("labels", {"confirmed": 0, "rejected": 0})
    meta["labels"] = {"confirmed": old_labels.get("confirmed", 0) + n_pos,
                      "rejected": old_labels.get("rejected", 0) + n_neg}
    meta["history"] = history
    return LinkageModel(prior=model.prior, levels=new_levels, link_type=model.link_type,
                        metadata=meta)


def score_pairs(
    model: LinkageModel, lefts: list[Any], rights: list[Any], *, backend: Backend = "duckdb"
) -> list[dict[str, int | None]]:
    """The level (gamma) of each comparison for given pairs ``lefts[i]`` x ``rights[i]``.

    Each pair is scored alone: a blocking-free join on a pair index, so blocking rules
    cannot hide a labelled pair.
    """
    if len(lefts) != len(rights):
        raise LinkageError("score_pairs needs as many left records as right records")
    if not lefts:
        return []
    fb = FeatureBuilder()
    lt, rt = fb.table(lefts), fb.table(rights)
    # Unique ids per position (a record may appear in several labelled pairs).
    idx = pa.array([f"{i:09d}" for i in range(len(lefts))], type=pa.string())
    lt = lt.set_column(0, "unique_id", idx)
    rt = rt.set_column(0, "unique_id", idx)
    table = _run.score_aligned(lt, rt, model, backend=backend)
    got: dict[str, dict[str, int | None]] = {}
    for row in table.to_pylist():
        got[row["unique_id_l"]] = {f.name: row[f"gamma_{f.name}"] for f in _spec.FIELDS}
    return [got[i] for i in idx.to_pylist()]


def comparison_counts(
    enquiries: Iterable[Any],
    records: Iterable[Any] | None = None,
    *,
    backend: Backend = "duckdb",
    sample: float = 1.0,
) -> list[RuleCount]:
    """How many comparisons each blocking rule adds (records=None: within one list)."""
    fb = FeatureBuilder()
    left = fb.table(_as_list(enquiries))
    right = fb.table(_as_list(records)) if records is not None else None
    return _run.comparison_counts(left, right, backend=backend, sample=sample)


def weight_of_evidence(model: LinkageModel) -> float:
    """The prior as a match weight (bits): the score of a pair with no evidence."""
    return math.log2(model.prior / (1 - model.prior))
