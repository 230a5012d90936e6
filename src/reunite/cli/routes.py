"""`reunite routes …`: the route planner for coordinators and scripts.

    reunite routes plan --from "Embassy of Qatar, Moscow" --to Kyiv --date 2026-02-12 \\
        --child-age 9 --child-citizenship UA --child-documents birth_certificate \\
        --adult "role=legal_representative,sex=F,age=38,citizenship=UA,documents=passport"
    reunite routes plan --from moscow --to kyiv --date 2026-02-12 --json
    reunite routes plan ... --svg route.svg        # the schematic map of the best route
    reunite routes check my-network.toml           # validate a route file (errors name lines)
    reunite routes places                          # the places of the network
    reunite routes map --out network.svg --date 2026-02-12

The network is the file given with ``--network``, else ``$REUNITE_ROUTE_NETWORK``, else the
shipped illustrative network. Exit codes: 0 done (``plan``: at least one feasible route),
1 no feasible route, 2 unusable input (bad file, unknown place, bad option). Messages go to
stderr; user errors never print a traceback. Format of the file: docs/routes.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from reunite.routes import Network, RoutePlan, Traveller

app = typer.Typer(
    no_args_is_help=True,
    epilog="Exit codes: 0 done, 1 no feasible route, 2 unusable input. "
    "Documentation: docs/routes.md.",
)
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

NETWORK_ENV = "REUNITE_ROUTE_NETWORK"

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
NetworkOption = Annotated[
    Path | None,
    typer.Option("--network", help=f"Route network file (default: ${NETWORK_ENV}, else the "
                 "shipped illustrative network)."),
]


def _fail(message: str, code: int = 2, *, as_json: bool = False) -> NoReturn:
    if as_json:
        typer.echo(json.dumps({"error": message}, ensure_ascii=False))
    _err.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code)


def load_configured_network(path: Path | None = None) -> Network:
    """The network from ``path``, else ``$REUNITE_ROUTE_NETWORK``, else the shipped one."""
    from reunite.routes import default_network, load_network

    chosen = path or (Path(os.environ[NETWORK_ENV]) if os.environ.get(NETWORK_ENV) else None)
    return load_network(chosen) if chosen else default_network()


def _network(path: Path | None, *, as_json: bool = False) -> Network:
    from reunite.routes import RouteFileError

    try:
        network = load_configured_network(path)
    except RouteFileError as error:
        _fail(str(error), as_json=as_json)
    if network.illustrative:
        _err.print("[yellow]note:[/yellow] the route network is ILLUSTRATIVE (fictional "
                   "data), not real travel advice")
    return network


def _codes(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in text.replace("+", ",").split(",") if part.strip())


def parse_adult(spec: str) -> Traveller:
    """An adult from ``key=value`` pairs: role, sex, age, citizenship, documents, name.

    Several citizenships or documents are joined with ``+``
    (``documents=passport+power_of_attorney``).
    """
    from reunite.routes import Traveller

    fields: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"expected key=value in --adult, got {part.strip()!r}")
        key = key.strip().lower()
        if key not in {"role", "sex", "age", "citizenship", "documents", "name"}:
            raise ValueError(f"unknown --adult key {key!r} (role, sex, age, citizenship, "
                             "documents, name)")
        fields[key] = value.strip()
    if "age" not in fields or not fields["age"].isdigit():
        raise ValueError("--adult needs age=<whole number>")
    role = fields.get("role", "legal_representative")
    if role == "child":
        raise ValueError("an --adult cannot have the role 'child'")
    return Traveller(
        age=int(fields["age"]), sex=fields.get("sex", "").upper(),
        citizenships=frozenset(c.upper() for c in _codes(fields.get("citizenship", ""))),
        documents=_codes(fields.get("documents", "")), role=role,
        label=fields.get("name") or role.replace("_", " "),
    )


@app.command("plan")
def plan(
    origin: Annotated[str, typer.Option("--from", help="Start: place id or name.")],
    destination: Annotated[str, typer.Option("--to", help="Destination: place id or name.")],
    date: Annotated[str, typer.Option("--date", help="Travel date, YYYY-MM-DD.")],
    child_age: Annotated[int, typer.Option("--child-age", help="The child's age in years.")] = 10,
    child_sex: Annotated[str, typer.Option("--child-sex", help="F, M or empty.")] = "",
    child_citizenship: Annotated[
        str, typer.Option("--child-citizenship", help="Country codes, e.g. UA or UA+RU.")
    ] = "UA",
    child_documents: Annotated[
        str, typer.Option("--child-documents",
                          help="Documents the child has, e.g. passport+birth_certificate.")
    ] = "birth_certificate",
    adults: Annotated[
        list[str] | None,
        typer.Option("--adult", help="An adult travelling with the child (repeat): "
                     "role=legal_representative|proxy|escort,sex=F,age=38,citizenship=UA,"
                     "documents=passport+power_of_attorney,name=Olena K."),
    ] = None,
    child_ref: Annotated[
        str | None,
        typer.Option("--child", help="Plan for a recorded child: a case reference (C-2026-…) "
                     "or a child record id; needs --as. Replaces the --child-* options."),
    ] = None,
    as_user: Annotated[str | None, typer.Option("--as", metavar="USERNAME",
                                                help="Act as this user (with --child).")] = None,
    max_routes: Annotated[int, typer.Option("--max-routes", min=1, max=20)] = 3,
    svg: Annotated[Path | None, typer.Option("--svg", help="Write the best route's map "
                                             "(SVG) to this file.")] = None,
    network_path: NetworkOption = None,
    as_json: JsonOption = False,
) -> None:
    """Feasible routes for a child on a date, best first, and why the others are not."""
    from reunite.routes import RouteError, Traveller, plan_routes, render_route_map

    try:
        on = dt.date.fromisoformat(date)
    except ValueError:
        _fail(f"--date must be a date like 2026-02-12, got {date!r}", as_json=as_json)
    network = _network(network_path, as_json=as_json)
    try:
        if child_ref is not None:
            child = _recorded_child(child_ref, as_user, on, as_json=as_json)
        else:
            child = Traveller(age=child_age, sex=child_sex.upper(),
                              citizenships=frozenset(c.upper() for c in
                                                     _codes(child_citizenship)),
                              documents=_codes(child_documents), role="child")
        party = [parse_adult(spec) for spec in adults or []]
        result = plan_routes(network, origin, destination, on=on, child=child, adults=party,
                             max_routes=max_routes)
    except (RouteError, ValueError) as error:
        _fail(str(error), as_json=as_json)
    if svg is not None:
        _write_atomically(svg, render_route_map(network, result.best, on=on))
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_plan(result)
    if not result.routes:
        raise typer.Exit(1)


def _recorded_child(reference: str, as_user: str | None, on: dt.date, *,
                    as_json: bool) -> Traveller:
    """The child of a case (or a child record) as the planner sees them; audited."""
    if not as_user:
        _fail("--child needs --as USERNAME (the records are shown by the policy)",
              as_json=as_json)
    from reunite.cli.django_setup import acting_as, setup

    setup()
    from reunite.accounts import policy
    from reunite.cases.models import Case
    from reunite.registry import actions as registry_actions
    from reunite.registry.models import Child
    from reunite.reunification.models import RoundChild
    from reunite.reunification.rounds.planning import child_traveller

    acting = acting_as(as_user)
    case = None
    if reference.isdigit():
        child = policy.visible(acting.user, Child.objects.all()).filter(pk=int(reference)).first()
    else:
        case = policy.visible(acting.user, Case.objects.all()).filter(
            reference=reference).first()
        child = case.child if case is not None else None
        if child is not None and not policy.is_visible(acting.user, child) and (
                not policy.has_permission(acting.user, "round.view")):
            child = None
    if child is None:
        _fail(f"no case or child {reference!r} is visible to {as_user}", as_json=as_json)
    registry_actions.record_view(acting, case or child)
    entry = RoundChild.objects.filter(case=case).order_by("-pk").first() if case else None
    return child_traveller(child, on, case=case,
                           home_country=entry.to_country if entry else "")


def _print_plan(result: RoutePlan) -> None:
    _out.print(f"[bold]{escape(result.origin.name)} → {escape(result.destination.name)}"
               f"[/bold] on {result.on.isoformat()}")
    for note in result.notes:
        _out.print(f"[yellow]{escape(str(note))}[/yellow]")
    if not result.routes:
        _out.print("[red]No feasible route.[/red]")
    for number, route in enumerate(result.routes, start=1):
        table = Table(title=f"Route {number}: {route.total_hours:g} h, "
                            f"{route.risky_legs} risky leg(s)", title_justify="left")
        for column in ("#", "mode", "from", "to", "hours", "handover point"):
            table.add_column(column)
        for leg in route.legs:
            risky = " [yellow](risky)[/yellow]" if leg.risky else ""
            table.add_row(str(leg.number), leg.mode + risky, escape(leg.source.name),
                          escape(leg.target.name), f"{leg.hours:g}",
                          leg.target.kind.replace("_", " ") if leg.target.handover else "")
        _out.print(table)
    if result.rejected:
        _out.print("[bold]Routes that cannot be used:[/bold]")
        for rejected in result.rejected:
            _out.print(f"• {escape(rejected.itinerary.summary)}")
            for reason in rejected.reasons:
                _out.print(f"    – {escape(str(reason))}")


def _write_atomically(path: Path, text: str) -> None:
    target = path.expanduser()
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        _fail(f"cannot write {target}: {error.strerror or error}")


@app.command("check")
def check(
    path: Annotated[Path, typer.Argument(help="The route network file to validate.")],
    as_json: JsonOption = False,
) -> None:
    """Validate a route network file; every problem is reported with its line."""
    from reunite.routes import RouteFileError, load_network

    try:
        network = load_network(path)
    except RouteFileError as error:
        if as_json:
            typer.echo(json.dumps({"valid": False, "problems": [
                {"line": p.line, "message": p.message} for p in error.problems]},
                ensure_ascii=False))
        for problem in error.problems:
            _err.print(f"[red]{escape(str(path))}:{problem.line}:[/red] {escape(problem.message)}")
        raise typer.Exit(2) from None
    summary = {"valid": True, "places": len(network.places), "links": len(network.links),
               "rules": len(network.rules), "illustrative": network.illustrative}
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        _out.print(f"{escape(str(path))}: valid ({summary['places']} places, "
                   f"{summary['links']} links, {summary['rules']} rules)")


@app.command("places")
def places(network_path: NetworkOption = None, as_json: JsonOption = False) -> None:
    """The places of the route network."""
    network = _network(network_path, as_json=as_json)
    if as_json:
        typer.echo(json.dumps([
            {"id": p.id, "name": p.name, "kind": p.kind, "countries": list(p.countries),
             "lat": p.lat, "lon": p.lon, "handover": p.handover}
            for p in network.places.values()], ensure_ascii=False, indent=2))
        return
    table = Table()
    for column in ("id", "name", "kind", "countries", "handover"):
        table.add_column(column)
    for place in network.places.values():
        table.add_row(place.id, escape(place.name), place.kind.replace("_", " "),
                      "–".join(place.countries), "yes" if place.handover else "")
    _out.print(table)


@app.command("map")
def draw_map(
    out: Annotated[Path, typer.Option("--out", help="SVG file to write.")],
    date: Annotated[str | None, typer.Option("--date", help="Mark closures in force on "
                                             "this date (YYYY-MM-DD).")] = None,
    network_path: NetworkOption = None,
) -> None:
    """Draw the whole network as a schematic SVG map."""
    from reunite.routes import render_route_map

    try:
        on = dt.date.fromisoformat(date) if date else None
    except ValueError:
        _fail(f"--date must be a date like 2026-02-12, got {date!r}")
    network = _network(network_path)
    _write_atomically(out, render_route_map(network, on=on))
    _out.print(f"wrote {escape(str(out))}")
