"""Every write of the matching app: runs, model versions and reviewers' decisions.

Like ``reunite.registry.actions``, each function takes an ``Acting`` first, asks
``reunite.accounts.policy`` and writes its audit event in the same transaction as the
change. Views, the API and the CLI call these functions and never save matching rows
themselves.

A run is recorded before it starts (status *running*), the linkage is computed without
holding a transaction, and every change to the queue is then written in one transaction
together with the run's counts: a failed run leaves its error on the run and not a single
candidate behind.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from reunite import linkage
from reunite.accounts import policy
from reunite.audit.log import log_event
from reunite.cases import actions as case_actions
from reunite.cases.models import Case, CaseState
from reunite.core.acting import Acting
from reunite.matching.feature_cache import FeatureCache, fetch_in_chunks
from reunite.matching.models import (
    DECIDED_STATUSES,
    CandidatePair,
    Decision,
    LinkModelVersion,
    MatchDecision,
    MatchRun,
    PairStatus,
)
from reunite.matching.records import (
    child_key,
    child_record,
    enquiry_key,
    enquiry_record,
    explanation_json,
    pk_of,
)
from reunite.registry.models import Child, Enquiry

#: A run still marked *running* after this long is taken to have died (the process was
#: killed) and no longer blocks a new run for its organisation.
RUN_STALE_AFTER = dt.timedelta(hours=2)

Progress = Callable[[str, int | None, int | None], None]


def _no_progress(message: str, done: int | None = None, total: int | None = None) -> None:
    pass


def _threshold() -> float:
    return float(getattr(settings, "REUNITE_MATCH_THRESHOLD", linkage.DEFAULT_THRESHOLD))


def _top_k() -> int | None:
    return getattr(settings, "REUNITE_MATCH_TOP_K", linkage.DEFAULT_TOP_K)


# Which records and which pairs --------------------------------------------------------------


def children_in_scope(user: Any) -> QuerySet:
    """Children the user's organisation can see whose carers consented to tracing."""
    return policy.visible(user, Child.objects.all()).filter(consent_for_tracing=True)


def enquiries_in_scope(user: Any) -> QuerySet:
    """Tracing requests the user's organisation can see, made with consent for tracing."""
    return policy.visible(user, Enquiry.objects.all()).filter(consent_for_tracing=True)


def visible_pairs(user: Any) -> QuerySet:
    """Candidate pairs whose two records the user's organisation can both see.

    Empty for a role without ``match.review``; another party sees nothing of a pair
    unless both records were shared with it.
    """
    if not policy.has_permission(user, "match.review"):
        return CandidatePair.objects.none()
    children = policy.visible(user, Child.objects.all()).values("pk")
    enquiries = policy.visible(user, Enquiry.objects.all()).values("pk")
    return CandidatePair.objects.filter(enquiry_id__in=enquiries, child_id__in=children)


def review_queue(user: Any, show: str = "open") -> QuerySet:
    """The pairs a reviewer works on, most probable first.

    ``show``: ``open`` (pending and unsure, both records still consented), ``pending``,
    ``unsure``, ``decided`` (confirmed and rejected), ``confirmed``, ``rejected``,
    ``withdrawn`` or ``all``.
    """
    pairs = visible_pairs(user)
    consented = Q(enquiry__consent_for_tracing=True, child__consent_for_tracing=True)
    if show == "open":
        pairs = pairs.filter(consented, status__in=[PairStatus.PENDING, PairStatus.UNSURE])
    elif show in (PairStatus.PENDING, PairStatus.UNSURE):
        pairs = pairs.filter(consented, status=show)
    elif show == "decided":
        pairs = pairs.filter(status__in=DECIDED_STATUSES)
    elif show in (PairStatus.CONFIRMED, PairStatus.REJECTED, PairStatus.WITHDRAWN):
        pairs = pairs.filter(status=show)
    elif show != "all":
        raise ValidationError({"show": f"Unknown filter {show!r}."})
    return (
        pairs.select_related("enquiry", "child", "run")
        .prefetch_related("child__names")
        .order_by("-probability", "pk")
    )


