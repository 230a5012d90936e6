"""The audit inbox: events that could not be chained at once, chained at the next append.

Every read of child data writes an audit event, and appending to the hash chain needs the
chain's lock (PostgreSQL's advisory lock; on SQLite, the database's single write lock).
A long writer such as the import of a national list holds that lock for its whole
transaction. So that readers never wait for it, an event that cannot take the lock at
once is written here instead (a small SQLite file of its own, beside the database or in
``REUNITE_VAR_DIR``, durable when the read returns) and moved into the chain, in arrival
order, by the next append that holds the lock. The chain stays one chain: the inboxed
events are chained after the writer's events, each with its real time in ``at``.

Moving events is crash-safe without a transaction spanning both files: rows are first
*claimed* (the sequence number each will get is written into the inbox), then chained in
the database transaction, then deleted once it has committed. A claim whose event is not
in the chain (the transaction rolled back, or the process died) is simply claimed again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chain TEXT NOT NULL,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor_username TEXT NOT NULL,
    organization TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    changes TEXT NOT NULL,
    request_id TEXT NOT NULL,
    claimed_sequence INTEGER
)
"""
_local = threading.local()


@dataclass(frozen=True)
class Pending:
    """One inboxed event, as it will be chained."""

    id: int
    at: dt.datetime
    actor_id: int | None
    actor_username: str
    organization: str
    action: str
    object_type: str
    object_id: str
    changes: Any
    request_id: str
    claimed_sequence: int | None


def available() -> bool:
    """False for in-memory databases (tests): nothing there outlives the process."""
    name = str(connection.settings_dict.get("NAME") or "")
    return not (connection.vendor == "sqlite" and ("memory" in name or name == ""))


def path() -> Path:
    """The inbox file: beside a SQLite database, in ``REUNITE_VAR_DIR`` for PostgreSQL."""
    configured = getattr(settings, "REUNITE_AUDIT_INBOX", None)
    if configured:
        return Path(configured)
    if connection.vendor == "sqlite":
        return Path(str(connection.settings_dict["NAME"]) + ".audit-inbox")
    return Path(settings.VAR_DIR) / "audit-inbox.sqlite3"


def chain_key() -> str:
    """Which database's chain an inboxed event belongs to (never folded into another)."""
    data = connection.settings_dict
    if connection.vendor == "sqlite":
        ident = f"sqlite:{Path(str(data['NAME'])).resolve()}"
    else:
        ident = f"{connection.vendor}:{data.get('HOST')}:{data.get('PORT')}:{data.get('NAME')}"
    return hashlib.sha256(ident.encode()).hexdigest()[:32]


def _db() -> sqlite3.Connection:
    target = path()
    cached = getattr(_local, "conn", None)
    if cached is not None and getattr(_local, "path", None) == target:
        return cached
    target.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, timeout=30, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(_SCHEMA)
    try:
        os.chmod(target, 0o600)  # it holds who read which child: owner only
    except OSError:
        pass
    _local.conn, _local.path = conn, target
    return conn


def append(
    *,
    at: dt.datetime,
    actor_id: int | None,
    actor_username: str,
    organization: str,
    action: str,
    object_type: str,
    object_id: str,
    changes: Any,
    request_id: str,
) -> None:
    """Write one event to the inbox (committed and synced when this returns)."""
    _db().execute(
        "INSERT INTO inbox (chain, at, actor_id, actor_username, organization, action, "
        "object_type, object_id, changes, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            chain_key(), at.astimezone(dt.UTC).isoformat(), actor_id, actor_username,
            organization, action, object_type, object_id,
            json.dumps(changes, ensure_ascii=False, sort_keys=True), request_id,
        ),
    )  # fmt: skip


def has_pending() -> bool:
    """Cheap check used before every append: is anything waiting for this chain?"""
    if not available():
        return False
    target = path()
    if not target.exists():
        return False
    row = _db().execute("SELECT 1 FROM inbox WHERE chain = ? LIMIT 1", (chain_key(),)).fetchone()
    return row is not None


def pending() -> list[Pending]:
    """Every event waiting for this chain, in arrival order."""
    rows = _db().execute(
        "SELECT id, at, actor_id, actor_username, organization, action, object_type, "
        "object_id, changes, request_id, claimed_sequence FROM inbox WHERE chain = ? "
        "ORDER BY id",
        (chain_key(),),
    ).fetchall()
    return [
        Pending(r[0], dt.datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6], r[7],
                json.loads(r[8]), r[9], r[10])
        for r in rows
    ]  # fmt: skip


def claim(claims: list[tuple[int, int]]) -> None:
    """Record ``(inbox id, sequence)`` before the events are chained."""
    db = _db()
    db.execute("BEGIN IMMEDIATE")
    try:
        db.executemany("UPDATE inbox SET claimed_sequence = ? WHERE id = ?",
                       [(seq, ident) for ident, seq in claims])  # fmt: skip
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def remove(ids: list[int]) -> None:
    """Delete events that are in the chain now (after the chaining transaction committed)."""
    if not ids:
        return
    db = _db()
    db.execute("BEGIN IMMEDIATE")
    try:
        db.executemany("DELETE FROM inbox WHERE id = ?", [(i,) for i in ids])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
