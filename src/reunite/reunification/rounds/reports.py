"""What rounds produce on paper and in numbers: manifests, round reports, statistics.

- The **manifest** is for escorts and border officials: the minimum they need (the child's
  name, sex, date of birth, direction and documents; the collecting adult; the escorts;
  the route and its handover points). No family addresses, no contacts, no case notes,
  no location or custodian of the child.
- The **round report** counts the children by direction, age band and sex, gives the days
  from the request to reunification, and lists who did not travel and why.
- **Statistics** (charts) and the **public export** hold aggregates only; the export hides
  every count under 5 and the counts that would let it be recomputed (``reunite.stats``).

Callers check the policy (``manifest.view``, ``round.view``, ``stats.view``,
``stats.export``) and audit; these functions only compute.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from reunite.cases.models import CASE_STATE_ORDER, Case, CaseEvent, CaseState
from reunite.reunification.models.rounds import (
    Handover,
    Round,
    RoundChild,
    RoundChildStatus,
    RoundStatus,
    Transfer,
)
from reunite.reunification.rounds.planning import age_on, child_documents
from reunite.stats import SuppressedTable, bar_chart_svg, line_chart_svg, suppress_table

AGE_BANDS = ((0, 4, "0–4"), (5, 9, "5–9"), (10, 13, "10–13"), (14, 17, "14–17"), (18, 200, "18+"))
SEXES = (("F", "female"), ("M", "male"), ("", "unknown"))


def age_band(age: int) -> str:
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


# Round report -------------------------------------------------------------------------------


@dataclass
class RoundReport:
    round: Round
    children: int
    by_direction: dict[str, int]
    by_age_band: dict[str, int]
    by_sex: dict[str, int]
    days_to_reunification: list[int]
    did_not_travel: list[dict[str, str]] = field(default_factory=list)

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_reunification) if self.days_to_reunification \
            else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.round.reference, "title": self.round.title,
            "planned_date": self.round.planned_date.isoformat(),
            "status": self.round.status, "children": self.children,
            "by_direction": self.by_direction, "by_age_band": self.by_age_band,
            "by_sex": self.by_sex, "days_to_reunification": self.days_to_reunification,
            "median_days_to_reunification": self.median_days,
            "did_not_travel": self.did_not_travel,
        }


def _reunified_at(case: Case) -> dt.datetime | None:
    event = case.events.filter(to_state=CaseState.REUNIFIED).order_by("at").first()
    return event.at if event else None


def _requested_at(case: Case) -> dt.datetime:
    if case.enquiry is not None:
        return case.enquiry.created_at
    return case.created_at


def round_report(round_: Round) -> RoundReport:
    """Counts of a round's children (travelled or still in it) and who did not travel."""
    entries = list(round_.entries.select_related("case__child", "case__enquiry"))
    travelling = [e for e in entries if e.status in (RoundChildStatus.IN_ROUND,
                                                     RoundChildStatus.TRAVELLED)]
    by_direction: Counter[str] = Counter()
    by_age: Counter[str] = Counter()
    by_sex: Counter[str] = Counter()
    days: list[int] = []
    for entry in travelling:
        by_direction[entry.direction] += 1
        child = entry.case.child
        if child is not None:
            by_age[age_band(age_on(child, round_.planned_date))] += 1
            by_sex[dict(SEXES).get(child.sex, "unknown")] += 1
        reunified = _reunified_at(entry.case)
        if reunified is not None:
            days.append(max(0, (reunified - _requested_at(entry.case)).days))
    not_travelled = [
        {"case": e.case.reference, "status": e.status, "reason": e.reason,
         "direction": e.direction}
        for e in entries if e.status in (RoundChildStatus.DID_NOT_TRAVEL,
                                         RoundChildStatus.WITHDRAWN)
    ]
    return RoundReport(
        round=round_, children=len(travelling),
        by_direction={d: by_direction[d] for d in sorted(by_direction)},
        by_age_band={label: by_age[label] for _l, _h, label in AGE_BANDS if by_age[label]},
        by_sex={label: by_sex[label] for _c, label in SEXES if by_sex[label]},
        days_to_reunification=sorted(days), did_not_travel=not_travelled,
    )