def said_unsure(pair: CandidatePair, user: Any) -> bool:
    """Whether this user said *unsure* on the pair (so someone else must decide it)."""
    return pair.decisions.filter(decision=Decision.UNSURE, reviewer=user).exists()


# Model versions -----------------------------------------------------------------------------


def latest_model_version() -> LinkModelVersion | None:
    return LinkModelVersion.objects.order_by("-version").first()


def load_model(version: LinkModelVersion) -> linkage.LinkageModel:
    return linkage.LinkageModel.from_dict(version.model_json)


def _save_model(
    acting: Acting | None,
    model: linkage.LinkageModel,
    source: str,
    *,
    based_on: LinkModelVersion | None = None,
    confirmed: int = 0,
    rejected: int = 0,
    note: str = "",
) -> LinkModelVersion:
    with transaction.atomic():
        number = (LinkModelVersion.objects.aggregate(n=Max("version"))["n"] or 0) + 1
        data = model.to_dict()
        data["metadata"] = {**data.get("metadata", {}), "reunite_app_version": number}
        version = LinkModelVersion.objects.create(
            version=number,
            model_json=data,
            source=source,
            based_on=based_on,
            labels_confirmed=confirmed,
            labels_rejected=rejected,
            created_by=acting.user if acting else None,
            note=note[:300],
        )
        if acting is not None:
            log_event(
                acting.audit_actor, "create", "link_model", version.pk,
                {"version": [None, number], "source": [None, source],
                 "based_on": [None, based_on.version if based_on else None],
                 "labels": [None, {"confirmed": confirmed, "rejected": rejected}]},
            )  # fmt: skip
    return version


def install_model(acting: Acting, model: linkage.LinkageModel, note: str = "") -> LinkModelVersion:
    """Make a model (e.g. one trained with ``reunite match --save-model``) the current one."""
    policy.require(acting.user, "match.run")
    return _save_model(acting, model, LinkModelVersion.Source.IMPORTED, note=note)


def _model_for_run(
    acting: Acting, records: Callable[[], tuple[list[Any], list[Any]]], progress: Progress
) -> LinkModelVersion:
    """The newest model version; on first use the bundled model, else one trained here."""
    latest = latest_model_version()
    if latest is not None:
        return latest
    try:
        model = linkage.default_model()
        source = LinkModelVersion.Source.BUNDLED
        note = "bundled model, first used by this installation"
    except linkage.ModelError:
        # No bundled model in this installation: learn one from the registry itself
        # (unsupervised EM; needs a registry of a few hundred records to be any good).
        progress("training a first model on the registry", None, None)
        enquiries, children = records()
        model = linkage.train(enquiries, children, progress=lambda m: progress(m, None, None))
        source = LinkModelVersion.Source.TRAINED
        note = f"trained on {len(enquiries)} requests and {len(children)} children"
    return _save_model(acting, model, source, note=note)


@dataclass
class _Labels:
    enquiries: list[Any] = field(default_factory=list)
    children: list[Any] = field(default_factory=list)
    labels: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def confirmed(self) -> int:
        return sum(1 for *_, same in self.labels if same)

    @property
    def rejected(self) -> int:
        return sum(1 for *_, same in self.labels if not same)


def _labels_for(user: Any) -> _Labels:
    pairs = (
        visible_pairs(user)
        .filter(status__in=DECIDED_STATUSES)
        .filter(enquiry__consent_for_tracing=True, child__consent_for_tracing=True)
        .select_related("enquiry__enquirer", "child")
        .prefetch_related("child__names")
        .order_by("pk")
    )
    out = _Labels()
    seen_e: set[int] = set()
    seen_c: set[int] = set()
    today = dt.date.today()
    for pair in pairs:
        try:
            if pair.enquiry_id not in seen_e:
                out.enquiries.append(enquiry_record(pair.enquiry))
            if pair.child_id not in seen_c:
                out.children.append(child_record(pair.child, today))
        except ValueError:
            continue  # a date the interchange format cannot carry; not usable as a label
        seen_e.add(pair.enquiry_id)
        seen_c.add(pair.child_id)
        out.labels.append(
            (enquiry_key(pair.enquiry_id), child_key(pair.child_id),
             pair.status == PairStatus.CONFIRMED)
        )  # fmt: skip
    return out


