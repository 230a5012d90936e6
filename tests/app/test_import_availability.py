"""Reads stay available while a big import writes (issue 14, "An import freezes the whole
application").

A real database (a SQLite file, or a database of its own on the PostgreSQL server when the
suite runs on PostgreSQL) and three processes: one sets it up, one imports a list and
stops in the middle of its transaction (after its first batch: children, names and audit
events written, nothing committed), one reads child lists and child pages meanwhile, as a
caseworker's browser would. Before the fix the reads failed ("database is locked" on
SQLite) or waited for the import's whole transaction (the audit chain's advisory lock on
PostgreSQL). Nothing here is timed: the reads must simply complete, without an error,
while the import is held open; afterwards the import has committed and the audit chain,
with the readers' events in it, verifies.
"""

from __future__ import annotations

import csv
import multiprocessing as mp
import os
import uuid
from pathlib import Path
from typing import Any

ROWS = 2_500  # three batches: the import is held open after the first
READS = 6
WAIT = 120  # seconds: only a guard against a hang, never a performance target


def _setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reunite.config.settings")
    import django

    django.setup()


def _prepare(env: dict[str, str], list_path: str) -> None:
    _setup_django(env)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from reunite.accounts.models import Membership, Organization
    from reunite.registry import actions
    from reunite.registry.actions import Acting

    call_command("migrate", interactive=False, verbosity=0)
    org = Organization.objects.create(short_name="AV", name="Availability bureau",
                                      kind="information_bureau", country="UA")  # fmt: skip
    user_model = get_user_model()
    for name in ("importer", "reader"):
        user = user_model.objects.create_user(username=name, password=None)
        Membership.objects.create(user=user, organization=org, role="caseworker")
    acting = Acting(user=user_model.objects.get(username="importer"), request_id="prepare")
    for i in range(3):
        actions.create_child(acting, {"record_id": f"OLD-{i}"}, [{"surname": f"Давній{i}"}])
    with open(list_path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["record_id", "surname", "given_name", "sex", "birth_date"])
        for i in range(ROWS):
            out.writerow([f"L-{i:05d}", "Ковальчук", "Олена", "F", "2014-05-06"])


def _import(env: dict[str, str], list_path: str, events: dict[str, Any], out: Any) -> None:
    try:
        _setup_django(env)
        from reunite.audit.log import verify_chain
        from reunite.audit.models import AuditEvent
        from reunite.cli.django_setup import acting_as
        from reunite.registry.importing import import_file

        released: list[bool] = []

        def progress(phase: str, done: int, total: int) -> None:
            if phase == "import" and not events["started"].is_set():
                events["started"].set()  # the first batch is written, not committed
                released.append(events["release"].wait(WAIT))

        if not events["ready"].wait(WAIT):
            raise RuntimeError("the reader never got ready")
        report = import_file(acting_as("importer"), list_path, "children", progress=progress)
        count, problem = verify_chain()
        reads = AuditEvent.objects.filter(actor_username="reader").count()
        out.put(("import", report.created, released, count, str(problem or ""), reads))
    except BaseException as exc:  # report, never hang the parent
        events["started"].set()
        out.put(("import-error", repr(exc)))


def _read(env: dict[str, str], events: dict[str, Any], out: Any) -> None:
    try:
        _setup_django(env)
        from django.contrib.auth import get_user_model
        from django.test import Client

        from reunite.registry.models import Child

        client = Client()
        client.force_login(get_user_model().objects.get(username="reader"))
        pk = Child.objects.order_by("pk").values_list("pk", flat=True).first()
        events["ready"].set()
        if not events["started"].wait(WAIT):
            raise RuntimeError("the import never started writing")
        statuses = []
        for _ in range(READS // 2):
            statuses.append(client.get("/children/").status_code)
            statuses.append(client.get(f"/children/{pk}/").status_code)
        out.put(("read", statuses))
    except BaseException as exc:
        out.put(("read-error", repr(exc)))
    finally:
        events["release"].set()


def _database(tmp_path: Path) -> tuple[dict[str, str], Any]:
    """A fresh database like the suite's (SQLite file, or PostgreSQL) and its clean-up."""
    # The reader logs in directly (no authenticator app): the second factor is off here.
    base = {"REUNITE_VAR_DIR": str(tmp_path / "var"), "REUNITE_DEBUG": "1",
            "REUNITE_TWO_FACTOR": "off"}
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return {**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'reunite.sqlite3'}"}, None
    import psycopg

    name = f"reunite_avail_{uuid.uuid4().hex[:10]}"
    server = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return {**base, "DATABASE_URL": f"{server}/{name}"}, drop


def test_reads_complete_while_an_import_holds_its_transaction(tmp_path: Path) -> None:
    env, drop = _database(tmp_path)
    list_path = str(tmp_path / "children.csv")
    ctx = mp.get_context("spawn")
    try:
        setup = ctx.Process(target=_prepare, args=(env, list_path))
        setup.start()
        setup.join(WAIT)
        assert setup.exitcode == 0
        events = {k: ctx.Event() for k in ("ready", "started", "release")}
        out = ctx.Queue()
        importer = ctx.Process(target=_import, args=(env, list_path, events, out))
        reader = ctx.Process(target=_read, args=(env, events, out))
        importer.start()
        reader.start()
        results = {}
        for _ in range(2):
            item = out.get(timeout=3 * WAIT)
            results[item[0]] = item[1:]
        importer.join(WAIT)
        reader.join(WAIT)
    finally:
        if drop is not None:
            drop()
    assert "read-error" not in results, results
    assert "import-error" not in results, results
    assert results["read"] == ([200] * READS,)
    created, released, events_count, problem, reads = results["import"]
    assert created == ROWS
    # The reads finished while the import was still held open (it was released by them).
    assert released == [True]
    assert problem == "" and events_count > ROWS
    assert reads >= READS  # every read is in the chain, none lost