# Custody ------------------------------------------------------------------------------------


def custody_rows(case: Case) -> list[dict[str, Any]]:
    """The chain of custody of a case's child, over every round it was in (newest last)."""
    rows: list[dict[str, Any]] = []
    entries = RoundChild.objects.filter(case=case).select_related("round").order_by("pk")
    for entry in entries:
        for transfer in entry.transfers.select_related("initial_custodian"):
            rows.append({"round": entry.round.reference, "step": 0,
                         "holder": transfer.initial_custodian.short_name, "person": "",
                         "place": "", "confirmed": True, "released_at": None,
                         "received_at": None, "note": _("custody at the start")})
            for handover in transfer.handovers.select_related(
                    "from_org", "to_org", "released_by", "received_by").order_by("number"):
                rows.append({
                    "round": entry.round.reference, "step": handover.number,
                    "holder": handover.to_org.short_name, "person": handover.to_person,
                    "from": handover.from_org.short_name, "place": handover.place_name,
                    "final": handover.is_final, "confirmed": handover.confirmed,
                    "released_by": handover.released_by.get_username()
                    if handover.released_by else "",
                    "released_at": handover.released_at, "released_place":
                    handover.released_place,
                    "received_by": handover.received_by.get_username()
                    if handover.received_by else "",
                    "received_at": handover.received_at,
                    "received_place": handover.received_place,
                })
    return rows


def unconfirmed_handovers(rounds: Iterable[Round] | None = None) -> list[Handover]:
    """Handovers of rounds under way where custody is unconfirmed.

    Flagged: one side has confirmed and the other not yet, or the planned time has passed
    without both confirmations.
    """
    queryset = Handover.objects.filter(transfer__round__status=RoundStatus.UNDER_WAY)
    if rounds is not None:
        queryset = queryset.filter(transfer__round__in=list(rounds))
    now = timezone.now()
    flagged = []
    for handover in queryset.select_related("transfer__round", "from_org", "to_org"):
        if handover.confirmed:
            continue
        overdue = handover.planned_at is not None and handover.planned_at < now
        if handover.half_confirmed or overdue:
            flagged.append(handover)
    return flagged


# Manifest PDF -------------------------------------------------------------------------------


def _font_dir() -> Path:
    import fontpkg_pt_sans

    return Path(fontpkg_pt_sans.ROOT) / "files"


def manifest_rows(round_: Round) -> list[dict[str, Any]]:
    """The manifest's content: only what escorts and border officials need."""
    rows = []
    transfers = round_.transfers.prefetch_related("children__case__child__names", "legs",
                                                  "handovers__from_org", "handovers__to_org")
    for transfer in transfers:
        children = [e for e in transfer.children.all() if e.status in (
            RoundChildStatus.IN_ROUND, RoundChildStatus.TRAVELLED)]
        if not children:
            continue
        rows.append({
            "transfer": transfer.pk,
            "children": [_manifest_child(entry) for entry in children],
            "collector": {
                "name": transfer.collector_name,
                "relationship": transfer.collector_relationship,
                "role": transfer.get_collector_role_display(),
                "documents": list(transfer.collector_documents or []),
            },
            "escorts": list(transfer.escorts or []),
            "route": transfer.route_summary,
            "legs": [{"number": leg.number, "mode": leg.mode, "from": leg.from_name,
                      "to": leg.to_name, "departure": leg.planned_departure}
                     for leg in transfer.legs.all()],
            "handovers": [{"number": h.number, "place": h.place_name,
                           "from": h.from_org.short_name, "to": h.to_org.short_name,
                           "to_person": h.to_person, "final": h.is_final}
                          for h in transfer.handovers.all()],
        })
    return rows