def retrain_model(acting: Acting, progress: Progress = _no_progress) -> LinkModelVersion:
    """A new model version learned from reviewers' confirmed and rejected pairs.

    Uses the decided pairs whose records the user's organisation can see (and which still
    have consent for tracing). The new version is used by the next run, which then
    re-scores the whole registry (a model change makes the next run a full one).
    """
    policy.require(acting.user, "match.run")
    data = _labels_for(acting.user)
    if not data.labels:
        raise ValidationError(
            "No decided pairs to learn from yet: confirm or reject some candidates first."
        )
    base = latest_model_version()
    if base is None:
        base = _model_for_run(acting, lambda: (data.enquiries, data.children), progress)
    progress(f"retraining on {len(data.labels)} decided pairs", None, None)
    try:
        model = linkage.retrain_with_labels(
            load_model(base), data.enquiries, data.children, data.labels
        )
    except linkage.LinkageError as exc:
        raise ValidationError(f"Retraining failed: {exc}") from exc
    return _save_model(
        acting, model, LinkModelVersion.Source.RETRAINED, based_on=base,
        confirmed=data.confirmed, rejected=data.rejected,
        note=f"retrained from {data.confirmed} confirmed and {data.rejected} rejected pairs",
    )  # fmt: skip


# Runs ---------------------------------------------------------------------------------------


class RunRefused(Exception):
    """A run cannot start (another one is running for the organisation)."""


def last_successful_run(organization: Any) -> MatchRun | None:
    return (
        MatchRun.objects.filter(organization=organization, status=MatchRun.Status.SUCCEEDED)
        .order_by("-started_at", "-pk")
        .first()
    )


def running_run(organization: Any) -> MatchRun | None:
    cutoff = timezone.now() - RUN_STALE_AFTER
    return (
        MatchRun.objects.filter(
            organization=organization, status=MatchRun.Status.RUNNING, started_at__gte=cutoff
        )
        .order_by("-started_at")
        .first()
    )


def _start(acting: Acting, full: bool, threshold: float, top_k: int | None) -> MatchRun:
    organization = acting.organization
    with transaction.atomic():
        # Serialise run starts per organisation (row lock on PostgreSQL).
        type(organization).objects.select_for_update().filter(pk=organization.pk).first()
        _abandon_stale_runs(acting, organization)
        busy = running_run(organization)
        if busy is not None:
            raise RunRefused(
                f"Run {busy.pk} for {organization.short_name} started at "
                f"{busy.started_at:%Y-%m-%d %H:%M} UTC is still running; wait for it to finish."
            )
        mode = MatchRun.Mode.FULL if full else MatchRun.Mode.INCREMENTAL
        run = MatchRun.objects.create(
            organization=organization, started_by=acting.user, mode=mode, requested_mode=mode,
            threshold=threshold, top_k=top_k, previous_run=last_successful_run(organization),
        )  # fmt: skip
        log_event(
            acting.audit_actor, "create", "match_run", run.pk,
            {"mode": [None, mode], "status": [None, run.status]},
        )  # fmt: skip
    return run


def _abandon_stale_runs(acting: Acting, organization: Any) -> None:
    """Runs left *running* by a process that died: recorded as failed, so none hangs."""
    cutoff = timezone.now() - RUN_STALE_AFTER
    stale = MatchRun.objects.filter(
        organization=organization, status=MatchRun.Status.RUNNING, started_at__lt=cutoff
    )
    for run in stale:
        run.status = MatchRun.Status.FAILED
        run.error = (
            f"abandoned: still marked running after {RUN_STALE_AFTER}; the process that "
            "ran it stopped. No candidate was written."
        )
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        log_event(
            acting.audit_actor, "update", "match_run", run.pk,
            {"status": [MatchRun.Status.RUNNING, run.status], "error": [None, run.error]},
        )  # fmt: skip


