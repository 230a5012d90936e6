"""`reunite synth`: write synthetic populations with known truth (see docs/synth.md)."""

from __future__ import annotations

import json
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

app = typer.Typer(no_args_is_help=True)
_err = Console(stderr=True)


class _Difficulty(StrEnum):
    easy = "easy"
    realistic = "realistic"
    hard = "hard"


class _Format(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


_STAGES = {
    "children": "Families and children",
    "enquiries": "Tracing requests",
    "registry": "True registry records",
    "distractors": "Distractor children",
}


@app.callback(invoke_without_command=True)
def synth(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory to write the files into.")],
    records: Annotated[
        int,
        typer.Option("--records", "-n", min=0, help="Registry size (true records + distractors)."),
    ] = 10_000,
    enquiries: Annotated[
        int, typer.Option("--enquiries", "-m", min=0, help="Number of families' tracing requests.")
    ] = 1_000,
    difficulty: Annotated[_Difficulty, typer.Option("--difficulty", "-d")] = _Difficulty.realistic,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Same seed, same population.")] = 0,
    fmt: Annotated[
        _Format,
        typer.Option("--format", help="Format of enquiries/records (truth files are CSV)."),
    ] = _Format.csv,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON summary on stdout.")
    ] = False,
) -> None:
    """Generate a synthetic population and write it as interchange files.

    Writes enquiries, records (interchange format), truth.csv (enquiry_id,record_id),
    duplicates.csv (group_id,record_id) and children.csv (the ground truth).
    """
    from reunite.synth import MAX_ENQUIRIES, MAX_RECORDS, SynthError, generate, write_population

    if records > MAX_RECORDS or enquiries > MAX_ENQUIRIES:
        _err.print(
            f"[red]error:[/red] at most {MAX_RECORDS:,} records and {MAX_ENQUIRIES:,} enquiries"
        )
        raise typer.Exit(2)
    if fmt is _Format.xlsx and max(records, enquiries) >= 1_048_576:
        _err.print(
            "[red]error:[/red] an Excel sheet holds at most 1,048,575 rows; use --format csv"
        )
        raise typer.Exit(2)
    if out.exists() and not out.is_dir():
        _err.print(f"[red]error:[/red] {out} exists and is not a directory")
        raise typer.Exit(2)

    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        TextColumn("{task.completed:>10,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=_err,
        transient=as_json,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(_STAGES.get(stage, f"Writing {stage}"), total=total)
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        try:
            pop = generate(
                records=records,
                enquiries=enquiries,
                difficulty=difficulty.value,
                seed=seed,
                progress=report,
            )
            paths = write_population(pop, out, fmt=fmt.value, progress=report)
        except SynthError as exc:
            _err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
    elapsed = time.perf_counter() - started
    stats = pop.stats()
    summary = {
        "difficulty": difficulty.value,
        "seed": seed,
        "seconds": round(elapsed, 2),
        "files": {name: str(path) for name, path in paths.items()},
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in stats.items()},
    }
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    _err.print(
        f"Wrote {len(pop.enquiries):,} enquiries, {len(pop.records):,} registry records and "
        f"{len(pop.truth):,} true pairs ({difficulty.value}, seed {seed}) to {out} "
        f"in {elapsed:.1f} s."
    )
    _err.print(
        f"Enquired children in the registry: {stats['enquired_in_registry_share']:.1%}; "
        f"duplicate groups: {len(pop.duplicate_truth):,}."
    )