def _manifest_child(entry: RoundChild) -> dict[str, Any]:
    child = entry.case.child
    names = list(child.names.all()) if child else []
    return {
        "case": entry.case.reference,
        "names": [n.display for n in names][:3],
        "sex": child.sex if child else "",
        "birth_date": child.birth_date_display if child else "",
        "direction": entry.direction,
        "documents": sorted(child_documents(child, entry.case)) if child else [],
    }


def manifest_pdf(round_: Round) -> bytes:
    """The round's manifest as PDF (PT Sans, so Cyrillic names print correctly)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    fonts = _font_dir()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("PTSans", "", str(fonts / "PT_Sans-Web-Regular.ttf"))
    pdf.add_font("PTSans", "B", str(fonts / "PT_Sans-Web-Bold.ttf"))
    manifest = _("Manifest")  # outside the f-string, where makemessages finds it
    pdf.set_title(f"{manifest} {round_.reference}")
    pdf.add_page()

    def line(text: str, size: int = 10, style: str = "", height: float = 5.5) -> None:
        pdf.set_font("PTSans", style, size)
        # PT Sans has no arrow glyphs: write them as ASCII arrows.
        text = text.replace("→", "->").replace("←", "<-")
        pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(_("Manifest of round %(ref)s") % {"ref": round_.reference}, 16, "B", 8)
    line(f"{round_.title} — {round_.planned_date.isoformat()}", 11)
    channel = round_.get_channel_display()
    if round_.channel_name:
        channel = f"{channel}: {round_.channel_name}"
    parties = ", ".join(sorted([round_.owner.short_name,
                                *(o.short_name for o in round_.shared_with.all())]))
    line(_("Channel: %(channel)s. Parties: %(parties)s.") % {"channel": channel,
                                                             "parties": parties}, 10)
    line(_("For escorts and border officials. Contains the minimum data needed for the "
           "transfer; no addresses or case notes. Confidential."), 8, "", 4.5)
    pdf.ln(2)
    for number, row in enumerate(manifest_rows(round_), start=1):
        line(_("Transfer %(n)s") % {"n": number}, 12, "B", 7)
        for child in row["children"]:
            names = " / ".join(child["names"]) or child["case"]
            docs = ", ".join(child["documents"]) or _("none recorded")
            line(f"• {names}", 11, "B")
            line(_("Case %(case)s · sex %(sex)s · born %(born)s · %(direction)s · "
                   "documents: %(docs)s") % {
                "case": child["case"], "sex": child["sex"] or "?",
                "born": child["birth_date"] or "?", "direction": child["direction"],
                "docs": docs})
        collector = row["collector"]
        line(_("Collecting adult: %(name)s (%(relationship)s, %(role)s); documents: %(docs)s")
             % {"name": collector["name"], "relationship": collector["relationship"],
                "role": collector["role"],
                "docs": ", ".join(collector["documents"]) or "—"})
        if row["escorts"]:
            escorts = "; ".join(
                ", ".join(p for p in (e.get("name", ""), e.get("organisation", ""),
                                      e.get("role", "")) if p) for e in row["escorts"])
            line(_("Escorts: %(escorts)s") % {"escorts": escorts})
        if row["route"]:
            line(_("Route: %(route)s") % {"route": row["route"]})
        for leg in row["legs"]:
            when = leg["departure"].strftime("%Y-%m-%d %H:%M") if leg["departure"] else ""
            line(f"   {leg['number']}. {leg['from']} → {leg['to']} ({leg['mode']}) {when}", 9)
        for handover in row["handovers"]:
            final = _(" (final, to the legal representative %(person)s)") % {
                "person": handover["to_person"]} if handover["final"] else ""
            line(_("   Handover %(n)s at %(place)s: %(from)s → %(to)s%(final)s")
                 % {"n": handover["number"], "place": handover["place"],
                    "from": handover["from"], "to": handover["to"], "final": final}, 9)
        pdf.ln(3)
    pdf.set_font("PTSans", "", 7)
    pdf.multi_cell(0, 4, _("Generated %(when)s by Reunite.") % {
        "when": timezone.now().strftime("%Y-%m-%d %H:%M UTC")})
    return bytes(pdf.output())


# Statistics ---------------------------------------------------------------------------------


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def cases_by_state_over_time(months: int = 12) -> tuple[list[str], dict[str, list[int]]]:
    """For each of the last ``months`` month ends: how many cases were in each state."""
    today = timezone.now().date()
    first_event = CaseEvent.objects.aggregate(first=Min("at"))["first"]
    start = max(first_event.date() if first_event else today,
                (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1))
    month_starts = _months(start, today)
    ends = [(m.replace(day=28) + dt.timedelta(days=4)).replace(day=1) for m in month_starts]
    series: dict[str, list[int]] = {state: [0] * len(ends) for state in CASE_STATE_ORDER}
    timeline: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for case_id, at, state in CaseEvent.objects.values_list("case_id", "at", "to_state"):
        timeline[case_id].append((at, state))
    for events in timeline.values():
        events.sort()
        for index, end in enumerate(ends):
            current = ""
            for at, to_state in events:
                if at.date() < end:
                    current = to_state
            if current:
                series[current][index] += 1
    labels = [m.strftime("%Y-%m") for m in month_starts]
    return labels, {str(CaseState(s).label): v for s, v in series.items() if any(v)}


def children_per_round() -> tuple[list[str], dict[str, list[int]]]:
    """Children who travelled in each finished or running round, by direction."""
    rounds = list(Round.objects.exclude(status=RoundStatus.PLANNED).order_by("planned_date"))
    directions = sorted(set(RoundChild.objects.filter(
        round__in=rounds, status__in=[RoundChildStatus.TRAVELLED, RoundChildStatus.IN_ROUND])
        .values_list("from_country", "to_country")))
    series: dict[str, list[int]] = {f"{a}→{b}": [0] * len(rounds) for a, b in directions}
    counts = RoundChild.objects.filter(
        round__in=rounds, status__in=[RoundChildStatus.TRAVELLED, RoundChildStatus.IN_ROUND]
    ).values("round_id", "from_country", "to_country").annotate(n=Count("pk"))
    index = {r.pk: i for i, r in enumerate(rounds)}
    for row in counts:
        series[f"{row['from_country']}→{row['to_country']}"][index[row["round_id"]]] = row["n"]
    return [f"{r.planned_date:%Y-%m-%d}" for r in rounds], series


def median_days_per_step() -> dict[str, float]:
    """Median days a case spent in each state before moving on (over every recorded step)."""
    durations: dict[str, list[float]] = defaultdict(list)
    timeline: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for case_id, at, state in CaseEvent.objects.values_list("case_id", "at", "to_state"):
        timeline[case_id].append((at, state))
    for events in timeline.values():
        events.sort()
        for (start, state), (end, _next) in itertools.pairwise(events):
            durations[state].append((end - start).total_seconds() / 86400)
    return {str(CaseState(state).label): round(statistics.median(values), 1)
            for state in CASE_STATE_ORDER if (values := durations.get(state))}


def statistics_charts() -> list[dict[str, str]]:
    """The statistics page's charts as SVG (titles and labels translated)."""
    charts = []
    labels, series = cases_by_state_over_time()
    if labels and series:
        charts.append({"id": "cases-by-state", "svg": line_chart_svg(
            labels, series, title=_("Cases by state, at the end of each month"),
            y_label=_("cases"), height=340)})
    rounds, per_round = children_per_round()
    if rounds and per_round:
        charts.append({"id": "children-per-round", "svg": bar_chart_svg(
            rounds, per_round, title=_("Children per round, by direction"), stacked=True,
            y_label=_("children"))})
    medians = median_days_per_step()
    if medians:
        charts.append({"id": "median-days", "svg": bar_chart_svg(
            list(medians), {_("median days"): list(medians.values())},
            title=_("Median days in each step"), y_label=_("days"), width=760)})
    charts.append({"id": "follow-up", "svg": bar_chart_svg(
        [_("due"), _("overdue")], {_("visits"): list(followup_counts())},
        title=_("Follow-up visits due and overdue"), y_label=_("visits"), width=360)})
    return charts


