"""``reunite verification …``: evidence, DNA, four-eyes decisions and best interests of a case.

The commands act as the ``--as`` user (their role and organisation apply) and call
``reunite.verification.actions``, so the same rules hold as in the web UI and the API:
nobody approves what they submitted, two verifiers (one per party across a border),
rejections need a reason, the BID panel and the child's views are checked.

Exit codes: 0 done, 1 refused by a rule or invalid input (every problem listed),
2 bad usage (unknown user, case, file), 3 not allowed (role or organisation).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from reunite.cli.django_setup import acting_as, setup

EXIT_INVALID, EXIT_USAGE, EXIT_DENIED = 1, 2, 3

app = typer.Typer(
    no_args_is_help=True,
    help="Verify a family tie on a case: evidence, DNA, four-eyes approval, best interests.",
)

AsUser = Annotated[
    str,
    typer.Option("--as", metavar="USERNAME", help="Act as this user (role and organisation)."),
]
CaseRef = Annotated[
    str, typer.Option("--case", metavar="REFERENCE", help="The case reference (C-2026-000123).")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _err(message: str) -> None:
    typer.secho(message, fg="red", err=True)


def _emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@contextmanager
def _rules(as_json: bool) -> Iterator[None]:
    """Turn refusals into clear messages and exit codes (never a traceback)."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404

    try:
        yield
    except PermissionDenied as exc:
        if as_json:
            _emit({"ok": False, "error": "permission_denied", "message": str(exc)})
        else:
            _err(f"Not allowed: {exc}")
        raise typer.Exit(EXIT_DENIED) from None
    except Http404:
        if as_json:
            _emit({"ok": False, "error": "not_found", "message": "No such case."})
        else:
            _err("No such case (or it is not shared with your organisation).")
        raise typer.Exit(EXIT_USAGE) from None
    except ValidationError as exc:
        problems = (
            {k: list(v) for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"non_field_errors": list(exc.messages)}
        )
        if as_json:
            _emit({"ok": False, "error": "invalid", "problems": problems})
        else:
            _err("Refused:")
            for field, messages in problems.items():
                for message in messages:
                    prefix = "" if field in ("__all__", "non_field_errors") else f"{field}: "
                    _err(f"  - {prefix}{message}")
        raise typer.Exit(EXIT_INVALID) from None


def _case(acting: Any, reference: str) -> Any:
    from django.http import Http404

    from reunite.accounts import policy
    from reunite.cases.models import Case

    case = Case.objects.filter(reference=reference.strip()).only("pk").first()
    if case is None:
        raise Http404("No such case.")
    return policy.get_visible_or_404(acting.user, Case.objects.all(), case.pk, "case.view")


def _upload(path: Path, content_type: str = "application/octet-stream") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    if not path.is_file():
        _err(f"File not found: {path}")
        raise typer.Exit(EXIT_USAGE)
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type=content_type)


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _err(f"{option}: {value!r} is not a date (YYYY-MM-DD).")
        raise typer.Exit(EXIT_USAGE) from None


@app.command()
def status(as_user: AsUser, case: CaseRef, as_json: JsonFlag = False) -> None:
    """Where verification stands: checklist, decisions, best interests, what is missing."""
    setup()
    from reunite.audit.log import log_event
    from reunite.verification import status as vstatus

    acting = acting_as(as_user)
    with _rules(as_json):
        record = _case(acting, case)
        log_event(acting.audit_actor, "view", "case_verification", record.pk, {"cli": True})
        data = vstatus.summary(record)
        from reunite.accounts import policy

        if not policy.can(acting.user, "evidence.view", record):
            data["checklist"] = []
        if not policy.can(acting.user, "bid.view", record):
            data["best_interests"] = None
    if as_json:
        _emit(data)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"[bold]{data['case']}[/bold] ({data['state']}) — claimed: "
        f"{data['claimed_relationship'] or '—'}; parties: {', '.join(data['parties'])}"
        + (" (cross-border)" if data["cross_border"] else "")
    )
    if data["checklist"]:
        table = Table(title="Evidence for the claimed relationship")
        for column in ("requirement", "status", "items", "doubts"):
            table.add_column(column)
        for line in data["checklist"]:
            colour = {"present": "green", "doubtful": "yellow", "missing": "red"}.get(
                line["status"], "white"
            )
            table.add_row(
                line["label"], f"[{colour}]{line['status']}[/{colour}]",
                ", ".join(f"#{i}" for i in line["evidence"]) or "—", "; ".join(line["doubts"]),
            )  # fmt: skip
        console.print(table)
    console.print("Verified: " + ("[green]yes[/green]" if data["verified"] else "[red]no[/red]"))
    for d in data["approvals"]:
        console.print(f"  approved by {d['user']} ({d['organization']}) on {d['evidence']}")
    for d in data["rejections"]:
        console.print(f"  rejected by {d['user']} ({d['organization']}): {d['reason']}")
    if data["missing_for_approved"]:
        console.print("[bold]Before “approved for reunification”:[/bold]")
        for m in data["missing_for_approved"]:
            console.print(f"  - {m}")
    else:
        console.print("[green]Nothing from verification stops “approved”.[/green]")


