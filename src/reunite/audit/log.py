"""Write and verify audit events. ``log_event`` is the only way events are created."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from reunite import bulk_insert
from reunite.audit import inbox
from reunite.audit.models import AuditEvent

GENESIS_HASH = "0" * 64
ACTION_MAX_LENGTH: int = AuditEvent._meta.get_field("action").max_length  # type: ignore[assignment]
OBJECT_TYPE_MAX_LENGTH: int = AuditEvent._meta.get_field("object_type").max_length  # type: ignore[assignment]
# Any constant works: it only names the PostgreSQL advisory lock that serialises appends.
_APPEND_LOCK_KEY = 7_215_001
# How long a read waits for SQLite's write lock before its event goes to the inbox.
_SQLITE_TRY_MS = 100


@dataclass(frozen=True)
class Actor:
    """Who does something: a user (or None for the system), their organisation, a request id."""

    user_id: int | None
    username: str
    organization: str
    request_id: str

    @classmethod
    def system(cls, request_id: str = "system") -> Actor:
        return cls(user_id=None, username="system", organization="", request_id=request_id)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _jsonable(value: Any) -> Any:
    """``value`` as JSON data: dates as ISO text, tuples as lists, keys and other values as text.

    Through the C JSON encoder and back: the same result as walking the value in Python,
    several times faster for the large ``changes`` of an import.
    """
    return json.loads(json.dumps(value, ensure_ascii=False, default=_json_default))


def event_hash(
    *,
    sequence: int,
    at: str,
    actor_id: int | None,
    actor_username: str,
    organization: str,
    action: str,
    object_type: str,
    object_id: str,
    changes: Any,
    request_id: str,
    previous_hash: str,
) -> str:
    """Hash an event's content together with the previous event's hash."""
    payload = json.dumps(
        [
            sequence,
            at,
            actor_id,
            actor_username,
            organization,
            action,
            object_type,
            object_id,
            changes,
            request_id,
            previous_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _hash_of(event: AuditEvent) -> str:
    return event_hash(
        sequence=event.sequence,
        at=_timestamp(event.at),
        actor_id=event.actor_id_value,
        actor_username=event.actor_username,
        organization=event.organization,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        changes=event.changes,
        request_id=event.request_id,
        previous_hash=event.previous_hash,
    )


def _timestamp(value: dt.datetime) -> str:
    # Microsecond ISO format in UTC: both SQLite and PostgreSQL give it back unchanged.
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _ChainBusy(Exception):
    """Internal: another transaction holds the chain; the event goes to the inbox."""


def _lock_chain(*, wait: bool = True) -> None:
    """Serialise appends: PostgreSQL's advisory lock, held to the end of the transaction.

    SQLite needs nothing more: its writers are serialised by the database (and the
    settings open every transaction with BEGIN IMMEDIATE). ``wait=False`` raises
    :class:`_ChainBusy` instead of waiting.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if wait:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_APPEND_LOCK_KEY])
                return
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_APPEND_LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise _ChainBusy


def _head() -> tuple[int, str]:
    last = AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()
    return (last.sequence, last.hash) if last else (0, GENESIS_HASH)


def _new_event(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    changes: Mapping[str, Any] | None,
    sequence: int,
    previous_hash: str,
    at: dt.datetime,
) -> AuditEvent:
    event = AuditEvent(
        sequence=sequence,
        at=at,
        actor_id_value=actor.user_id,
        actor_username=actor.username,
        organization=actor.organization,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changes=_jsonable(dict(changes or {})),
        request_id=actor.request_id,
        previous_hash=previous_hash,
    )
    event.hash = _hash_of(event)
    return event


