"""The audit inbox: events that could not wait are chained later, once, in order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from reunite.audit import inbox
from reunite.audit.log import Actor, flush_inbox, log_event, verify_chain
from reunite.audit.models import AuditEvent

ACTOR = Actor(user_id=7, username="reader", organization="UA", request_id="req-1")


@pytest.fixture
def file_inbox(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    settings.REUNITE_AUDIT_INBOX = str(tmp_path / "inbox.sqlite3")
    monkeypatch.setattr(inbox, "available", lambda: True)
    return Path(settings.REUNITE_AUDIT_INBOX)


def _park(n: int) -> None:
    for i in range(n):
        inbox.append(
            at=dt.datetime(2026, 12, 3, 18, 0, i, 123456, tzinfo=dt.UTC), actor_id=7,
            actor_username="reader", organization="UA", action="view", object_type="child",
            object_id=str(i), changes={"restricted_shown": True}, request_id=f"req-{i}",
        )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_inboxed_events_are_chained_in_order_by_the_next_append(file_inbox: Path) -> None:
    log_event(ACTOR, "view", "child", 100)
    _park(3)
    log_event(ACTOR, "list", "child", "")
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [(e.action, e.object_id) for e in events] == [
        ("view", "100"), ("view", "0"), ("view", "1"), ("view", "2"), ("list", "")]
    assert events[1].at == dt.datetime(2026, 12, 3, 18, 0, 0, 123456, tzinfo=dt.UTC)
    assert events[2].changes == {"restricted_shown": True} and events[2].actor_id_value == 7
    assert not inbox.has_pending()  # removed once the chaining transaction committed
    assert verify_chain() == (5, None)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_fold_is_claimed_again_and_chained_once(file_inbox: Path) -> None:
    _park(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        log_event(ACTOR, "create", "child", 1)  # folds the two, then the writer fails
        raise RuntimeError("the import failed")
    assert AuditEvent.objects.count() == 0
    assert [p.claimed_sequence for p in inbox.pending()] == [1, 2]  # stale claims
    assert flush_inbox() == 2
    assert [e.object_id for e in AuditEvent.objects.order_by("sequence")] == ["0", "1"]
    assert not inbox.has_pending()
    assert verify_chain() == (2, None)


@pytest.mark.django_db(transaction=True)
def test_events_chained_but_not_yet_removed_are_not_chained_twice(
    file_inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _park(2)
    monkeypatch.setattr(inbox, "remove", lambda ids: None)  # the process died after COMMIT
    flush_inbox()
    monkeypatch.undo()
    monkeypatch.setattr(inbox, "available", lambda: True)
    assert len(inbox.pending()) == 2
    log_event(ACTOR, "view", "child", 9)
    assert [e.object_id for e in AuditEvent.objects.order_by("sequence")] == ["0", "1", "9"]
    assert not inbox.has_pending()
    assert verify_chain() == (3, None)


@pytest.mark.django_db(transaction=True)
def test_events_of_another_database_are_never_folded_here(
    file_inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox, "chain_key", lambda: "another-database")
    _park(1)
    monkeypatch.undo()
    monkeypatch.setattr(inbox, "available", lambda: True)
    log_event(ACTOR, "view", "child", 5)
    assert AuditEvent.objects.count() == 1