def _fail(acting: Acting, run: MatchRun, message: str, started: float) -> None:
    with transaction.atomic():
        run.status = MatchRun.Status.FAILED
        run.error = message[:4000]
        run.finished_at = timezone.now()
        run.duration_seconds = round(time.monotonic() - started, 3)
        run.save(update_fields=["status", "error", "finished_at", "duration_seconds"])
        log_event(
            acting.audit_actor, "update", "match_run", run.pk,
            {"status": [MatchRun.Status.RUNNING, run.status], "error": [None, run.error]},
        )  # fmt: skip


def enqueue_run(acting: Acting, *, full: bool = False) -> Any:
    """Put a match run on the background queue (``reunite.jobs``); returns the ``Job``.

    Refused (``RunRefused``) while a run, or a queued run, exists for the organisation.
    Never runs matching here: a worker (``reunite worker``, or the one ``reunite serve``
    starts) does, and the job's page shows its progress.
    """
    from reunite.jobs.api import JobError, enqueue
    from reunite.matching.jobs import KIND

    policy.require(acting.user, "match.run")
    organization = acting.organization
    busy = running_run(organization)
    if busy is not None:
        raise RunRefused(
            f"Run {busy.pk} for {organization.short_name} started at "
            f"{busy.started_at:%Y-%m-%d %H:%M} UTC is still running; wait for it to finish."
        )
    try:
        return enqueue(
            KIND, owner=acting.user, organization=organization, params={"full": bool(full)},
            title=f"Matching run ({'full' if full else 'incremental'}) for "
                  f"{organization.short_name}",
            request_id=acting.request_id, unique=True,
        )  # fmt: skip
    except JobError as exc:
        raise RunRefused(
            f"A matching run for {organization.short_name} is already waiting or running "
            f"({exc}); wait for it to finish."
        ) from exc


def run_matching(
    acting: Acting,
    *,
    full: bool = False,
    threshold: float | None = None,
    top_k: int | bool | None = False,
    progress: Progress = _no_progress,
    backend: str | None = None,
) -> MatchRun:
    """Link the tracing requests and children the user's organisation can see.

    Only records with consent for tracing take part. Incremental by default: records new
    to this organisation's view or changed since its last successful run are compared with
    all others (the engine's ``only_new``); ``full=True`` compares everything. A model
    version different from the last run's makes the run full, so all scores come from one
    model. Rejected and confirmed pairs are passed to the engine as excluded (never
    proposed again); decided pairs are never overwritten; pending ones get fresh scores.

    Raises ``PermissionDenied`` (no ``match.run``) or ``RunRefused`` before anything is
    recorded; any failure after the start is recorded on the run (status *failed*) and
    returned, with no candidate written.
    """
    policy.require(acting.user, "match.run")
    threshold = _threshold() if threshold is None else float(threshold)
    if not 0.0 <= threshold <= 1.0:
        raise ValidationError({"threshold": "The threshold is a probability between 0 and 1."})
    if top_k is False:
        top_k = _top_k()
    if top_k is not None and int(top_k) < 1:
        raise ValidationError({"top_k": "Propose at least one candidate per request."})
    run = _start(acting, full, threshold, top_k if top_k is None else int(top_k))
    started = time.monotonic()
    try:
        _execute(acting, run, progress, backend)
    except Exception as exc:  # every failure is recorded on the run
        message = (
            f"{type(exc).__name__}: {exc}"
            if not isinstance(exc, linkage.LinkageError | ValidationError)
            else str(exc)
        )
        _fail(acting, run, message, started)
    else:
        run.duration_seconds = round(time.monotonic() - started, 3)
        MatchRun.objects.filter(pk=run.pk).update(duration_seconds=run.duration_seconds)
    run.refresh_from_db()
    return run


