"""The audit trail: every write and view is recorded; the chain catches tampering."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from typer.testing import CliRunner

from reunite.audit.log import verify_chain
from reunite.audit.models import AuditEvent
from reunite.cli.main import app
from reunite.registry import actions
from tests.app.conftest import acting


def _events(object_type: str, object_id: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)))


@pytest.mark.django_db
def test_create_update_view_delete_are_audited_with_before_and_after(
    users: Any, make_child: Any
) -> None:
    child = make_child(org="ru", surname="Петренко", given_name="Олена")
    actor = acting(users[("ru", "caseworker")])
    actions.update_child(actor, child, {"legal_status": "orphan", "birth_place": "Маріуполь"})
    client = Client()
    client.force_login(users[("ru", "verifier")])
    client.get(reverse("child-detail", args=[child.pk]), HTTP_X_REQUEST_ID="req-abcdef12")
    child_pk = child.pk
    actions.delete_child(acting(users[("ru", "administrator")]), child)

    events = _events("child", child_pk)
    assert [e.action for e in events] == ["create", "update", "view", "delete"]
    create, update, view, delete = events
    assert create.changes["names"][1][0]["surname"] == "Петренко"
    assert update.changes == {
        "legal_status": ["unknown", "orphan"],
        "birth_place": ["", "Маріуполь"],
    }
    assert view.actor_username == users[("ru", "verifier")].username
    assert view.organization == "RU" and view.request_id == "req-abcdef12"
    assert delete.changes["legal_status"] == ["orphan", None]
    assert verify_chain() == (AuditEvent.objects.count(), None)


@pytest.mark.django_db
def test_list_pages_record_which_children_were_shown(users: Any, make_child: Any) -> None:
    child = make_child(org="ru")
    client = Client()
    client.force_login(users[("ru", "caseworker")])
    client.get(reverse("child-list"), {"q": "ковальчук"})
    event = AuditEvent.objects.filter(action="list", object_type="child").last()
    assert event is not None and event.changes == {"ids": [child.pk], "query": "ковальчук"}


@pytest.mark.django_db
def test_events_cannot_be_changed_or_deleted_through_the_application(
    users: Any, make_child: Any
) -> None:
    make_child()
    event = AuditEvent.objects.first()
    assert event is not None
    event.action = "view"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="view")


@pytest.mark.django_db
def test_database_triggers_refuse_raw_updates_and_deletes(users: Any, make_child: Any) -> None:
    make_child()
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET action = 'view'")
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")


def _drop_triggers() -> None:
    """What an attacker with database-owner rights could do first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_event_append_only ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")


@pytest.mark.django_db
@pytest.mark.parametrize("tampering", ["edit", "delete", "reorder_hash"])
def test_verify_names_the_first_tampered_event(tampering: str, users: Any, make_child: Any) -> None:
    for i in range(4):
        make_child(surname=f"Child{i}")
    assert verify_chain()[1] is None
    target = AuditEvent.objects.order_by("sequence")[2]
    _drop_triggers()
    with connection.cursor() as cursor:
        if tampering == "edit":
            cursor.execute(
                "UPDATE audit_auditevent SET actor_username = %s WHERE id = %s",
                ["someone-else", target.pk],
            )
        elif tampering == "delete":
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [target.pk])
        else:  # recompute nothing, but splice the hash of another event in
            cursor.execute(
                "UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["f" * 64, target.pk]
            )
    _, problem = verify_chain()
    assert problem is not None
    assert problem.sequence == target.sequence
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"#{target.sequence}" in result.output


@pytest.mark.django_db
def test_verify_succeeds_on_an_intact_chain(users: Any, make_child: Any) -> None:
    make_child()
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


@pytest.mark.django_db
def test_failed_login_is_audited_without_the_password(users: Any) -> None:
    Client().post(reverse("login"), {"username": "nobody", "password": "hunter2-secret"})
    event = AuditEvent.objects.filter(action="login_failed").last()
    assert event is not None and event.actor_username == "nobody"
    assert "hunter2-secret" not in str(event.changes)


@pytest.mark.django_db
def test_an_action_name_longer_than_its_column_is_refused_on_every_database() -> None:
    # SQLite would store it; PostgreSQL would fail mid-transaction: refuse it up front.
    from reunite.audit.log import Actor, log_event, log_events

    actor = Actor.system()
    with pytest.raises(ValueError, match="longer than"):
        log_event(actor, "an_action_name_far_too_long", "child", 1)
    with pytest.raises(ValueError, match="longer than"):
        log_events(actor, [("create", "x" * 41, 1, None)])
