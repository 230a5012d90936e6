"""Plain bulk inserts for imports of national lists (SQLite and PostgreSQL).

Django's ``bulk_create`` compiles every value of every row through the field machinery,
which costs more than everything else an import does (validation, search keys, audit
hashes) together. These helpers insert model instances with one prepared statement and
``executemany``: the values are converted once per field type, and the ids of new rows
are reserved up front, so that names and audit events can refer to them.

Only for instances already validated by the caller (``reunite.registry.actions``), inside
the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

Converter = Callable[[Any], Any]


class JsonText(str):
    """A value for a JSON column that is already serialised (inserted as it is)."""


def _json_converter(field: models.Field) -> Converter:
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        def postgres(value: Any) -> Any:
            if isinstance(value, JsonText):
                return Jsonb(value, dumps=str)
            return field.get_db_prep_save(value, connection)

        return postgres
    def sqlite(value: Any) -> Any:
        if isinstance(value, JsonText):
            return str(value)
        if isinstance(value, list | dict) and not value:
            return "[]" if isinstance(value, list) else "{}"
        return field.get_db_prep_save(value, connection)

    return sqlite


def _identity(value: Any) -> Any:
    return value


def _converter(field: models.Field) -> Converter:
    internal = field.get_internal_type()
    if internal in (
        "CharField", "TextField", "BooleanField", "BigAutoField", "AutoField", "IntegerField",
        "BigIntegerField", "PositiveSmallIntegerField", "PositiveIntegerField",
        "PositiveBigIntegerField", "SmallIntegerField", "ForeignKey",
    ):  # fmt: skip
        return _identity
    if internal == "DateField" and connection.vendor == "sqlite":
        return lambda value: None if value is None else value.isoformat()
    if internal == "DateField":
        return _identity
    if internal == "JSONField":
        return _json_converter(field)
    if internal == "DateTimeField":
        return _datetime_converter()
    return lambda value: field.get_db_prep_save(value, connection)


def _datetime_converter() -> Converter:
    """The backend's datetime adaptation, remembered for the last value: a batch shares
    one timestamp, and adapting it costs more than everything else about a value."""
    adapt = connection.ops.adapt_datetimefield_value
    last: list[Any] = [object(), None]

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if value is not last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return convert


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Ids for ``count`` new rows of ``model``, never used before nor later by the database.

    PostgreSQL: taken from the id sequence. SQLite: the transaction already holds the
    database's write lock (BEGIN IMMEDIATE), so the ids after the highest ever used are
    free; inserting them moves SQLite's AUTOINCREMENT counter past them.
    """
    if count <= 0:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("reserve_ids needs the caller's transaction")
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(str(pk.column))}) FROM "  # noqa: S608
                       f"{connection.ops.quote_name(table)}")  # fmt: skip
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
        return list(range(start, start + count))


def insert_values(
    model: type[models.Model], rows: Sequence[Mapping[str, Any]], *, with_pk: bool
) -> None:
    """INSERT rows given as ``{attname: value}`` (every concrete field; validated).

    The fastest path: no model instance per row. ``with_pk`` as for :func:`insert`.
    """
    if not rows:
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_pk or not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    getters = [(f.attname, _converter(f)) for f in fields]
    params = [[convert(row[name]) for name, convert in getters] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def defaults(model: type[models.Model], **given: Any) -> dict[str, Any]:
    """``{attname: value}`` of a new instance (field defaults, plus ``given``)."""
    instance = model(**given)
    return {f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields}


def insert(
    model: type[models.Model], objects: Sequence[models.Model], *, with_pk: bool
) -> None:
    """INSERT ``objects`` (validated, unsaved) in one ``executemany``.

    ``with_pk``: the objects carry their ids (from :func:`reserve_ids`); otherwise the
    database gives them and the objects are not told (use it for rows nothing refers to).
    ``auto_now``/``auto_now_add`` fields are set to one timestamp for the whole batch.
    """
    if not objects:
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_pk or not f.primary_key]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                setattr(obj, field.attname, now)
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    getters = [(f.attname, _converter(f)) for f in fields]
    rows = [[convert(getattr(obj, name)) for name, convert in getters] for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias

