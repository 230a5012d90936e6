"""`reunite import children|enquiries FILE` and `reunite export`: list files (CSV or XLSX).

Thin commands over :mod:`reunite.registry.importing` and :mod:`reunite.registry.exporting`:
they parse options, act as the ``--as`` user, show progress and turn every error a person
can cause into a clear message and a non-zero exit code (never a traceback).

Exit codes: 0 done; 1 the file (or the export) has problems, nothing was imported or
written; 2 bad command line (unknown user, bad option); 3 the user's role does not allow it;
130 interrupted (Ctrl+C), nothing imported or written.
"""

# No "from __future__ import annotations": Typer reads the option annotations at run time,
# and those of the import commands are built inside a function.
import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_DENIED = 3
EXIT_INTERRUPTED = 130  # as a shell reports Ctrl+C

import_app = typer.Typer(
    no_args_is_help=True,
    help="Import a list file (CSV UTF-8 or XLSX, one row per child): validated first, "
    "then written in one transaction.",
)


class ExportKind(StrEnum):
    children = "children"
    enquiries = "enquiries"


AsUser = Annotated[
    str,
    typer.Option(
        "--as", metavar="USERNAME", help="Act as this user (their role and organisation apply)."
    ),
]
JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print the result (or the problems) as JSON.")
]


def _err(message: str) -> None:
    typer.secho(message, fg="red", err=True)


def problem_json(problem: Any) -> dict[str, Any]:
    """A problem as JSON: where it is (row/column, None for the whole file) and the text."""
    return {
        "row": problem.row,
        "column": problem.column,
        "message": problem.message,
        "text": str(problem),
    }