def _cache_dir() -> Path:
    configured = getattr(settings, "REUNITE_MATCH_CACHE_DIR", None)
    if configured:
        return Path(configured)
    return Path(getattr(settings, "VAR_DIR", Path.cwd() / "var")) / "match-cache"


def _backend(chosen: str | None = None) -> linkage.Backend:
    """The run's back-end: ``chosen``, else ``REUNITE_MATCH_BACKEND``: ``duckdb`` (default)
    or ``spark`` (``REUNITE_SPARK_MASTER`` names the cluster; see docs/linkage.md)."""
    backend = chosen or getattr(settings, "REUNITE_MATCH_BACKEND", "duckdb")
    if backend not in linkage.BACKENDS:
        raise ValidationError(
            f"REUNITE_MATCH_BACKEND is {backend!r}; use one of: {', '.join(linkage.BACKENDS)}"
        )
    return backend  # type: ignore[no-any-return]


def _children_by_pk(pks: list[int]) -> Iterable[Any]:
    return Child.objects.filter(pk__in=pks).prefetch_related("names").order_by("pk")


def _enquiries_by_pk(pks: list[int]) -> Iterable[Any]:
    return Enquiry.objects.filter(pk__in=pks).select_related("enquirer").order_by("pk")


def _records_lookup(
    load: Callable[[list[int]], Iterable[Any]], convert: Callable[[Any], Any]
) -> Callable[[Any], dict[str, Any]]:
    """For the engine's explanation: the interchange records of the given keys only."""

    def lookup(keys: Any) -> dict[str, Any]:
        pks = sorted(pk_of(k) for k in keys)
        return {key_of_record.record_id: key_of_record
                for _, key_of_record in fetch_in_chunks(pks, load, convert)
                if not isinstance(key_of_record, ValueError)}  # fmt: skip

    return lookup


