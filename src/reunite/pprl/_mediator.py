"""The mediator: links two parties' encodings without the secret, with limits and an audit.

It keeps, in its state directory, only an append-only, hash-chained audit log
(``audit.jsonl``) and, per list it has linked, 8-byte digests of the list's filters
(``lists/<digest>.npy``) for the repeat check. It never stores the encodings themselves.

Refused, each with an audit entry:

* a list linked with itself (the same filters on both sides: a party learning how often
  its own values occur, i.e. frequencies, from the mediator's scores);
* the same two lists linked again within the window, or lists that are 98 % or more made
  of the filters of two lists linked before (a part of them, or them plus a few crafted
  records): nothing new to learn but frequencies, score distributions, or single probes;
* more than ``max_links_per_day`` links under one secret in 24 hours (probing the other
  party's list with crafted records, one run at a time).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reunite.pprl._encode import Encoding
from reunite.pprl._files import list_digest, pairs_document, read_encoding, write_json
from reunite.pprl._link import (
    DEFAULT_MARGIN,
    DEFAULT_THRESHOLD,
    DEFAULT_TOP_K,
    check_compatible,
    link_encodings,
)
from reunite.pprl.exceptions import IncompatibleEncodingsError, PPRLError, RefusedError

#: Links allowed per secret in 24 hours, and the window of the repeat check (days).
DEFAULT_MAX_LINKS_PER_DAY = 6
DEFAULT_REPEAT_WINDOW_DAYS = 30
#: Share of identical filters above which two lists count as the same list.
SAME_LIST_SHARE = 0.5
REPEAT_SHARE = 0.98

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class LinkSummary:
    a_records: int
    b_records: int
    pairs: int
    a_with_candidates: int
    out: Path


def _record_digests(enc: Encoding) -> np.ndarray:
    return np.array(sorted({int.from_bytes(hashlib.sha256(r.tobytes()).digest()[:8], "big")
                            for r in enc.filters}), dtype=np.uint64)


def _share(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) == 0 or len(y) == 0:
        return 0.0
    return len(np.intersect1d(x, y, assume_unique=True)) / min(len(x), len(y))


class Mediator:
    """Links encodings under policy; every decision goes to ``<state_dir>/audit.jsonl``."""

    def __init__(
        self,
        state_dir: str | Path,
        *,
        max_links_per_day: int = DEFAULT_MAX_LINKS_PER_DAY,
        repeat_window_days: int = DEFAULT_REPEAT_WINDOW_DAYS,
        now: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.max_links_per_day = max_links_per_day
        self.repeat_window = dt.timedelta(days=repeat_window_days)
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self.audit_path = self.state_dir / "audit.jsonl"
        self.lists_dir = self.state_dir / "lists"

    # -- audit ---------------------------------------------------------------------------
    def _entries(self) -> list[dict[str, Any]]:
        if not self.audit_path.exists():
            return []
        out = []
        with self.audit_path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    out.append(json.loads(line))
        return out

    def _append(self, entry: dict[str, Any]) -> None:
        entries = self._entries()
        prev = entries[-1]["hash"] if entries else "0" * 64
        entry = {"time": self._now().isoformat(timespec="seconds"), **entry, "prev": prev}
        body = json.dumps(entry, sort_keys=True, ensure_ascii=True)
        entry["hash"] = hashlib.sha256(body.encode()).hexdigest()
        with self.audit_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, sort_keys=True, ensure_ascii=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def verify_audit(self) -> bool:
        """True when the audit log's hash chain is intact."""
        prev = "0" * 64
        for e in self._entries():
            h = e.pop("hash", None)
            if e.get("prev") != prev:
                return False
            body = json.dumps(e, sort_keys=True, ensure_ascii=True)
            if hashlib.sha256(body.encode()).hexdigest() != h:
                return False
            prev = str(h)
        return True

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with (self.state_dir / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # -- policy --------------------------------------------------------------------------
    def _stored(self, digest: str) -> np.ndarray | None:
        path = self.lists_dir / f"{digest}.npy"
        return np.load(path) if path.exists() else None

    def _store(self, digest: str, digests: np.ndarray) -> None:
        self.lists_dir.mkdir(parents=True, exist_ok=True)
        path = self.lists_dir / f"{digest}.npy"
        if not path.exists():
            tmp = path.with_name(f".{path.name}.tmp")
            with tmp.open("wb") as fh:
                np.save(fh, digests)
            os.replace(tmp, path)

    def _check_policy(self, a: Encoding, b: Encoding, info: dict[str, Any],
                      da: np.ndarray, db: np.ndarray) -> None:
        same = info["a"]["list_digest"] == info["b"]["list_digest"]
        if same or _share(da, db) >= SAME_LIST_SHARE:
            raise RefusedError(
                "refused: both sides hold the same list (a list linked with itself would only "
                "tell how often values occur in it)", "self_link")
        now = self._now()
        recent = 0
        for e in self._entries():
            if e.get("event") != "linked" or e.get("secret_fingerprint") != a.secret_fingerprint:
                continue
            when = dt.datetime.fromisoformat(e["time"])
            if now - when < dt.timedelta(days=1):
                recent += 1
            if now - when >= self.repeat_window:
                continue
            prev_a, prev_b = e["a"]["list_digest"], e["b"]["list_digest"]
            if {prev_a, prev_b} == {info["a"]["list_digest"], info["b"]["list_digest"]}:
                raise RefusedError(
                    f"refused: these two lists were already linked on {e['time'][:10]}; "
                    "linking them again shows nothing new", "repeat")
            pa, pb = self._stored(prev_a), self._stored(prev_b)
            if pa is not None and pb is not None and _share(da, pa) >= REPEAT_SHARE \
                    and _share(db, pb) >= REPEAT_SHARE:
                raise RefusedError(
                    f"refused: these lists are almost the same as (or part of) two lists linked on "
                    f"{e['time'][:10]}; linking them again would only probe single records",
                    "repeat")
        if recent >= self.max_links_per_day:
            raise RefusedError(
                f"refused: {recent} links under this secret in the last 24 hours (limit "
                f"{self.max_links_per_day}); try again tomorrow", "rate_limit")

    # -- the one operation ---------------------------------------------------------------
    def link(
        self,
        a_path: str | Path,
        b_path: str | Path,
        out_path: str | Path,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        top_k: int = DEFAULT_TOP_K,
        margin: float | None = DEFAULT_MARGIN,
        progress: Progress | None = None,
        stage: Callable[[str], None] | None = None,
    ) -> LinkSummary:
        """Read, check, link and write the pairs file; raise :class:`PPRLError` (audited)."""
        say = stage or (lambda _m: None)
        with self._locked():
            try:
                say("reading A")
                a = read_encoding(a_path)
                say("reading B")
                b = read_encoding(b_path)
            except PPRLError as exc:
                self._append({"event": "refused", "reason": "bad_file", "message": str(exc)})
                raise
            digest_a, digest_b = list_digest(a), list_digest(b)
            info: dict[str, Any] = {"a": {"records": len(a), "list_digest": digest_a},
                                    "b": {"records": len(b), "list_digest": digest_b}}
            base = {"secret_fingerprint": a.secret_fingerprint, **info}
            try:
                check_compatible(a, b)
            except IncompatibleEncodingsError as exc:
                self._append({"event": "refused", "reason": "incompatible", **base,
                              "message": str(exc)})
                raise
            da, db = _record_digests(a), _record_digests(b)
            try:
                self._check_policy(a, b, info, da, db)
            except RefusedError as exc:
                self._append({"event": "refused", "reason": exc.reason, **base,
                              "message": str(exc)})
                raise
            say("comparing")
            pairs = link_encodings(a, b, threshold=threshold, top_k=top_k, margin=margin,
                                   progress=progress)
            say("writing pairs")
            doc = pairs_document(pairs, a, b, threshold=threshold, top_k=top_k, margin=margin)
            write_json(out_path, doc)
            self._store(digest_a, da)
            self._store(digest_b, db)
            self._append({"event": "linked", **base, "pairs": len(pairs),
                          "threshold": threshold, "top_k": top_k, "margin": margin,
                          "pairs_sha256": hashlib.sha256(
                              Path(out_path).read_bytes()).hexdigest()})
        return LinkSummary(len(a), len(b), len(pairs), len({p.a_id for p in pairs}),
                           Path(out_path))
