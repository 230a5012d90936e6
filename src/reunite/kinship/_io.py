"""CSV import and export of STR profiles and allele-frequency databases.

Profiles: one row per person and locus, ``person_id, locus, allele1, allele2``.
Frequencies: one row per allele, ``locus, allele, frequency``, with optional ``# key: value``
metadata lines at the top (``name``, ``sample_size``, ``synthetic``, ``description``).
Both readers collect every problem before raising, so nothing is half-imported.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TextIO

from reunite.kinship._loci import KNOWN_LOCI, canonical_locus, is_amelogenin, locus_key
from reunite.kinship._model import FrequencyDatabase, Genotype, Profile, make_genotype, parse_allele
from reunite.kinship.exceptions import KinshipInputError, Problem

Source = str | os.PathLike[str] | TextIO | IO[str]

_MISSING = {"", "NA", "N/A", "ND", "-", "?", "NULL", "NONE"}
_PROFILE_ALIASES = {
    "person_id": {"person_id", "person", "personid", "id", "sample_id", "sample"},
    "locus": {"locus", "marker"},
    "allele1": {"allele1", "allele_1", "a1"},
    "allele2": {"allele2", "allele_2", "a2"},
}
_FREQ_ALIASES = {
    "locus": {"locus", "marker"},
    "allele": {"allele"},
    "frequency": {"frequency", "freq", "p"},
}
MAX_PROBLEMS = 1000


@contextmanager
def _open(source: Source) -> Iterator[tuple[TextIO, str]]:
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise KinshipInputError(f"file not found: {path}")
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                yield fh, str(path)
        except UnicodeDecodeError as exc:
            raise KinshipInputError(f"{path} is not UTF-8 text ({exc.reason})") from exc
    else:
        yield source, getattr(source, "name", "<stream>")  # type: ignore[misc]


def _sniff_reader(lines: list[str]) -> Iterator[list[str]]:
    sample = "\n".join(lines[:20])
    delimiter = ","
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        pass
    return csv.reader(lines, delimiter=delimiter)


def _header_map(
    header: list[str], aliases: dict[str, set[str]], source: str
) -> tuple[dict[str, int], list[int]]:
    norm = [h.strip().lower().replace(" ", "_") for h in header]
    found: dict[str, int] = {}
    for want, names in aliases.items():
        for i, h in enumerate(norm):
            if h in names and want not in found:
                found[want] = i
    missing = [w for w in aliases if w not in found]
    if missing:
        raise KinshipInputError(
            Problem(
                f"missing column(s) {', '.join(missing)}; expected a header "
                f"{', '.join(aliases)} (got: {', '.join(header) or 'nothing'})",
                row=1,
            ),
            source=source,
        )
    extra_alleles = [
        i for i, h in enumerate(norm)
        if h.startswith("allele") and i not in found.values()
    ]  # fmt: skip
    return found, extra_alleles


def _cell(row: list[str], i: int) -> str:
    return row[i].strip() if i < len(row) else ""


def read_profiles(
    source: Source,
    frequencies: FrequencyDatabase | None = None,
    *,
    extra_loci: Iterable[str] = (),
) -> dict[str, Profile]:
    """Read STR profiles from a CSV file or text stream.

    Accepted loci are the CODIS core 20, the European Standard Set, Penta D/E, SE33,
    ``extra_loci`` and, if given, the loci of ``frequencies``; when ``frequencies`` is
    given every typed locus must also be in it. Amelogenin rows (X/Y) are kept as the
    profile's sex marker. An empty allele pair (or ``NA``) marks a locus that was tried
    but dropped out; a single allele is read as a homozygote, the usual convention for
    one reported peak. Raise :class:`KinshipInputError` listing every problem (row,
    column, person, locus) if anything is wrong.
    """
    extra = list(extra_loci) + (frequencies.loci if frequencies is not None else [])
    with _open(source) as (fh, name):
        lines = [ln for ln in fh.read().splitlines() if ln.strip() and not ln.startswith("#")]
    if not lines:
        raise KinshipInputError("the profile file is empty", source=name)
    reader = _sniff_reader(lines)
    header = next(reader)
    cols, extra_allele_cols = _header_map(header, _PROFILE_ALIASES, name)
    problems: list[Problem] = []
    seen: dict[tuple[str, str], tuple[int, set[str]]] = {}
    genotypes: dict[str, dict[str, Genotype]] = {}
    dropped: dict[str, set[str]] = {}
    amel: dict[str, str] = {}
    # Per-file caches: a million-row file has only a few dozen distinct loci and alleles.
    locus_cache: dict[str, tuple[str | None, bool]] = {}
    allele_cache: dict[str, str | ValueError | None] = {}
    allele_cols = ["allele1", "allele2"] + [header[i] for i in extra_allele_cols]

    def parse_cell(v: str) -> str | ValueError | None:
        """Canonical allele, None for an empty/missing cell, or the error to report."""
        if v in allele_cache:
            return allele_cache[v]
        out: str | ValueError | None
        if v.upper() in _MISSING:
            out = None
        elif any(sep in v for sep in ",;/ "):
            out = ValueError(f"one allele per column, got {v!r}")
        else:
            try:
                out = parse_allele(v)
            except ValueError as exc:
                out = exc
        allele_cache[v] = out
        return out

    for rownum, row in enumerate(reader, start=2):
        if len(problems) >= MAX_PROBLEMS:
            break
        pid = _cell(row, cols["person_id"])
        raw_locus = _cell(row, cols["locus"])
        raw = [_cell(row, cols["allele1"]), _cell(row, cols["allele2"])]
        extra_vals = [_cell(row, i) for i in extra_allele_cols]
        if not pid:
            problems.append(Problem("person_id is empty", row=rownum, column="person_id"))
            continue
        genotypes.setdefault(pid, {})
        if not raw_locus:
            problems.append(Problem("locus is empty", row=rownum, column="locus", person_id=pid))
            continue
        if is_amelogenin(raw_locus):
            vals = "".join(sorted(v.upper() for v in raw + extra_vals if v))
            if not vals or set(vals) - {"X", "Y"}:
                problems.append(Problem(f"Amelogenin must be X or Y, got {raw!r}", row=rownum,
                                        locus="Amelogenin", person_id=pid))
            else:
                amel[pid] = vals if len(vals) == 2 else vals * 2
            continue
        if raw_locus not in locus_cache:
            found = canonical_locus(raw_locus, extra)
            in_db = found is not None and (frequencies is None or found in frequencies)
            locus_cache[raw_locus] = (found, in_db)
        locus, in_db = locus_cache[raw_locus]
        if locus is None:
            problems.append(Problem(
                f"unknown locus {raw_locus!r} (known: CODIS core 20, European Standard Set, "
                "Penta D, Penta E, SE33, or a locus of the frequency database)",
                row=rownum, column="locus", person_id=pid))
            continue
        if not in_db:
            problems.append(Problem(
                f"locus is missing from frequency database {getattr(frequencies, 'name', '')!r}",
                row=rownum, column="locus", locus=locus, person_id=pid))
            continue
        key = (pid, locus_key(locus))
        values = raw + extra_vals
        parsed = [parse_cell(v) for v in values]
        present = [v for v, a in zip(values, parsed, strict=True) if a is not None]
        alleles: list[str] = []
        bad = False
        for col, a in zip(allele_cols, parsed, strict=True):
            if isinstance(a, ValueError):
                problems.append(Problem(str(a), row=rownum, column=col, locus=locus,
                                        person_id=pid))
                bad = True
            elif a is not None:
                alleles.append(a)
        if bad:
            continue
        distinct = set(alleles)
        if key in seen:
            first_row, before = seen[key]
            union = before | distinct
            if len(union) > 2:
                problems.append(Problem(
                    f"three or more alleles ({', '.join(sorted(union, key=float))}) across rows "
                    f"{first_row} and {rownum}: a tri-allelic pattern or a mixture cannot be "
                    "used for kinship", row=rownum, locus=locus, person_id=pid))
            else:
                problems.append(Problem(f"locus given twice for this person (rows {first_row} "
                                        f"and {rownum})", row=rownum, locus=locus, person_id=pid))
            continue
        seen[key] = (rownum, distinct)
        if len(present) > 2:
            problems.append(Problem(
                f"{len(present)} alleles ({', '.join(present)}): a tri-allelic pattern or a "
                "mixture cannot be used for kinship", row=rownum, locus=locus, person_id=pid))
            continue
        if not alleles:
            dropped.setdefault(pid, set()).add(locus)
            continue
        a, b = alleles if len(alleles) == 2 else (alleles[0], alleles[0])
        genotypes[pid][locus] = make_genotype(a, b)

    if problems:
        raise KinshipInputError(problems, source=name)
    if not genotypes:
        raise KinshipInputError("the profile file has a header but no rows", source=name)
    empty = [pid for pid, g in genotypes.items() if not g]
    if empty:
        raise KinshipInputError(
            [Problem("no typed locus at all (every locus dropped out)", person_id=p)
             for p in empty], source=name)
    return {
        pid: Profile(pid, g, frozenset(dropped.get(pid, ())), amel.get(pid))
        for pid, g in genotypes.items()
    }


def read_frequencies(
    source: Source,
    *,
    name: str | None = None,
    sample_size: int | None = None,
    tolerance: float = 0.02,
) -> FrequencyDatabase:
    """Read an allele-frequency database from CSV (``locus, allele, frequency``).

    Every frequency must be in (0, 1]; each locus must sum to 1 within ``tolerance``
    (0.02 by default: published tables are rounded and may omit very rare alleles). The
    optional metadata lines ``# name:``, ``# sample_size:``, ``# synthetic: true`` and
    ``# description:`` describe the database; ``name`` and ``sample_size`` arguments
    override them.
    """
    meta: dict[str, str] = {}
    with _open(source) as (fh, src):
        all_lines = fh.read().splitlines()
    lines: list[str] = []
    for ln in all_lines:
        if ln.startswith("#"):
            k, sep, v = ln[1:].partition(":")
            if sep:
                meta[k.strip().lower()] = v.strip()
        elif ln.strip():
            lines.append(ln)
    if not lines:
        raise KinshipInputError("the frequency file is empty", source=src)
    reader = _sniff_reader(lines)
    header = next(reader)
    cols, _ = _header_map(header, _FREQ_ALIASES, src)
    problems: list[Problem] = []
    freqs: dict[str, dict[str, float]] = {}
    first_row: dict[tuple[str, str], int] = {}
    for rownum, row in enumerate(reader, start=2):
        if len(problems) >= MAX_PROBLEMS:
            break
        raw_locus = _cell(row, cols["locus"])
        if not raw_locus:
            problems.append(Problem("locus is empty", row=rownum, column="locus"))
            continue
        locus = canonical_locus(raw_locus) or raw_locus
        try:
            allele = parse_allele(_cell(row, cols["allele"]))
        except ValueError as exc:
            problems.append(Problem(str(exc), row=rownum, column="allele", locus=locus))
            continue
        text = _cell(row, cols["frequency"])
        try:
            f = float(text)
        except ValueError:
            problems.append(Problem(f"frequency {text!r} is not a number", row=rownum,
                                    column="frequency", locus=locus))
            continue
        if not 0.0 < f <= 1.0:
            problems.append(Problem(f"frequency {text} must be greater than 0 and at most 1",
                                    row=rownum, column="frequency", locus=locus))
            continue
        akey = (locus_key(locus), allele)
        if akey in first_row:
            problems.append(Problem(f"allele {allele} listed twice (rows {first_row[akey]} and "
                                    f"{rownum})", row=rownum, column="allele", locus=locus))
            continue
        first_row[akey] = rownum
        freqs.setdefault(locus, {})[allele] = f
    for locus, table in freqs.items():
        total = sum(table.values())
        if abs(total - 1.0) > tolerance:
            problems.append(Problem(f"frequencies sum to {total:.4f}, not about 1 "
                                    f"(tolerance {tolerance})", locus=locus))
    if problems:
        raise KinshipInputError(problems, source=src)
    if not freqs:
        raise KinshipInputError("the frequency file has a header but no rows", source=src)
    n = sample_size
    if n is None and meta.get("sample_size"):
        try:
            n = int(meta["sample_size"])
        except ValueError as exc:
            raise KinshipInputError(f"# sample_size: {meta['sample_size']!r} is not an integer",
                                    source=src) from exc
    if n is not None and n <= 0:
        raise KinshipInputError("sample size must be positive", source=src)
    db_name = name or meta.get("name") or (Path(src).stem if src != "<stream>" else "unnamed")
    synthetic = meta.get("synthetic", "").lower() in {"1", "true", "yes"}
    return FrequencyDatabase(db_name, freqs, n, synthetic, meta.get("description", ""))


def write_profiles(profiles: Iterable[Profile], target: Source) -> None:
    """Write profiles in the CSV format :func:`read_profiles` reads (dropped loci as empty)."""
    def rows() -> Iterator[list[str]]:
        yield ["person_id", "locus", "allele1", "allele2"]
        for p in profiles:
            for locus, (a, b) in p.genotypes.items():
                yield [p.person_id, locus, a, b]
            for locus in sorted(p.dropped):
                yield [p.person_id, locus, "", ""]
            if p.amelogenin:
                yield [p.person_id, "Amelogenin", p.amelogenin[0], p.amelogenin[1]]

    _write(rows(), target)


def write_frequencies(db: FrequencyDatabase, target: Source) -> None:
    """Write a database in the CSV format :func:`read_frequencies` reads, metadata included."""
    buf = io.StringIO()
    buf.write(f"# name: {db.name}\n")
    if db.sample_size:
        buf.write(f"# sample_size: {db.sample_size}\n")
    if db.synthetic:
        buf.write("# synthetic: true\n")
    if db.description:
        buf.write(f"# description: {db.description}\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["locus", "allele", "frequency"])
    for locus, table in db.frequencies.items():
        for allele in sorted(table, key=float):
            w.writerow([locus, allele, f"{table[allele]:.6g}"])
    if isinstance(target, str | os.PathLike):
        Path(target).write_text(buf.getvalue(), encoding="utf-8")
    else:
        target.write(buf.getvalue())


def _write(rows: Iterable[list[str]], target: Source) -> None:
    if isinstance(target, str | os.PathLike):
        with Path(target).open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    else:
        csv.writer(target, lineterminator="\n").writerows(rows)


__all__ = ["KNOWN_LOCI", "read_frequencies", "read_profiles", "write_frequencies",
           "write_profiles"]
