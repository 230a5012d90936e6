"""`reunite match-registry`: a match run over the registry, as a named user.

The same run as the "Run matching" button (``reunite.matching.actions.run_matching``), for
registries too large to link inside a web request, for cron jobs, and to retrain or load
the linkage model. Exit codes: 0 done; 1 the run failed or could not start (the reason is
printed and recorded on the run); 2 bad command line (unknown user, unreadable model
file, bad option); 3 the user's role does not allow it.
"""

# No "from __future__ import annotations": Typer reads the option annotations at run time.
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from reunite.cli.django_setup import acting_as, setup

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_DENIED = 3


def _err(message: str) -> None:
    typer.secho(message, fg="red", err=True)


@contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A rich progress bar on stderr; yields ``progress(message, done, total)``."""
    if not enabled:
        yield lambda message, done=None, total=None: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def update(message: str, done: int | None = None, total: int | None = None) -> None:
            if total is None:
                bar.update(task, description=message, total=None)
            else:
                bar.update(task, description=message, total=max(total, 1), completed=done or 0)

        yield update


def _run_summary(run: Any) -> dict[str, Any]:
    return {
        "ok": run.status == "succeeded",
        "run": run.pk,
        "organization": run.organization.short_name,
        "status": run.status,
        "mode": run.mode,
        "requested_mode": run.requested_mode,
        "model_version": run.model.version if run.model else None,
        "duration_seconds": run.duration_seconds,
        "enquiries": run.enquiries_considered,
        "children": run.children_considered,
        "new_enquiries": run.new_enquiries,
        "new_children": run.new_children,
        "excluded_pairs": run.excluded_pairs,
        "candidates_found": run.candidates_found,
        "pairs_created": run.pairs_created,
        "pairs_refreshed": run.pairs_refreshed,
        "pairs_kept_decided": run.pairs_kept_decided,
        "pairs_withdrawn": run.pairs_withdrawn,
        "notes": list(run.notes),
        "error": run.error,
    }


def match_registry(
    as_user: Annotated[
        str,
        typer.Option(
            "--as",
            metavar="USERNAME",
            help="Run as this user: their organisation's view of the registry, their role.",
        ),
    ],
    full: Annotated[
        bool, typer.Option("--full", help="Compare every record, not only new or changed ones.")
    ] = False,
    retrain: Annotated[
        bool,
        typer.Option(
            "--retrain",
            help="First retrain the model from reviewers' confirmed and rejected pairs.",
        ),
    ] = False,
    load_model: Annotated[
        Path | None,
        typer.Option(
            "--load-model",
            metavar="FILE",
            dir_okay=False,
            help="First install this model JSON (e.g. from `reunite match --save-model`) "
            "as the new current version.",
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(min=0.0, max=1.0, help="Lowest probability proposed (default 0.5)."),
    ] = None,
    top_k: Annotated[
        int | None, typer.Option(min=1, help="Candidates per tracing request (default 5).")
    ] = None,
    backend: Annotated[
        str | None,
        typer.Option(
            help="Linkage back-end: duckdb (embedded) or spark (REUNITE_SPARK_MASTER names "
            "the cluster). Default: REUNITE_MATCH_BACKEND, else duckdb.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Link tracing requests with children (consented, visible to the user's organisation).

    Incremental by default: records new or changed since the organisation's last
    successful run are compared with all others. Rejected pairs are never proposed again;
    decided pairs are never overwritten.
    """
    setup()
    from django.core.exceptions import PermissionDenied, ValidationError

    from reunite.linkage import BACKENDS, LinkageModel, ModelError
    from reunite.matching import actions

    if backend is not None:
        if backend not in BACKENDS:
            _err(f"Unknown back-end {backend!r}: use one of {', '.join(BACKENDS)}.")
            raise typer.Exit(EXIT_USAGE)

    acting = acting_as(as_user)
    model = None
    if load_model is not None:
        try:
            model = LinkageModel.load(load_model)
        except ModelError as exc:
            _err(f"Cannot use {load_model}: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
    try:
        with _progress(not quiet and not as_json) as progress:
            if model is not None and load_model is not None:
                version = actions.install_model(
                    acting, model, note=f"loaded from {load_model.name}"
                )
                typer.secho(f"Installed model v{version.version}.", err=True)
            if retrain:
                version = actions.retrain_model(acting, progress=progress)
                typer.secho(
                    f"Model v{version.version}: retrained from {version.labels_confirmed} "
                    f"confirmed and {version.labels_rejected} rejected pairs.", err=True,
                )  # fmt: skip
            run = actions.run_matching(
                acting, full=full, threshold=threshold,
                top_k=top_k if top_k is not None else False, progress=progress,
                backend=backend,
            )  # fmt: skip
    except PermissionDenied:
        _err(f"{as_user}'s role does not allow running matching.")
        raise typer.Exit(EXIT_DENIED) from None
    except actions.RunRefused as exc:
        _err(str(exc))
        raise typer.Exit(EXIT_FAILED) from None
    except ValidationError as exc:
        _err(" ".join(exc.messages))
        raise typer.Exit(EXIT_USAGE if not retrain else EXIT_FAILED) from None
    summary = _run_summary(run)
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    elif run.status == "succeeded":
        typer.secho(
            f"Run {run.pk} ({run.get_mode_display().lower()}, model v{summary['model_version']}) "
            f"finished in {run.duration_seconds or 0:.1f} s.", fg="green",
        )  # fmt: skip
        typer.echo(
            f"  compared: {run.enquiries_considered} requests ({run.new_enquiries} new or "
            f"changed), {run.children_considered} children ({run.new_children} new or changed)\n"
            f"  pairs: {run.pairs_created} new, {run.pairs_refreshed} re-scored, "
            f"{run.pairs_withdrawn} withdrawn, {run.excluded_pairs} decided pairs excluded"
        )
        for note in run.notes:
            typer.echo(f"  note: {note}")
    if run.status != "succeeded":
        if not as_json:
            _err(f"Run {run.pk} failed: {run.error} No candidate was written.")
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    """Add ``match-registry`` to the top-level app."""
    app.command(
        "match-registry",
        help="Run matching over the registry as a user (incremental; --full to redo all).",
    )(match_registry)
