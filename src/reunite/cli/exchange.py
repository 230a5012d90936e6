"""The direct channel on the command line: peers, bundles (files), sync (HTTP), lists,
messages, joint reports, and the three-installation demo.

Exit codes: 0 done; 1 something was refused (the message says what; nothing half-written);
2 bad command line, unknown peer/list/user or missing keys; 3 the user's role does not allow it.
"""

# No "from __future__ import annotations": Typer reads the annotations at run time.
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from reunite.cli.django_setup import acting_as, setup

EXIT_REFUSED, EXIT_USAGE, EXIT_DENIED = 1, 2, 3

peers_app = typer.Typer(no_args_is_help=True, help="This installation's keys and its peers.")
bundles_app = typer.Typer(no_args_is_help=True, help="Bundles as files (air-gapped exchange).")
lists_app = typer.Typer(no_args_is_help=True, help="Lists of sought children and answers.")
messages_app = typer.Typer(no_args_is_help=True, help="Messages on a case or list-entry thread.")
reports_app = typer.Typer(no_args_is_help=True, help="Joint verification reports.")

AsUser = Annotated[
    str, typer.Option("--as", metavar="USERNAME", help="Act as this user (role and party apply).")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _err(message: str) -> None:
    typer.secho(message, fg="red", err=True)


def _ok(message: str) -> None:
    typer.secho(message, fg="green")


def _cli_actor(what: str) -> Any:
    import getpass

    from reunite.audit.log import Actor

    return Actor(
        user_id=None,
        username=f"operator:{getpass.getuser()}",
        organization="",
        request_id=f"cli-{what}",
    )


@contextmanager
def _rules() -> Iterator[None]:
    """Turn expected errors into a message and an exit code (never a traceback)."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from reunite.channel import ChannelError, KeyStoreError
    from reunite.interchange import InterchangeError

    try:
        yield
    except KeyStoreError as exc:
        _err(f"Keys: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    except ChannelError as exc:
        _err(f"Refused: {exc}")
        raise typer.Exit(EXIT_REFUSED) from None
    except PermissionDenied as exc:
        _err(f"Not allowed: {exc}")
        raise typer.Exit(EXIT_DENIED) from None
    except ValidationError as exc:
        _err("Refused:")
        for message in exc.messages:
            _err(f"  - {message}")
        raise typer.Exit(EXIT_REFUSED) from None
    except InterchangeError as exc:
        _err(f"The file has problems: {exc}")
        raise typer.Exit(EXIT_REFUSED) from None


def _peer(installation_id: str) -> Any:
    from reunite.exchange.models import Peer

    peer = Peer.objects.filter(installation_id=installation_id).first()
    if peer is None:
        known = ", ".join(Peer.objects.values_list("installation_id", flat=True)) or "none yet"
        _err(f"No peer {installation_id!r} (known: {known}).")
        raise typer.Exit(EXIT_USAGE)
    return peer


def _list(reference: str) -> Any:
    from reunite.exchange.models import SoughtList

    matches = list(SoughtList.objects.filter(list_id__startswith=reference.strip().lower())[:2])
    if len(matches) != 1:
        _err(f"No single list starts with {reference!r}: see `reunite lists list`.")
        raise typer.Exit(EXIT_USAGE)
    return matches[0]


def _case(acting: Any, reference: str) -> Any:
    """A case visible to the user, by its reference."""
    from django.http import Http404

    from reunite.accounts import policy
    from reunite.cases.models import Case

    case = Case.objects.filter(reference=reference.strip()).only("pk").first()
    try:
        if case is None:
            raise Http404
        return policy.get_visible_or_404(acting.user, Case.objects.all(), case.pk, "case.view")
    except Http404:
        _err(f"No case {reference!r} (or it is not shared with your organisation).")
        raise typer.Exit(EXIT_USAGE) from None


# ---- peers ---------------------------------------------------------------------------------


@peers_app.command("init")
def peers_init(
    installation_id: Annotated[str, typer.Argument(help="This installation's id, e.g. UA-NIB.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    url: Annotated[str, typer.Option(help="Address where peers reach this installation.")] = "",
    card: Annotated[
        Path | None, typer.Option(help="Also write the public card to this file.")
    ] = None,
) -> None:
    """Create this installation's identity and keys (once); print the fingerprint."""
    setup()
    from django.conf import settings

    from reunite.audit.log import log_event
    from reunite.exchange.keys import forget_identity, key_store

    with _rules():
        identity = key_store(create=True).create(installation_id, name or installation_id, url)
        forget_identity()
        log_event(
            _cli_actor("peers-init"),
            "keys_created",
            "installation",
            identity.installation_id,
            {"key_id": identity.current.public.key_id, "fingerprint": identity.fingerprint},
        )
        if card:
            card.write_bytes(identity.card().to_bytes())
    _ok(f"Installation {identity.installation_id} has keys in {settings.REUNITE_KEY_DIR}.")
    typer.echo(f"Fingerprint (read it to your peers out of band): {identity.fingerprint}")
    if card:
        typer.echo(f"Public card written to {card}: give it to each peer.")


@peers_app.command("card")
def peers_card(
    out: Annotated[Path, typer.Option(help="File to write the public card to.")],
) -> None:
    """Write this installation's public card (public keys, signed) for peers to add."""
    setup()
    from reunite.exchange.keys import load_identity

    with _rules():
        identity = load_identity()
        out.write_bytes(identity.card().to_bytes())
    _ok(f"Card of {identity.installation_id} written to {out}.")
    typer.echo(f"Fingerprint: {identity.fingerprint}")


@peers_app.command("add")
def peers_add(
    card: Annotated[Path, typer.Argument(help="The peer's public card (JSON file).")],
    url: Annotated[str, typer.Option(help="The peer's address for sync.")] = "",
    via: Annotated[str, typer.Option(help="Reach it through this peer (the mediator).")] = "",
    role: Annotated[str, typer.Option(help="party or mediator.")] = "",
    fingerprint: Annotated[
        str, typer.Option(help="The fingerprint the peer's operator read to you: trusts it now.")
    ] = "",
) -> None:
    """Add (or update) a peer from its card; trust it once the fingerprint is confirmed."""
    setup()
    from reunite.exchange import services
    from reunite.exchange.models import PeerRole

    if role and role not in PeerRole.values:
        _err(f"--role is one of: {', '.join(PeerRole.values)}.")
        raise typer.Exit(EXIT_USAGE)
    if not card.is_file():
        _err(f"File not found: {card}")
        raise typer.Exit(EXIT_USAGE)
    with _rules():
        result = services.add_peer(
            card.read_bytes(),
            _cli_actor("peers-add"),
            url=url,
            relay=via,
            role=role,
            fingerprint=fingerprint,
        )
    (_ok if result.trusted else typer.echo)(result.message)


@peers_app.command("trust")
def peers_trust(
    installation_id: Annotated[str, typer.Argument(help="The peer's id.")],
    fingerprint: Annotated[str, typer.Option(help="The fingerprint confirmed out of band.")],
) -> None:
    """Trust a peer after comparing its fingerprint by phone or in person."""
    setup()
    from reunite.exchange import services

    _peer(installation_id)
    with _rules():
        peer = services.trust_peer(installation_id, fingerprint, _cli_actor("peers-trust"))
    _ok(f"{peer.installation_id} is trusted.")


@peers_app.command("list")
def peers_list(as_json: JsonFlag = False) -> None:
    """This installation and its peers: fingerprint, status, last exchange, waiting items."""
    setup()
    from reunite.exchange.keys import load_identity
    from reunite.exchange.models import Peer, Transit

    with _rules():
        me = load_identity()
    rows: list[dict[str, Any]] = []
    for peer in Peer.objects.select_related("relay"):
        rows.append(
            {
                "installation_id": peer.installation_id,
                "name": peer.name,
                "role": peer.role,
                "status": peer.status,
                "fingerprint": peer.fingerprint,
                "url": peer.url,
                "via": peer.relay.installation_id if peer.relay else "",
                "last_exchange": peer.last_exchange_at.isoformat() if peer.last_exchange_at else "",
                "waiting": Transit.objects.filter(hop=peer, acked_at__isnull=True).count(),
                "last_error": peer.last_error,
            }
        )
    if as_json:
        typer.echo(
            json.dumps(
                {"me": me.installation_id, "fingerprint": me.fingerprint, "peers": rows}, indent=2
            )
        )
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{me.installation_id}[/bold] ({me.name}) fingerprint {me.fingerprint}")
    table = Table()
    for column in ("peer", "role", "status", "fingerprint", "via", "last exchange", "waiting"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["installation_id"],
            row["role"],
            row["status"],
            row["fingerprint"],
            row["via"],
            row["last_exchange"][:19],
            str(row["waiting"]),
        )
    console.print(table)


def _send_card_to_peers(reason: str) -> int:
    """Send the new card to every trusted peer (it is signed by the keys they trust)."""
    from reunite.exchange import services
    from reunite.exchange.models import Peer, PeerStatus

    peers = list(Peer.objects.filter(status=PeerStatus.TRUSTED))
    if peers:
        services.send_bundle(
            _cli_actor(reason),
            "card",
            {"card": services.own_card().decode()},
            peers,
            subject="card",
        )
    return len(peers)


@peers_app.command("rotate")
def peers_rotate() -> None:
    """Make a new key pair; old bundles stay verifiable; peers get the new card on next sync."""
    setup()
    from reunite.audit.log import log_event
    from reunite.exchange.keys import forget_identity, key_store

    with _rules():
        identity = key_store().rotate()
        forget_identity()
        log_event(
            _cli_actor("peers-rotate"),
            "key_rotated",
            "installation",
            identity.installation_id,
            {"key_id": identity.current.public.key_id, "fingerprint": identity.fingerprint},
        )
        sent = _send_card_to_peers("peers-rotate")
    _ok(f"New key {identity.current.public.key_id}; fingerprint {identity.fingerprint}.")
    typer.echo(f"The new card (signed by the old and new keys) is queued for {sent} peers.")


@peers_app.command("revoke")
def peers_revoke(
    installation_id: Annotated[
        str, typer.Argument(help="The peer whose key to revoke (omit with --own).")
    ] = "",
    own: Annotated[
        bool, typer.Option("--own", help="Revoke this installation's own current key.")
    ] = False,
    key: Annotated[str, typer.Option(help="Which of the peer's keys (default: current).")] = "",
) -> None:
    """Revoke a key: bundles signed with it later are refused."""
    setup()
    from reunite.audit.log import log_event
    from reunite.exchange import services
    from reunite.exchange.keys import forget_identity, key_store

    if own == bool(installation_id):
        _err("Give a peer id, or --own for this installation's key.")
        raise typer.Exit(EXIT_USAGE)
    with _rules():
        if own:
            identity = key_store().revoke_current(last_valid_seq=services.last_sent_seq())
            forget_identity()
            log_event(
                _cli_actor("peers-revoke"),
                "key_revoked",
                "installation",
                identity.installation_id,
                {"new_key_id": identity.current.public.key_id, "fingerprint": identity.fingerprint},
            )
            _ok(f"Own key revoked; new fingerprint {identity.fingerprint}.")
            typer.echo(
                "Give the new card (`reunite peers card`) to each peer and read them the new "
                "fingerprint: they must confirm it (`reunite peers trust`)."
            )
            return
        _peer(installation_id)
        peer = services.revoke_peer(installation_id, _cli_actor("peers-revoke"), key_id=key)
    _ok(f"{installation_id}: key revoked (status {peer.status}).")


# ---- bundles as files ----------------------------------------------------------------------


@bundles_app.command("export")
def bundles_export(
    to: Annotated[str, typer.Option("--to", help="The peer that will import the file.")],
    out: Annotated[Path, typer.Option("--out", help="File to write (e.g. to-RU.bundles).")],
) -> None:
    """Write every bundle and receipt waiting for a peer to one file, to carry by hand."""
    setup()
    import os
    import tempfile

    from django.db import transaction

    from reunite.audit.log import log_event
    from reunite.exchange import services

    peer = _peer(to)
    with _rules(), transaction.atomic():
        parcel, items = services.parcel_for(peer, limit_bytes=2**62)
        if not items:
            typer.echo(f"Nothing waits for {to}.")
            return
        data = parcel.to_bytes()
        # Atomic file: a temporary file next to the target, renamed when complete.
        fd, tmp = tempfile.mkstemp(dir=out.parent if str(out.parent) else ".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        services.acknowledge(peer, [i.item_id for i in items])
        log_event(
            _cli_actor("bundles-export"),
            "parcel_exported",
            "peer",
            to,
            {"items": [i.item_id for i in items], "bytes": len(data), "file": out.name},
        )
    _ok(
        f"{len(parcel.bundles)} bundles and {len(parcel.receipts)} receipts for {to} "
        f"written to {out}."
    )


@bundles_app.command("import")
def bundles_import(
    file: Annotated[Path, typer.Argument(help="A file exported by another installation.")],
    as_json: JsonFlag = False,
) -> None:
    """Verify and import every bundle and receipt in a file; refusals are listed and audited."""
    setup()
    from rich.progress import Progress

    from reunite import channel
    from reunite.exchange import services

    if not file.is_file():
        _err(f"File not found: {file}")
        raise typer.Exit(EXIT_USAGE)
    with _rules():
        parcel = channel.read_parcel(file.read_bytes())
        with Progress(transient=True, disable=as_json) as bar:
            task = bar.add_task("Importing", total=len(parcel.bundles) + len(parcel.receipts))
            outcomes = services.accept_parcel(
                parcel,
                _cli_actor("bundles-import"),
                lambda done, total: bar.update(task, completed=done, total=total),
            )
    refused = [o for o in outcomes if o.outcome == "refused"]
    if as_json:
        typer.echo(json.dumps([o.__dict__ for o in outcomes], indent=2))
    else:
        for o in outcomes:
            colour = {"refused": "red", "held": "yellow", "already": "yellow"}.get(
                o.outcome, "green"
            )
            typer.secho(f"{o.outcome:9} {o.message}", fg=colour)
    if refused:
        raise typer.Exit(EXIT_REFUSED)


@bundles_app.command("list")
def bundles_list(as_json: JsonFlag = False) -> None:
    """Bundles sent (with their receipts) and received."""
    setup()
    from reunite.exchange import services
    from reunite.exchange.models import BundleIn, BundleOut, RelayedBundle

    out = [
        {
            "direction": "out",
            "bundle": b.bundle_id,
            "kind": b.kind,
            "seq": b.seq,
            "to": b.recipients,
            "created": b.created_at.isoformat(),
            "receipts": {k: sorted(v) for k, v in services.receipt_states(b).items()},
        }
        for b in BundleOut.objects.all()
    ]
    inc = [
        {
            "direction": "in",
            "bundle": b.bundle_id,
            "kind": b.kind,
            "seq": b.seq,
            "from": b.sender.installation_id,
            "received": b.received_at.isoformat(),
        }
        for b in BundleIn.objects.select_related("sender")
    ]
    relayed = [
        {
            "direction": "relayed",
            "bundle": b.bundle_id,
            "from": b.sender,
            "to": b.recipients,
            "received": b.received_at.isoformat(),
            "size": b.size,
        }
        for b in RelayedBundle.objects.all()
    ]
    rows = out + inc + relayed
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        typer.echo(json.dumps(row, ensure_ascii=False))


# ---- sync over HTTP ------------------------------------------------------------------------


def sync(
    peer: Annotated[str, typer.Option(help="Only this peer (default: every reachable one).")] = "",
) -> None:
    """Push and pull with every reachable peer until nothing waits (retried; resumable)."""
    setup()
    from rich.progress import BarColumn, Progress, TextColumn

    from reunite.exchange import transport

    with _rules():
        peers = [_peer(peer)] if peer else transport.reachable_peers()
    if not peers:
        typer.echo("No trusted peer with an address: add one with `reunite peers add --url`.")
        return
    results = []
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}")
    ) as bar:
        for target in peers:
            task = bar.add_task(f"{target.installation_id}", total=None)

            def progress(what: str, done: int, total: int, task: Any = task) -> None:
                bar.update(task, description=what, completed=done, total=total or None)

            results.append(transport.sync_peer(target, _cli_actor("sync"), progress))
            bar.update(task, completed=1, total=1)
    failed = False
    for result in results:
        if result.ok:
            _ok(f"{result.peer}: sent {result.pushed}, received {result.pulled}.")
        else:
            failed = True
            _err(f"{result.peer}: {result.error} (what was not acknowledged stays queued).")
        for message in result.refused:
            _err(f"  refused: {message}")
    if failed:
        raise typer.Exit(EXIT_REFUSED)


