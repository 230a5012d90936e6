"""Matching runs as background jobs (``reunite.jobs``): the screen and the API enqueue,
a worker runs ``actions.run_matching`` with the job's progress bar."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from reunite.core.acting import Acting
from reunite.jobs.api import JobFailed, Progress
from reunite.jobs.models import Job

KIND = "matching.run"


def run_matching_job(job: Job, progress: Progress) -> dict[str, Any]:
    from reunite.matching import actions
    from reunite.matching.models import MatchRun

    acting = Acting(job.owner, job.request_id or f"job-{job.pk}")
    try:
        run = actions.run_matching(acting, full=bool(job.params.get("full")),
                                   progress=progress)  # fmt: skip
    except actions.RunRefused as exc:
        raise JobFailed(str(exc)) from exc
    result: dict[str, Any] = {
        "run": run.pk,
        "url": reverse("matching:run-detail", args=[run.pk]),
        "link_text": _("See run %(run)s") % {"run": run.pk},
    }
    if run.status != MatchRun.Status.SUCCEEDED:
        raise JobFailed(
            _("Run %(run)s failed: %(error)s No candidate was written.")
            % {"run": run.pk, "error": run.error},
            result,
        )
    result["message"] = _(
        "Run %(run)s (%(mode)s) finished in %(seconds).1f s: %(created)s new candidate "
        "pair(s), %(refreshed)s refreshed, %(withdrawn)s withdrawn."
    ) % {
        "run": run.pk, "mode": run.get_mode_display().lower(),
        "seconds": run.duration_seconds or 0.0, "created": run.pairs_created,
        "refreshed": run.pairs_refreshed, "withdrawn": run.pairs_withdrawn,
    }  # fmt: skip
    return result