def _fold_inbox(sequence: int, previous_hash: str) -> tuple[int, str]:
    """Chain the events waiting in the inbox (the caller holds the chain lock).

    Returns the new head. See :mod:`reunite.audit.inbox` for why this is crash-safe.
    """
    if not inbox.has_pending():
        return sequence, previous_hash
    waiting = inbox.pending()
    already = []
    for item in waiting:
        if item.claimed_sequence is None or item.claimed_sequence > sequence:
            continue
        event = AuditEvent.objects.filter(sequence=item.claimed_sequence).first()
        if event is not None and (event.at, event.request_id, event.action, event.object_id) == (
            item.at, item.request_id, item.action, item.object_id
        ):
            already.append(item.id)  # chained by a transaction that committed
    inbox.remove(already)
    todo = [item for item in waiting if item.id not in set(already)]
    if not todo:
        return sequence, previous_hash
    inbox.claim([(item.id, sequence + n) for n, item in enumerate(todo, start=1)])
    rows = []
    for item in todo:
        sequence += 1
        digest = event_hash(
            sequence=sequence, at=_timestamp(item.at), actor_id=item.actor_id,
            actor_username=item.actor_username, organization=item.organization,
            action=item.action, object_type=item.object_type, object_id=item.object_id,
            changes=item.changes, request_id=item.request_id, previous_hash=previous_hash,
        )  # fmt: skip
        rows.append(
            {
                "id": None, "sequence": sequence, "at": item.at, "actor_id_value": item.actor_id,
                "actor_username": item.actor_username, "organization": item.organization,
                "action": item.action, "object_type": item.object_type,
                "object_id": item.object_id, "changes": item.changes,
                "request_id": item.request_id, "previous_hash": previous_hash, "hash": digest,
            }
        )  # fmt: skip
        previous_hash = digest
    bulk_insert.insert_values(AuditEvent, rows, with_pk=False)
    ids = [item.id for item in todo]
    transaction.on_commit(lambda: inbox.remove(ids))
    return sequence, previous_hash


def _append(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    changes: Mapping[str, Any] | None,
    at: dt.datetime,
    *,
    wait: bool,
) -> AuditEvent:
    with transaction.atomic():
        _lock_chain(wait=wait)
        sequence, previous_hash = _fold_inbox(*_head())
        event = _new_event(
            actor, action, object_type, object_id, changes, sequence + 1, previous_hash, at
        )
        event.save(force_insert=True)
        return event


@contextmanager
def _no_waiting_on_sqlite() -> Iterator[None]:
    """SQLite: give up on the write lock after a moment instead of the configured timeout."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    timeout_ms = int(float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_TRY_MS}")
    try:
        yield
    except OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise _ChainBusy from exc
        raise
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")


def _check_names(action: str, object_type: str) -> None:
    """Refuse what the columns cannot hold, on every database (SQLite would store it all)."""
    if len(action) > ACTION_MAX_LENGTH or len(object_type) > OBJECT_TYPE_MAX_LENGTH:
        raise ValueError(
            f"audit action {action!r} / object type {object_type!r} is longer than "
            f"{ACTION_MAX_LENGTH} / {OBJECT_TYPE_MAX_LENGTH} characters"
        )


def log_event(
    actor: Actor,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    Outside any transaction (a read: a list or a record shown) the event never waits for
    another transaction holding the chain, such as a long import: if the chain is busy,
    it is written to the audit inbox at once and chained by the next append (the
    returned event then has no sequence yet). Inside a transaction it waits, as the
    caller's writes and their audit events must commit together.
    """
    _check_names(action, object_type)
    at = timezone.now()
    if not connection.in_atomic_block and inbox.available():
        try:
            with _no_waiting_on_sqlite():
                return _append(actor, action, object_type, object_id, changes, at, wait=False)
        except _ChainBusy:
            data = _jsonable(dict(changes or {}))
            inbox.append(
                at=at, actor_id=actor.user_id, actor_username=actor.username,
                organization=actor.organization, action=action, object_type=object_type,
                object_id=str(object_id), changes=data, request_id=actor.request_id,
            )  # fmt: skip
            return AuditEvent(
                at=at, actor_id_value=actor.user_id, actor_username=actor.username,
                organization=actor.organization, action=action, object_type=object_type,
                object_id=str(object_id), changes=data, request_id=actor.request_id,
            )  # fmt: skip
    return _append(actor, action, object_type, object_id, changes, at, wait=True)