def _execute(
    acting: Acting, run: MatchRun, progress: Progress, backend: str | None = None
) -> None:
    user = acting.user
    notes: list[str] = []
    today = dt.date.today()
    progress("finding the records in scope", None, None)
    child_rows: dict[int, Any] = dict(
        children_in_scope(user).order_by().values_list("pk", "updated_at"))
    enq_rows: dict[int, Any] = dict(
        enquiries_in_scope(user).order_by().values_list("pk", "updated_at"))

    def convert_child(c: Any) -> Any:
        return child_record(c, today, notes)

    # Features are cached per record: only new or changed records are loaded and analysed.
    directory = _cache_dir()
    database = str(connection.settings_dict.get("NAME", ""))
    right, failed_c = FeatureCache(directory, "children", today, database).features(
        child_rows, lambda pks: fetch_in_chunks(pks, _children_by_pk, convert_child),
        label="children", progress=progress, notes=notes,
    )  # fmt: skip
    left, failed_e = FeatureCache(directory, "enquiries", today, database).features(
        enq_rows,
        lambda pks: fetch_in_chunks(pks, _enquiries_by_pk, lambda e: enquiry_record(e, notes)),
        label="requests", progress=progress, notes=notes,
    )  # fmt: skip
    for pk in failed_c:
        child_rows.pop(pk, None)
    for pk in failed_e:
        enq_rows.pop(pk, None)

    def all_records() -> tuple[list[Any], list[Any]]:
        enquiries = [r for _, r in fetch_in_chunks(sorted(enq_rows), _enquiries_by_pk,
                                                    enquiry_record)]  # fmt: skip
        children = [r for _, r in fetch_in_chunks(sorted(child_rows), _children_by_pk,
                                                   convert_child)]  # fmt: skip
        return enquiries, children

    model_version = _model_for_run(acting, all_records, progress)
    previous = run.previous_run
    mode = run.mode
    if mode == MatchRun.Mode.INCREMENTAL and previous is None:
        mode = MatchRun.Mode.FULL
        notes.append("no earlier successful run for this organisation: compared everything")
    elif (
        mode == MatchRun.Mode.INCREMENTAL
        and previous is not None
        and previous.model_id != model_version.pk
    ):
        mode = MatchRun.Mode.FULL
        notes.append(
            f"model changed since run {previous.pk} (now v{model_version.version}): "
            "re-scored everything"
        )
    new_children: set[int] = set(child_rows)
    new_enquiries: set[int] = set(enq_rows)
    gone_children: set[int] = set()
    gone_enquiries: set[int] = set()
    only_new = None
    if mode == MatchRun.Mode.INCREMENTAL:
        assert previous is not None
        since = previous.started_at
        seen_c, seen_e = set(previous.seen_children), set(previous.seen_enquiries)
        new_children = {pk for pk, at in child_rows.items() if pk not in seen_c or at >= since}
        new_enquiries = {pk for pk, at in enq_rows.items() if pk not in seen_e or at >= since}
        gone_children, gone_enquiries = seen_c - set(child_rows), seen_e - set(enq_rows)
        only_new = linkage.Incremental(
            enquiry_ids=frozenset(enquiry_key(pk) for pk in new_enquiries),
            record_ids=frozenset(child_key(pk) for pk in new_children),
        )

    # Decided pairs among these records: never proposed again, never overwritten.
    decided = set(
        CandidatePair.objects.filter(
            status__in=DECIDED_STATUSES,
            enquiry_id__in=enquiries_in_scope(user).values("pk"),
            child_id__in=children_in_scope(user).values("pk"),
        ).values_list("enquiry_id", "child_id")
    )
    exclude = {(enquiry_key(e), child_key(c)) for e, c in decided}

    candidates: list[Any] = []
    if enq_rows and child_rows and (only_new is None or new_children or new_enquiries):
        progress("linking", None, None)
        candidates = linkage.link_features(
            left, right, _records_lookup(_enquiries_by_pk, enquiry_record),
            _records_lookup(_children_by_pk, convert_child),
            model=load_model(model_version), threshold=run.threshold, top_k=run.top_k,
            exclude_pairs=exclude, only_new=only_new, backend=_backend(backend),
            progress=lambda m: progress(m, None, None),
        )  # fmt: skip
    progress("saving candidates", 0, len(candidates))
    _save_candidates(
        acting, run, candidates, mode=mode, model_version=model_version, notes=notes,
        child_rows=child_rows, enq_rows=enq_rows, new_children=new_children,
        new_enquiries=new_enquiries, excluded=len(exclude),
        touched=(new_enquiries | gone_enquiries, new_children | gone_children),
    )  # fmt: skip
    progress("saving candidates", len(candidates), len(candidates))


