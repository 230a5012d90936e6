"""Optimistic locking shared by every app: a record's ``version`` counts its saved changes.

A write based on an older copy is refused with :class:`StaleRecord`; the API answers 412
(``If-Match``), the web forms show what changed and offer a merge (``reunite.web.merge``).
"""

from __future__ import annotations

from django.db.models import F, Model


class StaleRecord(Exception):
    """The record changed since the caller read it (optimistic locking): nothing was saved.

    ``current`` is the record as stored now; its ``version`` is what to base a retry on.
    """

    def __init__(self, current: Model) -> None:
        self.current = current
        super().__init__(
            f"{current._meta.verbose_name} #{current.pk} was changed by someone else "
            f"(now version {getattr(current, 'version', '?')})"
        )


def check_version(record: Model, expected_version: int | None) -> None:
    """Refuse when the caller read another version than the stored one (None: no check)."""
    if expected_version is not None and getattr(record, "version", None) != expected_version:
        raise StaleRecord(record)


def bump_version(record: Model) -> None:
    """Count one more saved change; refuse if another transaction got there first.

    The conditional UPDATE is the check that holds where row locks are not available
    (SQLite ignores ``select_for_update``).
    """
    model = type(record)
    version = getattr(record, "version")  # noqa: B009
    if not model._default_manager.filter(pk=record.pk, version=version).update(
        version=F("version") + 1
    ):
        raise StaleRecord(model._default_manager.get(pk=record.pk))
    record.version = version + 1  # type: ignore[attr-defined]
