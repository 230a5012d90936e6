"""Batched writes for national lists: the same rows and the same audit chain as one by one."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reunite.audit.log import Actor, _hash_of, log_event, log_events, verify_chain
from reunite.audit.models import AuditEvent
from reunite.registry import actions
from reunite.registry.models import Child, ChildName
from tests.app.conftest import acting

pytestmark = pytest.mark.django_db

FIELDS = {
    "record_id": "B-1", "sex": "F", "birth_date": dt.date(2014, 5, 6),
    "birth_date_precision": "day", "birth_place": "Маріуполь", "legal_status": "orphan",
    "separation_date": dt.date(2022, 3, 1), "separation_date_precision": "month",
    "mother_name": "Ковальчук Марія", "institution": "Дитячий будинок №3",
}  # fmt: skip
NAMES = [
    {"surname": "Ковальчук", "given_name": "Олександра", "patronymic": "Петрівна"},
    {"full_name": "Sasha Kovalchuk"},
]


def test_log_events_writes_the_chain_log_event_would() -> None:
    actor = Actor(user_id=None, username="importer", organization="UA", request_id="r-1")
    log_event(actor, "view", "child", 1)
    written = log_events(actor, [("create", "child", i, {"n": [None, i]}) for i in range(5)])
    log_event(actor, "view", "child", 2)
    assert written == 5
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == list(range(1, 8))
    assert [e.action for e in events] == ["view", *["create"] * 5, "view"]
    for before, event in pairwise(events):
        assert event.previous_hash == before.hash
    assert all(_hash_of(e) == e.hash for e in events)  # the same hash format
    assert events[3].changes == {"n": [None, 2]} and events[3].object_id == "2"
    assert verify_chain() == (7, None)


def test_create_children_equals_create_child_row_and_audit(users: Any) -> None:
    who = acting(users[("ua", "caseworker")])
    one = actions.create_child(who, FIELDS, NAMES)
    [pk] = actions.create_children(who, [({**FIELDS, "record_id": "B-2"}, NAMES)])
    bulk = Child.objects.get(pk=pk)
    skip = {"id", "record_id", "created_at", "updated_at"}
    for field in Child._meta.concrete_fields:
        if field.name not in skip:
            assert getattr(bulk, field.attname) == getattr(one, field.attname), field.name
    name_fields = ("surname", "given_name", "patronymic", "full_name", "script", "language",
                   "source", "is_primary")  # fmt: skip
    assert [[getattr(n, f) for f in name_fields] for n in bulk.names.order_by("pk")] == [
        [getattr(n, f) for f in name_fields] for n in one.names.order_by("pk")]  # fmt: skip
    first, second = AuditEvent.objects.filter(action="create", object_type="child").order_by(
        "sequence")  # fmt: skip
    assert second.object_id == str(pk)
    first.changes.pop("record_id"), second.changes.pop("record_id")
    assert first.changes == second.changes
    assert verify_chain()[1] is None


def test_create_children_checks_policy_and_model_validation(users: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_children(acting(users[("ua", "verifier")]), [(FIELDS, NAMES)])
    who = acting(users[("ua", "caseworker")])
    with pytest.raises(ValidationError) as info:
        actions.create_children(who, [({**FIELDS, "birth_place": "x" * 201}, NAMES)])
    assert "birth_place" in info.value.message_dict
    with pytest.raises(ValidationError):
        actions.create_children(who, [(FIELDS, [{"surname": "К" * 121}])])
    with pytest.raises(ValidationError):
        actions.create_children(who, [(FIELDS, [{"patronymic": "only"}])])  # no name at all
    assert not Child.objects.exists() and not ChildName.objects.exists()


def test_ids_reserved_for_a_batch_are_never_reused(users: Any) -> None:
    who = acting(users[("ua", "caseworker")])
    first = actions.create_children(who, [({**FIELDS, "record_id": f"A{i}"}, NAMES)
                                          for i in range(3)])  # fmt: skip
    single = actions.create_child(who, {**FIELDS, "record_id": "S"}, NAMES)
    second = actions.create_children(who, [({**FIELDS, "record_id": "B"}, NAMES)])
    ids = [*first, single.pk, *second]
    assert ids == sorted(ids) and len(set(ids)) == 5
