"""Fixtures of the REST API tests: three parties, a user per role, records made by actions.

Party A ("API-A") is the caller's organisation; party B ("API-B") owns records that A
must never see, and some records B has shared with A; M ("API-M") is a mediator.
Marker strings in B's unshared records let tests check that no response ever carries them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from reunite.accounts.models import Membership, Organization, Role
from reunite.cases import actions as case_actions
from reunite.core.acting import Acting
from reunite.registry import actions

ROLES: list[str] = list(Role.values)
PASSWORD = "api-test-password-2026"
SEES_RESTRICTED = {"caseworker", "coordinator", "transfer_officer"}

# Values that appear only in party B's unshared records.
OTHER_MARKERS = ("Чужаненко", "Otherparty", "B-CUSTODIAN", "B-LOCATION", "B-CONTACT", "B-SECRET")
# Restricted values of party A's records.
A_RESTRICTED = ("A-CUSTODIAN", "A-INSTITUTION", "A-LOCATION", "A-CONTACT", "A-PCONTACT")

_counter = itertools.count(1)

# Smallest valid PNG: the signature, an IHDR chunk and IEND are enough for the sniffer.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\x0bIDATx\x9cc\xf8\x0f\x00\x01\x01\x01\x00\x18\xdd\x8d\xb0"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def as_acting(user: Any) -> Acting:
    return Acting(user=user, request_id="api-test")


def client_for(user: Any | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@dataclass
class World:
    orgs: dict[str, Organization]
    users: dict[tuple[str, str], Any]
    records: dict[str, Any] = field(default_factory=dict)

    def user(self, role: str, org: str = "A") -> Any:
        return self.users[(org, role)]


def make_user(org: Organization | None, role: str | None, username: str | None = None) -> Any:
    username = username or f"api-{org.short_name if org else 'none'}-{role}-{next(_counter)}"
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    if org is not None and role is not None:
        Membership.objects.create(user=user, organization=org, role=role)
    return user


def new_child(user: Any, surname: str, given_name: str = "Марія", **fields: Any) -> Any:
    fields.setdefault("sex", "F")
    return actions.create_child(
        as_acting(user), fields, [{"surname": surname, "given_name": given_name}]
    )


def new_enquiry(user: Any, surname: str, contact: str, **fields: Any) -> Any:
    fields.setdefault("enquirer_relationship", "mother")
    return actions.create_enquiry(
        as_acting(user),
        {"surname": surname, "given_name": "Іван", **fields},
        {"surname": surname, "given_name": "Оксана", "contact": contact},
    )


@pytest.fixture(autouse=True)
def _fast_hashing_and_fresh_throttles(settings: Any, tmp_path: Any) -> Any:
    """A fast password hasher, uploads under tmp_path, and empty throttle counters."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    storages = dict(settings.STORAGES)
    storages["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "files"), "base_url": None},
    }
    settings.STORAGES = storages
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db: Any) -> World:
    orgs = {
        "A": Organization.objects.create(
            short_name="API-A", name="API party A", kind="information_bureau", country="UA"
        ),
        "B": Organization.objects.create(
            short_name="API-B", name="API party B", kind="ombudsman", country="RU"
        ),
        "M": Organization.objects.create(
            short_name="API-M", name="API mediator", kind="mediator", country="QA"
        ),
    }
    users = {(key, role): make_user(org, role) for key, org in orgs.items() for role in ROLES}
    w = World(orgs=orgs, users=users)
    a, b = w.user("caseworker", "A"), w.user("caseworker", "B")

    # Party A's own records.
    w.records["child_a"] = new_child(
        a, "Шевчук", custodian="A-CUSTODIAN", institution="A-INSTITUTION",
        current_location="A-LOCATION", birth_date=None,
    )  # fmt: skip
    w.records["enquiry_a"] = new_enquiry(a, "Бондаренко", "A-CONTACT")
    w.records["enquiry_free_a"] = new_enquiry(a, "Коваленко", "A-CONTACT")
    w.records["person_a"] = actions.create_person(
        as_acting(a), {"surname": "Мельник", "given_name": "Петро", "contact": "A-PCONTACT"}
    )
    w.records["case_a"] = case_actions.open_case(as_acting(a), enquiry=w.records["enquiry_a"])

    # Party B's records, never shared with A.
    w.records["child_b"] = new_child(
        b, "Чужаненко", given_name="Otherparty", custodian="B-CUSTODIAN",
        current_location="B-LOCATION", notes="B-SECRET",
    )  # fmt: skip
    w.records["enquiry_b"] = new_enquiry(b, "Чужаненко", "B-CONTACT", notes="B-SECRET")
    w.records["person_b"] = actions.create_person(
        as_acting(b), {"surname": "Чужаненко", "given_name": "Otherparty", "contact": "B-CONTACT"}
    )
    w.records["case_b"] = case_actions.open_case(
        as_acting(b), enquiry=w.records["enquiry_b"], child=w.records["child_b"]
    )

    # Party B's records shared with A.
    w.records["child_s"] = new_child(b, "Спільненко", custodian="S-CUSTODIAN")
    w.records["enquiry_s"] = new_enquiry(b, "Спільненко", "S-CONTACT")
    w.records["person_s"] = actions.create_person(
        as_acting(b), {"surname": "Спільненко", "given_name": "Ольга", "contact": "S-PCONTACT"}
    )
    w.records["case_s"] = case_actions.open_case(as_acting(b), child=w.records["child_s"])
    for key in ("child_s", "enquiry_s", "person_s", "case_s"):
        actions.share_record(as_acting(b), w.records[key], orgs["A"])
    return w