def flush_inbox() -> int:
    """Chain every event waiting in the inbox now (waits for the chain); their number."""
    if not inbox.available() or not inbox.has_pending():
        return 0
    with transaction.atomic():
        _lock_chain(wait=True)
        before, previous = _head()
        after, _ = _fold_inbox(before, previous)
    return after - before


#: One event of a batch: ``(action, object_type, object_id, changes)``.
EventSpec = tuple[str, str, str | int, Mapping[str, Any] | None]


def log_events(actor: Actor, events: Sequence[EventSpec], batch_size: int = 1000) -> int:
    """Append many events of one actor to the chain at once, inside the caller's transaction.

    Exactly what calling :func:`log_event` for each would write (same sequence numbers,
    same hash format, each event linked to the one before), but the hashes are computed
    in order in Python and the events inserted together, so an import of a national list
    pays one round trip per ``batch_size`` events instead of two per event. Returns the
    number of events written.
    """
    if not events:
        return 0
    for action, object_type, _id, _changes in events:
        _check_names(action, object_type)
    with transaction.atomic():
        _lock_chain()
        sequence, previous_hash = _fold_inbox(*_head())
        at = timezone.now()
        stamp = _timestamp(at)
        rows = []
        encoded: dict[Any, str] = {}

        def enc(value: Any) -> str:  # the batch repeats most values: encode each once
            text = encoded.get(value)
            if text is None:
                text = encoded[value] = _dumps(value)
            return text

        fixed_head = ",".join([enc(stamp), enc(actor.user_id), enc(actor.username),
                               enc(actor.organization)])  # fmt: skip
        fixed_request = enc(actor.request_id)
        for action, object_type, object_id, changes in events:
            sequence += 1
            changes_json = json.dumps(
                dict(changes or {}), ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                default=_json_default,
            )  # fmt: skip
            object_text = str(object_id)
            # Byte for byte the payload of event_hash (a JSON list is its items joined by
            # ','; a sequence number and a hex digest encode as themselves).
            payload = (
                f"[{sequence},{fixed_head},{enc(action)},{enc(object_type)},"
                f"{enc(object_text)},{changes_json},{fixed_request},\"{previous_hash}\"]"
            )
            digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
            rows.append(
                {
                    "id": None, "sequence": sequence, "at": at, "actor_id_value": actor.user_id,
                    "actor_username": actor.username, "organization": actor.organization,
                    "action": action, "object_type": object_type, "object_id": object_text,
                    "changes": bulk_insert.JsonText(changes_json),
                    "request_id": actor.request_id, "previous_hash": previous_hash,
                    "hash": digest,
                }
            )  # fmt: skip
            previous_hash = digest
        for start in range(0, len(rows), batch_size):
            bulk_insert.insert_values(AuditEvent, rows[start : start + batch_size], with_pk=False)
    return len(rows)


@dataclass(frozen=True)
class ChainProblem:
    sequence: int
    message: str

    def __str__(self) -> str:
        return f"event #{self.sequence}: {self.message}"


def iter_chain_problems(batch_size: int = 2000) -> Iterator[ChainProblem]:
    """Walk the chain in order and yield every broken or missing event."""
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            yield ChainProblem(
                expected_sequence,
                f"missing (the chain jumps from #{expected_sequence - 1} to #{event.sequence})",
            )
        if event.previous_hash != previous_hash:
            yield ChainProblem(event.sequence, "does not link to the event before it")
        if _hash_of(event) != event.hash:
            yield ChainProblem(event.sequence, "its content was changed after it was written")
        expected_sequence = event.sequence + 1
        previous_hash = event.hash


def verify_chain() -> tuple[int, ChainProblem | None]:
    """Return the number of events and the first problem, if any.

    Events still waiting in the audit inbox are chained first, so that they are checked.
    """
    flush_inbox()
    first = next(iter_chain_problems(), None)
    return AuditEvent.objects.count(), first


def chain_head() -> str:
    """The newest event's hash: record it elsewhere to detect removal of the newest events."""
    last = AuditEvent.objects.order_by("-sequence").only("hash").first()
    return last.hash if last else GENESIS_HASH
