"""`reunite pprl`: privacy-preserving linkage between two parties through a mediator.

    secret   make a shared secret (the two parties exchange it; the mediator never sees it)
    encode   party: records file -> encoded file (for the mediator) + id map (kept)
    link     mediator: two encoded files -> candidate pairs (pseudonyms and scores)
    reveal   party: disclose chosen details of its records in candidate pairs
    review   party: own records beside what the other party disclosed

Every file is written atomically; a bad file is reported with a clear error (exit code 2)
and nothing is written. See docs/pprl.md.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

app = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False)


class Kind(StrEnum):
    records = "records"
    enquiries = "enquiries"
    children = "children"


class Side(StrEnum):
    a = "a"
    b = "b"


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


class _Bar:
    def __init__(self, bar: Progress | None) -> None:
        self.bar = bar
        self.task = bar.add_task("starting", total=None) if bar is not None else None

    def stage(self, message: str) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, description=message, total=None, completed=0)

    def step(self, done: int, total: int) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, total=total, completed=done)


@contextmanager
def _progress(quiet: bool) -> Iterator[_Bar]:
    if quiet:
        yield _Bar(None)
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        yield _Bar(bar)


def _read_records(path: Path, kind: str, bar: _Bar) -> list[Any]:
    from reunite.interchange import InterchangeError, read_file

    bar.stage(f"reading {path.name}")
    if not path.exists():
        raise _fail(f"{path}: no such file")
    if path.is_dir():
        raise _fail(f"{path} is a directory, not a file")
    try:
        result = read_file(path, kind, progress=bar.step)  # type: ignore[arg-type]
    except InterchangeError as exc:
        err.print(
            f"[bold red]error:[/] {path} is not a valid {kind} file "
            f"({len(exc.problems)} problem(s)); nothing was written:",
            highlight=False,
        )
        for p in exc.problems:
            err.print(f"  {p}", highlight=False, markup=False)
        raise typer.Exit(2) from None
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}") from None
    return result.records


def _check_out(path: Path) -> None:
    if path.exists() and path.is_dir():
        raise _fail(f"{path} is a directory")
    if not path.parent.exists():
        raise _fail(f"directory {path.parent} does not exist")


def _load_secret(path: Path) -> Any:
    from reunite.pprl import Secret, SecretError

    try:
        return Secret.from_file(path)
    except SecretError as exc:
        raise _fail(str(exc)) from None


# -- secret -----------------------------------------------------------------------------------
@app.command("secret")
def secret_command(
    out_path: Annotated[Path, typer.Option("--out", "-o", help="Secret file to write (0600).")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Make a new random shared secret (32 bytes, hex). Give it to the other party over a
    trusted channel, never to the mediator."""
    from reunite.pprl import Secret

    _check_out(out_path)
    if out_path.exists() and not force:
        raise _fail(f"{out_path} exists; use --force to replace it")
    secret = Secret.generate()
    secret.write(out_path)
    out.print(f"secret written to {out_path} (fingerprint {secret.fingerprint})", highlight=False)


# -- encode -----------------------------------------------------------------------------------
@app.command("encode")
def encode_command(
    records: Annotated[Path, typer.Option("--records", "-r", help="Interchange file (CSV/XLSX).")],
    secret_file: Annotated[Path, typer.Option("--secret-file", "-s", help="Shared secret.")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="Encoded file to send.")],
    kind: Annotated[Kind, typer.Option(help="Kind of the records file.")] = Kind.records,
    ids_out: Annotated[
        Path | None,
        typer.Option("--ids-out", help="Id map to keep (default: OUT.ids.csv). Never send it."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Encode records into keyed Bloom filters for the mediator, plus an id map
    (pseudonym -> record id) that stays with this party."""
    from reunite.pprl import encode, write_encoding, write_id_map

    _check_out(out_path)
    ids_path = ids_out or out_path.with_name(out_path.name + ".ids.csv")
    _check_out(ids_path)
    secret = _load_secret(secret_file)
    started = time.perf_counter()
    with _progress(quiet or as_json) as bar:
        recs = _read_records(records, kind.value, bar)
        bar.stage("encoding")
        enc = encode(recs, secret, progress=bar.step)
        bar.stage("writing")
        write_id_map(ids_path, enc)
        write_encoding(out_path, enc)
    summary = {
        "records": len(enc),
        "out": str(out_path),
        "id_map": str(ids_path),
        "secret_fingerprint": enc.secret_fingerprint,
        "bits": enc.schema.output_bits,
        "fields": list(enc.schema.field_names),
        "seconds": round(time.perf_counter() - started, 2),
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    out.print(
        f"{len(enc):,} records encoded -> {out_path} (send to the mediator); "
        f"id map -> {ids_path} (keep it here) in {summary['seconds']} s",
        highlight=False,
    )


# -- link -------------------------------------------------------------------------------------
@app.command("link")
def link_command(
    a_path: Annotated[Path, typer.Option("--a", help="Encoded file of party A.")],
    b_path: Annotated[Path, typer.Option("--b", help="Encoded file of party B.")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="Pairs file to write (JSON).")],
    threshold: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Minimum Dice score.")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Candidates per record of A.")] = 5,
    state_dir: Annotated[
        Path,
        typer.Option(
            "--state-dir",
            envvar="REUNITE_PPRL_MEDIATOR_DIR",
            help="Mediator's state: audit log and repeat-check digests.",
        ),
    ] = Path("pprl-mediator"),
    max_links_per_day: Annotated[
        int, typer.Option(min=1, help="Links allowed per secret in 24 hours.")
    ] = 6,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Mediator: compare two encoded files (no secret needed) and write candidate pairs.
    Every run, accepted or refused, is recorded in STATE_DIR/audit.jsonl."""
    from reunite.pprl import DEFAULT_THRESHOLD, Mediator, PPRLError, RefusedError

    _check_out(out_path)
    mediator = Mediator(state_dir, max_links_per_day=max_links_per_day)
    t = DEFAULT_THRESHOLD if threshold is None else threshold
    started = time.perf_counter()
    with _progress(quiet or as_json) as bar:
        try:
            summary = mediator.link(
                a_path, b_path, out_path, threshold=t, top_k=top, progress=bar.step, stage=bar.stage
            )
        except RefusedError as exc:
            raise _fail(str(exc), 3) from None
        except PPRLError as exc:
            raise _fail(str(exc)) from None
    seconds = round(time.perf_counter() - started, 2)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "a_records": summary.a_records,
                    "b_records": summary.b_records,
                    "pairs": summary.pairs,
                    "a_with_candidates": summary.a_with_candidates,
                    "threshold": t,
                    "top": top,
                    "out": str(out_path),
                    "seconds": seconds,
                },
                indent=2,
            )
        )
        return
    out.print(
        f"{summary.pairs:,} candidate pairs for {summary.a_with_candidates:,} of "
        f"{summary.a_records:,} records of A ({summary.b_records:,} records of B) in "
        f"{seconds} s -> {out_path}",
        highlight=False,
    )