def _save_candidates(
    acting: Acting,
    run: MatchRun,
    candidates: list[Any],
    *,
    mode: str,
    model_version: LinkModelVersion,
    notes: list[str],
    child_rows: dict[int, Any],
    enq_rows: dict[int, Any],
    new_children: set[int],
    new_enquiries: set[int],
    excluded: int,
    touched: tuple[set[int], set[int]] | None = None,
) -> None:
    user = acting.user
    found: dict[tuple[int, int], Any] = {}
    for cand in candidates:
        found[(pk_of(cand.enquiry_id), pk_of(cand.record_id))] = cand
    created = refreshed = kept = withdrawn = 0
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().get(pk=run.pk)
        if run.status != MatchRun.Status.RUNNING:
            raise RunRefused(f"run {run.pk} is no longer running ({run.status})")
        # Pairs of this organisation's view: both records visible to it.
        # An incremental run can only change pairs of new, changed or departed records
        # (or pairs it found): the rest of the queue is not even read.
        pairs = visible_pairs(user)
        if mode == MatchRun.Mode.INCREMENTAL and touched is not None:
            enquiries, children = touched
            enquiries = enquiries | {k[0] for k in found}
            children = children | {k[1] for k in found}
            pairs = pairs.filter(
                Q(enquiry_id__in=sorted(enquiries)) | Q(child_id__in=sorted(children))
            )
        existing = {(p.enquiry_id, p.child_id): p
                    for p in pairs.select_for_update().order_by("pk").iterator(chunk_size=2000)}
        new_rows: list[CandidatePair] = []
        changed: list[CandidatePair] = []
        for key, cand in found.items():
            pair = existing.get(key)
            expl = explanation_json(cand)
            if pair is None:
                new_rows.append(
                    CandidatePair(
                        enquiry_id=key[0], child_id=key[1], run=run, first_run=run,
                        probability=cand.probability, match_weight=cand.match_weight,
                        rank=cand.rank, explanation=expl, flags=list(cand.flags),
                        related_children=_related_children(cand),
                    )
                )  # fmt: skip
            elif pair.status in (PairStatus.PENDING, PairStatus.WITHDRAWN):
                pair.status = PairStatus.PENDING
                pair.probability, pair.match_weight = cand.probability, cand.match_weight
                pair.rank, pair.explanation, pair.run = cand.rank, expl, run
                pair.flags, pair.related_children = list(cand.flags), _related_children(cand)
                changed.append(pair)
                refreshed += 1
            else:
                kept += 1  # unsure, confirmed or rejected: a person's decision stands
        # Pending pairs this run no longer proposes: records lost consent, or re-compared.
        for key, pair in existing.items():
            if pair.status != PairStatus.PENDING or key in found:
                continue
            enquiry_pk, child_pk = key
            in_scope = enquiry_pk in enq_rows and child_pk in child_rows
            recompared = mode == MatchRun.Mode.FULL or (
                enquiry_pk in new_enquiries or child_pk in new_children
            )
            if not in_scope or recompared:
                pair.status = PairStatus.WITHDRAWN
                pair.run = run
                changed.append(pair)
                withdrawn += 1
        try:
            CandidatePair.objects.bulk_create(new_rows, batch_size=500)
        except IntegrityError as exc:  # another organisation's run inserted the same pair
            raise RunRefused(
                "another run wrote some of the same pairs at the same time; run again"
            ) from exc
        created = len(new_rows)
        now = timezone.now()
        for pair in changed:
            pair.updated_at = now
        CandidatePair.objects.bulk_update(
            changed,
            ["status", "probability", "match_weight", "rank", "explanation", "run", "updated_at",
             "flags", "related_children"],
            batch_size=500,
        )
        run.mode = mode
        run.model = model_version
        run.status = MatchRun.Status.SUCCEEDED
        run.finished_at = now
        run.children_considered = len(child_rows)
        run.enquiries_considered = len(enq_rows)
        run.new_children = len(new_children)
        run.new_enquiries = len(new_enquiries)
        run.excluded_pairs = excluded
        run.candidates_found = len(candidates)
        run.pairs_created, run.pairs_refreshed = created, refreshed
        run.pairs_kept_decided, run.pairs_withdrawn = kept, withdrawn
        run.notes = notes[:200]
        run.seen_children = sorted(child_rows)
        run.seen_enquiries = sorted(enq_rows)
        run.save()
        log_event(
            acting.audit_actor, "update", "match_run", run.pk,
            {
                "status": [MatchRun.Status.RUNNING, run.status],
                "mode": [run.requested_mode, mode],
                "model_version": [None, model_version.version],
                "children": run.children_considered, "enquiries": run.enquiries_considered,
                "new_children": run.new_children, "new_enquiries": run.new_enquiries,
                "created": created, "refreshed": refreshed, "withdrawn": withdrawn,
                "kept_decided": kept,
            },
        )  # fmt: skip


def _related_children(candidate: Any) -> list[int]:
    """Children the engine names beside a candidate (e.g. the child's twin)."""
    return [pk_of(key) for key in getattr(candidate, "related", ()) if key.startswith("C")]


# Decisions ----------------------------------------------------------------------------------


