"""The one django-tasks task: run a ``Job`` by id (the handler is looked up by its kind)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def execute_job(job_id: int) -> dict[str, Any]:
    from reunite.jobs import api

    return api.run(job_id)
