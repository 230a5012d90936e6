"""Screens of the direct channel: peers, lists with their answers, threads.

Every view asks the policy (``exchange.*``) and audits what it shows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reunite.accounts import policy
from reunite.audit.log import log_event
from reunite.channel import ChannelError
from reunite.core.acting import Acting
from reunite.exchange import lists, messaging, services
from reunite.exchange.keys import load_identity
from reunite.exchange.models import (
    AnswerStatus,
    BundleIn,
    BundleOut,
    CaseSummary,
    JointReport,
    ListDirection,
    Peer,
    Placement,
    RelayedBundle,
    ReportResult,
    SoughtList,
    Transit,
)


def _acting(request: HttpRequest) -> Acting:
    return Acting.from_request(request)


def _need(request: HttpRequest, action: str) -> None:
    if not policy.has_permission(request.user, action):
        raise PermissionDenied(_("Your role does not allow this."))


def _identity() -> Any:
    try:
        return load_identity()
    except ChannelError:
        return None


@login_required
def peer_list(request: HttpRequest) -> HttpResponse:
    _need(request, policy.EXCHANGE_VIEW)
    peers = list(Peer.objects.select_related("relay"))
    for peer in peers:
        peer.waiting = Transit.objects.filter(hop=peer, acked_at__isnull=True).count()  # type: ignore[attr-defined]
    log_event(_acting(request).audit_actor, "list", "peer", "", {"count": len(peers)})
    return render(request, "exchange/peer_list.html", {"me": _identity(), "peers": peers})


@login_required
def peer_detail(request: HttpRequest, installation_id: str) -> HttpResponse:
    _need(request, policy.EXCHANGE_VIEW)
    peer = get_object_or_404(Peer, installation_id=installation_id)
    # Recipients are a JSON list; filtering in Python works the same on SQLite and PostgreSQL.
    sent = [
        (bundle, services.receipt_states(bundle))
        for bundle in BundleOut.objects.order_by("-seq")[:1000]
        if installation_id in bundle.recipients
    ][:200]
    received = BundleIn.objects.filter(sender=peer)[:200]
    relayed = RelayedBundle.objects.filter(sender=installation_id)[:200]
    from reunite.audit.models import AuditEvent

    refusals = AuditEvent.objects.filter(
        action="bundle_refused", changes__via=installation_id
    ).order_by("-sequence")[:20]
    log_event(_acting(request).audit_actor, "view", "peer", installation_id, {})
    return render(
        request,
        "exchange/peer_detail.html",
        {
            "peer": peer,
            "sent": sent,
            "received": received,
            "relayed": relayed,
            "waiting": Transit.objects.filter(hop=peer, acked_at__isnull=True).count(),
            "refusals": refusals,
        },
    )


def _sendable_enquiries(request: HttpRequest) -> Any:
    from reunite.registry.models import Enquiry

    return policy.visible(request.user, Enquiry.objects.filter(consent_for_tracing=True)).order_by(
        "pk"
    )


@login_required
def list_index(request: HttpRequest) -> HttpResponse:
    _need(request, policy.EXCHANGE_VIEW)
    rows = [(s, lists.list_progress(s)) for s in SoughtList.objects.all()[:200]]
    can_send = policy.has_permission(request.user, policy.EXCHANGE_LIST_SEND)
    enquiries = list(_sendable_enquiries(request)[:500]) if can_send else []
    log_event(
        _acting(request).audit_actor,
        "list",
        "sought_list",
        "",
        {"ids": [s.list_id for s, _p in rows], "enquiries_offered": [e.pk for e in enquiries]},
    )
    return render(
        request,
        "exchange/list_index.html",
        {
            "rows": rows,
            "can_send": can_send,
            "enquiries": enquiries,
            "parties": Peer.objects.filter(status="trusted", role="party"),
        },
    )


@login_required
@require_POST
def list_send(request: HttpRequest) -> HttpResponse:
    _need(request, policy.EXCHANGE_LIST_SEND)
    peer = Peer.objects.filter(installation_id=request.POST.get("to", "")).first()
    wanted = {int(pk) for pk in request.POST.getlist("enquiry") if pk.isdigit()}
    chosen = [e for e in _sendable_enquiries(request).filter(pk__in=wanted)]
    title = request.POST.get("title", "").strip()
    if peer is None or not title:
        messages.error(request, _("Choose the party to ask and give the list a title."))
        return redirect("exchange:lists")
    try:
        sought = lists.compose_list(_acting(request), title=title, to=peer, enquiries=chosen)
    except (ValidationError, ChannelError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
        return redirect("exchange:lists")
    messages.success(
        request,
        _("List sent to %(peer)s with %(n)d names; it leaves at the next sync.")
        % {"peer": peer.installation_id, "n": len(chosen)},
    )
    return redirect("exchange:list", list_id=sought.list_id)


@login_required
def list_detail(request: HttpRequest, list_id: str) -> HttpResponse:
    _need(request, policy.EXCHANGE_VIEW)
    sought = get_object_or_404(SoughtList, list_id=list_id)
    progress = lists.list_progress(sought)
    acting = _acting(request)
    log_event(acting.audit_actor, "view", "sought_list", sought.list_id, {})
    bundle = BundleIn.objects.filter(bundle_id=sought.bundle_id).select_related("sender").first()
    if bundle is not None:
        services.mark_read(bundle, acting.audit_actor)
    entries = []
    for entry in sought.entries.prefetch_related("answers"):
        entries.append(
            {
                "entry": entry,
                "latest": progress.latest.get(entry.pk),
                "history": list(entry.answers.all()),
                "overdue": entry in progress.overdue,
            }
        )
    can_answer = sought.direction == ListDirection.INCOMING and policy.has_permission(
        request.user, policy.EXCHANGE_LIST_ANSWER
    )
    return render(
        request,
        "exchange/list_detail.html",
        {
            "sought": sought,
            "progress": progress,
            "entries": entries,
            "can_answer": can_answer,
            "statuses": AnswerStatus.choices,
            "placements": Placement.choices,
            "rate": round(progress.response_rate * 100),
        },
    )


@login_required
@require_POST
def list_answer(request: HttpRequest, list_id: str) -> HttpResponse:
    sought = get_object_or_404(SoughtList, list_id=list_id)
    answer = lists.AnswerInput(
        entry_ref=request.POST.get("entry_ref", ""),
        status=request.POST.get("status", ""),
        note=request.POST.get("note", "").strip(),
        region=request.POST.get("region", "").strip(),
        placement=request.POST.get("placement", ""),
    )
    try:
        lists.answer_list(_acting(request), sought, [answer])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except ChannelError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Answer recorded; it goes to %(peer)s at the next sync.") % {"peer": sought.asking},
        )
    return redirect("exchange:list", list_id=list_id)


def _local_case(request: HttpRequest, thread: str) -> Any:
    """The case of a ``case:<reference>`` thread, when it is ours and visible to the user."""
    from reunite.cases.models import Case

    if not thread.startswith("case:"):
        return None
    case = Case.objects.filter(reference=thread[len("case:") :]).first()
    return case if case is not None and policy.can(request.user, "case.view", case) else None


@login_required
@require_POST
def case_share(request: HttpRequest) -> HttpResponse:
    """Share the summary of the thread's case with the chosen peers."""
    thread = request.POST.get("thread", "")
    case = _local_case(request, thread)
    if case is None:
        messages.error(request, _("No such case here."))
        return redirect("exchange:lists")
    recipients = list(
        Peer.objects.filter(installation_id__in=request.POST.getlist("to"), status="trusted")
    )
    try:
        messaging.share_case_summary(_acting(request), case, recipients)
    except (ValidationError, PermissionDenied, ChannelError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, _("Case summary queued for the next sync."))
    return redirect(reverse("exchange:thread") + "?" + urlencode({"t": thread}))