# ---- lists ---------------------------------------------------------------------------------


@lists_app.command("send")
def lists_send(
    as_user: AsUser,
    to: Annotated[str, typer.Option("--to", help="The party asked (a peer).")],
    title: Annotated[str, typer.Option(help="Title of the list.")],
    enquiry: Annotated[
        list[int] | None, typer.Option(help="A tracing request id (repeat the option).")
    ] = None,
    case: Annotated[
        list[str] | None, typer.Option(help="A case reference: its tracing request (repeat).")
    ] = None,
    all_open: Annotated[
        bool, typer.Option("--all-open", help="Every visible request with consent for tracing.")
    ] = False,
    limit: Annotated[int, typer.Option(help="With --all-open: at most this many.")] = 500,
    due_days: Annotated[int | None, typer.Option(help="Days to answer.")] = None,
) -> None:
    """Compose a list of sought children from tracing requests and send it."""
    setup()
    from reunite.accounts import policy
    from reunite.exchange import lists
    from reunite.registry.models import Enquiry

    acting = acting_as(as_user)
    peer = _peer(to)
    queryset = policy.visible(acting.user, Enquiry.objects.all())
    if all_open:
        chosen = list(queryset.filter(consent_for_tracing=True).order_by("pk")[:limit])
    else:
        wanted = list(enquiry or [])
        found = {e.pk: e for e in queryset.filter(pk__in=wanted)}
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            _err(f"No visible tracing request {', '.join(map(str, missing))}.")
            raise typer.Exit(EXIT_USAGE)
        chosen = [found[pk] for pk in wanted]
        for reference in case or []:
            record = _case(acting, reference)
            if record.enquiry_id is None:
                _err(f"Case {reference} has no tracing request to put on a list.")
                raise typer.Exit(EXIT_USAGE)
            chosen.append(record.enquiry)
    with _rules():
        sought = lists.compose_list(
            acting, title=title, to=peer, enquiries=chosen, due_days=due_days
        )
    _ok(
        f"List {sought.list_id[:8]} “{title}” with {len(chosen)} names queued for {to} "
        f"(via {peer.next_hop.installation_id})."
    )
    typer.echo(sought.list_id)


