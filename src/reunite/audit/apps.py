from typing import Any

from django.apps import AppConfig
from django.db import OperationalError
from django.db.backends.signals import connection_created


def _sqlite_wal(sender: Any, connection: Any, **kwargs: Any) -> None:
    """SQLite in WAL mode: readers never wait for a writer (for example a long import).

    Persistent in the database file; in-memory test databases have no WAL and ignore it.
    """
    if connection.vendor == "sqlite":
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode=WAL")
        except OperationalError:
            pass  # another connection is switching it right now; it persists in the file


class AuditConfig(AppConfig):
    name = "reunite.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        connection_created.connect(_sqlite_wal, dispatch_uid="reunite-sqlite-wal")
