"""Per-record comparison features kept between match runs, so a run recomputes only what
changed.

A run needs the name features (``reunite.linkage.features``) of every record in scope;
computing them means loading each child with its names from the database, converting it
and analysing every name, which costs tens of seconds at 100,000 children. Features
depend only on the record itself, so they are cached per record, stamped with the record's
``updated_at``: a run loads only the records that are new or changed since they were cached.

The cache is an Arrow IPC file per kind (children, requests) under
``REUNITE_MATCH_CACHE_DIR`` (default ``var/match-cache/``), written atomically (temporary
file + rename), readable only by the application's user. It holds derived keys of names,
dates and places (personal data, like the database it sits beside): delete the directory
at any time and the next run rebuilds it. It is keyed by the Reunite version, the linkage
spec version and the current year (an estimated age is turned into birth years against
it), so an upgrade or a new year starts a fresh cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from reunite import __version__ as reunite_version
from reunite import linkage

#: Extra columns of the cached table besides the engine's features.
PK, STAMP = "pk", "stamp"
Progress = Callable[[str, int | None, int | None], None]
Fetch = Callable[[list[int]], Iterable[tuple[int, Any]]]


def _stamp(value: dt.datetime) -> int:
    """``updated_at`` as integer microseconds since the epoch (exact comparison)."""
    return int(value.timestamp() * 1_000_000)


class FeatureCache:
    """The cached features of one kind of record (``children`` or ``enquiries``)."""

    def __init__(self, directory: Path, kind: str, today: dt.date, database: str = "") -> None:
        self.directory = directory
        self.kind = kind
        self.year = today.year
        # Two databases (e.g. a test database) never share a cache file.
        db = hashlib.sha256(database.encode()).hexdigest()[:10]
        key = f"{kind}-d{db}-r{reunite_version}-s{linkage.SPEC_VERSION}-y{self.year}"
        self.path = directory / f"{key}.arrow"

    def load(self) -> pa.Table | None:
        try:
            with pa.memory_map(str(self.path), "r") as source:
                table = pa.ipc.open_file(source).read_all()
        except (FileNotFoundError, pa.ArrowInvalid, OSError):
            return None
        return table

    def save(self, table: pa.Table) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.kind}-", suffix=".arrow",
                                   dir=self.directory)  # fmt: skip
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
                writer.write_table(table)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        # Older keys (another version or year) are of no use any more.
        prefix = self.path.name.split("-r", 1)[0]
        for old in self.directory.glob(f"{prefix}-r*.arrow"):
            if old != self.path:
                old.unlink(missing_ok=True)

    def features(
        self,
        in_scope: dict[int, dt.datetime],
        fetch: Fetch,
        *,
        label: str,
        progress: Progress,
        notes: list[str],
    ) -> tuple[pa.Table, set[int]]:
        """The engine's feature table of the records ``in_scope`` (pk -> updated_at).

        Records missing from the cache or changed since are fetched (``fetch(pks)`` yields
        ``(pk, InterchangeRecord)``; a record that cannot be converted raises
        ``ValueError`` and is left out with a note), analysed and cached. Returns the table
        and the pks left out.
        """
        cached = self.load()
        wanted = {pk: _stamp(at) for pk, at in in_scope.items()}
        fresh: set[int] = set()
        if cached is not None and cached.num_rows:
            for pk, stamp in zip(cached[PK].to_pylist(), cached[STAMP].to_pylist(), strict=True):
                if wanted.get(pk) == stamp:
                    fresh.add(pk)
        stale = sorted(set(wanted) - fresh)
        failed: set[int] = set()
        new_table = None
        if stale:
            progress(f"analysing names of {len(stale)} new or changed {label}", 0, len(stale))
            records, pks = [], []
            for pk, record_or_error in fetch(stale):
                if isinstance(record_or_error, ValueError):
                    notes.append(f"{label} #{pk} left out: {record_or_error}")
                    failed.add(pk)
                    continue
                records.append(record_or_error)
                pks.append(pk)
            features = linkage.features(records, reference_year=self.year)
            new_table = features.append_column(PK, pa.array(pks, type=pa.int64())).append_column(
                STAMP, pa.array([wanted[pk] for pk in pks], type=pa.int64())
            )
            progress(f"analysing names of {len(stale)} new or changed {label}", len(stale),
                     len(stale))  # fmt: skip
        if new_table is not None:
            keep = cached
            if cached is not None and cached.num_rows:
                stale_set = pa.array(stale, type=pa.int64())
                keep = cached.filter(pc.invert(pc.is_in(cached[PK], value_set=stale_set)))
            merged = new_table if keep is None else pa.concat_tables(
                [keep.cast(new_table.schema), new_table])
            self.save(merged)
            cached = merged
        if cached is None:
            return linkage.features([]), failed
        scope = pa.array(sorted(set(wanted) - failed), type=pa.int64())
        table = cached.filter(pc.is_in(cached[PK], value_set=scope))
        return table.drop_columns([PK, STAMP]), failed


def fetch_in_chunks(
    pks: list[int], load: Callable[[list[int]], Iterable[Any]],
    convert: Callable[[Any], Any], chunk: int = 2000,
) -> Iterable[tuple[int, Any]]:
    """``(pk, record)`` for each pk, loaded ``chunk`` at a time; a conversion error is
    yielded in place of the record."""
    for start in range(0, len(pks), chunk):
        for row in load(pks[start : start + chunk]):
            try:
                yield row.pk, convert(row)
            except ValueError as exc:
                yield row.pk, exc
