"""Write a population as interchange files plus truth files."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Literal

from reunite.interchange import InterchangeError, write_file
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


def write_population(
    pop: Population,
    directory: str | Path,
    *,
    fmt: Literal["csv", "xlsx"] = "csv",
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Path]:
    """Write ``enquiries.csv``, ``records.csv``, ``truth.csv``, ``duplicates.csv`` and
    ``children.csv`` (the ground truth) into ``directory`` (created if missing).

    ``enquiries`` and ``records`` are interchange files (kinds ``enquiries`` and
    ``records``; XLSX instead of CSV with ``fmt="xlsx"``); ``truth.csv`` has
    ``enquiry_id,record_id``; ``duplicates.csv`` has ``group_id,record_id`` (one row per
    registry record of a child listed more than once). Returns each file's path by name.
    ``progress(file_name, done, total)`` is called while the large files are written.
    """
    if fmt not in ("csv", "xlsx"):
        raise SynthError(f"unknown format {fmt!r} (use csv or xlsx)")
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SynthError(f"cannot create {out}: {exc.strerror or exc}") from None
    if not out.is_dir():
        raise SynthError(f"{out} is not a directory")
    paths = {
        "enquiries": out / f"enquiries.{fmt}",
        "records": out / f"records.{fmt}",
        "truth": out / "truth.csv",
        "duplicates": out / "duplicates.csv",
        "children": out / "children.csv",
    }
    for kind in ("enquiries", "records"):
        path = paths[kind]
        report = None
        if progress is not None:
            report = partial(progress, path.name)
        try:
            write_file(path, getattr(pop, kind), kind, progress=report)  # type: ignore[arg-type]
        except InterchangeError as exc:  # a generator bug, never the user's input
            raise SynthError(f"generated {kind} do not validate: {exc}") from exc
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
