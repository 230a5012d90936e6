"""A job's page: a progress bar polled with htmx, and a notice with a link when it ends."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from reunite.accounts import policy
from reunite.jobs.models import Job

#: How often the page asks for progress while the job is queued or running.
POLL_SECONDS = 1


def _job_or_404(request: HttpRequest, pk: int) -> Job:
    try:
        return policy.visible_jobs(request.user, Job.objects.all()).get(pk=pk)
    except Job.DoesNotExist as exc:
        raise Http404("No such job.") from exc


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    return render(request, "jobs/job_detail.html", {"job": job, "poll": POLL_SECONDS})


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment; it stops polling itself once the job has ended."""
    job = _job_or_404(request, pk)
    return render(request, "jobs/_progress.html", {"job": job, "poll": POLL_SECONDS})
