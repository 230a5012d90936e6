"""`reunite match` and `reunite dedupe`: record linkage over interchange files.

Both read the interchange format (docs/interchange.md). A bad input file is reported with
every problem (row and column named) and nothing is written. Output CSVs appear
atomically (temp file + rename) with formula-looking cells escaped.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
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

# soft_wrap: never break a file path or a "row N, column C" message over two lines.
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


class BackendChoice(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


def register(app: typer.Typer) -> None:
    """Add the linkage commands to the top-level app."""
    app.command("match", help="Link tracing requests (enquiries) with registry records.")(
        match_command
    )
    app.command("dedupe", help="Find records of one list that describe the same child.")(
        dedupe_command
    )


# -- helpers ----------------------------------------------------------------------------------
def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


class _Stages:
    """Progress display: a bar while reading rows, then one line per engine stage."""

    def __init__(self, bar: Progress | None) -> None:
        self.bar = bar
        self.task = bar.add_task("starting", total=None) if bar is not None else None

    def __call__(self, message: str) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, description=message, total=None, completed=0)

    def rows(self, done: int, total: int) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, total=total, completed=done)


@contextmanager
def _progress(quiet: bool) -> Iterator[_Stages]:
    if quiet:
        yield _Stages(None)
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
        yield _Stages(bar)


class _Input:
    """One input list as read: its records and, when read tolerantly, what was repaired."""

    def __init__(self, path: Path, role: str, result: Any, report: Path | None) -> None:
        self.path = path
        self.role = role
        self.records: list[Any] = result.records
        self.repairs: list[Any] = list(result.repairs)
        self.skipped: list[int] = list(result.skipped)
        self.report = report
        self.rows_read = len(self.records) + len(self.skipped)

    def summary(self) -> dict[str, Any]:
        from reunite.interchange import summarise_repairs

        return {
            "file": str(self.path),
            "rows_read": self.rows_read,
            "rows_used": len(self.records),
            "rows_skipped": self.skipped,
            "repairs": len(self.repairs),
            "repairs_by_column": [
                {"column": c, "kind": k, "count": n} for c, k, n in summarise_repairs(self.repairs)
            ],
            "repair_report": str(self.report) if self.report else None,
        }


_KIND_WORDS = {
    "mapped": "read as a known word",
    "unknown": "not a known word, kept as unknown",
    "dropped": "dropped (impossible or inconsistent)",
    "fixed": "fixed",
    "skipped": "row skipped",
}
_SHOWN_SKIPPED = 20


def _print_repairs(inputs: list[_Input]) -> None:
    from reunite.interchange import summarise_repairs

    for item in inputs:
        if item.report is None:
            continue
        name = item.path.name
        if not item.repairs:
            err.print(f"{name}: {item.rows_read:,} rows read, all used as written", highlight=False)
            continue
        err.print(
            f"[yellow]{name}:[/] {item.rows_read:,} rows read, {len(item.records):,} used, "
            f"{len(item.skipped):,} skipped; {len(item.repairs):,} repairs -> {item.report}",
            highlight=False,
        )
        for column, kind, count in summarise_repairs(item.repairs):
            if kind == "skipped":
                continue
            err.print(f"  {column}: {count:,} {_KIND_WORDS[kind]}", highlight=False)
        if item.skipped:
            shown = ", ".join(str(r) for r in item.skipped[:_SHOWN_SKIPPED])
            more = len(item.skipped) - _SHOWN_SKIPPED
            tail = f" and {more:,} more (see the repair report)" if more > 0 else ""
            err.print(f"  rows skipped (no name and no date): {shown}{tail}", highlight=False)


def _read(path: Path, kind: str, update: _Stages, *, strict: bool, report: Path | None) -> _Input:
    from reunite.interchange import InterchangeError, read_file, write_repairs

    update(f"reading {path.name}")
    if not path.exists():
        raise _fail(f"{path}: no such file")
    if path.is_dir():
        raise _fail(f"{path} is a directory, not a file")
    try:
        result = read_file(path, kind, progress=update.rows, tolerant=not strict)  # type: ignore[arg-type]
    except InterchangeError as exc:
        hint = "" if strict else " (even read tolerantly)"
        err.print(
            f"[bold red]error:[/] {path} is not a valid {kind} file{hint} "
            f"({len(exc.problems)} problem(s)); nothing was written:",
            highlight=False,
        )
        for p in exc.problems:
            err.print(f"  {p}", highlight=False, markup=False)
        if strict:
            err.print(
                "Without --strict, values outside the format are repaired for their row "
                "and reported instead.",
                highlight=False,
            )
        raise typer.Exit(2) from None
    except FileNotFoundError:
        raise _fail(f"{path}: no such file") from None
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}") from None
    for w in getattr(result, "warnings", []) or []:
        err.print(f"[yellow]warning:[/] {path.name}: {w}", highlight=False)
    if strict:
        report = None
    elif report is not None:
        try:
            write_repairs(report, result.repairs)
        except OSError as exc:
            raise _fail(f"cannot write {report}: {exc.strerror or exc}") from None
    if not result.records:
        raise _fail(f"{path}: no usable rows (every row lacks a name and a date)", 1)
    return _Input(path, kind, result, report)


def _report_path(out_path: Path, role: str | None) -> Path:
    """Where the repair report of one input goes: beside the output, named after it."""
    tail = f".{role}-repairs.csv" if role else ".repairs.csv"
    return out_path.with_name(out_path.stem + tail)


def _write_csv_atomic(path: Path, header: list[str], rows: list[list[str]]) -> None:
    from reunite.interchange import escape_cell

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for row in rows:
                w.writerow([escape_cell(c) for c in row])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load_model(path: Path | None) -> Any:
    from reunite.linkage import LinkageModel, ModelError

    if path is None:
        return None
    try:
        return LinkageModel.load(path)
    except ModelError as exc:
        raise _fail(str(exc)) from None


def _read_pairs(path: Path) -> set[tuple[str, str]]:
    """Pairs to leave out (e.g. rejected by reviewers): a CSV with enquiry_id,record_id."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = set(reader.fieldnames or [])
            if not {"enquiry_id", "record_id"} <= fields:
                raise _fail(f"{path}: needs the columns enquiry_id and record_id")
            return {(r["enquiry_id"].strip(), r["record_id"].strip()) for r in reader}
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}") from None


