"""Write a population as interchange files plus truth files."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from reunite.interchange import write_file
from reunite.synth._model import Population
from reunite.synth.exceptions import SynthError


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows(rows)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_population(pop: Population, directory: str | Path) -> dict[str, Path]:
    """Write ``enquiries.csv``, ``records.csv``, ``truth.csv``, ``duplicates.csv`` and
    ``children.csv`` (the ground truth) into ``directory`` (created if missing).

    ``enquiries.csv`` and ``records.csv`` are interchange files (kinds ``enquiries`` and
    ``records``); ``truth.csv`` has ``enquiry_id,record_id``; ``duplicates.csv`` has
    ``group_id,record_id`` (one row per registry record of a child listed more than once).
    Returns the path of each file by name.
    """
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SynthError(f"cannot create {out}: {exc.strerror or exc}") from None
    if not out.is_dir():
        raise SynthError(f"{out} is not a directory")
    paths = {
        "enquiries": out / "enquiries.csv",
        "records": out / "records.csv",
        "truth": out / "truth.csv",
        "duplicates": out / "duplicates.csv",
        "children": out / "children.csv",
    }
    write_file(paths["enquiries"], pop.enquiries, "enquiries")
    write_file(paths["records"], pop.records, "records")
    _write_csv(paths["truth"], ["enquiry_id", "record_id"], [list(p) for p in sorted(pop.truth)])
    groups = sorted(sorted(g) for g in pop.duplicate_truth)
    _write_csv(
        paths["duplicates"],
        ["group_id", "record_id"],
        [[f"D{i:06d}", rid] for i, g in enumerate(groups, start=1) for rid in g],
    )
    _write_csv(
        paths["children"],
        [
            "child_id",
            "family_id",
            "sex",
            "surname",
            "given_name",
            "patronymic",
            "birth_date",
            "birth_place",
            "birth_oblast",
            "is_twin",
            "separation_date",
            "separation_place",
            "mother_name",
            "father_name",
            "legal_status",
            "institution",
            "current_region",
            "citizenship",
            "name_changed",
            "birthplace_changed",
            "citizenship_changed",
            "consent_for_tracing",
            "russian_name",
            "enquiry_ids",
            "record_ids",
        ],
        [
            [
                c.child_id,
                c.family_id,
                c.sex,
                c.surname,
                c.given_name,
                c.patronymic,
                c.birth_date.isoformat(),
                c.birth_place,
                c.birth_oblast,
                str(c.is_twin).lower(),
                c.separation_date.isoformat(),
                c.separation_place,
                c.mother_name,
                c.father_name,
                c.legal_status,
                c.institution,
                c.current_region,
                c.citizenship,
                str(c.name_changed).lower(),
                str(c.birthplace_changed).lower(),
                str(c.citizenship_changed).lower(),
                str(c.consent_for_tracing).lower(),
                c.russian_name,
                ";".join(c.enquiry_ids),
                ";".join(c.record_ids),
            ]
            for c in pop.children
        ],
    )
    return paths
