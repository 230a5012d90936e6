"""Background jobs (reunite.jobs): enqueue, a real django-tasks database worker, progress,
failure, visibility, and the `reunite worker` command."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from reunite.jobs import api
from reunite.jobs.models import Job

pytestmark = pytest.mark.django_db


def counting_handler(job: Job, progress: api.Progress) -> dict[str, Any]:
    total = int(job.params["n"])
    for i in range(1, total + 1):
        progress("counting", i, total)
    return {"counted": total, "message": f"counted to {total}"}


def failing_handler(job: Job, progress: api.Progress) -> dict[str, Any]:
    progress("about to fail", 1, 3)
    raise ValueError("the list has no header row")


def refusing_handler(job: Job, progress: api.Progress) -> dict[str, Any]:
    raise api.JobFailed("refused politely", {"url": "/somewhere/", "link_text": "Details"})


@pytest.fixture(autouse=True)
def kinds() -> None:
    api.register("test.count", f"{__name__}.counting_handler")
    api.register("test.fail", f"{__name__}.failing_handler")
    api.register("test.refuse", f"{__name__}.refusing_handler")


def test_a_job_is_queued_then_run_by_the_worker(users: Any) -> None:
    user = users[("ua", "caseworker")]
    job = api.enqueue("test.count", owner=user, params={"n": 5}, title="Count")
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED and job.task_id  # on the django-tasks queue
    api.run_worker(batch=True, interval=0)
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.result == {"counted": 5, "message": "counted to 5"}
    # The last progress report is always written, whatever the throttle.
    assert (job.progress_done, job.progress_total, job.percent) == (5, 5, 100)
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    # A job is run once: a second worker finds nothing to do.
    api.run_worker(batch=True, interval=0)
    assert Job.objects.get(pk=job.pk).finished_at == job.finished_at


def test_failures_are_kept_on_the_job(users: Any, client: Any) -> None:
    user = users[("ua", "caseworker")]
    failed = api.enqueue("test.fail", owner=user)
    refused = api.enqueue("test.refuse", owner=user)
    api.run_worker(batch=True, interval=0)
    failed.refresh_from_db()
    refused.refresh_from_db()
    assert failed.state == Job.State.FAILED
    assert failed.error == "ValueError: the list has no header row"
    assert refused.state == Job.State.FAILED and refused.error == "refused politely"
    assert refused.result["url"] == "/somewhere/"
    client.force_login(user)
    html = client.get(reverse("jobs:progress", args=[failed.pk])).content.decode()
    assert 'data-testid="job-failed"' in html and "no header row" in html
    assert "hx-trigger" not in html


def test_unknown_kinds_and_duplicates_are_refused(users: Any) -> None:
    user = users[("ua", "caseworker")]
    with pytest.raises(api.JobError, match="unknown job kind"):
        api.enqueue("test.nothing", owner=user)
    with pytest.raises(api.JobError, match="already registered"):
        api.register("test.count", f"{__name__}.failing_handler")
    organization = user.membership.organization
    api.enqueue("test.count", owner=user, organization=organization, params={"n": 1},
                unique=True)  # fmt: skip
    with pytest.raises(api.JobError, match="already queued"):
        api.enqueue("test.count", owner=user, organization=organization, params={"n": 1},
                    unique=True)  # fmt: skip
    assert Job.objects.count() == 1


def test_who_may_follow_a_job(users: Any, client: Any) -> None:
    owner = users[("ua", "caseworker")]
    job = api.enqueue("test.count", owner=owner, organization=owner.membership.organization,
                      params={"n": 2})  # fmt: skip
    client.force_login(users[("ua", "verifier")])  # same organisation
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in page.content.decode()
    client.force_login(users[("ru", "caseworker")])  # the other party
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:progress", args=[job.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 302


def test_reunite_worker_command_runs_the_queue(users: Any) -> None:
    import typer

    from reunite.cli import app_commands

    app = typer.Typer()
    app_commands.register(app)
    job = api.enqueue("test.count", owner=users[("ua", "caseworker")], params={"n": 3})
    result = CliRunner().invoke(app, ["worker", "--batch", "--interval", "0"])
    assert result.exit_code == 0, result.output
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.result["counted"] == 3
