"""No lost updates: optimistic locking on the API (ETag / If-Match -> 412) and on the web
edit form (what changed is shown and merged), alias appends that never lose one, and the
web form keeping names that have only a full name."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django import forms
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reunite.registry import actions
from reunite.registry.models import Child, Enquiry
from tests.app.conftest import acting


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_api_if_match_refuses_a_stale_write_with_412(users: Any, make_child: Any) -> None:
    child = make_child(org="ua")
    alice, bob = _api(users[("ua", "caseworker")]), _api(users[("ua", "caseworker")])
    read_a = alice.get(f"/api/children/{child.pk}/")
    read_b = bob.get(f"/api/children/{child.pk}/")
    etag = read_a["ETag"]
    assert etag == read_b["ETag"] == '"1"' and read_a.json()["version"] == 1

    first = alice.patch(
        f"/api/children/{child.pk}/", {"notes": "Alice"}, format="json", HTTP_IF_MATCH=etag
    )
    assert first.status_code == 200 and first["ETag"] == '"2"'
    second = bob.patch(
        f"/api/children/{child.pk}/", {"birth_place": "Bob"}, format="json", HTTP_IF_MATCH=etag
    )
    assert second.status_code == 412, second.content
    assert second["ETag"] == '"2"' and "changed by someone else" in second.json()["detail"]
    child.refresh_from_db()
    assert (child.notes, child.birth_place, child.version) == ("Alice", "", 2)

    # With the current tag the change goes through; W/ tags and lists are understood.
    third = bob.patch(
        f"/api/children/{child.pk}/", {"birth_place": "Bob"}, format="json",
        HTTP_IF_MATCH='W/"9", W/"2"',
    )  # fmt: skip
    assert third.status_code == 200 and third["ETag"] == '"3"'


@pytest.mark.django_db
def test_api_put_of_the_whole_name_list_is_protected_too(users: Any, make_child: Any) -> None:
    child = make_child(org="ua")
    client = _api(users[("ua", "caseworker")])
    body = client.get(f"/api/children/{child.pk}/").json()
    etag = f'"{body["version"]}"'
    names = [{"surname": n["surname"], "given_name": n["given_name"]} for n in body["names"]]
    ok = client.patch(
        f"/api/children/{child.pk}/", {"names": [*names, {"surname": "Перший"}]},
        format="json", HTTP_IF_MATCH=etag,
    )  # fmt: skip
    assert ok.status_code == 200
    lost = client.patch(
        f"/api/children/{child.pk}/", {"names": [*names, {"surname": "Другий"}]},
        format="json", HTTP_IF_MATCH=etag,
    )  # fmt: skip
    assert lost.status_code == 412
    assert [n.surname for n in Child.objects.get(pk=child.pk).names.all()][-1] == "Перший"


@pytest.mark.django_db
def test_an_unchanged_save_keeps_the_version(users: Any, make_child: Any) -> None:
    child = make_child(org="ua")
    client = _api(users[("ua", "caseworker")])
    response = client.patch(f"/api/children/{child.pk}/", {"notes": ""}, format="json")
    assert response.status_code == 200 and response["ETag"] == '"1"'


@pytest.mark.django_db
def test_enquiry_etag_covers_the_enquirer(users: Any, make_enquiry: Any) -> None:
    enquiry = make_enquiry(org="ua")
    client = _api(users[("ua", "caseworker")])
    etag = client.get(f"/api/enquiries/{enquiry.pk}/")["ETag"]
    assert etag == '"1.1"'
    changed = client.patch(
        f"/api/enquiries/{enquiry.pk}/", {"enquirer": {"contact": "+000 555 0199"}},
        format="json", HTTP_IF_MATCH=etag,
    )  # fmt: skip
    assert changed.status_code == 200 and changed["ETag"] == '"1.2"'
    stale = client.patch(
        f"/api/enquiries/{enquiry.pk}/", {"notes": "x"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    assert Enquiry.objects.get(pk=enquiry.pk).notes == ""


@pytest.mark.django_db
def test_the_stale_check_in_the_action_holds_without_the_api(users: Any, make_child: Any) -> None:
    child = make_child(org="ua")
    caseworker = acting(users[("ua", "caseworker")])
    actions.update_child(caseworker, child, {"notes": "first"}, expected_version=1)
    with pytest.raises(actions.StaleRecord) as info:
        actions.update_child(caseworker, child, {"notes": "second"}, expected_version=1)
    assert info.value.current.version == 2  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_appending_names_keeps_every_one(users: Any, make_child: Any) -> None:
    child = make_child(org="ua")
    client = _api(users[("ua", "caseworker")])
    for surname in ("Перший", "Другий"):
        response = client.post(
            f"/api/children/{child.pk}/names/", {"surname": surname}, format="json"
        )
        assert response.status_code == 201, response.content
    surnames = {n.surname for n in Child.objects.get(pk=child.pk).names.all()}
    assert {"Перший", "Другий"} <= surnames
    assert client.post(f"/api/children/{child.pk}/names/", {}, format="json").status_code == 400


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_alias_appends_keep_all_ten(users: Any, make_child: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(reason="row locks and real concurrency need PostgreSQL (SQLite has one writer)")
    child = make_child(org="ua")
    user = users[("ua", "caseworker")]
    barrier = threading.Barrier(10)
    errors: list[BaseException] = []

    def append(index: int) -> None:
        try:
            barrier.wait()
            actions.add_child_name(acting(user), child, {"surname": f"Псевдо{index}"})
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    surnames = {n.surname for n in Child.objects.get(pk=child.pk).names.all()}
    assert {f"Псевдо{i}" for i in range(10)} <= surnames
    assert Child.objects.get(pk=child.pk).version == 11


# The web edit form ---------------------------------------------------------------------


def _form_data(response: Any) -> dict[str, str]:
    """What a browser would send back for the form as rendered."""
    data: dict[str, str] = {}
    form, names = response.context["form"], response.context["names"]
    bound_fields = [*form, *names.management_form, *(f for nf in names.forms for f in nf)]
    for field in bound_fields:
        value = field.value()
        if isinstance(field.field, forms.BooleanField):
            if value:
                data[field.html_name] = "on"
        else:
            data[field.html_name] = "" if value is None else str(value)
    return data


def _web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_web_form_keeps_names_that_have_only_a_full_name(users: Any) -> None:
    caseworker = users[("ua", "caseworker")]
    child = actions.create_child(
        acting(caseworker), {"sex": "F"},
        [{"surname": "Ковальчук", "given_name": "Олена"}, {"full_name": "Лєна Коваль"}],
    )  # fmt: skip
    client = _web(caseworker)
    data = _form_data(client.get(reverse("child-edit", args=[child.pk])))
    data["notes"] = "edited"
    response = client.post(reverse("child-edit", args=[child.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    names = [(n.surname, n.full_name) for n in Child.objects.get(pk=child.pk).names.all()]
    assert ("", "Лєна Коваль") in names and ("Ковальчук", "") in names


@pytest.mark.django_db
def test_web_form_keeps_more_than_six_names(users: Any) -> None:
    caseworker = users[("ua", "caseworker")]
    child = actions.create_child(
        acting(caseworker), {}, [{"surname": f"Прізвище{i}"} for i in range(8)]
    )
    client = _web(caseworker)
    data = _form_data(client.get(reverse("child-edit", args=[child.pk])))
    assert client.post(reverse("child-edit", args=[child.pk]), data).status_code == 302
    assert Child.objects.get(pk=child.pk).names.count() == 8


@pytest.mark.django_db
def test_web_form_shows_what_changed_and_merges(users: Any, make_child: Any) -> None:
    child = make_child(org="ua", notes="", birth_place="")
    url = reverse("child-edit", args=[child.pk])
    alice, bob = _web(users[("ua", "caseworker")]), _web(users[("ua", "caseworker")])
    data_a = _form_data(alice.get(url))
    data_b = _form_data(bob.get(url))

    data_a.update(notes="Alice's note", sibling_group="S-1")
    assert alice.post(url, data_a).status_code == 302

    data_b.update(birth_place="Bob's place", sibling_group="S-2")
    conflict = bob.post(url, data_b)
    assert conflict.status_code == 409
    page = conflict.content.decode()
    assert "Someone else changed this record" in page
    child.refresh_from_db()
    assert (child.notes, child.birth_place, child.sibling_group) == ("Alice's note", "", "S-1")
    changes = {c.name: c for c in conflict.context["conflict"].changes}
    assert changes["notes"].conflict is False and changes["sibling_group"].conflict is True

    merged = _form_data(conflict)
    assert merged["notes"] == "Alice's note"  # theirs, taken in
    assert merged["birth_place"] == "Bob's place"  # yours, kept
    assert merged["sibling_group"] == "S-2"  # both changed: yours kept, theirs shown
    assert bob.post(url, merged).status_code == 302
    child.refresh_from_db()
    assert (child.notes, child.birth_place, child.sibling_group) == (
        "Alice's note", "Bob's place", "S-2",
    )  # fmt: skip


@pytest.mark.django_db
def test_web_enquiry_form_merges_a_concurrent_change(users: Any, make_enquiry: Any) -> None:
    enquiry = make_enquiry(org="ua")
    url = reverse("enquiry-edit", args=[enquiry.pk])
    alice, bob = _web(users[("ua", "caseworker")]), _web(users[("ua", "caseworker")])
    data_a = _form_data_plain(alice.get(url))
    data_b = _form_data_plain(bob.get(url))
    data_a["enquirer_contact"] = "+000 555 0177"
    assert alice.post(url, data_a).status_code == 302
    data_b["birth_place"] = "Маріуполь"
    conflict = bob.post(url, data_b)
    assert conflict.status_code == 409
    merged = _form_data_plain(conflict)
    assert merged["enquirer_contact"] == "+000 555 0177" and merged["birth_place"] == "Маріуполь"
    assert bob.post(url, merged).status_code == 302
    enquiry = Enquiry.objects.select_related("enquirer").get(pk=enquiry.pk)
    assert enquiry.enquirer.contact == "+000 555 0177" and enquiry.birth_place == "Маріуполь"


def _form_data_plain(response: Any) -> dict[str, str]:
    data: dict[str, str] = {}
    for field in response.context["form"]:
        value = field.value()
        if isinstance(field.field, forms.BooleanField):
            if value:
                data[field.html_name] = "on"
        else:
            data[field.html_name] = "" if value is None else str(value)
    return data