def _check_out(out_path: Path) -> None:
    if out_path.exists() and out_path.is_dir():
        raise _fail(f"{out_path} is a directory")
    if not out_path.parent.exists():
        raise _fail(f"directory {out_path.parent} does not exist")


# -- match ------------------------------------------------------------------------------------
_STRICT = typer.Option(
    "--strict",
    help="Refuse a file with any value outside the format (every problem listed), "
    "instead of repairing it for its row.",
)


def match_command(
    enquiries: Annotated[
        Path, typer.Option("--enquiries", "-e", help="Enquiries file (CSV/XLSX).")
    ],
    records: Annotated[Path, typer.Option("--records", "-r", help="Registry records file.")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="Candidates CSV to write.")],
    backend: Annotated[BackendChoice, typer.Option(help="Database engine.")] = BackendChoice.duckdb,
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Minimum match probability.")
    ] = 0.5,
    top: Annotated[int, typer.Option("--top", min=1, help="Candidates kept per enquiry.")] = 5,
    model_path: Annotated[
        Path | None, typer.Option("--model", help="Saved model JSON (default: train on the data).")
    ] = None,
    save_model: Annotated[
        Path | None, typer.Option("--save-model", help="Write the model used to this JSON file.")
    ] = None,
    exclude: Annotated[
        Path | None,
        typer.Option("--exclude", help="CSV of enquiry_id,record_id pairs never to propose."),
    ] = None,
    counts: Annotated[
        bool, typer.Option("--counts", help="Also report comparisons per blocking rule.")
    ] = False,
    strict: Annotated[bool, _STRICT] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Write `enquiry_id,record_id,probability,match_weight,explanation`, sorted by enquiry
    then probability (best first).

    Every row that can be used is read: known words (legal status, sex) are mapped,
    impossible or inconsistent values dropped for their row, rows with no name and no date
    skipped; each repair is listed in OUT.enquiries-repairs.csv / OUT.records-repairs.csv.
    """
    from reunite.linkage import LinkageError, comparison_counts, link, train

    _check_out(out_path)
    model = _load_model(model_path)
    excluded = _read_pairs(exclude) if exclude else set()
    started = time.perf_counter()
    with _progress(quiet or as_json) as update:
        enq_input = _read(
            enquiries,
            "enquiries",
            update,
            strict=strict,
            report=_report_path(out_path, "enquiries"),
        )
        recs_input = _read(
            records, "records", update, strict=strict, report=_report_path(out_path, "records")
        )
        enq, recs = enq_input.records, recs_input.records
        try:
            if model is None and save_model is not None:
                model = train(enq, recs, backend=backend.value, progress=update)
            pairs = link(
                enq,
                recs,
                model=model,
                threshold=threshold,
                top_k=top,
                backend=backend.value,
                exclude_pairs=excluded,
                progress=update,
            )
            rule_counts = comparison_counts(enq, recs, backend=backend.value) if counts else []
        except LinkageError as exc:
            raise _fail(str(exc), 1) from None
        update("writing candidates")
        _write_csv_atomic(
            out_path,
            ["enquiry_id", "record_id", "probability", "match_weight", "explanation"],
            [
                [
                    p.enquiry_id,
                    p.record_id,
                    f"{p.probability:.6f}",
                    f"{p.match_weight:.3f}",
                    p.explanation_text(),
                ]
                for p in pairs
            ],
        )
        if save_model is not None and model is not None:
            model.save(save_model)
    seconds = time.perf_counter() - started
    summary = {
        "enquiries": len(enq),
        "records": len(recs),
        "candidates": len(pairs),
        "enquiries_with_candidates": len({p.enquiry_id for p in pairs}),
        "out": str(out_path),
        "backend": backend.value,
        "threshold": threshold,
        "top": top,
        "excluded_pairs": len(excluded),
        "model": str(model_path or save_model or "trained on the input"),
        "seconds": round(seconds, 2),
        "comparisons_per_rule": [
            {"rule": c.rule, "description": c.description, "comparisons": c.comparisons}
            for c in rule_counts
        ],
        "strict": strict,
        "inputs": {"enquiries": enq_input.summary(), "records": recs_input.summary()},
    }
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    _print_repairs([enq_input, recs_input])
    out.print(
        f"{summary['candidates']:,} candidate pairs for "
        f"{summary['enquiries_with_candidates']:,} of {len(enq):,} enquiries "
        f"({len(recs):,} records) in {seconds:.1f} s -> {out_path}",
        highlight=False,
    )
    for c in rule_counts:
        out.print(
            f"  {c.rule:<22} {c.comparisons:>14,} comparisons  ({c.description})", highlight=False
        )


# -- dedupe -----------------------------------------------------------------------------------
def dedupe_command(
    records: Annotated[Path, typer.Option("--records", "-r", help="List to deduplicate.")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="Clusters CSV to write.")],
    backend: Annotated[BackendChoice, typer.Option(help="Database engine.")] = BackendChoice.duckdb,
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Minimum probability to join two records.")
    ] = 0.9,
    model_path: Annotated[
        Path | None, typer.Option("--model", help="Saved model JSON (default: train on the data).")
    ] = None,
    kind: Annotated[
        str, typer.Option(help="File kind: records, children or enquiries.")
    ] = "records",
    strict: Annotated[bool, _STRICT] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Write `cluster_id,record_id,cluster_size,probability,explanation`: one row per record
    in a group of probable duplicates (probability: its best link inside the group).

    Every row that can be used is read (see `reunite match`); repairs go to
    OUT.repairs.csv.
    """
    from reunite.linkage import LinkageError, dedupe

    if kind not in ("records", "children", "enquiries"):
        raise _fail(f"unknown kind {kind!r} (use records, children or enquiries)")
    _check_out(out_path)
    model = _load_model(model_path)
    started = time.perf_counter()
    with _progress(quiet or as_json) as update:
        recs_input = _read(
            records, kind, update, strict=strict, report=_report_path(out_path, None)
        )
        recs = recs_input.records
        try:
            clusters = dedupe(
                recs, model=model, threshold=threshold, backend=backend.value, progress=update
            )
        except LinkageError as exc:
            raise _fail(str(exc), 1) from None
        rows: list[list[str]] = []
        for c in clusters:
            best: dict[str, tuple[float, str]] = {}
            for p in c.pairs:
                for rid in (p.enquiry_id, p.record_id):
                    if rid not in best or p.probability > best[rid][0]:
                        best[rid] = (p.probability, p.explanation_text())
            for rid in c.record_ids:
                prob, expl = best.get(rid, (0.0, ""))
                rows.append([c.cluster_id, rid, str(c.size), f"{prob:.6f}", expl])
        update("writing clusters")
        _write_csv_atomic(
            out_path,
            ["cluster_id", "record_id", "cluster_size", "probability", "explanation"],
            rows,
        )
    seconds = time.perf_counter() - started
    summary = {
        "records": len(recs),
        "clusters": len(clusters),
        "records_in_clusters": sum(c.size for c in clusters),
        "out": str(out_path),
        "backend": backend.value,
        "threshold": threshold,
        "seconds": round(seconds, 2),
        "strict": strict,
        "input": recs_input.summary(),
    }
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    _print_repairs([recs_input])
    out.print(
        f"{summary['clusters']:,} groups of probable duplicates "
        f"({summary['records_in_clusters']:,} of {len(recs):,} records) in {seconds:.1f} s "
        f"-> {out_path}",
        highlight=False,
    )