def _emit_json(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A rich progress bar on stderr, one task per phase; yields the callback (or None)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    labels = {
        "read": "Reading and validating",
        "check": "Checking against the registry",
        "import": "Importing",
        "collect": "Collecting records",
        "write": "Writing the file",
    }
    tasks: dict[str, Any] = {}
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as bar:

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(labels.get(phase, phase), total=max(total, 1))
            bar.update(tasks[phase], completed=done, total=max(total, done, 1))

        yield update


def _print_problems(problems: list[Any], heading: str) -> None:
    _err(heading)
    for problem in problems:
        typer.echo(f"  {problem}", err=True)


def _run_import(
    kind: str,
    file: Path,
    as_user: str,
    *,
    update: bool,
    check: bool,
    consent: bool | None,
    ignore_unknown_columns: bool,
    max_rows: int | None,
    max_bytes: int | None,
    as_json: bool,
    quiet: bool,
) -> None:
    from reunite.cli.django_setup import acting_as, setup

    setup()
    from django.core.exceptions import PermissionDenied

    from reunite.registry.importing import ImportFailed, ImportRefused, import_file

    acting = acting_as(as_user)
    try:
        with _progress(not (as_json or quiet)) as progress:
            report = import_file(
                acting, file, kind,  # type: ignore[arg-type]
                update=update, check_only=check, consent_for_tracing=consent,
                ignore_unknown_columns=ignore_unknown_columns, max_rows=max_rows,
                max_bytes=max_bytes, progress=progress,
            )  # fmt: skip
    except PermissionDenied as exc:
        if as_json:
            _emit_json({"ok": False, "error": "permission_denied", "message": str(exc)})
        else:
            _err(f"Not allowed: {exc}")
        raise typer.Exit(EXIT_DENIED) from None
    except ImportRefused as exc:
        if as_json:
            _emit_json(
                {
                    "ok": False, "error": "invalid_file", "file": str(file),
                    "problems": [problem_json(p) for p in exc.problems],
                    "warnings": [problem_json(w) for w in exc.warnings],
                }
            )  # fmt: skip
        else:
            count = len(exc.problems)
            _print_problems(
                exc.problems,
                f"{file.name}: {count} problem{'s' if count != 1 else ''}; nothing was imported.",
            )
            _hints(exc.problems)
        raise typer.Exit(EXIT_PROBLEMS) from None
    except ImportFailed as exc:
        if as_json:
            _emit_json(
                {"ok": False, "error": "import_failed", "row": exc.row,
                 "record_id": exc.record_id, "message": exc.message}
            )  # fmt: skip
        else:
            _err(f"{exc}.")
            _err("The import was rolled back: nothing was imported, the database is as it was.")
        raise typer.Exit(EXIT_PROBLEMS) from None
    except OSError as exc:
        _err(f"Cannot read {file}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_PROBLEMS) from None
    except KeyboardInterrupt:
        _err("Interrupted: the import was rolled back, nothing was imported.")
        raise typer.Exit(EXIT_INTERRUPTED) from None

    if as_json:
        _emit_json(report.as_dict())
        return
    for warning in report.warnings:
        typer.secho(f"warning: {warning}", fg="yellow", err=True)
    if report.ignored_columns:
        typer.secho(
            f"Left out (unknown columns): {', '.join(report.ignored_columns)}",
            fg="yellow",
            err=True,
        )
    what = "children" if kind == "children" else "tracing requests"
    counts = f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged"
    if report.checked_only:
        typer.secho(
            f"{file.name} is valid: {len(report.outcomes)} {what} ({counts} if imported). "
            "Nothing was written (--check).",
            fg="green",
        )
    else:
        typer.secho(f"Imported {file.name}: {len(report.outcomes)} {what} ({counts}).", fg="green")


def _hints(problems: list[Any]) -> None:
    unknown = [p.column for p in problems if p.row == 1 and "unknown column" in p.message]
    if not unknown:
        return
    if any(c and "consent" in c for c in unknown):
        typer.echo(
            "Hint: consent for tracing is not a list column; use --consent-for-tracing "
            "to record it for every row of the file.",
            err=True,
        )
    typer.echo(
        "Hint: --ignore-unknown-columns imports the file without the unknown columns.", err=True
    )


def _import_command(kind: str) -> Any:
    singular = "child" if kind == "children" else "tracing request"

    def command(
        file: Annotated[
            Path, typer.Argument(help="The list file: .csv (UTF-8) or .xlsx.", show_default=False)
        ],
        as_user: AsUser,
        update: Annotated[
            bool,
            typer.Option(
                "--update",
                help=f"Rows whose record_id you already have update that {singular} "
                "(otherwise they are refused as duplicates).",
            ),
        ] = False,
        check: Annotated[
            bool, typer.Option("--check", help="Validate and report only; write nothing.")
        ] = False,
        consent: Annotated[
            bool | None,
            typer.Option(
                "--consent-for-tracing/--no-consent-for-tracing",
                help="Record consent for tracing (or its absence) on every row. Not given: "
                "new records have no consent, updated ones keep theirs.",
                show_default=False,
            ),
        ] = None,
        ignore_unknown_columns: Annotated[
            bool,
            typer.Option(
                "--ignore-unknown-columns",
                help="Import a file that has columns the format does not know (they are "
                "listed and left out). Without it such a file is refused.",
            ),
        ] = False,
        max_rows: Annotated[
            int | None,
            typer.Option(
                min=1,
                help="Refuse files with more data rows "
                "(default: the REUNITE_IMPORT_MAX_ROWS setting).",
            ),
        ] = None,
        max_bytes: Annotated[
            int | None,
            typer.Option(
                min=1,
                help="Refuse larger files, in bytes "
                "(default: the REUNITE_IMPORT_MAX_BYTES setting).",
            ),
        ] = None,
        as_json: JsonFlag = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    ) -> None:
        _run_import(
            kind, file, as_user, update=update, check=check, consent=consent,
            ignore_unknown_columns=ignore_unknown_columns, max_rows=max_rows,
            max_bytes=max_bytes, as_json=as_json, quiet=quiet,
        )  # fmt: skip

    command.__name__ = kind
    command.__doc__ = (
        f"Import {kind} from a list file. Every row is validated first; a bad file is "
        f"refused with a list of 'row N, column C: what is wrong' and nothing is imported."
    )
    return command


import_app.command(name="children")(_import_command("children"))
import_app.command(name="enquiries")(_import_command("enquiries"))


def export(
    as_user: AsUser,
    kind: Annotated[ExportKind, typer.Option("--kind", help="What to export.")],
    out: Annotated[
        Path, typer.Option("--out", help="The file to write: .csv or .xlsx.", show_default=False)
    ],
    q: Annotated[str, typer.Option("--q", help="Only records whose names match this search.")] = "",
    own_only: Annotated[
        bool,
        typer.Option(
            "--own-only", help="Only your organisation's records, not those shared with it."
        ),
    ] = False,
    consented_only: Annotated[
        bool,
        typer.Option("--consented-only", help="Only records with consent for tracing."),
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the file if it exists.")
    ] = False,
    bom: Annotated[
        bool, typer.Option("--bom", help="Start a CSV with a UTF-8 BOM (for old Excel versions).")
    ] = False,
    as_json: JsonFlag = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Export the children or tracing requests you can see as a list file (same format as import).

    Restricted columns (a child's institution, an enquirer's contact) are filled in only
    where your role may see them. The export is recorded in the audit trail.
    """
    from reunite.cli.django_setup import acting_as, setup

    setup()
    from django.core.exceptions import PermissionDenied

    from reunite.registry.exporting import ExportRefused, export_file

    acting = acting_as(as_user)
    try:
        with _progress(not (as_json or quiet)) as progress:
            report = export_file(
                acting, kind.value, out, query=q, own_only=own_only,  # type: ignore[arg-type]
                consented_only=consented_only, bom=bom, overwrite=overwrite, progress=progress,
            )  # fmt: skip
    except PermissionDenied as exc:
        if as_json:
            _emit_json({"ok": False, "error": "permission_denied", "message": str(exc)})
        else:
            _err(f"Not allowed: {exc}")
        raise typer.Exit(EXIT_DENIED) from None
    except ExportRefused as exc:
        if as_json:
            _emit_json(
                {
                    "ok": False,
                    "error": "export_refused",
                    "problems": [problem_json(p) for p in exc.problems],
                }
            )
        else:
            _print_problems(exc.problems, "Nothing was exported:")
        raise typer.Exit(EXIT_PROBLEMS) from None
    except OSError as exc:
        _err(f"Cannot write {out}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_PROBLEMS) from None
    except KeyboardInterrupt:
        _err("Interrupted: nothing was exported.")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if as_json:
        _emit_json(report.as_dict())
        return
    for warning in report.warnings:
        typer.secho(f"warning: {warning}", fg="yellow", err=True)
    if report.restricted_withheld:
        typer.secho(
            f"Restricted columns left empty for {report.restricted_withheld} record(s): "
            "your role may not see them.",
            fg="yellow",
            err=True,
        )
    typer.secho(f"Exported {report.rows} {kind.value} to {out}.", fg="green")


def register(app: typer.Typer) -> None:
    """Add the import and export commands to the top-level app."""
    app.add_typer(import_app, name="import")
    app.command(name="export")(export)