def get_pair_or_404(user: Any, pk: Any) -> CandidatePair:
    """A pair the user may review: 404 when missing or either record is invisible."""
    from django.http import Http404

    if not policy.has_permission(user, "match.review"):
        raise PermissionDenied("Your role does not allow this.")
    try:
        return visible_pairs(user).select_related(
            "enquiry__enquirer", "enquiry__owner", "child__owner", "run", "case",
        ).get(pk=pk)  # fmt: skip
    except (CandidatePair.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such candidate pair.") from exc


@transaction.atomic
def decide(acting: Acting, pair: CandidatePair, decision: str, note: str = "") -> CandidatePair:
    """Record a verifier's decision on a candidate pair.

    *same* links the request and the child on a case and moves it to *match proposed*
    (``cases.actions.record_confirmed_match``), or on to *verification* when the case
    already proposed this very match; *not_same* rejects the pair for good;
    *unsure* sends it to a second verifier: whoever said unsure cannot decide it finally.
    """
    user = acting.user
    policy.require(user, "match.decide")
    pair = (
        CandidatePair.objects.select_for_update().select_related("enquiry", "child").get(pk=pair.pk)
    )
    if not (policy.is_visible(user, pair.enquiry) and policy.is_visible(user, pair.child)):
        raise PermissionDenied("Record not visible.")
    if decision not in Decision.values:
        raise ValidationError({"decision": f"Unknown decision {decision!r}."})
    note = (note or "").strip()
    if pair.status not in (PairStatus.PENDING, PairStatus.UNSURE):
        raise ValidationError(
            f"This pair was already decided ({pair.get_status_display().lower()})."
            if pair.status in DECIDED_STATUSES
            else "This pair is no longer proposed; run matching again to refresh it."
        )
    if not (pair.enquiry.consent_for_tracing and pair.child.consent_for_tracing):
        raise ValidationError("Consent for tracing was withdrawn for one of the two records.")
    if pair.decisions.filter(decision=Decision.UNSURE, reviewer=user).exists():
        raise ValidationError(
            "You marked this pair as unsure; a different verifier must decide it."
        )
    if decision == Decision.UNSURE and not note:
        raise ValidationError({"note": "Say what makes you unsure, for the second reviewer."})
    before = pair.status
    changes: dict[str, Any] = {
        "decision": decision,
        "enquiry": pair.enquiry_id,
        "child": pair.child_id,
        "probability": pair.probability,
    }
    if decision == Decision.SAME:
        case_note = note or f"confirmed candidate pair {pair.pk} (p={pair.probability:.3f})"
        was_proposed = Case.objects.filter(
            enquiry=pair.enquiry, child=pair.child, state=CaseState.MATCH_PROPOSED
        ).exists()
        case = case_actions.record_confirmed_match(
            acting, pair.enquiry, pair.child, note=case_note
        )
        if was_proposed and case.state == CaseState.MATCH_PROPOSED:
            # The match was already proposed on the case (e.g. by a caseworker): the
            # verifier's confirmation advances it to verification, where guards allow.
            try:
                with transaction.atomic():
                    case = case_actions.transition_case(
                        acting, case, CaseState.VERIFICATION, note=case_note
                    )
            except (ValidationError, PermissionDenied) as exc:
                changes["case_not_advanced"] = " ".join(getattr(exc, "messages", [str(exc)]))
        pair.status = PairStatus.CONFIRMED
        pair.case = case
        changes["case"] = case.reference
    elif decision == Decision.NOT_SAME:
        pair.status = PairStatus.REJECTED
    else:
        pair.status = PairStatus.UNSURE
    if pair.status in DECIDED_STATUSES:
        pair.decided_at = timezone.now()
        pair.decided_by = user
    pair.save(update_fields=["status", "case", "decided_at", "decided_by", "updated_at"])
    MatchDecision.objects.create(
        pair=pair, reviewer=user, organization=acting.organization, decision=decision,
        note=note, probability=pair.probability,
    )  # fmt: skip
    changes["status"] = [before, pair.status]
    if note:
        changes["note"] = note
    log_event(acting.audit_actor, "update", "candidate_pair", pair.pk, changes)
    return pair