@app.command()
def evidence(
    as_user: AsUser,
    case: CaseRef,
    kind: Annotated[str, typer.Option(help="birth_certificate, power_of_attorney, interview …")],
    title: Annotated[str, typer.Option(help="A short title.")],
    provided_by: Annotated[str, typer.Option(help="Who provided it.")],
    file: Annotated[Path | None, typer.Option(help="JPEG, PNG or PDF.")] = None,
    supports: Annotated[
        str,
        typer.Option(
            help="Comma-separated: child_identity, claimant_identity, "
            "relationship, legal_authority, child_wishes."
        ),
    ] = "",
    issued_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    expires_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    required_form: Annotated[
        bool | None,
        typer.Option(
            "--on-required-form/--not-on-required-form",
            help="Powers of attorney: on the special notarial form?",
        ),
    ] = None,
    interviewee: Annotated[str, typer.Option(help="Interviews: child, claimant or other.")] = "",
    notes: Annotated[str, typer.Option(help="Notes (or the content of an interview).")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Add an item of evidence to a case."""
    setup()
    from reunite.verification import actions

    acting = acting_as(as_user)
    fields: dict[str, Any] = {
        "kind": kind, "title": title, "provided_by": provided_by,
        "issued_on": _date(issued_on, "--issued-on"),
        "expires_on": _date(expires_on, "--expires-on"), "on_required_form": required_form,
        "interviewee": interviewee, "notes": notes,
    }  # fmt: skip
    if supports:
        fields["supports"] = [s.strip() for s in supports.split(",") if s.strip()]
    upload = _upload(file) if file else None
    with _rules(as_json):
        item = actions.add_evidence(acting, _case(acting, case), fields, upload)
    if as_json:
        _emit({"ok": True, "evidence": item.pk, "sha256": item.sha256, "version": item.version})
    else:
        typer.echo(
            f"Evidence #{item.pk} added{f' (SHA-256 {item.sha256[:16]}…)' if item.sha256 else ''}."
        )


@app.command()
def dna(
    as_user: AsUser,
    case: CaseRef,
    profiles: Annotated[Path, typer.Option(help="STR profiles CSV.")],
    claimant: Annotated[str, typer.Option(help="The claimant's person id in the file.")],
    child: Annotated[str, typer.Option(help="The child's person id in the file.")],
    frequencies: Annotated[Path | None, typer.Option(help="Allele-frequency CSV.")] = None,
    synthetic: Annotated[
        bool, typer.Option(help="Use the SYNTHETIC frequency database (demo only).")
    ] = False,
    relationship: Annotated[str, typer.Option(help="Defaults from the claim.")] = "",
    theta: Annotated[float, typer.Option(help="θ (Fst).")] = 0.0,
    mutation_rate: Annotated[float | None, typer.Option(help="Parent–child only.")] = None,
    laboratory: Annotated[str, typer.Option(help="Who typed the samples.")] = "",
    pdf: Annotated[Path | None, typer.Option(help="Also write the PDF report here.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import a DNA test for a tested pair and compute the kinship likelihood ratio."""
    setup()
    from reunite.verification import actions

    acting = acting_as(as_user)
    with _rules(as_json):
        report = actions.import_dna(
            acting, _case(acting, case), profiles=_upload(profiles, "text/csv"),
            frequencies=_upload(frequencies, "text/csv") if frequencies else None,
            use_synthetic_frequencies=synthetic, claimant_profile=claimant, child_profile=child,
            relationship=relationship, theta=theta, mutation_rate=mutation_rate,
            provided_by=laboratory,
        )  # fmt: skip
        if pdf is not None:
            pdf.write_bytes(actions.kinship_pdf(acting, report))
    if as_json:
        _emit({"ok": True, "report": report.pk, "evidence": report.evidence_id,
               "result": report.result})  # fmt: skip
        return
    typer.echo(
        f"Kinship report #{report.pk} (evidence #{report.evidence_id}): {report.relationship}, "
        f"combined LR {report.combined_lr:.4g}\n{report.verbal}"
    )
    for warning in report.warnings:
        typer.secho(f"Warning: {warning}", fg="yellow")
    if pdf is not None:
        typer.echo(f"PDF written to {pdf}")


def _decide(as_user: str, case: str, decision: str, evidence_ids: str, reason: str,
            as_json: bool) -> None:  # fmt: skip
    setup()
    from reunite.verification import actions
    from reunite.verification import status as vstatus

    acting = acting_as(as_user)
    try:
        ids = [int(x.lstrip("#")) for x in evidence_ids.split(",") if x.strip()]
    except ValueError:
        _err("--evidence: give evidence ids separated by commas (e.g. 3,5,8).")
        raise typer.Exit(EXIT_USAGE) from None
    with _rules(as_json):
        record = _case(acting, case)
        decision_record = actions.decide_relationship(
            acting, record, decision, evidence_ids=ids, reason=reason
        )
        eyes = vstatus.four_eyes(record)
    if as_json:
        _emit({"ok": True, "decision": vstatus._decision_json(decision_record),
               "verified": eyes.verified, "missing": eyes.missing})  # fmt: skip
        return
    typer.echo(f"Recorded: {decision_record.get_decision_display().lower()} by {as_user}.")
    typer.echo(
        "The relationship is verified." if eyes.verified else "Still: " + "; ".join(eyes.missing)
    )


@app.command()
def approve(
    as_user: AsUser,
    case: CaseRef,
    evidence: Annotated[str, typer.Option(help="Ids of the evidence relied on (3,5,8).")],
    note: Annotated[str, typer.Option(help="Optional note.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Approve the claimed relationship (a verifier; not on evidence they submitted)."""
    _decide(as_user, case, "approve", evidence, note, as_json)


@app.command()
def reject(
    as_user: AsUser,
    case: CaseRef,
    reason: Annotated[str, typer.Option(help="Why (required).")],
    evidence: Annotated[str, typer.Option(help="Ids of the evidence considered.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Reject the claimed relationship, with a reason."""
    _decide(as_user, case, "reject", evidence, reason, as_json)


@app.command()
def countersign(
    as_user: AsUser,
    case: CaseRef,
    note: Annotated[str, typer.Option(help="Optional note.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Countersign a verified relationship (the mediator's coordinator)."""
    setup()
    from reunite.verification import actions

    acting = acting_as(as_user)
    with _rules(as_json):
        record = actions.countersign(acting, _case(acting, case), note)
    if as_json:
        _emit({"ok": True, "countersignature": record.pk})
    else:
        typer.echo("Verification countersigned.")


@app.command()
def bid(
    as_user: AsUser,
    case: CaseRef,
    from_json: Annotated[
        Path,
        typer.Option(
            "--from-json",
            help="The determination as JSON: panel [{name, role}], "
            "child_views, child_views_verbatim, risks_family, risks_journey, "
            "options_considered [...], decision, reasons, decided_on.",
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Record a best-interests determination from a JSON file."""
    setup()
    from reunite.verification import actions
    from reunite.verification.actions import BID_FIELDS

    acting = acting_as(as_user)
    if not from_json.is_file():
        _err(f"File not found: {from_json}")
        raise typer.Exit(EXIT_USAGE)
    try:
        data = json.loads(from_json.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _err(f"{from_json}: not valid UTF-8 JSON ({exc}).")
        raise typer.Exit(EXIT_USAGE) from None
    if not isinstance(data, dict):
        _err(f"{from_json}: expected a JSON object.")
        raise typer.Exit(EXIT_USAGE)
    unknown = sorted(set(data) - set(BID_FIELDS))
    if unknown:
        _err(f"{from_json}: unknown keys {', '.join(unknown)} (known: {', '.join(BID_FIELDS)}).")
        raise typer.Exit(EXIT_USAGE)
    with _rules(as_json):
        record = actions.record_bid(acting, _case(acting, case), data)
    if as_json:
        _emit({"ok": True, "best_interests": record.pk, "decision": record.decision})
    else:
        typer.echo(
            f"Best-interests determination #{record.pk} recorded: {record.get_decision_display()}."
        )


def register(app_: typer.Typer) -> None:
    """Add ``reunite verification …`` to the top-level app."""
    app_.add_typer(app, name="verification")
