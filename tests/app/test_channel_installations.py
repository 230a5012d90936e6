"""Done-when of the direct channel: three installations as separate processes (two parties
and a mediator, each with its own SQLite database and key directory), first over loopback
HTTP, then by files only.

Slow (every step is a ``reunite`` process); no timing is asserted.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import signal
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reunite.cli import channel_demo as cd
from reunite.cli.channel_demo import ASKED, ASKING, MEDIATOR, Installation

# The installations run as processes on their own SQLite databases whatever DATABASE_URL
# says, so the PostgreSQL pass would only repeat the SQLite pass, at several minutes a test.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="installations use their own SQLite databases; covered by the SQLite pass",
)

ANSWERS = [
    ("located", "Rostov region", "foster_family"),
    ("not_found", "", ""),
    ("no_record", "", ""),
    ("adult_now", "", ""),
    ("with_relatives", "", ""),
    ("being_prepared", "", ""),
    ("returned", "", ""),
    ("declined", "", ""),
    ("deceased", "", ""),
    ("located", "Moscow", "institution"),
    ("not_found", "", ""),
    ("with_relatives", "", ""),
]


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _db(inst: Installation) -> Path:
    return inst.directory / "var" / "reunite.sqlite3"


def _query(inst: Installation, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(_db(inst)) as conn:
        return list(conn.execute(sql, params))


def _names_in(entries: list[dict[str, Any]]) -> set[str]:
    names = set()
    for entry in entries:
        for key in ("surname", "given_name", "patronymic", "full_name"):
            if entry["fields"].get(key):
                names.add(entry["fields"][key])
    return names


def _assert_mediator_never_saw(m: Installation, names: set[str]) -> None:
    """No name of the list in any file of the mediator's var directory (database included)."""
    assert names
    for path in (m.directory / "var").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for name in names:
                for encoded in (name.encode(), json.dumps(name).encode()[1:-1]):
                    assert encoded not in data, f"{name!r} found in {path}"


def _answer_file(b: Installation, list_id: str, path: Path) -> None:
    """B's caseworker fills 12 answers in the exported spreadsheet (the interchange format)."""
    b.run("lists", "export", list_id[:8], "--out", str(path))
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0].keys())
    for row, (status, region, placement) in zip(rows, ANSWERS, strict=False):
        row.update(
            answer_status=status,
            answer_date="2026-01-15",
            answer_region=region,
            answer_placement=placement,
            answer_note=f"checked ({status})",
        )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _check_answers_arrived(a: Installation, list_id: str) -> dict[str, Any]:
    shown = a.json("lists", "show", "--as", "ua-caseworker", list_id[:8])
    assert shown["total"] == 20 and shown["answered"] == 12
    statuses = [e["answer"]["status"] for e in shown["entries"] if e["answer"]]
    assert statuses == [s for s, _r, _p in ANSWERS]
    first = shown["entries"][0]["answer"]
    assert (first["region"], first["placement"]) == ("Rostov region", "foster_family")
    assert len(shown["changed"]) == 12
    return shown


def _report_and_messages(a: Installation, b: Installation, list_id: str, carry: Any) -> None:
    thread = f"list:{list_id}/1"
    report_id = (
        a.run(
            "reports",
            "propose",
            "--as",
            "ua-verifier",
            "--thread",
            thread,
            "--to",
            ASKED,
            "--result",
            "confirmed",
            "--summary",
            "Birth certificate and interview agree.",
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    a.run(
        "messages",
        "send",
        "--as",
        "ua-caseworker",
        "--thread",
        thread,
        "--to",
        ASKED,
        "--to",
        MEDIATOR,
        "Can the grandmother call on Friday?",
    )
    carry(a, b)
    b.run("reports", "sign", "--as", "ru-verifier", report_id[:8])
    b.run(
        "messages",
        "send",
        "--as",
        "ru-caseworker",
        "--thread",
        thread,
        "--to",
        ASKING,
        "Yes, Friday at 10:00.",
    )
    carry(b, a)
    reports = a.json("reports", "list")
    assert reports[0]["joint"] is True
    assert sorted(reports[0]["verified_signers"]) == [
        f"{ASKED}:ru-verifier",
        f"{ASKING}:ua-verifier",
    ]
    assert b.json("reports", "list")[0]["joint"] is True
    for inst in (a, b):
        texts = [
            m["text"]
            for m in inst.json(
                "messages", "show", "--as", f"{'ua' if inst is a else 'ru'}-caseworker", thread
            )
        ]
        assert texts == ["Can the grandmother call on Friday?", "Yes, Friday at 10:00."]


def _receipts_of_list(a: Installation, list_bundle: str) -> dict[str, list[str]]:
    rows = a.json("bundles", "list")
    return next(r["receipts"] for r in rows if r["bundle"] == list_bundle)


def _refusals(inst: Installation, reason: str) -> int:
    rows = _query(inst, "SELECT changes FROM audit_auditevent WHERE action='bundle_refused'")
    return sum(1 for (changes,) in rows if json.loads(changes).get("reason") == reason)


@pytest.fixture(scope="module")
def over_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Installation]]:
    ports = dict(zip((ASKING, ASKED, MEDIATOR), _free_ports(3), strict=True))
    installations = cd.prepare(tmp_path_factory.mktemp("http"), ports)
    try:
        for inst in installations.values():
            inst.start()
        yield installations
    finally:
        for inst in installations.values():
            inst.stop()


