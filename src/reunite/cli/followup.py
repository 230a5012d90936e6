"""``reunite followup …``: follow-up plans after reunification, and their visits.

The commands act as the ``--as`` user and call ``reunite.reunification.actions.followup``,
so the same rules hold as in the web UI and the API. Exit codes: 0 done, 1 invalid input
(every problem listed), 2 bad usage (unknown user, case or visit), 3 not allowed.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from reunite.cli.django_setup import acting_as, setup
from reunite.cli.verification import EXIT_USAGE, AsUser, CaseRef, JsonFlag, _case, _date, _emit
from reunite.cli.verification import _err as err
from reunite.cli.verification import _rules as rules

app = typer.Typer(no_args_is_help=True, help="Follow-up visits after reunification.")

VisitId = Annotated[int, typer.Option("--visit", help="The visit's id (see `followup show`).")]


def _plan_json(plan: Any) -> dict[str, Any]:
    return {
        "case": plan.case.reference,
        "state": plan.case.state,
        "organization": plan.organization.short_name,
        "started_at": plan.started_at.isoformat(),
        "complete": plan.is_complete,
        "visits": [
            {
                "id": v.pk, "label": v.label, "due_on": v.due_on.isoformat(), "status": v.status,
                "overdue": v.is_overdue(),
                "visited_on": v.visited_on.isoformat() if v.visited_on else None,
                "outcome": v.outcome, "needs_assessment": v.needs_assessment,
                "psychological_support": v.psychological_support, "school": v.school,
                "documents_to_restore": v.documents_to_restore, "notes": v.notes,
                "cancel_reason": v.cancel_reason,
            }
            for v in plan.visits.all()
        ],
    }  # fmt: skip


def _visit(acting: Any, visit_id: int) -> Any:
    from django.http import Http404

    from reunite.accounts import policy
    from reunite.reunification.models import FollowUpVisit

    visit = FollowUpVisit.objects.select_related("plan__case").filter(pk=visit_id).first()
    if visit is None or not policy.is_visible(acting.user, visit.plan.case):
        raise Http404("No such visit.")
    return visit


@app.command("list")
def list_visits(
    as_user: AsUser,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue visits.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Planned visits of every case you can see, soonest first (overdue ones flagged)."""
    setup()
    from reunite.registry import actions as registry_actions
    from reunite.reunification.actions import followup

    acting = acting_as(as_user)
    with rules(as_json):
        from reunite.accounts import policy

        policy.require(acting.user, "followup.view")
        visits = (
            followup.overdue_visits(acting.user)
            if overdue
            else followup.visible_visits(acting.user).filter(status="planned")
        ).order_by("due_on", "pk")
        rows = list(visits)
        registry_actions.record_list(
            acting, "case", sorted({v.plan.case_id for v in rows}), "cli:followup"
        )
    data = [
        {"visit": v.pk, "case": v.plan.case.reference, "label": v.label,
         "due_on": v.due_on.isoformat(), "overdue": v.is_overdue()}
        for v in rows
    ]  # fmt: skip
    if as_json:
        _emit(data)
        return
    if not data:
        typer.echo("No planned visits." if not overdue else "No visit overdue.")
    for row in data:
        flag = "  OVERDUE" if row["overdue"] else ""
        typer.echo(f"{row['due_on']}  {row['case']}  #{row['visit']} {row['label']}{flag}")


@app.command()
def show(as_user: AsUser, case: CaseRef, as_json: JsonFlag = False) -> None:
    """The follow-up plan of a case and every visit."""
    setup()
    from reunite.accounts import policy
    from reunite.registry import actions as registry_actions
    from reunite.reunification.models import FollowUpPlan

    acting = acting_as(as_user)
    with rules(as_json):
        record = _case(acting, case)
        policy.require(acting.user, "followup.view", record)
        plan = FollowUpPlan.objects.filter(case=record).first()
        registry_actions.record_view(acting, record)
    if plan is None:
        err(f"Case {record.reference} has no follow-up plan (it starts at reunification).")
        raise typer.Exit(EXIT_USAGE)
    data = _plan_json(plan)
    if as_json:
        _emit(data)
        return
    typer.echo(
        f"{data['case']} ({data['state']}), plan by {data['organization']}: "
        + ("complete" if data["complete"] else "open")
    )
    for v in data["visits"]:
        flag = "  OVERDUE" if v["overdue"] else ""
        done = f", visited {v['visited_on']}: {v['outcome']}" if v["visited_on"] else ""
        typer.echo(f"  #{v['id']} {v['label']} due {v['due_on']} [{v['status']}]{done}{flag}")


@app.command()
def record(
    as_user: AsUser,
    visit: VisitId,
    visited_on: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    outcome: Annotated[str, typer.Option(help="well, needs_support, concern, not_reached")],
    needs_assessment: Annotated[str, typer.Option(help="What the family needs.")] = "",
    psychological_support: Annotated[str, typer.Option(help="Support given or needed.")] = "",
    school: Annotated[str, typer.Option(help="School enrolment and attendance.")] = "",
    documents_to_restore: Annotated[str, typer.Option(help="Documents still to restore.")] = "",
    notes: Annotated[str, typer.Option(help="Anything else.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Record what a visit found."""
    setup()
    from reunite.reunification.actions import followup

    acting = acting_as(as_user)
    with rules(as_json):
        item = _visit(acting, visit)
        item = followup.record_visit(
            acting, item,
            {"visited_on": _date(visited_on, "--visited-on"), "outcome": outcome,
             "needs_assessment": needs_assessment, "psychological_support": psychological_support,
             "school": school, "documents_to_restore": documents_to_restore, "notes": notes},
        )  # fmt: skip
    if as_json:
        _emit({"ok": True, "visit": item.pk, "status": item.status})
    else:
        typer.echo(f"Visit #{item.pk} recorded ({item.get_outcome_display()}).")


@app.command()
def add(
    as_user: AsUser,
    case: CaseRef,
    label: Annotated[str, typer.Option(help="e.g. “About 6 months”.")],
    due_on: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    as_json: JsonFlag = False,
) -> None:
    """Add a visit to a case's plan."""
    setup()
    from reunite.reunification.actions import followup

    acting = acting_as(as_user)
    with rules(as_json):
        record_ = _case(acting, case)
        visit = followup.add_visit(acting, record_, label, _date(due_on, "--due-on"))  # type: ignore[arg-type]
    if as_json:
        _emit({"ok": True, "visit": visit.pk})
    else:
        typer.echo(f"Visit #{visit.pk} added, due {visit.due_on.isoformat()}.")


@app.command()
def cancel(
    as_user: AsUser,
    visit: VisitId,
    reason: Annotated[str, typer.Option(help="Why the visit will not take place.")],
    as_json: JsonFlag = False,
) -> None:
    """Cancel a planned visit, with the reason."""
    setup()
    from reunite.reunification.actions import followup

    acting = acting_as(as_user)
    with rules(as_json):
        item = followup.cancel_visit(acting, _visit(acting, visit), reason)
    if as_json:
        _emit({"ok": True, "visit": item.pk, "status": item.status})
    else:
        typer.echo(f"Visit #{item.pk} cancelled.")


def register(app_: typer.Typer) -> None:
    app_.add_typer(app, name="followup")
