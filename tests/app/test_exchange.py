"""The exchange app seen from one installation, with the other installations played by the
channel engine (their own keys, real signed and encrypted bundles)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reunite import channel
from reunite.audit.log import Actor, verify_chain
from reunite.audit.models import AuditEvent
from reunite.exchange import lists, messaging, services
from reunite.exchange.keys import forget_identity, key_store, load_identity
from reunite.exchange.models import (
    BundleIn,
    BundleOut,
    HeldBundle,
    JointReport,
    ListAnswer,
    ListEntry,
    Message,
    Peer,
    ReceiptEntry,
    RelayedBundle,
    SoughtList,
    Transit,
)
from tests.app.conftest import acting

SYSTEM = Actor.system("test")


@pytest.fixture(scope="module")
def remotes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, channel.Identity]:
    """The other installations' identities (engine only)."""
    out = {}
    for name in ("UA", "RU", "MED"):
        base = tmp_path_factory.mktemp(f"remote-{name}")
        channel.create_key_file(base / "secret")
        out[name] = channel.KeyStore(
            base / "keys", channel.Secret(key_file=base / "secret")
        ).create(name, name)
    return out


def _become(settings: Any, tmp_path: Path, installation_id: str) -> channel.Identity:
    settings.REUNITE_KEY_DIR = tmp_path / f"keys-{installation_id}"
    settings.REUNITE_KEY_FILE = tmp_path / f"secret-{installation_id}"
    forget_identity()
    key_store(create=True).create(installation_id, installation_id)
    forget_identity()
    return load_identity()


def _add(identity: channel.Identity, **kw: Any) -> Peer:
    return services.add_peer(
        identity.card().to_bytes(), SYSTEM, fingerprint=identity.fingerprint, **kw
    ).peer


@pytest.fixture
def ua(
    settings: Any, tmp_path: Path, orgs: Any, remotes: dict[str, channel.Identity]
) -> Iterator[channel.Identity]:
    """This installation is UA; RU is reached through MED."""
    me = _become(settings, tmp_path, "UA")
    _add(remotes["MED"], role="mediator")
    _add(remotes["RU"], relay="MED")
    yield me
    forget_identity()


class Remote:
    """Another installation's side, played with the engine."""

    def __init__(self, identity: channel.Identity) -> None:
        self.identity = identity
        self.seq = 0

    def bundle(
        self,
        to: list[channel.Identity],
        kind: str,
        body: dict[str, Any],
        prev: str | None = None,
        **kw: Any,
    ) -> tuple[channel.Header, bytes]:
        self.seq += 1
        return channel.build_bundle(
            self.identity, [t.public for t in to], kind, body, seq=self.seq, prev=prev, **kw
        )

    def open(self, data: bytes, peers: dict[str, channel.PeerKeys]) -> channel.OpenedBundle:
        class Ledger:
            def seen(self, bundle_id: str) -> bool:
                return False

            def sequence_used(self, sender: str, seq: int) -> bool:
                return False

        return channel.open_bundle(data, self.identity, peers.get, Ledger())


@pytest.fixture
def sent_list(ua: channel.Identity, users: Any, make_enquiry: Callable[..., Any]) -> SoughtList:
    enquiries = [
        make_enquiry(
            surname="Мельник",
            given_name="Надія",
            consent_for_tracing=True,
            birth_date=dt.date(2014, 3, 2),
        ),
        make_enquiry(surname="Мороз", given_name="Максим", consent_for_tracing=True),
        make_enquiry(surname="Гайдай", given_name="Олександр", consent_for_tracing=True),
    ]
    return lists.compose_list(
        acting(users[("ua", "caseworker")]),
        title="Spring list",
        to=Peer.objects.get(installation_id="RU"),
        enquiries=enquiries,
    )