def test_three_installations_over_http(over_http: dict[str, Installation]) -> None:
    a, b, m = over_http[ASKING], over_http[ASKED], over_http[MEDIATOR]

    def carry(frm: Installation, to: Installation) -> None:
        frm.run("sync")
        to.run("sync")

    # party A sends a list of 20 sought children through the mediator
    list_id = (
        a.run(
            "lists",
            "send",
            "--as",
            "ua-caseworker",
            "--to",
            ASKED,
            "--title",
            "List 1",
            "--all-open",
            "--limit",
            "20",
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    sent = a.json("lists", "show", "--as", "ua-caseworker", list_id[:8])
    assert sent["total"] == 20
    carry(a, b)
    # B's installation proposes candidates from its own registry
    received = b.json("lists", "show", "--as", "ru-caseworker", list_id[:8])
    with_candidates = [e for e in received["entries"] if e["candidates"]]
    assert len(with_candidates) >= 10
    # B answers 12 of them (spreadsheet in the interchange format), A sees the answers
    answers = b.directory / "answers.csv"
    _answer_file(b, list_id, answers)
    b.run("lists", "import-answers", "--as", "ru-caseworker", list_id[:8], str(answers))
    carry(b, a)
    a.run("sync")
    _check_answers_arrived(a, list_id)
    # the sender sees for its list: relayed (mediator), delivered, read, answered (B)
    (list_bundle,) = _query(a, "SELECT bundle_id FROM exchange_soughtlist")[0]
    receipts = _receipts_of_list(a, list_bundle)
    assert receipts[MEDIATOR] == ["relayed"]
    assert receipts[ASKED] == ["answered", "delivered", "read"]
    # a joint verification report signed by a verifier of each side; messages both ways
    _report_and_messages(a, b, list_id, carry)
    # the mediator read the message addressed to it, and relayed the rest unread
    assert len(_query(m, "SELECT id FROM exchange_message")) == 1
    assert len(_query(m, "SELECT id FROM exchange_relayedbundle")) >= 6
    assert not _query(m, "SELECT id FROM exchange_soughtlist")
    _assert_mediator_never_saw(m, _names_in(sent["entries"]))
    # a replayed and a tampered bundle are refused (pushed straight at B)
    (data,) = _query(a, "SELECT data FROM exchange_bundleout WHERE bundle_id=?", list_bundle)[0]
    envelope = json.loads(bytes(data))
    cipher = bytearray(base64.b64decode(envelope["ciphertext"]))
    cipher[10] ^= 1
    envelope["ciphertext"] = base64.b64encode(bytes(cipher)).decode()
    tampered = json.dumps(envelope).encode()
    import urllib.request

    from reunite.channel import Parcel

    parcel = Parcel(ASKING, ASKED, (bytes(data), tampered), ())
    request = urllib.request.Request(  # noqa: S310 - loopback http
        f"{b.url}/api/channel/push", data=parcel.to_bytes(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        results = json.loads(response.read())["results"]
    assert [(r["outcome"], r["reason"]) for r in results] == [
        ("already", "replayed"),
        ("refused", "tampered"),
    ]
    assert _refusals(b, "tampered") == 1 and _refusals(b, "replayed") >= 1
    # the mediator goes away halfway: nothing is lost, the next sync delivers
    m.stop()
    a.run(
        "messages",
        "send",
        "--as",
        "ua-caseworker",
        "--thread",
        f"list:{list_id}/2",
        "--to",
        ASKED,
        "Still waiting on entry 2.",
    )
    failed = a.run("sync", check=False)
    assert failed.returncode == 1 and "stays queued" in failed.stderr
    waiting = {p["installation_id"]: p["waiting"] for p in a.json("peers", "list")["peers"]}
    assert waiting[MEDIATOR] == 1
    m.start()
    carry(a, b)
    texts = [
        x["text"] for x in b.json("messages", "show", "--as", "ru-caseworker", f"list:{list_id}/2")
    ]
    assert texts == ["Still waiting on entry 2."]
    for inst in (a, b, m):
        assert "intact" in inst.run("audit", "verify").stdout


def test_the_same_exchange_by_files_only(tmp_path: Path) -> None:
    ports = dict(zip((ASKING, ASKED, MEDIATOR), _free_ports(3), strict=True))
    installations = cd.prepare(tmp_path, ports, with_urls=False)
    a, b, m = installations[ASKING], installations[ASKED], installations[MEDIATOR]
    counter = iter(range(1000))

    def hand_over(frm: Installation, to: Installation, hop: Installation | None = None) -> None:
        """Export for the next hop, carry the file, import it (through the mediator)."""
        path = tmp_path / f"carry-{next(counter)}.bundles"
        frm.run("bundles", "export", "--to", (hop or to).installation_id, "--out", str(path))
        if path.exists():
            (hop or to).run("bundles", "import", str(path))

    def carry(frm: Installation, to: Installation) -> None:
        hand_over(frm, to, m)
        hand_over(m, to)
        hand_over(m, frm)  # receipts (relayed) back to the sender

    list_id = (
        a.run(
            "lists",
            "send",
            "--as",
            "ua-caseworker",
            "--to",
            ASKED,
            "--title",
            "List by hand",
            "--all-open",
            "--limit",
            "20",
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    sent = a.json("lists", "show", "--as", "ua-caseworker", list_id[:8])
    to_mediator = tmp_path / "a-to-m.bundles"
    a.run("bundles", "export", "--to", MEDIATOR, "--out", str(to_mediator))
    m.run("bundles", "import", str(to_mediator))
    to_b = tmp_path / "m-to-b.bundles"
    m.run("bundles", "export", "--to", ASKED, "--out", str(to_b))
    # a damaged file is refused whole; a truncated one too; nothing is written
    damaged = tmp_path / "damaged.bundles"
    parcel = json.loads(to_b.read_bytes())
    bundle = json.loads(base64.b64decode(parcel["bundles"][0]))
    bundle["header"]["seq"] += 1
    parcel["bundles"][0] = base64.b64encode(json.dumps(bundle).encode()).decode()
    damaged.write_text(json.dumps(parcel))
    refused = b.run("bundles", "import", str(damaged), check=False)
    assert refused.returncode == 1 and "changed after it was signed" in refused.stdout
    truncated = tmp_path / "truncated.bundles"
    truncated.write_bytes(to_b.read_bytes()[:-40])
    refused = b.run("bundles", "import", str(truncated), check=False)
    assert refused.returncode == 1 and "truncated" in refused.stderr
    # killed in the middle of the import: nothing half-written; importing again resumes
    killed = b.run(
        "bundles", "import", str(to_b), check=False, env=b.env(REUNITE_EXCHANGE_CRASH_AT="import")
    )
    assert killed.returncode == -signal.SIGKILL
    assert b.json("lists", "list") == []
    assert not _query(b, "SELECT id FROM exchange_bundlein")
    b.run("bundles", "import", str(to_b))
    again = b.run("bundles", "import", str(to_b))
    assert "already imported" in again.stdout
    assert len(b.json("lists", "list")) == 1
    hand_over(m, a)  # the mediator's "relayed" receipt
    answers = b.directory / "answers.csv"
    _answer_file(b, list_id, answers)
    b.run("lists", "import-answers", "--as", "ru-caseworker", list_id[:8], str(answers))
    carry(b, a)
    _check_answers_arrived(a, list_id)
    _report_and_messages(a, b, list_id, carry)
    carry(a, b)  # the last receipts
    _assert_mediator_never_saw(m, _names_in(sent["entries"]))
    for inst in (a, b, m):
        assert "intact" in inst.run("audit", "verify").stdout