def followup_counts() -> tuple[int, int]:
    """(due, overdue): planned follow-up visits not yet done, split at today."""
    from reunite.reunification.models import FollowUpVisit, VisitStatus

    today = timezone.now().date()
    open_visits = FollowUpVisit.objects.filter(status=VisitStatus.PLANNED, visited_on__isnull=True)
    overdue = open_visits.filter(due_on__lt=today).count()
    return open_visits.count() - overdue, overdue


# Public export ------------------------------------------------------------------------------


def public_tables(threshold: int = 5) -> list[SuppressedTable]:
    """Aggregates of the children who travelled in rounds, with small cells suppressed."""
    entries = list(RoundChild.objects.filter(status=RoundChildStatus.TRAVELLED)
                   .select_related("case__child", "round"))
    directions = sorted({e.direction for e in entries}) or ["—"]
    bands = [label for _l, _h, label in AGE_BANDS]
    sexes = [label for _c, label in SEXES]
    by_age = [[0] * len(bands) for _d in directions]
    by_sex = [[0] * len(sexes) for _d in directions]
    years = sorted({e.round.planned_date.year for e in entries}) or [timezone.now().year]
    by_year = [[0] * len(years) for _d in directions]
    for entry in entries:
        row = directions.index(entry.direction)
        child = entry.case.child
        if child is None:
            continue
        by_age[row][bands.index(age_band(age_on(child, entry.round.planned_date)))] += 1
        by_sex[row][sexes.index(dict(SEXES).get(child.sex, "unknown"))] += 1
        by_year[row][years.index(entry.round.planned_date.year)] += 1
    return [
        suppress_table(by_year, row_labels=directions, column_labels=[str(y) for y in years],
                       threshold=threshold, title="Children reunified, by direction and year"),
        suppress_table(by_age, row_labels=directions, column_labels=bands,
                       threshold=threshold, title="Children reunified, by direction and age"),
        suppress_table(by_sex, row_labels=directions, column_labels=sexes,
                       threshold=threshold, title="Children reunified, by direction and sex"),
    ]


