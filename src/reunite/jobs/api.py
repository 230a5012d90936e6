"""The jobs API: register a kind, enqueue, report progress; the worker runs the handler.

Handlers are registered by dotted path (``register(kind, "package.module.function")``)
so the worker process imports them on first use, whatever app registered them.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from reunite.jobs.models import Job

log = logging.getLogger(__name__)

Progress = Callable[[str, int | None, int | None], None]
Handler = Callable[[Job, Progress], dict[str, Any]]

_HANDLERS: dict[str, str] = {}
#: Progress is written to the database at most this often (seconds), and always at the end.
PROGRESS_INTERVAL = 0.5


class JobError(Exception):
    """A job cannot be enqueued (unknown kind, one of the same kind already waiting)."""


class JobFailed(Exception):
    """Raised by a handler to fail its job with a message and still keep a result (e.g. a
    link to the failed run's page)."""

    def __init__(self, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.result = result or {}


def register(kind: str, handler_path: str) -> None:
    """Declare a job kind and the dotted path of its handler (call from ``AppConfig.ready``)."""
    if _HANDLERS.get(kind, handler_path) != handler_path:
        raise JobError(f"job kind {kind!r} is already registered to {_HANDLERS[kind]}")
    _HANDLERS[kind] = handler_path


def kinds() -> list[str]:
    return sorted(_HANDLERS)


def _handler(kind: str) -> Handler:
    try:
        path = _HANDLERS[kind]
    except KeyError as exc:
        raise JobError(f"unknown job kind {kind!r}") from exc
    module, _, name = path.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module), name)
    return handler


def unfinished(kind: str, organization: Any = None) -> Job | None:
    """A queued or running job of this kind (for this organisation), if any."""
    jobs = Job.objects.filter(kind=kind, state__in=[Job.State.QUEUED, Job.State.RUNNING])
    if organization is not None:
        jobs = jobs.filter(organization=organization)
    return jobs.order_by("created_at").first()


def enqueue(
    kind: str,
    *,
    owner: Any,
    organization: Any = None,
    params: dict[str, Any] | None = None,
    title: str = "",
    request_id: str = "",
    unique: bool = False,
) -> Job:
    """Record a job and put it on the queue, both in one transaction.

    The queue is a table of the same database, so the job and its queue entry commit (or
    roll back) together with whatever the caller writes around them. ``unique=True``
    refuses (``JobError``) while a job of the same kind for the same organisation is
    queued or running.
    """
    _handler(kind)  # fail now, not in the worker, for an unknown kind or a bad path
    with transaction.atomic():
        if unique:
            busy = unfinished(kind, organization)
            if busy is not None:
                raise JobError(f"job {busy.pk} of this kind is already {busy.state}")
        job = Job.objects.create(
            kind=kind, owner=owner, organization=organization, params=params or {},
            title=title[:200], request_id=request_id[:64],
        )  # fmt: skip
        from reunite.jobs.tasks import execute_job

        job.task_id = str(execute_job.enqueue(job.pk).id)[:64]
        job.save(update_fields=["task_id"])
    return job


def run_worker(*, batch: bool = False, interval: float = 1.0) -> None:
    """Run a worker in this process (``batch``: until the queue is empty, then return)."""
    from django.core.management import call_command

    args = ["--interval", str(interval), "--no-reload"]
    if batch:
        args += ["--batch", "--no-startup-delay"]
    call_command("db_worker", *args)


class _Reporter:
    """``progress(message, done, total)`` writing to the job row, throttled."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = 0.0

    def __call__(self, message: str, done: int | None = None, total: int | None = None) -> None:
        now = time.monotonic()
        final = done is not None and total is not None and done >= total
        if not final and now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        Job.objects.filter(pk=self.job_id).update(
            progress_message=str(message)[:200], progress_done=done, progress_total=total
        )


def run(job_id: int) -> dict[str, Any]:
    """Run a queued job here and now (what the worker does); returns its result.

    A job that is not queued (already run, or taken by another worker) is left alone.
    """
    taken = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now(), progress_message="started"
    )
    if not taken:
        return {}
    job = Job.objects.select_related("owner", "organization").get(pk=job_id)
    try:
        result = _handler(job.kind)(job, _Reporter(job.pk)) or {}
    except JobFailed as exc:
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED, error=str(exc)[:4000], result=exc.result,
            finished_at=timezone.now(),
        )  # fmt: skip
        return {"error": str(exc)}
    except Exception as exc:  # every failure is kept on the job for its owner to read
        log.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.FAILED, error=f"{type(exc).__name__}: {exc}"[:4000],
            finished_at=timezone.now(),
        )  # fmt: skip
        return {"error": str(exc)}
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.SUCCEEDED, result=result, finished_at=timezone.now(),
        progress_message="done",
    )  # fmt: skip
    return result
