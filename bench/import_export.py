"""Benchmark `reunite import` / `reunite export` on a synthetic children list.

Run:  .venv/bin/python bench/import_export.py --rows 2000

Each phase runs in its own process (peak memory is that process's maximum RSS) against one
fresh SQLite database in a temporary directory. Phases, in order:

- baseline read:    `reunite.interchange.read_file` alone (parse + validate the file)
- check:            `import_file(check_only=True)`: read + every check against the registry
- import:           `import_file`: everything, through the audited actions, one transaction
- baseline bulk:    the same rows written with `bulk_create` (no policy, no audit, no
                    search keys): the floor that the audited import is compared with
- export csv/xlsx:  `export_file` of every child
- quality:          the exported CSV read back equals the source file (after the one
                    normalisation, empty legal_status -> unknown); audit chain intact

Synthetic people only.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import time
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


def _phase(name: str, file: str, out_dir: str, queue: Any) -> None:
    start = time.perf_counter()
    detail = ""
    if name == "baseline read":
        from reunite.interchange import read_file

        detail = (
            f"{len(read_file(file, 'children', max_rows=10**7, max_bytes=10**10).records)} rows"
        )
    elif name == "check":
        acting = _django()
        from reunite.registry.importing import import_file

        start = time.perf_counter()
        report = import_file(acting, file, "children", check_only=True, max_rows=10**7,
                             max_bytes=10**10)  # fmt: skip
        detail = f"{report.created} would be created"
    elif name == "import":
        acting = _django()
        from reunite.registry.importing import import_file

        start = time.perf_counter()
        report = import_file(acting, file, "children", max_rows=10**7, max_bytes=10**10)
        detail = f"{report.created} created"
    elif name == "baseline bulk":
        acting = _django()
        from django.db import transaction

        from reunite.interchange import read_file
        from reunite.registry.importing import child_fields, child_names
        from reunite.registry.models import Child, ChildName

        start = time.perf_counter()
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

        start = time.perf_counter()
        suffix = name.split()[-1]
        report = export_file(acting, "children", Path(out_dir) / f"out.{suffix}", overwrite=True)
        detail = f"{report.rows} rows"
    elif name == "quality":
        acting = _django()
        from reunite.audit.log import verify_chain
        from reunite.interchange import read_file

        start = time.perf_counter()
        source = read_file(file, "children", max_rows=10**7, max_bytes=10**10).records
        exported = read_file(Path(out_dir) / "out.csv", "children", max_rows=10**7,
                             max_bytes=10**10).records  # fmt: skip
        for record in source:
            record.legal_status = record.legal_status or "unknown"
        same = sum(a == b for a, b in zip(source, exported, strict=True))
        events, problem = verify_chain()
        detail = (f"round trip {same}/{len(source)} rows equal; audit chain "
                  f"{'intact' if problem is None else 'BROKEN'} ({events} events)")  # fmt: skip
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((name, elapsed, peak_mb, detail))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="reunite-bench-") as tmp:
        os.environ["REUNITE_VAR_DIR"] = tmp
        os.environ["REUNITE_DEBUG"] = "1"
        os.environ.pop("DATABASE_URL", None)
        file = Path(tmp) / "children.csv"
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

        connections.close_all()

        phases = ["baseline read", "check", "import", "baseline bulk", "export csv",
                  "export xlsx", "quality"]  # fmt: skip
        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        rows = []
        for name in phases:
            proc = ctx.Process(target=_phase, args=(name, str(file), tmp, queue))
            proc.start()
            proc.join()
            if proc.exitcode != 0:
                sys.exit(f"phase {name!r} failed (exit {proc.exitcode})")
            rows.append(queue.get())

    print(f"\nimport/export benchmark: {args.rows:,} children, {size_mb:.1f} MB CSV, SQLite, "
          f"{os.cpu_count()} cores\n")  # fmt: skip
    print("| phase | time (s) | rows/s | peak RSS (MB) | result |")
    print("|---|---:|---:|---:|---|")
    for name, elapsed, peak, detail in rows:
        rate = f"{args.rows / elapsed:,.0f}" if name != "quality" else ""
        print(f"| {name} | {elapsed:.2f} | {rate} | {peak:.0f} | {detail} |")


if __name__ == "__main__":
    main()