def tables_for_screen(tables: Sequence[SuppressedTable]) -> list[dict[str, Any]]:
    """The public tables as the statistics page shows them, in the user's language.

    The export itself stays in English: it is a published data set whose titles and
    column names others parse.
    """
    titles = {
        "Children reunified, by direction and year": _("Children reunified, by direction and year"),
        "Children reunified, by direction and age": _("Children reunified, by direction and age"),
        "Children reunified, by direction and sex": _("Children reunified, by direction and sex"),
    }
    sexes = {"female": _("female"), "male": _("male"), "unknown": _("unknown")}
    screen = []
    for table in tables:
        rows = table.as_rows(row_header=_("direction"), total_label=_("Total"))
        rows[0] = [sexes.get(cell, cell) for cell in rows[0]]
        screen.append({"title": titles.get(table.title, table.title), "rows": rows})
    return screen


def public_export_text(tables: Sequence[SuppressedTable], fmt: str) -> str:
    """The public export as CSV (tables one after another) or JSON."""
    generated = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    note = ("Aggregates only. 'x' = suppressed: every count under "
            f"{tables[0].threshold if tables else 5}, and counts that would let one be "
            "recomputed from the totals, are hidden.")
    if fmt == "json":
        return json.dumps({
            "generated": generated, "note": note,
            "tables": [{"title": t.title, "rows": t.as_rows(row_header="direction")}
                       for t in tables],
        }, ensure_ascii=False, indent=2)
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f"Reunite public statistics, generated {generated}"])
    writer.writerow([note])
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerows(table.as_rows(row_header="direction"))
    return buffer.getvalue()


def transfers_of(entry: RoundChild) -> list[Transfer]:
    return list(entry.transfers.all())
