"""``reunite rounds …``, ``reunite custody …``, ``reunite stats …``: rounds for coordinators.

    reunite rounds list --as med-coordinator [--json]
    reunite rounds show R-2025-001 --as med-coordinator [--json]
    reunite rounds report R-2025-001 --as med-coordinator [--json] [--manifest FILE.pdf]
    reunite custody show C-2026-000123 --as ua-transfer-officer [--json]
    reunite stats export --out public-stats.csv --as med-coordinator   # or .json

The commands act as the ``--as`` user: the same policy applies as in the web UI and the API
(a transfer officer sees the rounds of their party only), and every read is audited.
Exit codes: 0 done, 1 refused or invalid, 2 bad usage (unknown user, round, case),
3 not allowed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from reunite.cli.django_setup import acting_as, setup

EXIT_INVALID, EXIT_USAGE, EXIT_DENIED = 1, 2, 3

rounds_app = typer.Typer(no_args_is_help=True, help="Reunification rounds: list, show, report.")
custody_app = typer.Typer(no_args_is_help=True, help="Chain of custody of a case's child.")
stats_app = typer.Typer(no_args_is_help=True, help="Statistics: the public export.")

AsUser = Annotated[str, typer.Option("--as", metavar="USERNAME",
                                     help="Act as this user (role and organisation).")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _err(message: str) -> None:
    typer.secho(message, fg="red", err=True)


@contextmanager
def _rules(as_json: bool) -> Iterator[None]:
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    try:
        yield
    except PermissionDenied as exc:
        _emit({"ok": False, "error": "permission_denied", "message": str(exc)}) if as_json \
            else _err(f"Not allowed: {exc}")
        raise typer.Exit(EXIT_DENIED) from None
    except Http404 as exc:
        _emit({"ok": False, "error": "not_found", "message": str(exc)}) if as_json \
            else _err(f"{exc} (or it is not shared with your organisation).")
        raise typer.Exit(EXIT_USAGE) from None
    except ValidationError as exc:
        _emit({"ok": False, "error": "invalid", "problems": exc.messages}) if as_json \
            else _err("Refused: " + "; ".join(exc.messages))
        raise typer.Exit(EXIT_INVALID) from None


def _round(user: Any, reference: str) -> Any:
    from django.http import Http404

    from reunite.accounts import policy
    from reunite.reunification.models import Round

    found = policy.visible(user, Round.objects.all()).filter(reference=reference).first()
    if found is None:
        raise Http404(f"No round {reference}")
    return policy.get_visible_or_404(user, Round.objects.all(), found.pk, "round.view")


@rounds_app.command("list")
def rounds_list(as_user: AsUser, as_json: JsonFlag = False) -> None:
    """The rounds your organisation coordinates or takes part in."""
    setup()
    from reunite.accounts import policy
    from reunite.registry import actions as registry_actions
    from reunite.reunification.models import Round
    from reunite.reunification.rounds import reports

    acting = acting_as(as_user)
    with _rules(as_json):
        policy.require(acting.user, "round.view")
        rounds = list(policy.visible(acting.user, Round.objects.all())
                      .order_by("planned_date").prefetch_related("entries"))
        flagged = {h.transfer.round_id for h in reports.unconfirmed_handovers(rounds)}
        registry_actions.record_list(acting, "round", [r.pk for r in rounds], "cli")
    rows = [{"reference": r.reference, "title": r.title, "date": r.planned_date.isoformat(),
             "channel": r.channel, "channel_name": r.channel_name, "status": r.status,
             "children": len(r.entries.all()), "unconfirmed_custody": r.pk in flagged}
            for r in rounds]
    if as_json:
        _emit(rows)
        return
    if not rows:
        typer.echo("No rounds.")
    for row in rows:
        flag = "  [custody unconfirmed]" if row["unconfirmed_custody"] else ""
        typer.echo(f"{row['reference']}  {row['date']}  {row['status']:<20} "
                   f"{row['children']:>3} children  {row['title']}{flag}")


@rounds_app.command("show")
def rounds_show(reference: Annotated[str, typer.Argument(help="Round reference.")],
                as_user: AsUser, as_json: JsonFlag = False) -> None:
    """One round: its children, directions, transfers and who holds each child now."""
    setup()
    from reunite.registry import actions as registry_actions
    from reunite.reunification.rounds import actions, reports

    acting = acting_as(as_user)
    with _rules(as_json):
        round_ = _round(acting.user, reference)
        registry_actions.record_view(acting, round_)
        children = []
        for entry in round_.entries.select_related("case"):
            transfer = entry.transfers.first()
            holder = actions.current_holder(transfer) if transfer else None
            children.append({
                "case": entry.case.reference, "case_state": entry.case.state,
                "direction": entry.direction, "status": entry.status, "reason": entry.reason,
                "transfer": transfer.pk if transfer else None,
                "route": transfer.route_summary if transfer else "",
                "custody": holder[0].short_name if holder else "",
                "custody_person": holder[1] if holder else "",
                "custody_unconfirmed": bool(holder and holder[2] and holder[2].half_confirmed),
            })
        flagged = reports.unconfirmed_handovers([round_])
    data = {"reference": round_.reference, "title": round_.title,
            "date": round_.planned_date.isoformat(), "status": round_.status,
            "channel": round_.get_channel_display(), "channel_name": round_.channel_name,
            "parties": sorted([round_.owner.short_name,
                               *(o.short_name for o in round_.shared_with.all())]),
            "children": children,
            "unconfirmed_handovers": [f"{h.place_name} ({h.from_org.short_name} → "
                                      f"{h.to_org.short_name})" for h in flagged]}
    if as_json:
        _emit(data)
        return
    typer.echo(f"{data['reference']} {data['title']} — {data['date']} — {data['status']}")
    typer.echo(f"{data['channel']}{': ' + data['channel_name'] if data['channel_name'] else ''}"
               f"; parties: {', '.join(data['parties'])}")
    for child in children:
        custody = child["custody"] + (f" ({child['custody_person']})"
                                      if child["custody_person"] else "")
        mark = " [unconfirmed]" if child["custody_unconfirmed"] else ""
        typer.echo(f"  {child['case']}  {child['direction']}  {child['status']:<15} "
                   f"case: {child['case_state']:<12} custody: {custody or '—'}{mark}"
                   + (f"  — {child['reason']}" if child["reason"] else ""))
    for line in data["unconfirmed_handovers"]:
        typer.secho(f"  custody unconfirmed at {line}", fg="yellow")


@rounds_app.command("report")
def rounds_report(
    reference: Annotated[str, typer.Argument(help="Round reference.")],
    as_user: AsUser,
    as_json: JsonFlag = False,
    manifest: Annotated[Path | None, typer.Option("--manifest",
                                                  help="Also write the manifest PDF.")] = None,
) -> None:
    """The round report: children by direction, age band and sex; days; who did not travel."""
    setup()
    from reunite.accounts import policy
    from reunite.audit.log import log_event
    from reunite.reunification.rounds import reports

    acting = acting_as(as_user)
    with _rules(as_json):
        round_ = _round(acting.user, reference)
        report = reports.round_report(round_)
        log_event(acting.audit_actor, "view", "round", round_.pk, {"report": True})
        if manifest is not None:
            policy.require(acting.user, "manifest.view", round_)
            data = reports.manifest_pdf(round_)
            _write(manifest, data)
            log_event(acting.audit_actor, "export", "round", round_.pk,
                      {"document": "manifest", "file": str(manifest)})
    if as_json:
        _emit(report.to_dict())
        return
    typer.echo(f"Round {round_.reference} ({round_.planned_date}): {report.children} children")
    for title, values in (("direction", report.by_direction), ("age band", report.by_age_band),
                          ("sex", report.by_sex)):
        typer.echo(f"  by {title}: " + ", ".join(f"{k} {v}" for k, v in values.items()))
    if report.median_days is not None:
        typer.echo(f"  days from request to reunification: median {report.median_days} "
                   f"({', '.join(map(str, report.days_to_reunification))})")
    for row in report.did_not_travel:
        typer.echo(f"  did not travel: {row['case']} ({row['direction']}): {row['reason']}")
    if manifest is not None:
        typer.echo(f"  manifest written to {manifest}")


def _write(path: Path, data: bytes | str) -> None:
    target = path.expanduser()
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        if isinstance(data, str):
            temporary.write_text(data, encoding="utf-8")
        else:
            temporary.write_bytes(data)
        temporary.replace(target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        _err(f"Cannot write {target}: {error.strerror or error}")
        raise typer.Exit(EXIT_USAGE) from None


@custody_app.command("show")
def custody_show(case_reference: Annotated[str, typer.Argument(metavar="CASE",
                                                               help="Case reference.")],
                 as_user: AsUser, as_json: JsonFlag = False) -> None:
    """Who has had custody of the case's child, handover by handover, and who has it now."""
    setup()
    from django.http import Http404

    from reunite.accounts import policy
    from reunite.cases.models import Case
    from reunite.registry import actions as registry_actions
    from reunite.reunification.rounds import reports

    acting = acting_as(as_user)
    with _rules(as_json):
        found = policy.visible(acting.user, Case.objects.all()).filter(
            reference=case_reference).first()
        if found is None:
            raise Http404(f"No case {case_reference}")
        case = policy.get_visible_or_404(acting.user, Case.objects.all(), found.pk, "case.view")
        registry_actions.record_view(acting, case)
        rows = reports.custody_rows(case)  # type: ignore[arg-type]
    if as_json:
        _emit({"case": case_reference, "custody": rows})
        return
    if not rows:
        typer.echo(f"{case_reference} has not been in a round.")
        return
    for row in rows:
        if row["step"] == 0:
            typer.echo(f"{row['round']}: with {row['holder']} at the start")
            continue
        state = "confirmed by both sides" if row["confirmed"] else (
            "UNCONFIRMED: " + ("released, not received" if row["released_at"] else
                               "received, release not confirmed" if row["received_at"]
                               else "not yet"))
        person = f" ({row['person']})" if row["person"] else ""
        typer.echo(f"  {row['step']}. {row['from']} → {row['holder']}{person} at "
                   f"{row['place']}: {state}")


@stats_app.command("export")
def stats_export(
    out: Annotated[Path, typer.Option("--out", help="File to write: .csv or .json.")],
    as_user: AsUser,
    threshold: Annotated[int, typer.Option("--threshold", min=5,
                                           help="Smallest count shown (at least 5).")] = 5,
) -> None:
    """The public statistics export: aggregates only, small counts suppressed."""
    setup()
    from reunite.accounts import policy
    from reunite.audit.log import log_event
    from reunite.reunification.rounds import reports

    fmt = "json" if out.suffix.lower() == ".json" else "csv"
    if out.suffix.lower() not in (".csv", ".json"):
        _err("--out must end in .csv or .json")
        raise typer.Exit(EXIT_USAGE)
    acting = acting_as(as_user)
    with _rules(False):
        policy.require(acting.user, "stats.export")
        text = reports.public_export_text(reports.public_tables(threshold), fmt)
        _write(out, text)
        log_event(acting.audit_actor, "export", "statistics", "",
                  {"format": fmt, "public": True, "file": str(out)})
    typer.echo(f"wrote {out}")