@login_required
def thread_view(request: HttpRequest) -> HttpResponse:
    _need(request, policy.EXCHANGE_VIEW)
    thread = request.GET.get("t", "") or request.POST.get("thread", "")
    try:
        thread = messaging.check_thread(thread)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("exchange:lists")
    acting = _acting(request)
    if request.method == "POST":
        recipients = list(
            Peer.objects.filter(installation_id__in=request.POST.getlist("to"), status="trusted")
        )
        try:
            messaging.send_message(acting, thread, request.POST.get("text", ""), recipients)
        except (ValidationError, PermissionDenied, ChannelError) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        else:
            messages.success(request, _("Message queued for the next sync."))
        return redirect(reverse("exchange:thread") + "?" + urlencode({"t": thread}))
    thread_messages = messaging.thread_messages(thread)
    reports = []
    for report in JointReport.objects.filter(thread=thread):
        try:
            signers = messaging.verified_signers(report)
            problem = ""
        except ChannelError as exc:
            signers, problem = [], str(exc)
        reports.append(
            {
                "report": report,
                "signers": signers,
                "problem": problem,
                "joint": messaging.is_joint(report),
            }
        )
    log_event(acting.audit_actor, "view", "thread", thread, {"messages": len(thread_messages)})
    summaries = list(CaseSummary.objects.filter(thread=thread))
    local_case = _local_case(request, thread)
    return render(
        request,
        "exchange/thread.html",
        {
            "summaries": summaries,
            "local_case": local_case,
            "can_share_case": local_case is not None
            and policy.has_permission(request.user, policy.EXCHANGE_CASE_SHARE),
            "thread": thread,
            "thread_messages": thread_messages,
            "reports": reports,
            "peers": Peer.objects.filter(status="trusted"),
            "results": dict(ReportResult.choices),
            "can_write": policy.has_permission(request.user, policy.EXCHANGE_MESSAGE),
        },
    )
