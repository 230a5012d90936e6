"""Database triggers that refuse UPDATE, DELETE and TRUNCATE on audit events.

The model refuses those too; the triggers also stop raw SQL from the application or a
careless maintenance script. Someone with database-owner rights can still drop them:
that is what the hash chain (``reunite audit verify``) is there to catch.
"""

from __future__ import annotations

from typing import Any

CREATE = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
           BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
           BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
        """CREATE OR REPLACE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE
           ON audit_auditevent FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
        """CREATE OR REPLACE TRIGGER audit_event_no_truncate BEFORE TRUNCATE
           ON audit_auditevent FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()""",
    ],
}
DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_event_no_update",
        "DROP TRIGGER IF EXISTS audit_event_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent",
        "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent",
    ],
}


def create_triggers(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in CREATE.get(connection.vendor, []):
            cursor.execute(statement)


def drop_triggers(connection: Any) -> None:
    """Only for test databases that must be emptied between tests, and for migrations."""
    with connection.cursor() as cursor:
        for statement in DROP.get(connection.vendor, []):
            cursor.execute(statement)
