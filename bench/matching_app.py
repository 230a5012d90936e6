"""Benchmark of the matching app: a full run, an incremental run, and the bare engine.

Loads a synthetic registry (``reunite.synth``) into a fresh SQLite database through the
registry actions (children of one party shared with the other, requests of the other),
then times, on the same data:

- ``engine link()``   the bare ``reunite.linkage.link`` on the same lists (baseline: the
                      app's overhead is everything above it);
- ``app full run``    ``run_matching(full=True)``: load, convert, link, write the queue;
- ``app incremental`` after adding ``--new`` requests and children: only those compared;
- ``app full re-run`` everything again with the queue already full (baseline for the
                      incremental run).

Quality is measured against the synthetic truth: recall of true pairs in the queue and
precision of the queue's pairs. Usage::

    .venv/bin/python bench/matching_app.py --children 2000 --enquiries 500 --new 20
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _setup(db: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("REUNITE_DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "reunite.config.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _measure(fn: Callable[[], Any]) -> tuple[Any, float, float, float]:
    """Result, wall seconds, CPU seconds (all threads) and peak resident memory (MiB,
    sampled every 20 ms; DuckDB included). Not tracemalloc: it slows Python down several times."""
    import threading

    peak = _rss()
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.02):
            peak = max(peak, _rss())

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        result = fn()
    finally:
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        stop.set()
        thread.join()
    return result, seconds, cpu, max(peak, _rss()) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--enquiries", type=int, default=500)
    parser.add_argument("--new", type=int, default=20, help="new requests and children")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--bulk", action="store_true",
        help="load the base registry with bulk_create (no audit, no search keys: only to "
             "reach 100,000 children in minutes); the new records still go through the "
             "audited actions",
    )
    parser.add_argument("--profile", action="store_true",
                        help="print where the incremental run spends its time (cProfile)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the bare-engine and full re-run baselines")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="reunite-bench-"))
    _setup(tmp / "bench.sqlite3")

    from django.contrib.auth import get_user_model

    from reunite.accounts.models import Membership, Organization
    from reunite.core.acting import Acting
    from reunite.linkage import ModelError, default_model, link, train
    from reunite.matching import actions as m
    from reunite.matching.models import CandidatePair
    from reunite.matching.records import child_key, enquiry_key
    from reunite.registry import actions
    from reunite.registry.importing import (
        child_fields,
        child_names,
        enquirer_fields,
        enquiry_fields,
        parse_relationship,
    )
    from reunite.synth import generate

    ua = Organization.objects.create(short_name="UA", name="UA", kind="information_bureau",
                                     country="UA")  # fmt: skip
    ru = Organization.objects.create(short_name="RU", name="RU", kind="ombudsman", country="RU")
    users = {}
    for org, role in ((ua, "caseworker"), (ua, "verifier"), (ru, "caseworker")):
        user = get_user_model().objects.create_user(f"{org.short_name}-{role}", password="x")
        Membership.objects.create(user=user, organization=org, role=role)
        users[(org.short_name, role)] = Acting(user, "bench")

    total_children, total_enquiries = args.children + args.new, args.enquiries + args.new
    population = generate(records=total_children, enquiries=total_enquiries,
                          difficulty="realistic", seed=args.seed)  # fmt: skip
    new_children = {r.record_id for r in population.records[-args.new :]} if args.new else set()
    new_enquiries = {e.record_id for e in population.enquiries[-args.new :]} if args.new else set()
    today = dt.date.today()
    to_db: dict[str, int] = {}

    def load(records: list[Any], enquiries: list[Any]) -> None:
        for r in records:
            fields = child_fields(r, today)
            fields["consent_for_tracing"] = True
            child = actions.create_child(users[("RU", "caseworker")], fields, child_names(r))
            actions.share_record(users[("RU", "caseworker")], child, ua)
            to_db[r.record_id] = child.pk
        for e in enquiries:
            fields = enquiry_fields(e, parse_relationship(e.enquirer_relationship))
            fields["consent_for_tracing"] = True
            enquiry = actions.create_enquiry(users[("UA", "caseworker")], fields,
                                             enquirer_fields(e))  # fmt: skip
            to_db[e.record_id] = enquiry.pk

    def bulk_load(records: list[Any], enquiries: list[Any]) -> None:
        from reunite.registry.models import ChildName, Person

        owner, viewer = ru, ua
        by_id: dict[str, Any] = {}
        for start in range(0, len(records), 5000):
            batch = records[start : start + 5000]
            children = []
            for r in batch:
                fields = child_fields(r, today)
                fields["consent_for_tracing"] = True
                children.append(Child(owner=owner, **fields))
            Child.objects.bulk_create(children, batch_size=1000)
            names = []
            for r, child in zip(batch, children, strict=True):
                by_id[r.record_id] = child
                to_db[r.record_id] = child.pk
                for n in child_names(r):
                    names.append(ChildName(child=child, **n))
            ChildName.objects.bulk_create(names, batch_size=2000)
            through = Child.shared_with.through
            through.objects.bulk_create(
                [through(child_id=c.pk, organization_id=viewer.pk) for c in children],
                batch_size=2000,
            )  # fmt: skip
        for start in range(0, len(enquiries), 5000):
            batch = enquiries[start : start + 5000]
            people = [Person(owner=ua, **enquirer_fields(e)) for e in batch]
            Person.objects.bulk_create(people, batch_size=1000)
            rows = []
            for e, person in zip(batch, people, strict=True):
                fields = enquiry_fields(e, parse_relationship(e.enquirer_relationship))
                fields["consent_for_tracing"] = True
                rows.append(Enquiry(owner=ua, enquirer=person, **fields))
            Enquiry.objects.bulk_create(rows, batch_size=1000)
            for e, row in zip(batch, rows, strict=True):
                to_db[e.record_id] = row.pk

    from reunite.registry.models import Child, Enquiry

    started = time.perf_counter()
    (bulk_load if args.bulk else load)(
        [r for r in population.records if r.record_id not in new_children],
        [e for e in population.enquiries if e.record_id not in new_enquiries],
    )  # fmt: skip
    print(f"loaded {len(to_db)} records ({'bulk_create' if args.bulk else 'audited actions'}) in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)  # fmt: skip

    try:
        model = default_model()
        model_source = "bundled"
    except ModelError:
        model = train(population.enquiries, population.records, seed=1)
        model_source = "trained on this population"
    m.install_model(users[("UA", "caseworker")], model, note="bench")

    def quality() -> tuple[float, float, int]:
        truth = {
            (enquiry_key(to_db[e]), child_key(to_db[r]))
            for e, r in population.truth
            if e in to_db and r in to_db
        }
        queue = {
            (enquiry_key(e), child_key(c))
            for e, c in CandidatePair.objects.values_list("enquiry_id", "child_id")
        }
        hits = len(truth & queue)
        return hits / max(len(truth), 1), hits / max(len(queue), 1), len(queue)

    rows = []
    # Baseline: the bare engine on the same lists (converted here, not timed).
    from reunite.matching.records import child_record, enquiry_record

    if not args.no_baseline:
        child_recs = [child_record(c, today) for c in Child.objects.prefetch_related("names")]
        enq_recs = [enquiry_record(e) for e in Enquiry.objects.select_related("enquirer")]
        pairs, secs, cpu, peak = _measure(lambda: link(enq_recs, child_recs, model=model))
        rows.append(("engine link() (baseline)", len(enq_recs), len(child_recs), secs, cpu, peak,
                     len(pairs), None, None))  # fmt: skip
        del child_recs, enq_recs, pairs

    run, secs, cpu, peak = _measure(lambda: m.run_matching(users[("UA", "caseworker")], full=True))
    assert run.status == "succeeded", run.error
    recall, precision, _ = quality()
    rows.append(("app full run (feature cache cold)", run.enquiries_considered,
                 run.children_considered, secs, cpu, peak, run.candidates_found, recall,
                 precision))  # fmt: skip

    if args.new:
        load([r for r in population.records if r.record_id in new_children],
             [e for e in population.enquiries if e.record_id in new_enquiries])  # fmt: skip
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    run, secs, cpu, peak = _measure(lambda: m.run_matching(users[("UA", "caseworker")]))
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    assert run.status == "succeeded", run.error
    recall, precision, _ = quality()
    name = f"app incremental (+{args.new}/+{args.new})"
    rows.append((name, run.new_enquiries, run.new_children, secs, cpu, peak, run.candidates_found,
                 recall, precision))  # fmt: skip

    if args.no_baseline:
        recall, precision, queue_size = quality()
    run, secs, cpu, peak = (None, 0.0, 0.0, 0.0) if args.no_baseline else _measure(
        lambda: m.run_matching(users[("UA", "caseworker")], full=True))
    if run is not None:
        assert run.status == "succeeded", run.error
        recall, precision, queue_size = quality()
        rows.append(("app full re-run (feature cache warm)", run.enquiries_considered,
                     run.children_considered, secs, cpu, peak, run.candidates_found, recall,
                     precision))  # fmt: skip

    print(f"\nmatching app benchmark: {args.children}+{args.new} children, "
          f"{args.enquiries}+{args.new} requests, realistic difficulty, seed {args.seed}, "
          f"model {model_source}; queue {queue_size} pairs")  # fmt: skip
    header = ("step", "requests", "children", "wall s", "CPU s", "peak RSS MiB",
              "candidates", "recall", "precision")  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, n_e, n_c, secs, cpu, peak, cands, rec, prec in rows:
        cells = [
            name,
            str(n_e),
            str(n_c),
            f"{secs:.2f}",
            f"{cpu:.2f}",
            f"{peak:.0f}",
            str(cands),
            "—" if rec is None else f"{rec:.3f}",
            "—" if prec is None else f"{prec:.3f}",
        ]
        print("| " + " | ".join(cells) + " |")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS {maxrss:.0f} MiB; {os.cpu_count()} cores; load average "
          f"{open('/proc/loadavg').read().split()[0]} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
