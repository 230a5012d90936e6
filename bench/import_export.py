"""Benchmark `reunite import` / `reunite export` on a synthetic children list.

Run:  .venv/bin/python bench/import_export.py --rows 200000 --database sqlite
      .venv/bin/python bench/import_export.py --rows 200000 --database postgres
      .venv/bin/python bench/import_export.py --rows 100000 --database sqlite --availability

Each phase runs in its own process (peak memory is that process's maximum RSS; CPU is
that process's user + system time) against one fresh database: a SQLite file in a
temporary directory, or a temporary database on the PostgreSQL server at
``--postgres-url`` (dropped afterwards). Debug is off, as in production. Phases, in order:

- baseline read:    `reunite.interchange.read_file` alone (parse + validate the file)
- check:            `import_file(check_only=True)`: read + every check against the registry
- import:           `import_file`: everything, through the audited actions, one transaction
- baseline bulk:    the same rows written with `bulk_create` (no policy, no audit, no
                    search keys): the floor that the audited import is compared with
- export csv/xlsx:  `export_file` of every child
- quality:          the exported CSV read back equals the source file (after the one
                    normalisation, empty legal_status -> unknown); audit chain intact, one
                    `create` event per imported child

``--availability`` instead measures issue 14's target: the import runs while a reader
process asks for the child list and child pages (as a logged-in caseworker, through the
web views, each read audited) without pause; the table gives the reads' latency
(p50/p95/max) and errors during the import, and the import's own rate.

Synthetic people only.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

SURNAMES = ["Ковальчук", "Шевчук", "Мельник", "Бондаренко", "Ткаченко", "Кравченко",
            "Олійник", "Лисенко", "Kovalchuk", "Shevchenko", "Мороз", "Савчук"]  # fmt: skip
GIVEN = ["Олександр", "Марія", "Іван", "Анна", "Богдан", "Ірина", "Дмитро", "Софія",
         "Oleksandr", "Mariia", "Ярослав", "Вікторія"]  # fmt: skip
STATUSES = ["orphan", "parents_known", "under_guardianship", "", "unknown"]


def make_file(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    header = ["record_id", "surname", "given_name", "patronymic", "other_names", "sex",
              "birth_date", "birth_place", "separation_date", "mother_name",
              "institution", "current_region", "legal_status", "notes"]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for i in range(rows):
            year = rng.randint(2006, 2021)
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            birth = rng.choice([f"{year}", f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}"])
            out.writerow([
                f"B-{i:07d}", rng.choice(SURNAMES), rng.choice(GIVEN),
                rng.choice(["", "Петрович", "Іванівна"]),
                "Саша; Sasha" if i % 5 == 0 else "", rng.choice("FM"), birth,
                rng.choice(["Маріуполь", "Херсон", ""]), f"2022-{rng.randint(3, 9):02d}",
                f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}", "Дитячий будинок №3",
                rng.choice(["Ростовська обл.", "Крим", ""]), rng.choice(STATUSES),
                "=HYPERLINK(\"http://example.org\")" if i % 97 == 0 else "",
            ])  # fmt: skip


def _django() -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reunite.config.settings")
    import django

    django.setup()
    from reunite.cli.django_setup import acting_as

    return acting_as("bench")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _phase(name: str, file: str, out_dir: str, queue: Any) -> None:
    start = time.perf_counter()
    cpu_start = _cpu()
    detail = ""
    if name == "baseline read":
        from reunite.interchange import read_file

        detail = (
            f"{len(read_file(file, 'children', max_rows=10**7, max_bytes=10**10).records)} rows"
        )
    elif name == "check":
        acting = _django()
        from reunite.registry.importing import import_file

        start, cpu_start = time.perf_counter(), _cpu()
        report = import_file(acting, file, "children", check_only=True, max_rows=10**7,
                             max_bytes=10**10)  # fmt: skip
        detail = f"{report.created} would be created"
    elif name == "import":
        acting = _django()
        from reunite.registry.importing import import_file

        start, cpu_start = time.perf_counter(), _cpu()
        report = import_file(acting, file, "children", max_rows=10**7, max_bytes=10**10)
        detail = f"{report.created} created"
    elif name == "baseline bulk":
        acting = _django()
        from django.db import transaction

        from reunite.interchange import read_file
        from reunite.registry.importing import child_fields, child_names
        from reunite.registry.models import Child, ChildName

        start, cpu_start = time.perf_counter(), _cpu()
        records = read_file(file, "children", max_rows=10**7, max_bytes=10**10).records
        import datetime as dt

        today = dt.date.today()
        with transaction.atomic():
            children = Child.objects.bulk_create(
                [
                    Child(
                        owner=acting.organization,
                        **{**child_fields(r, today), "record_id": "bulk-" + r.record_id},
                    )
                    for r in records
                ],
                batch_size=2000,
            )
            ChildName.objects.bulk_create(
                [
                    ChildName(child=c, **n)
                    for c, r in zip(children, records, strict=True)
                    for n in child_names(r)
                ],
                batch_size=2000,
            )
            transaction.set_rollback(True)  # keep the database to the audited import's rows
        detail = f"{len(children)} rows (rolled back)"
    elif name.startswith("export"):
        acting = _django()
        from reunite.registry.exporting import export_file

        start, cpu_start = time.perf_counter(), _cpu()
        suffix = name.split()[-1]
        report = export_file(acting, "children", Path(out_dir) / f"out.{suffix}", overwrite=True)
        detail = f"{report.rows} rows"
    elif name == "quality":
        acting = _django()
        from reunite.audit.log import verify_chain
        from reunite.audit.models import AuditEvent
        from reunite.interchange import read_file

        start, cpu_start = time.perf_counter(), _cpu()
        source = read_file(file, "children", max_rows=10**7, max_bytes=10**10).records
        exported = read_file(Path(out_dir) / "out.csv", "children", max_rows=10**7,
                             max_bytes=10**10).records  # fmt: skip
        for record in source:
            record.legal_status = record.legal_status or "unknown"
        same = sum(a == b for a, b in zip(source, exported, strict=True))
        events, problem = verify_chain()
        creates = AuditEvent.objects.filter(action="create", object_type="child").count()
        detail = (f"round trip {same}/{len(source)} rows equal; audit chain "
                  f"{'intact' if problem is None else 'BROKEN'} ({events} events, "
                  f"{creates} child create events)")  # fmt: skip
    elapsed = time.perf_counter() - start
    cpu = _cpu() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((name, elapsed, cpu, peak_mb, detail))


BASELINE_READS = 40


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _importer(file: str, ready: Any, done: Any, queue: Any) -> None:
    acting = _django()
    from reunite.audit.log import verify_chain
    from reunite.registry.importing import import_file

    ready.wait(600)
    start, cpu_start = time.perf_counter(), _cpu()
    report = import_file(acting, file, "children", max_rows=10**7, max_bytes=10**10)
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu_start
    done.set()
    events, problem = verify_chain()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(("import", elapsed, cpu, peak_mb, report.created, events, problem is None))


def _reader(ready: Any, done: Any, queue: Any) -> None:
    _django()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from reunite.registry.models import Child

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    pks = list(Child.objects.values_list("pk", flat=True)[:50])
    latencies: list[float] = []
    errors: list[str] = []
    for url in ("/children/", f"/children/{pks[0]}/"):  # warm up: the first request imports
        client.get(url)  # the views' modules (the linkage engine among them): seconds
    baseline: list[float] = []
    for n in range(BASELINE_READS):  # the same reads with no import running
        url = "/children/" if n % 2 == 0 else f"/children/{pks[n % len(pks)]}/"
        started = time.perf_counter()
        client.get(url)
        baseline.append(time.perf_counter() - started)
    ready.set()
    n = 0
    while not done.is_set():
        url = "/children/" if n % 2 == 0 else f"/children/{pks[n % len(pks)]}/"
        n += 1
        started = time.perf_counter()
        try:
            status = client.get(url).status_code
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        else:
            if status != 200:
                errors.append(f"HTTP {status}")
        latencies.append(time.perf_counter() - started)
    queue.put(("reads", latencies, errors, baseline))


def _availability(file: str, rows: int) -> list[str]:
    """Import ``file`` while a reader process reads without pause; the figures as lines."""
    _seed_children(50)
    ctx = mp.get_context("spawn")
    ready, done, queue = ctx.Event(), ctx.Event(), ctx.Queue()
    importer = ctx.Process(target=_importer, args=(file, ready, done, queue))
    reader = ctx.Process(target=_reader, args=(ready, done, queue))
    importer.start()
    reader.start()
    results = {}
    for _ in range(2):
        item = queue.get()
        results[item[0]] = item[1:]
    importer.join()
    reader.join()
    elapsed, cpu, peak, created, events, intact = results["import"]
    latencies, errors, baseline = results["reads"]
    ms = [x * 1000 for x in latencies]
    base = [x * 1000 for x in baseline]
    return [
        "| import (readers running) | reads | p50 (ms) | p95 (ms) | max (ms) | errors |",
        "|---|---:|---:|---:|---:|---:|",
        f"| baseline: the same reads, no import running | {len(base)} | "
        f"{statistics.median(base):.0f} | {_percentile(base, 0.95):.0f} | {max(base):.0f} | 0 |",
        f"| {created:,} rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s wall, "
        f"{rows / max(cpu, 1e-9):,.0f} rows per CPU-second, peak {peak:.0f} MB); audit chain "
        f"{'intact' if intact else 'BROKEN'} ({events:,} events) | {len(ms):,} | "
        f"{statistics.median(ms):.0f} | {_percentile(ms, 0.95):.0f} | {max(ms):.0f} | "
        f"{len(errors)} |",
        *(f"error: {e}" for e in sorted(set(errors))[:5]),
    ]


def _seed_children(count: int) -> None:
    """A few children to read before the list arrives (through the audited action)."""
    from reunite.cli.django_setup import acting_as
    from reunite.registry import actions

    acting = acting_as("bench")
    for i in range(count):
        actions.create_child(acting, {"record_id": f"SEED-{i}"}, [{"surname": f"Читач{i}"}])


def _postgres(url: str) -> tuple[str, Any]:
    import psycopg

    name = f"reunite_bench_{uuid.uuid4().hex[:8]}"
    server = url.rstrip("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{server}/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--availability", action="store_true",
                        help="measure reads during the import instead of the phases")
    parser.add_argument("--no-xlsx", action="store_true", help="skip the XLSX export")
    args = parser.parse_args()

    drop = None
    with tempfile.TemporaryDirectory(prefix="reunite-bench-") as tmp:
        os.environ["REUNITE_VAR_DIR"] = tmp
        os.environ.pop("REUNITE_DEBUG", None)
        os.environ.setdefault("REUNITE_SECRET_KEY", "bench-" + uuid.uuid4().hex * 2)
        if args.database == "postgres":
            url, drop = _postgres(args.postgres_url)
            os.environ["DATABASE_URL"] = url
        else:
            os.environ.pop("DATABASE_URL", None)
        try:
            lines = _run(args, Path(tmp))
        finally:
            if drop is not None:
                from django.db import connections

                connections.close_all()
                drop()
    print("\n".join(lines))


def _run(args: argparse.Namespace, tmp: Path) -> list[str]:
    file = tmp / "children.csv"
    make_file(file, args.rows)
    size_mb = file.stat().st_size / 1e6

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reunite.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from reunite.accounts.models import Membership, Organization

    call_command("migrate", interactive=False, verbosity=0)
    org = Organization.objects.create(short_name="BENCH", name="Bench bureau",
                                      kind="information_bureau", country="UA")  # fmt: skip
    user = get_user_model().objects.create_user(username="bench", password=None)
    Membership.objects.create(user=user, organization=org, role="caseworker")
    from django.db import connections

    load = os.getloadavg()[0]
    head = (f"\nimport/export benchmark: {args.rows:,} children, {size_mb:.1f} MB CSV, "
            f"{args.database}, {os.cpu_count()} cores, load average {load:.1f} at the start\n")
    if args.availability:
        lines = _availability(str(file), args.rows)
        connections.close_all()
        return [head, *lines, f"\nload average at the end: {os.getloadavg()[0]:.1f}"]
    connections.close_all()

    phases = ["baseline read", "check", "import", "baseline bulk", "export csv",
              *([] if args.no_xlsx else ["export xlsx"]), "quality"]  # fmt: skip
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    rows = []
    for name in phases:
        proc = ctx.Process(target=_phase, args=(name, str(file), str(tmp), queue))
        proc.start()
        proc.join()
        if proc.exitcode != 0:
            sys.exit(f"phase {name!r} failed (exit {proc.exitcode})")
        rows.append(queue.get())
    lines = [
        head,
        "| phase | time (s) | CPU (s) | rows/s | rows per CPU-s | peak RSS (MB) | result |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, elapsed, cpu, peak, detail in rows:
        rate = f"{args.rows / elapsed:,.0f}" if name != "quality" else ""
        per_cpu = f"{args.rows / max(cpu, 1e-9):,.0f}" if name != "quality" else ""
        lines.append(f"| {name} | {elapsed:.2f} | {cpu:.2f} | {rate} | {per_cpu} | {peak:.0f} "
                     f"| {detail} |")  # fmt: skip
    lines.append(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    return lines


if __name__ == "__main__":
    main()