@lists_app.command("list")
def lists_list(as_json: JsonFlag = False) -> None:
    """Lists sent and received, with their response rate."""
    setup()
    from reunite.exchange import lists
    from reunite.exchange.models import SoughtList

    rows: list[dict[str, Any]] = []
    for sought in SoughtList.objects.all():
        progress = lists.list_progress(sought)
        rows.append(
            {
                "list_id": sought.list_id,
                "title": sought.title,
                "direction": sought.direction,
                "asking": sought.asking,
                "asked": sought.asked,
                "entries": progress.total,
                "answered": progress.answered,
                "response_rate": round(progress.response_rate, 3),
                "overdue": len(progress.overdue),
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        typer.echo(
            f"{row['list_id'][:8]} {row['direction']:3} {row['asking']}→{row['asked']} "
            f"{row['answered']}/{row['entries']} answered  {row['title']}"
        )


@lists_app.command("show")
def lists_show(
    as_user: AsUser,
    reference: Annotated[str, typer.Argument(help="List id (or its first characters).")],
    as_json: JsonFlag = False,
) -> None:
    """Entries, candidates from our registry (incoming lists), answers and progress."""
    setup()
    from reunite.accounts import policy
    from reunite.audit.log import log_event
    from reunite.exchange import lists, services
    from reunite.exchange.models import BundleIn

    acting = acting_as(as_user)
    if not policy.has_permission(acting.user, policy.EXCHANGE_VIEW):
        _err("Not allowed: your role does not allow this.")
        raise typer.Exit(EXIT_DENIED)
    sought = _list(reference)
    progress = lists.list_progress(sought)
    log_event(acting.audit_actor, "view", "sought_list", sought.list_id, {"cli": True})
    bundle = BundleIn.objects.filter(bundle_id=sought.bundle_id).select_related("sender").first()
    if bundle is not None:
        services.mark_read(bundle, acting.audit_actor)
    entries = []
    for entry in sought.entries.all():
        answer = progress.latest.get(entry.pk)
        entries.append(
            {
                "ref": entry.entry_ref,
                "name": entry.display_name,
                "fields": entry.fields,
                "candidates": entry.candidates,
                "answer": None
                if answer is None
                else {
                    "status": answer.status,
                    "date": answer.answered_on.isoformat(),
                    "note": answer.note,
                    "region": answer.region,
                    "placement": answer.placement,
                },
            }
        )
    data = {
        "list_id": sought.list_id,
        "title": sought.title,
        "direction": sought.direction,
        "asking": sought.asking,
        "asked": sought.asked,
        "total": progress.total,
        "answered": progress.answered,
        "response_rate": progress.response_rate,
        "median_days_to_answer": progress.median_days_to_answer,
        "overdue": [e.entry_ref for e in progress.overdue],
        "changed": [
            {"ref": e.entry_ref, "before": b.status if b else None, "now": a.status}
            for e, b, a in progress.changed
        ],
        "entries": entries,
    }
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    typer.echo(
        f"{sought.title} ({sought.asking} → {sought.asked}): {progress.answered}/"
        f"{progress.total} answered, {len(progress.overdue)} overdue"
    )
    for entry in entries:
        status_text = entry["answer"]["status"] if entry["answer"] else "—"
        best = entry["candidates"][0]["probability"] if entry["candidates"] else ""
        typer.echo(f"  {entry['ref']:>4}  {entry['name']:40} {status_text:15} {best}")


@lists_app.command("answer")
def lists_answer(
    as_user: AsUser,
    reference: Annotated[str, typer.Argument(help="List id (or its first characters).")],
    entry: Annotated[str, typer.Argument(help="The entry's reference on the list.")],
    status: Annotated[
        str,
        typer.Argument(
            help="located, not_found, no_record, adult_now, "
            "with_relatives, being_prepared, returned, declined, "
            "deceased."
        ),
    ],
    note: Annotated[str, typer.Option(help="Note.")] = "",
    region: Annotated[str, typer.Option(help="Region (located only).")] = "",
    placement: Annotated[str, typer.Option(help="Type of placement (located only).")] = "",
    date: Annotated[str, typer.Option(help="Answer date YYYY-MM-DD (default today).")] = "",
) -> None:
    """Answer one entry of a list received from another party (sent back at once)."""
    setup()
    from reunite.exchange import lists

    acting = acting_as(as_user)
    sought = _list(reference)
    try:
        answered_on = dt.date.fromisoformat(date) if date else None
    except ValueError:
        _err(f"--date {date!r} is not YYYY-MM-DD.")
        raise typer.Exit(EXIT_USAGE) from None
    with _rules():
        lists.answer_list(
            acting, sought, [lists.AnswerInput(entry, status, answered_on, note, region, placement)]
        )
    _ok(f"Answer for entry {entry} queued for {sought.asking}.")


@lists_app.command("export")
def lists_export(
    reference: Annotated[str, typer.Argument(help="List id (or its first characters).")],
    out: Annotated[Path, typer.Option("--out", help="CSV or XLSX file to write.")],
) -> None:
    """The list with its latest answers in the interchange format (+ answer columns)."""
    setup()
    from reunite.audit.log import log_event
    from reunite.exchange import lists

    sought = _list(reference)
    with _rules():
        count = lists.export_list(sought, out)
        log_event(
            _cli_actor("lists-export"),
            "list_exported",
            "sought_list",
            sought.list_id,
            {"rows": count, "file": out.name},
        )
    _ok(f"{count} entries written to {out}.")


@lists_app.command("import-answers")
def lists_import_answers(
    as_user: AsUser,
    reference: Annotated[str, typer.Argument(help="List id (or its first characters).")],
    file: Annotated[Path, typer.Argument(help="CSV/XLSX from `lists export`, answers filled.")],
) -> None:
    """Send the answers filled in a spreadsheet (all rows checked first; all or nothing)."""
    setup()
    from reunite.exchange import lists

    acting = acting_as(as_user)
    sought = _list(reference)
    with _rules():
        answers = lists.read_answers_file(sought, file)
        if not answers:
            typer.echo("No row has an answer_status: nothing sent.")
            return
        count = lists.answer_list(acting, sought, answers)
    _ok(f"{count} answers queued for {sought.asking}.")


# ---- messages and joint reports -------------------------------------------------------------


@messages_app.command("send")
def messages_send(
    as_user: AsUser,
    thread: Annotated[str, typer.Option(help="list:<list id>/<entry> or case:<reference>.")],
    to: Annotated[list[str], typer.Option("--to", help="A recipient peer (repeat).")],
    text: Annotated[str, typer.Argument(help="The message.")],
) -> None:
    """Write on a thread to the other party and/or the mediator."""
    setup()
    from reunite.exchange import messaging

    acting = acting_as(as_user)
    peers = [_peer(p) for p in to]
    with _rules():
        messaging.send_message(acting, thread, text, peers)
    _ok("Message queued.")


@messages_app.command("share-case")
def messages_share_case(
    as_user: AsUser,
    case: Annotated[str, typer.Argument(help="The case reference.")],
    to: Annotated[list[str], typer.Option("--to", help="A recipient peer (repeat).")],
) -> None:
    """Share the case's summary (only what the policy lets leave) on thread case:<ref>."""
    setup()
    from reunite.exchange import messaging

    acting = acting_as(as_user)
    record = _case(acting, case)
    peers = [_peer(p) for p in to]
    with _rules():
        summary = messaging.share_case_summary(acting, record, peers)
    _ok(f"Summary of {record.reference} queued on thread {summary.thread}.")


@messages_app.command("show")
def messages_show(
    as_user: AsUser,
    thread: Annotated[str, typer.Argument(help="The thread.")],
    as_json: JsonFlag = False,
) -> None:
    setup()
    from reunite.accounts import policy
    from reunite.audit.log import log_event
    from reunite.exchange import messaging

    acting = acting_as(as_user)
    if not policy.has_permission(acting.user, policy.EXCHANGE_VIEW):
        _err("Not allowed: your role does not allow this.")
        raise typer.Exit(EXIT_DENIED)
    messages = messaging.thread_messages(thread)
    log_event(acting.audit_actor, "view", "thread", thread, {"messages": len(messages)})
    rows = [
        {
            "author": m.author,
            "from": m.author_installation,
            "text": m.text,
            "sent_at": m.sent_at.isoformat(),
            "direction": m.direction,
        }
        for m in messages
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(f"[{row['sent_at'][:16]}] {row['author']}: {row['text']}")


@reports_app.command("propose")
def reports_propose(
    as_user: AsUser,
    thread: Annotated[str, typer.Option(help="list:<list id>/<entry> or case:<reference>.")],
    to: Annotated[str, typer.Option("--to", help="The other party.")],
    result: Annotated[str, typer.Option(help="confirmed, not_confirmed or inconclusive.")],
    summary: Annotated[str, typer.Option(help="What was verified, how.")],
) -> None:
    """Write and sign a joint verification report; the other party's verifier countersigns."""
    setup()
    from reunite.exchange import messaging

    acting = acting_as(as_user)
    with _rules():
        report = messaging.propose_report(
            acting, thread=thread, result=result, summary=summary, to=_peer(to)
        )
    _ok(f"Report {report.report_id[:8]} signed and sent to {to}.")
    typer.echo(report.report_id)


@reports_app.command("sign")
def reports_sign(
    as_user: AsUser,
    report_id: Annotated[str, typer.Argument(help="Report id (or its first characters).")],
) -> None:
    """Countersign a report received from the other party; both signatures go back."""
    setup()
    from reunite.exchange import messaging
    from reunite.exchange.models import JointReport

    acting = acting_as(as_user)
    matches = list(JointReport.objects.filter(report_id__startswith=report_id.lower())[:2])
    if len(matches) != 1:
        _err(f"No single report starts with {report_id!r}.")
        raise typer.Exit(EXIT_USAGE)
    with _rules():
        messaging.countersign(acting, matches[0])
    _ok("Report countersigned; both signatures are on their way to the other party.")


@reports_app.command("list")
def reports_list(as_json: JsonFlag = False) -> None:
    """Joint reports and whose signatures verify."""
    setup()
    from reunite.exchange import messaging
    from reunite.exchange.models import JointReport

    rows: list[dict[str, Any]] = []
    with _rules():
        for report in JointReport.objects.all():
            summary = messaging.report_summary(report)
            summary["verified_signers"] = [
                f"{s.signer}:{s.signed_by}" for s in messaging.verified_signers(report)
            ]
            rows.append(summary)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        joint = "JOINT" if row["joint"] else "one side"
        typer.echo(
            f"{row['report_id'][:8]} {row['thread']} {row['result']} [{joint}] "
            f"{', '.join(row['verified_signers'])}"
        )


def demo_party(
    installation_id: Annotated[str, typer.Argument(help="UA-NIB, RU-CRO or MEDIATOR.")],
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data.")] = 7,
    children: Annotated[int, typer.Option(help="Registry size (the asked party).")] = 60,
    enquiries: Annotated[int, typer.Option(help="Tracing requests (the asking party).")] = 24,
) -> None:
    """Load one party's demo organisation, users and synthetic records (channel demo)."""
    setup()
    from reunite.demo.channel import PARTIES, load_party

    if installation_id not in PARTIES:
        _err(f"Choose one of: {', '.join(PARTIES)}.")
        raise typer.Exit(EXIT_USAGE)
    summary = load_party(installation_id, seed=seed, children=children, enquiries=enquiries)
    _ok(
        f"{installation_id}: {summary.children} children, {summary.enquiries} tracing requests"
        + (" (already loaded)" if summary.already_loaded else "")
    )


def demo_channel(
    directory: Annotated[Path, typer.Option(help="Where the three installations live.")] = Path(
        "var/channel-demo"
    ),
    base_port: Annotated[int, typer.Option(help="Ports base+1, base+2, base+3.")] = 8100,
) -> None:
    """Start three installations (UA-NIB, RU-CRO, MEDIATOR) on three ports, peered and trusted."""
    import signal
    import time

    from reunite.cli import channel_demo

    def stop_on_term(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt  # stop the three servers as Ctrl+C does

    signal.signal(signal.SIGTERM, stop_on_term)
    directory = directory.resolve()
    ports = {
        channel_demo.ASKING: base_port + 1,
        channel_demo.ASKED: base_port + 2,
        channel_demo.MEDIATOR: base_port + 3,
    }
    typer.echo(f"Preparing three installations in {directory} (synthetic people only)…")
    fresh = not (directory / channel_demo.MEDIATOR / "keys").exists()
    if fresh:
        installations = channel_demo.prepare(directory, ports)
    else:
        installations = {i: channel_demo.Installation(i, ports[i], directory / i) for i in ports}
    try:
        for inst in installations.values():
            inst.start()
        for inst in installations.values():
            logins = ", ".join(channel_demo.LOGINS[inst.installation_id])
            _ok(f"{inst.installation_id:9} {inst.url}/exchange/   logins: {logins}")
        typer.echo(f"Password for every demo login: {channel_demo.DEMO_PASSWORD}")
        typer.echo(
            "Try: send a list from UA-NIB, then `reunite sync` in each directory "
            "(see docs/channel.md). Ctrl+C stops all three."
        )
        while all(i.server and i.server.poll() is None for i in installations.values()):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for inst in installations.values():
            inst.stop()


def register(app: typer.Typer) -> None:
    app.command("demo-party")(demo_party)
    app.command("demo-channel")(demo_channel)
    app.add_typer(peers_app, name="peers")
    app.add_typer(bundles_app, name="bundles")
    app.add_typer(lists_app, name="lists")
    app.add_typer(messages_app, name="messages")
    app.add_typer(reports_app, name="reports")
    app.command("sync")(sync)
