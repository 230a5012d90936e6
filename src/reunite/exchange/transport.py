"""HTTP between installations: push (send a parcel), pull (fetch what waits for us), ack.

The server side is three plain views at ``/api/channel/``; the client side is
:func:`sync_peer`. The transport never decides trust: a pushed parcel needs no login
because every bundle and receipt in it is checked against the sender's key, and pull/ack
requests are signed by the pulling installation. Items stay queued for a hop until it
acknowledges them, so a sync cut off halfway is resumed by the next one.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from reunite import channel
from reunite.audit.log import Actor
from reunite.channel import ChannelError
from reunite.exchange import services
from reunite.exchange.keys import load_identity
from reunite.exchange.models import Peer, PeerStatus, Transit

REQUEST_WINDOW = dt.timedelta(minutes=10)
# Refusals a later attempt can overcome (the peer is trusted later, a clock is fixed):
# the item stays queued. Any other outcome is final and acknowledged.
RETRY_REASONS = frozenset({"unknown_sender", "key_store", "from_future"})


def _http_limit() -> int:
    # A parcel over HTTP carries at most a few bundles: four times the bundle limit.
    return int(settings.REUNITE_BUNDLE_MAX_BYTES) * 4


def _acknowledged(outcome: services.Outcome) -> bool:
    return not (outcome.outcome == "refused" and outcome.reason in RETRY_REASONS)


def _result_json(outcome: services.Outcome) -> dict[str, Any]:
    return {
        "item": outcome.item_id,
        "outcome": outcome.outcome,
        "reason": outcome.reason,
        "message": outcome.message,
        "ack": _acknowledged(outcome),
    }


def _read_body(request: HttpRequest) -> bytes:
    limit = _http_limit()
    data = request.read(limit + 1)
    if len(data) > limit:
        raise channel.BundleTooLarge(f"the request is larger than {limit:,} bytes")
    return data


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def push(request: HttpRequest) -> HttpResponse:
    """Accept a parcel: each item is verified on its own; answer per item."""
    actor = Actor.system(f"push-{getattr(request, 'request_id', '')}")
    try:
        parcel = channel.read_parcel(_read_body(request), max_bytes=_http_limit())
    except ChannelError as exc:
        return _error(str(exc))
    outcomes = services.accept_parcel(parcel, actor)
    return JsonResponse(
        {
            "installation": load_identity().installation_id,
            "results": [_result_json(o) for o in outcomes],
        }
    )


def _signed_request(request: HttpRequest, action: str) -> tuple[Peer, dict[str, Any]]:
    body = channel.verify_request(
        _read_body(request),
        services.peer_lookup,
        action=action,
        to=load_identity().installation_id,
        window=REQUEST_WINDOW,
    )
    return Peer.objects.get(installation_id=body["from"]), body


@csrf_exempt
@require_POST
def pull(request: HttpRequest) -> HttpResponse:
    """Return the items waiting for the signed-in peer (they stay until acknowledged)."""
    try:
        peer, _body = _signed_request(request, "pull")
    except ChannelError as exc:
        return _error(str(exc), status=403)
    parcel, items = services.parcel_for(peer, limit_bytes=_http_limit() // 2)
    Transit.objects.filter(pk__in=[i.pk for i in items]).update(attempts=F("attempts") + 1)
    Peer.objects.filter(pk=peer.pk).update(last_exchange_at=timezone.now())
    return JsonResponse(
        {
            "installation": load_identity().installation_id,
            "parcel": json.loads(parcel.to_bytes()),
            "items": [i.item_id for i in items],
        }
    )


@csrf_exempt
@require_POST
def ack(request: HttpRequest) -> HttpResponse:
    try:
        peer, body = _signed_request(request, "ack")
    except ChannelError as exc:
        return _error(str(exc), status=403)
    items = [str(i) for i in body.get("items") or []]
    count = services.acknowledge(peer, items)
    return JsonResponse({"acknowledged": count})


# ---- client -------------------------------------------------------------------------------


@dataclass
class PeerSync:
    peer: str
    pushed: int = 0
    pulled: int = 0
    refused: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


class PeerUnreachable(ChannelError):
    reason = "unreachable"
    retryable = True


def _post(url: str, data: bytes, timeout: float) -> dict[str, Any]:
    if not url.startswith(("http://", "https://")):
        raise PeerUnreachable(f"{url}: only http:// and https:// addresses are used")
    attempts = max(1, int(settings.REUNITE_SYNC_ATTEMPTS))
    last: Exception | None = None
    for attempt in range(attempts):
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url, data=data, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return json.loads(response.read())  # type: ignore[no-any-return]
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read()).get("error", "")
            except ValueError:
                detail = ""
            if exc.code < 500:
                raise PeerUnreachable(f"{url}: refused ({exc.code}) {detail}".strip()) from exc
            last = exc
        except (OSError, ValueError) as exc:
            last = exc
        if attempt + 1 < attempts:
            time.sleep(min(2**attempt * 0.5, 5))
    raise PeerUnreachable(f"{url} did not answer after {attempts} attempts: {last}")


def _signed(action: str, peer: Peer, items: list[str] | None = None) -> bytes:
    return channel.sign_request(load_identity(), action, peer.installation_id, items)


Progress = Callable[[str, int, int], None]


def _noop(_what: str, _done: int, _total: int) -> None:
    return None


def _push_all(peer: Peer, base: str, timeout: float, result: PeerSync, progress: Progress) -> int:
    """Push what waits for ``peer`` until it is all acknowledged (or the peer takes no more)."""
    total = len(services.pending_for(peer))
    pushed = 0
    while True:
        parcel, items = services.parcel_for(peer, limit_bytes=_http_limit() // 2)
        if not items:
            return pushed
        Transit.objects.filter(pk__in=[i.pk for i in items]).update(attempts=F("attempts") + 1)
        answer = _post(f"{base}/push", parcel.to_bytes(), timeout)
        acked = []
        for item in answer.get("results", []):
            if item.get("ack"):
                acked.append(str(item.get("item")))
            if item.get("outcome") == "refused":
                result.refused.append(str(item.get("message")))
                Transit.objects.filter(hop=peer, item_id=item.get("item")).update(
                    last_error=str(item.get("message"))[:500]
                )
        done = services.acknowledge(peer, acked)
        pushed += done
        progress(f"→ {peer.installation_id}", pushed, total)
        if done == 0:
            return pushed  # nothing more the peer takes now; retried on the next sync


def _pull_all(
    peer: Peer, base: str, timeout: float, result: PeerSync, actor: Actor, progress: Progress
) -> int:
    """Pull and import what waits for us at ``peer``; acknowledge what was handled."""
    pulled = 0
    while True:
        answer = _post(f"{base}/pull", _signed("pull", peer), timeout)
        parcel = channel.read_parcel(json.dumps(answer.get("parcel") or {}).encode())
        if not answer.get("items"):
            return pulled
        outcomes = services.accept_parcel(
            parcel, actor, lambda d, t: progress(f"← {peer.installation_id}", d, t)
        )
        acked = [o.item_id for o in outcomes if _acknowledged(o)]
        result.refused += [o.message for o in outcomes if o.outcome == "refused"]
        # An item is acknowledged only once it is imported (or finally refused): if this
        # process dies before the acknowledgement, the peer offers it again next time.
        _post(f"{base}/ack", _signed("ack", peer, acked), timeout)
        pulled += len(acked)
        if not acked:
            return pulled


def sync_peer(peer: Peer, actor: Actor, progress: Progress = _noop) -> PeerSync:
    """Push what waits for ``peer`` and pull what waits for us, until both sides are empty.

    Receipts made while importing go out in the next round, so one sync usually completes
    a whole exchange with that peer.
    """
    result = PeerSync(peer.installation_id)
    if not peer.url:
        result.error = "no address (set one with `reunite peers add … --url`)"
        return result
    base = peer.url.rstrip("/") + "/api/channel"
    timeout = float(settings.REUNITE_SYNC_TIMEOUT)
    try:
        for _round in range(3):
            pushed = _push_all(peer, base, timeout, result, progress)
            pulled = _pull_all(peer, base, timeout, result, actor, progress)
            result.pushed += pushed
            result.pulled += pulled
            if not pulled and not services.pending_for(peer):
                break
    except ChannelError as exc:
        result.error = str(exc)
    Peer.objects.filter(pk=peer.pk).update(
        last_exchange_at=timezone.now() if result.ok else peer.last_exchange_at,
        last_error=result.error[:500],
    )
    return result


def reachable_peers() -> list[Peer]:
    return list(
        Peer.objects.filter(status=PeerStatus.TRUSTED).exclude(url="").order_by("installation_id")
    )