def _answers(sought: SoughtList, items: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    return {
        "subject": f"list:{sought.list_id}",
        "list_id": sought.list_id,
        "answers": [
            {
                "answer_id": f"{sought.list_id[:24]}{i:08d}",
                "ref": ref,
                "status": status,
                "date": "2026-01-10",
                "note": "",
                **extra,
            }
            for i, (ref, status) in enumerate(items)
        ],
    }


def _refusals(reason: str) -> int:
    return AuditEvent.objects.filter(action="bundle_refused", changes__reason=reason).count()


def test_list_leaves_encrypted_with_minimum_fields(
    sent_list: SoughtList, remotes: dict[str, channel.Identity], ua: channel.Identity
) -> None:
    bundle = BundleOut.objects.get(bundle_id=sent_list.bundle_id)
    assert bundle.recipients == ["RU"]
    transit = Transit.objects.get(item_id=bundle.bundle_id)
    assert transit.hop.installation_id == "MED"  # through the mediator
    assert "Мельник".encode() not in bytes(bundle.data)
    opened = Remote(remotes["RU"]).open(bytes(bundle.data), {"UA": ua.public})
    entries = opened.body["entries"]
    assert [e["fields"]["surname"] for e in entries] == ["Мельник", "Мороз", "Гайдай"]
    leaked = {k for e in entries for k in e["fields"]} - set(lists.LIST_FIELDS)
    assert not leaked and all("+000" not in json.dumps(e) for e in entries)
    assert verify_chain()[1] is None


def test_answers_arrive_and_list_shows_progress(
    sent_list: SoughtList, remotes: dict[str, channel.Identity], ua: channel.Identity
) -> None:
    ru = Remote(remotes["RU"])
    _h, data = ru.bundle(
        [ua],
        "answers",
        _answers(sent_list, [("1", "located"), ("2", "not_found")], region="Rostov"),
    )
    outcome = services.receive_bundle(data, SYSTEM, via="MED")
    assert outcome.outcome == "accepted", outcome.message
    progress = lists.list_progress(sent_list)
    assert (progress.total, progress.answered) == (3, 2)
    assert progress.response_rate == pytest.approx(2 / 3)
    assert {e.entry_ref for e, _b, _a in progress.changed} == {"1", "2"}
    located = ListAnswer.objects.get(entry__entry_ref="1")
    assert located.region == "Rostov"
    # a signed "delivered" receipt goes back to RU through the mediator
    receipt = ReceiptEntry.objects.get(bundle_id=outcome.item_id, status="delivered")
    assert Transit.objects.get(item_id=receipt.receipt_id).hop.installation_id == "MED"
    # overdue: the third entry once the answer time is over
    later = sent_list.due_on + dt.timedelta(days=1)
    assert [e.entry_ref for e in lists.list_progress(sent_list, today=later).overdue] == ["3"]


def test_answer_to_a_name_never_on_the_list_refuses_the_whole_bundle(
    sent_list: SoughtList, remotes: dict[str, channel.Identity], ua: channel.Identity
) -> None:
    ru = Remote(remotes["RU"])
    _h, data = ru.bundle(
        [ua], "answers", _answers(sent_list, [("1", "located"), ("99", "returned")])
    )
    outcome = services.receive_bundle(data, SYSTEM, via="MED")
    assert outcome.outcome == "refused" and "99 was never on list" in outcome.message
    assert not ListAnswer.objects.exists() and not BundleIn.objects.exists()
    assert _refusals("content_refused") == 1


def test_same_answers_imported_twice_change_nothing(
    sent_list: SoughtList, remotes: dict[str, channel.Identity], ua: channel.Identity
) -> None:
    ru = Remote(remotes["RU"])
    body = _answers(sent_list, [("1", "with_relatives")])
    _h, data = ru.bundle([ua], "answers", body)
    assert services.receive_bundle(data, SYSTEM).outcome == "accepted"
    again = services.receive_bundle(data, SYSTEM)
    assert again.outcome == "already" and "already imported" in again.message
    # the same answers re-sent in a new bundle are recognised by their ids
    _h2, resent = ru.bundle([ua], "answers", body)
    assert services.receive_bundle(resent, SYSTEM).outcome == "accepted"
    assert ListAnswer.objects.count() == 1
    assert _refusals("replayed") == 1


def test_every_bad_bundle_is_refused_with_its_reason(
    sent_list: SoughtList,
    remotes: dict[str, channel.Identity],
    ua: channel.Identity,
    settings: Any,
) -> None:
    ru, med = Remote(remotes["RU"]), remotes["MED"]
    body = _answers(sent_list, [("1", "located")])
    _h, good = ru.bundle([ua], "answers", body)
    envelope = json.loads(good)
    envelope["header"]["seq"] = 999  # tampered header
    cases = {
        "tampered": json.dumps(envelope).encode(),
        "malformed": good[: len(good) // 3],
        "misaddressed": ru.bundle([med], "answers", body)[1],
    }
    for reason, data in cases.items():
        outcome = services.receive_bundle(data, SYSTEM, via="MED")
        assert (outcome.outcome, outcome.reason) == ("refused", reason), outcome.message
        assert _refusals(reason) == 1
    settings.REUNITE_BUNDLE_MAX_BYTES = 200
    outcome = services.receive_bundle(good, SYSTEM)
    assert outcome.reason == "oversized"
    settings.REUNITE_BUNDLE_MAX_BYTES = 8 * 1024 * 1024
    stranger = channel.KeyStore(
        settings.REUNITE_KEY_DIR.parent / "x", channel.Secret(passphrase=b"stranger passphrase")
    ).create("XX", "XX")
    _h, unknown = channel.build_bundle(stranger, [ua.public], "answers", body, seq=1)
    assert services.receive_bundle(unknown, SYSTEM).reason == "unknown_sender"
    # after we revoke RU's key, what it signs later is refused
    services.revoke_peer("RU", SYSTEM)
    assert services.receive_bundle(good, SYSTEM).reason == "revoked_key"
    assert not ListAnswer.objects.exists()
    assert verify_chain()[1] is None


def test_reordered_answers_are_held_then_applied(
    sent_list: SoughtList, remotes: dict[str, channel.Identity], ua: channel.Identity
) -> None:
    ru = Remote(remotes["RU"])
    first_header, first = ru.bundle([ua], "answers", _answers(sent_list, [("1", "not_found")]))
    body2 = _answers(sent_list, [("1", "located")])
    body2["answers"][0]["answer_id"] = "b" * 32
    _h, second = ru.bundle([ua], "answers", body2, prev=first_header.bundle_id)
    held = services.receive_bundle(second, SYSTEM)
    assert held.outcome == "held" and HeldBundle.objects.count() == 1
    assert not ListAnswer.objects.exists()
    assert services.receive_bundle(first, SYSTEM).outcome == "accepted"
    assert not HeldBundle.objects.exists()
    statuses = list(ListAnswer.objects.order_by("recorded_at").values_list("status", flat=True))
    assert statuses == ["not_found", "located"]
    changed = lists.list_progress(sent_list).changed
    assert [(b.status if b else None, a.status) for _e, b, a in changed] == [
        ("not_found", "located")
    ]


def test_incoming_list_is_matched_against_our_registry_and_answered(
    ua: channel.Identity,
    remotes: dict[str, channel.Identity],
    users: Any,
    make_child: Callable[..., Any],
) -> None:
    child = make_child(
        org="ua",
        surname="Бондаренко",
        given_name="Ярослав",
        birth_date=dt.date(2013, 5, 17),
        birth_date_precision="day",
    )
    for i in range(6):
        make_child(
            org="ua",
            surname=f"Інший{i}",
            given_name="Петро",
            birth_date=dt.date(2010, 1, 1 + i),
            birth_date_precision="day",
        )
    ru = Remote(remotes["RU"])
    body = {
        "subject": "list:" + "c" * 32,
        "list_id": "c" * 32,
        "title": "RU asks",
        "asking": "RU",
        "asked": "UA",
        "due_days": 30,
        "entries": [
            {
                "ref": "1",
                "fields": {
                    "surname": "Бондаренко",
                    "given_name": "Ярослав",
                    "sex": "M",
                    "birth_date": "2013-05-17",
                },
            },
            {"ref": "2", "fields": {"surname": "Ніхто", "given_name": "Ніхто"}},
        ],
    }
    _h, data = ru.bundle([ua], "list", body)
    assert services.receive_bundle(data, SYSTEM, via="MED").outcome == "accepted"
    sought = SoughtList.objects.get(list_id="c" * 32)
    first = ListEntry.objects.get(sought_list=sought, entry_ref="1")
    assert first.candidates and first.candidates[0]["child_id"] == child.pk
    count = lists.answer_list(
        acting(users[("ua", "caseworker")]),
        sought,
        [lists.AnswerInput("1", "located", region="Kyiv", placement="relatives")],
    )
    assert count == 1
    out = BundleOut.objects.get(kind="answers")
    body_out = Remote(remotes["RU"]).open(bytes(out.data), {"UA": ua.public}).body
    assert body_out["answers"][0]["status"] == "located"
    assert ReceiptEntry.objects.filter(status="answered", signer="UA").exists()
    with pytest.raises(Exception, match="never on list"):
        lists.answer_list(
            acting(users[("ua", "caseworker")]), sought, [lists.AnswerInput("7", "located")]
        )
    with pytest.raises(Exception, match="does not allow"):
        lists.answer_list(
            acting(users[("ua", "auditor")]), sought, [lists.AnswerInput("1", "returned")]
        )


def test_mediator_relays_without_reading(
    settings: Any, tmp_path: Path, orgs: Any, remotes: dict[str, channel.Identity]
) -> None:
    me = _become(settings, tmp_path, "MED")
    try:
        _add(remotes["UA"])
        _add(remotes["RU"])
        ua = Remote(remotes["UA"])
        _h, data = ua.bundle(
            [remotes["RU"]],
            "list",
            {"entries": [{"ref": "1", "fields": {"surname": "Секретенко"}}]},
        )
        outcome = services.receive_bundle(data, SYSTEM, via="UA")
        assert outcome.outcome == "relayed"
        relayed = RelayedBundle.objects.get()
        assert relayed.recipients == ["RU"] and relayed.sender == "UA"
        assert Transit.objects.get(item_id=relayed.bundle_id).hop.installation_id == "RU"
        assert not BundleIn.objects.exists() and not SoughtList.objects.exists()
        assert ReceiptEntry.objects.get(status="relayed").to == "UA"
        dump = json.dumps(list(AuditEvent.objects.values("changes")), ensure_ascii=False)
        assert "Секретенко" not in dump
        # a message addressed to the mediator too is read by it and passed on
        _h, both = ua.bundle(
            [remotes["RU"], me],
            "message",
            {"thread": "case:UA-7", "message_id": "d" * 32, "text": "Привіт", "author": "ua"},
        )
        assert services.receive_bundle(both, SYSTEM, via="UA").outcome == "accepted"
        assert Message.objects.get().text == "Привіт"
        assert Transit.objects.filter(item_id=_h.bundle_id, hop__installation_id="RU").exists()
        assert services.receive_bundle(data, SYSTEM, via="UA").outcome == "already"
    finally:
        forget_identity()


def test_joint_report_signed_by_both_sides(
    ua: channel.Identity, remotes: dict[str, channel.Identity], users: Any
) -> None:
    ru = Remote(remotes["RU"])
    document = {
        "report_id": "e" * 32,
        "thread": "case:UA-1",
        "result": "confirmed",
        "summary": "Documents and DNA agree.",
        "parties": ["RU", "UA"],
        "written_at": "2026-01-02T00:00:00+00:00",
    }
    statement = channel.sign_statement(
        remotes["RU"], document, signed_by="ru-verifier", role="verifier"
    )
    _h, data = ru.bundle(
        [ua], "report", {"document": document, "statements": [statement.as_json()]}
    )
    assert services.receive_bundle(data, SYSTEM).outcome == "accepted"
    report = JointReport.objects.get()
    assert not messaging.is_joint(report)
    with pytest.raises(Exception, match="does not allow"):
        messaging.countersign(acting(users[("ua", "caseworker")]), report)
    messaging.countersign(acting(users[("ua", "verifier")]), report)
    report.refresh_from_db()
    assert messaging.is_joint(report)
    assert {s.signed_by for s in messaging.verified_signers(report)} == {
        "ru-verifier",
        users[("ua", "verifier")].username,
    }
    sent = BundleOut.objects.get(kind="report")
    opened = ru.open(bytes(sent.data), {"UA": ua.public})
    for s in opened.body["statements"]:
        channel.verify_statement(document, s, {"UA": ua.public, "RU": remotes["RU"].public}.get)
    # a report whose text was changed after RU signed it is refused
    forged = dict(document, result="not_confirmed", report_id="f" * 32)
    _h, bad = ru.bundle([ua], "report", {"document": forged, "statements": [statement.as_json()]})
    assert services.receive_bundle(bad, SYSTEM).reason == "content_refused"


def test_http_push_and_signed_pull(
    client: Any,
    ua: channel.Identity,
    remotes: dict[str, channel.Identity],
    sent_list: SoughtList,
) -> None:
    med = remotes["MED"]
    parcel, _items = services.parcel_for(Peer.objects.get(installation_id="MED"))
    assert len(parcel.bundles) == 1
    request = channel.sign_request(med, "pull", "UA")
    response = client.post("/api/channel/pull", request, content_type="application/json")
    assert response.status_code == 200 and response.json()["items"] == [sent_list.bundle_id]
    forged = json.loads(request)
    forged["from"] = "RU"
    response = client.post("/api/channel/pull", json.dumps(forged), content_type="application/json")
    assert response.status_code == 403
    ack = channel.sign_request(med, "ack", "UA", [sent_list.bundle_id])
    assert client.post("/api/channel/ack", ack, content_type="application/json").json() == {
        "acknowledged": 1
    }
    ru = Remote(remotes["RU"])
    _h, data = ru.bundle([ua], "answers", _answers(sent_list, [("3", "adult_now")]))
    pushed = channel.Parcel("MED", "UA", (data, b'{"garbage'), ())
    response = client.post("/api/channel/push", pushed.to_bytes(), content_type="application/json")
    results = response.json()["results"]
    assert [r["outcome"] for r in results] == ["accepted", "refused"]
    assert results[1]["reason"] == "malformed"


def test_screens(
    client: Any,
    users: Any,
    sent_list: SoughtList,
    ua: channel.Identity,
    remotes: dict[str, channel.Identity],
) -> None:
    ru = Remote(remotes["RU"])
    _h, data = ru.bundle([ua], "answers", _answers(sent_list, [("2", "being_prepared")]))
    services.receive_bundle(data, SYSTEM)
    client.force_login(users[("ua", "caseworker")])
    page = client.get("/exchange/").content.decode()
    assert ua.fingerprint in page and "RU" in page
    services.receive_bundle(b"{not a bundle", SYSTEM, via="RU")
    page = client.get("/exchange/peers/RU/").content.decode()
    assert "Recently refused" in page and "malformed" in page
    assert Peer.objects.get(installation_id="RU").fingerprint in page
    page = client.get(f"/exchange/lists/{sent_list.list_id}/").content.decode()
    assert "1 of 3 answered" in page and "Being prepared for return" in page
    thread = ListEntry.objects.get(sought_list=sent_list, entry_ref="2").thread
    response = client.post(
        "/exchange/thread/", {"thread": thread, "text": "Any news?", "to": ["RU", "MED"]}
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.recipients == ["MED", "RU"]
    page = client.get("/exchange/thread/", {"t": thread}).content.decode()
    assert "Any news?" in page
    client.force_login(users[("ua", "transfer_officer")])
    assert client.get("/exchange/").status_code == 403


def test_untrusted_peer_until_fingerprint_confirmed(
    settings: Any,
    tmp_path: Path,
    orgs: Any,
    remotes: dict[str, channel.Identity],
    users: Any,
    make_enquiry: Callable[..., Any],
) -> None:
    me = _become(settings, tmp_path, "UA")
    try:
        card = remotes["RU"].card().to_bytes()
        with pytest.raises(channel.ChannelError, match="does not match"):
            services.add_peer(card, SYSTEM, fingerprint="AAAA-BBBB-CCCC-DDDD-EEEE")
        result = services.add_peer(card, SYSTEM)
        assert not result.trusted and "NOT trusted" in result.message
        _h, data = Remote(remotes["RU"]).bundle(
            [me], "message", {"thread": "case:X", "message_id": "1" * 32, "text": "hi"}
        )
        outcome = services.receive_bundle(data, SYSTEM)
        assert outcome.reason == "unknown_sender" and "not trusted yet" in outcome.message
        enquiry = make_enquiry(consent_for_tracing=True)
        with pytest.raises(channel.ChannelError, match="not trusted"):
            lists.compose_list(
                acting(users[("ua", "caseworker")]), title="x", to=result.peer, enquiries=[enquiry]
            )
        assert not SoughtList.objects.exists() and not BundleOut.objects.exists()
        services.trust_peer("RU", remotes["RU"].fingerprint, SYSTEM)
        assert services.receive_bundle(data, SYSTEM).outcome == "accepted"
    finally:
        forget_identity()


def test_peer_rotation_arrives_as_a_card_signed_by_the_old_key(
    ua: channel.Identity, tmp_path: Path
) -> None:
    base = tmp_path / "ru-rotating"
    channel.create_key_file(base / "secret")
    store = channel.KeyStore(base / "keys", channel.Secret(key_file=base / "secret"))
    ru_old = store.create("RU2", "RU2")
    _add(ru_old)
    ru_new = store.rotate()
    _h, card_bundle = channel.build_bundle(
        ru_old, [ua.public], "card", {"card": ru_new.card().to_bytes().decode()}, seq=1
    )
    assert services.receive_bundle(card_bundle, SYSTEM).outcome == "accepted"
    peer = Peer.objects.get(installation_id="RU2")
    assert peer.is_trusted and peer.fingerprint == ru_new.fingerprint
    _h, newer = channel.build_bundle(
        ru_new,
        [ua.public],
        "message",
        {"thread": "case:R", "message_id": "2" * 32, "text": "new key"},
        seq=2,
    )
    assert services.receive_bundle(newer, SYSTEM).outcome == "accepted"
    # a card with a key nobody we trust has signed stays pending
    stranger = channel.KeyStore(tmp_path / "s", channel.Secret(passphrase=b"twelve chars!")).create(
        "RU2", "RU2"
    )
    assert not services.add_peer(stranger.card().to_bytes(), SYSTEM).trusted


def test_case_summary_carries_only_the_minimum(
    ua: channel.Identity,
    remotes: dict[str, channel.Identity],
    users: Any,
    make_enquiry: Callable[..., Any],
    make_child: Callable[..., Any],
    client: Any,
) -> None:
    from reunite.cases import actions as registry_actions
    from reunite.exchange.models import CaseSummary

    enquiry = make_enquiry(surname="Левченко", given_name="Марко", consent_for_tracing=True)
    child = make_child(
        org="ua",
        surname="Левченко",
        given_name="Марко",
        current_region="Kherson region",
        institution="Secret home",
    )
    worker = acting(users[("ua", "caseworker")])
    case = registry_actions.open_case(worker, enquiry=enquiry)
    case = registry_actions.link_case(worker, case, child=child)
    peers = list(Peer.objects.filter(installation_id__in=["RU", "MED"]))
    with pytest.raises(Exception, match="does not allow"):
        messaging.share_case_summary(acting(users[("ua", "verifier")]), case, peers)
    summary = messaging.share_case_summary(worker, case, peers)
    bundle = BundleOut.objects.get(kind="case_summary")
    assert bundle.recipients == ["MED", "RU"]
    body = Remote(remotes["MED"]).open(bytes(bundle.data), {"UA": ua.public}).body
    text = json.dumps(body, ensure_ascii=False)
    assert "Kherson region" in text and "Левченко" in text
    for secret in ("Secret home", "Secret custodian", "Secret location", "+000"):
        assert secret not in text
    assert summary.thread == f"case:{case.reference}"
    # the other side's summary arrives on the same thread and is shown there
    _h, data = Remote(remotes["RU"]).bundle(
        [ua],
        "case_summary",
        {
            "summary_id": "9" * 32,
            "thread": summary.thread,
            "shared_by": "ru-caseworker",
            "summary": {"case_reference": case.reference, "state_label": "Verification"},
        },
    )
    assert services.receive_bundle(data, SYSTEM).outcome == "accepted"
    assert CaseSummary.objects.count() == 2
    client.force_login(users[("ua", "caseworker")])
    page = client.get("/exchange/thread/", {"t": summary.thread}).content.decode()
    assert "ru-caseworker" in page and "Verification" in page
    assert "Share summary" in page
    response = client.post("/exchange/thread/share-case/", {"thread": summary.thread, "to": ["RU"]})
    assert response.status_code == 302 and CaseSummary.objects.count() == 3
    case_page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="case-thread"' in case_page and "case%3A" in case_page