# -- reveal / review --------------------------------------------------------------------------
def _fields(text: str) -> list[str]:
    return [f.strip() for f in text.split(",") if f.strip()]


def _load_pairs_and_ids(pairs: Path, ids: Path) -> tuple[dict[str, Any], dict[str, str]]:
    from reunite.pprl import DisclosureError, read_id_map, read_pairs

    try:
        return read_pairs(pairs), read_id_map(ids)
    except DisclosureError as exc:
        raise _fail(str(exc)) from None


@app.command("reveal")
def reveal_command(
    pairs: Annotated[Path, typer.Option("--pairs", "-p", help="Pairs file from the mediator.")],
    side: Annotated[Side, typer.Option(help="Which side this party was in the link (a or b).")],
    ids: Annotated[Path, typer.Option("--ids", help="This party's id map (from encode).")],
    records: Annotated[Path, typer.Option("--records", "-r", help="This party's records.")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="Disclosure file to send.")],
    kind: Annotated[Kind, typer.Option(help="Kind of the records file.")] = Kind.records,
    fields: Annotated[
        str, typer.Option(help="Comma-separated columns to reveal.")
    ] = "full_name,surname,given_name,patronymic,sex,birth_date,birth_place",
    min_score: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Reveal only pairs scoring at least this.")
    ] = 0.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Disclose the chosen columns of this party's records that are in candidate pairs
    (and nothing about any other record), for the other party."""
    from reunite.pprl import DisclosureError, make_disclosure, write_json

    _check_out(out_path)
    pairs_doc, id_map = _load_pairs_and_ids(pairs, ids)
    with _progress(quiet) as bar:
        recs = {r.record_id: r for r in _read_records(records, kind.value, bar)}
        bar.stage("selecting")
        try:
            doc = make_disclosure(
                pairs_doc, side.value, id_map, recs, _fields(fields), min_score=min_score
            )
        except DisclosureError as exc:
            raise _fail(str(exc)) from None
        write_json(out_path, doc)
    out.print(
        f"{len(doc['records']):,} records disclosed ({', '.join(doc['fields'])}) -> {out_path}",
        highlight=False,
    )


@app.command("review")
def review_command(
    pairs: Annotated[Path, typer.Option("--pairs", "-p", help="Pairs file from the mediator.")],
    side: Annotated[Side, typer.Option(help="Which side this party was in the link (a or b).")],
    ids: Annotated[Path, typer.Option("--ids", help="This party's id map (from encode).")],
    records: Annotated[Path, typer.Option("--records", "-r", help="This party's records.")],
    disclosure: Annotated[
        Path, typer.Option("--disclosure", "-d", help="The other party's disclosure file.")
    ],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="Review CSV to write.")],
    kind: Annotated[Kind, typer.Option(help="Kind of the records file.")] = Kind.records,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Write a CSV with, per candidate pair, this party's record beside the details the
    other party disclosed, best score first."""
    from reunite.interchange import escape_cell
    from reunite.pprl import DisclosureError, review_rows
    from reunite.pprl._files import atomic_writer

    _check_out(out_path)
    pairs_doc, id_map = _load_pairs_and_ids(pairs, ids)
    try:
        other = json.loads(disclosure.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(f"{disclosure}: no such file") from None
    except (OSError, ValueError, UnicodeDecodeError):
        raise _fail(f"{disclosure} is not a disclosure written by `reunite pprl reveal`") from None
    with _progress(quiet) as bar:
        recs = {r.record_id: r for r in _read_records(records, kind.value, bar)}
        try:
            header, rows = review_rows(pairs_doc, side.value, id_map, recs, other)
        except DisclosureError as exc:
            raise _fail(f"{disclosure}: {exc}") from None
        with atomic_writer(out_path, "w") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for row in rows:
                w.writerow([escape_cell(c) for c in row])
    out.print(f"{len(rows):,} candidate pairs to review -> {out_path}", highlight=False)
