"""The append-only, hash-chained audit log.

Each event stores the hash of the previous event and its own hash over its content, and a
sequence number without gaps. Changing, removing or inserting an event breaks the chain at
that point, which ``reunite audit verify`` reports. The model refuses updates and deletes,
and database triggers (see the migration) refuse them too.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    VIEW = "view"
    LIST = "list"
    TRANSITION = "transition"
    SHARE = "share"
    IMPORT = "import"
    EXPORT = "export"
    DOWNLOAD = "download"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    USER_CREATED = "user_created"
    DENIED = "denied"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("audit events cannot be changed")

    def delete(self) -> NoReturn:
        raise PermissionError("audit events cannot be deleted")


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id_value = models.BigIntegerField(null=True, db_column="actor_id")
    actor_username = models.CharField(max_length=150, blank=True)
    organization = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("audit events cannot be deleted")
