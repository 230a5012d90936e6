"""`reunite kinship …`: DNA kinship for labs and scripts.

    reunite kinship lr --profiles P.csv --frequencies F.csv --a M01 --b C07 \\
        --relationship parent-child --theta 0.01 --mutation-rate 0.002 [--pdf report.pdf]
    reunite kinship lr --profiles P.csv --frequencies F.csv \\
        --child C07 --mother M01 --alleged-father F03
    reunite kinship screen --children C.csv --references R.csv --frequencies F.csv \\
        --out ranked.csv [--claims claims.csv]
    reunite kinship validate --profiles P.csv --frequencies F.csv
    reunite kinship report --result result.json --pdf report.pdf   # from `lr --json`
    reunite kinship frequencies --out synthetic.csv        # the SYNTHETIC demo database
    reunite kinship simulate pair --relationship full-siblings --out P.csv
    reunite kinship simulate screening --children 200 --references 1000 --out-dir demo/

``--frequencies synthetic`` uses the shipped SYNTHETIC database (demo only, flagged in
every output). ``--json`` prints machine-readable results on stdout. Exit codes: 0 done,
2 unusable input (malformed file, unknown ID, bad option). Messages go to stderr; user
errors never print a traceback. The engine is imported lazily so `reunite --help` is fast.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from reunite.kinship import FrequencyDatabase, KinshipResult, Profile

app = typer.Typer(no_args_is_help=True)
simulate_app = typer.Typer(no_args_is_help=True, help="Simulate SYNTHETIC profiles (demo, tests).")
app.add_typer(simulate_app, name="simulate")

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
FreqOption = Annotated[
    str,
    typer.Option(
        "--frequencies",
        "-f",
        help="Allele frequency CSV (locus, allele, frequency), "
        "or 'synthetic' for the shipped SYNTHETIC demo database.",
    ),
]
ThetaOption = Annotated[float, typer.Option("--theta", help="Balding–Nichols θ (F_ST), e.g. 0.01.")]
MutationOption = Annotated[
    str | None,
    typer.Option(
        "--mutation-rate",
        help="Stepwise mutation rate for parent–child/trio: one "
        "number for every locus, or LOCUS=RATE pairs separated by commas "
        "('*=RATE' sets the default).",
    ),
]
MinFreqOption = Annotated[
    float | None,
    typer.Option(
        "--min-frequency",
        help="Frequency for unseen/rare alleles (default: 5/2N of the database, or 0.001).",
    ),
]


def _fail(message: str, code: int = 2, *, as_json: bool = False) -> NoReturn:
    """Print a user-facing error (and a JSON error object with --json) and exit."""
    if as_json:
        typer.echo(json.dumps({"error": message}, ensure_ascii=False))
    _err.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code)


def _load_freqs(spec: str, *, as_json: bool) -> FrequencyDatabase:
    from reunite.kinship import KinshipInputError, read_frequencies, synthetic_frequencies

    if spec.strip().lower() == "synthetic":
        _err.print(
            "[yellow]warning:[/yellow] using the SYNTHETIC demo frequency database; "
            "results are for demonstration only"
        )
        return synthetic_frequencies()
    try:
        db = read_frequencies(Path(spec))
    except KinshipInputError as exc:
        _fail(str(exc), as_json=as_json)
    if db.synthetic:
        _err.print(f"[yellow]warning:[/yellow] {db.name} is marked SYNTHETIC")
    return db


def _load_profiles(path: Path, freqs: FrequencyDatabase, *, as_json: bool) -> dict[str, Profile]:
    from reunite.kinship import KinshipInputError, read_profiles

    try:
        return read_profiles(path, freqs)
    except KinshipInputError as exc:
        _fail(str(exc), as_json=as_json)


def _parse_mutation(spec: str | None, *, as_json: bool) -> float | dict[str, float] | None:
    if spec is None or not spec.strip():
        return None
    try:
        return float(spec)
    except ValueError:
        pass
    rates: dict[str, float] = {}
    for part in spec.split(","):
        locus, sep, value = part.partition("=")
        try:
            if not sep:
                raise ValueError
            rates[locus.strip()] = float(value)
        except ValueError:
            _fail(
                f"--mutation-rate: expected a number or LOCUS=RATE pairs, got {part!r}",
                as_json=as_json,
            )
    return rates


def _pick(profiles: dict[str, Profile], pid: str, option: str, *, as_json: bool) -> Profile:
    if pid not in profiles:
        shown = ", ".join(list(profiles)[:8]) + (" …" if len(profiles) > 8 else "")
        _fail(f"{option} {pid!r} is not in the profile file (it has: {shown})", as_json=as_json)
    return profiles[pid]


def _parse_labels(labels: list[str] | None, *, as_json: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in labels or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            _fail(f"--label expects ID=NAME, got {item!r}", as_json=as_json)
        out[key.strip()] = value.strip()
    return out


def _fmt(x: float | None) -> str:
    from reunite.kinship._report import format_lr

    return format_lr(x)


def _print_result(result: KinshipResult, prior: float) -> None:
    from reunite.kinship._report import format_posterior

    roles = list(result.loci[0].genotypes) if result.loci else []
    table = Table(title=f"{result.relationship}: {result.hypothesis}", title_justify="left")
    table.add_column("Locus")
    for r in roles:
        table.add_column(r.replace("_", " "))
    table.add_column("LR", justify="right")
    table.add_column("Note")
    for row in result.loci:
        table.add_row(row.locus, *[row.genotypes[r] for r in roles], _fmt(row.lr), escape(row.note))
    _out.print(table)
    log = f" (log10 {result.log10_lr:.2f})" if result.log10_lr is not None else ""
    _out.print(
        f"Combined LR: [bold]{_fmt(result.combined_lr)}[/bold]{log} over {result.loci_used} loci"
    )
    _out.print(result.verbal)
    _out.print(f"Posterior probability for prior {prior:g}: {format_posterior(result, prior)}")
    a = result.assumptions
    _out.print(
        f"Frequency database: {a['frequency_database']}"
        + (" [red](SYNTHETIC)[/red]" if a.get("frequency_database_synthetic") else "")
        + f"; θ = {a['theta']}; minimum frequency {a['min_frequency']:g}; "
        f"mutation: {a.get('mutation') or 'none'}"
    )
    for w in result.warnings:
        _err.print(f"[yellow]warning:[/yellow] {escape(w)}")


@app.command("lr")
def lr_command(
    profiles: Annotated[
        Path,
        typer.Option("--profiles", "-p", help="Profiles CSV (person_id, locus, allele1, allele2)."),
    ],
    frequencies: FreqOption,
    a: Annotated[
        str | None,
        typer.Option(
            "--a", help="First person (the parent, for parent-child with a mutation model)."
        ),
    ] = None,
    b: Annotated[str | None, typer.Option("--b", help="Second person.")] = None,
    relationship: Annotated[
        str | None,
        typer.Option(
            "--relationship",
            "-r",
            help="parent-child, full-siblings, half-siblings, "
            "grandparent, avuncular or first-cousins.",
        ),
    ] = None,
    child: Annotated[str | None, typer.Option("--child", help="Trio: the child.")] = None,
    mother: Annotated[str | None, typer.Option("--mother", help="Trio: the known mother.")] = None,
    father: Annotated[str | None, typer.Option("--father", help="Trio: the known father.")] = None,
    alleged_father: Annotated[str | None, typer.Option("--alleged-father")] = None,
    alleged_mother: Annotated[str | None, typer.Option("--alleged-mother")] = None,
    theta: ThetaOption = 0.0,
    mutation_rate: MutationOption = None,
    min_frequency: MinFreqOption = None,
    prior: Annotated[
        float, typer.Option("--prior", help="Prior probability for the posterior.")
    ] = 0.5,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Also write a PDF report.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="PDF report title.")] = None,
    label: Annotated[
        list[str] | None,
        typer.Option("--label", help="ID=NAME display label for the PDF (repeatable)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Likelihood ratio of a claimed relationship (pair) or a trio, per locus and combined."""
    from reunite.kinship import (
        KinshipError,
        likelihood_ratio,
        report_pdf,
        trio_likelihood_ratio,
    )

    if not 0.0 < prior < 1.0:
        _fail(f"--prior must be strictly between 0 and 1, got {prior}", as_json=as_json)
    trio = any(x is not None for x in (child, mother, father, alleged_father, alleged_mother))
    pair = any(x is not None for x in (a, b, relationship))
    if trio and pair:
        _fail("use either --a/--b/--relationship or the trio options, not both", as_json=as_json)
    if not trio and not pair:
        _fail(
            "give --a, --b and --relationship, or --child with --mother and "
            "--alleged-father (or --father and --alleged-mother)",
            as_json=as_json,
        )
    labels = _parse_labels(label, as_json=as_json)
    rates = _parse_mutation(mutation_rate, as_json=as_json)
    freqs = _load_freqs(frequencies, as_json=as_json)
    people = _load_profiles(profiles, freqs, as_json=as_json)
    try:
        if pair:
            if a is None or b is None or relationship is None:
                _fail("a pairwise LR needs --a, --b and --relationship", as_json=as_json)
            result = likelihood_ratio(
                _pick(people, a, "--a", as_json=as_json),
                _pick(people, b, "--b", as_json=as_json),
                relationship,
                freqs,
                theta=theta,
                mutation_rate=rates,
                min_frequency=min_frequency,
            )
        else:
            if child is None:
                _fail("a trio needs --child", as_json=as_json)
            if alleged_father is not None and alleged_mother is not None:
                _fail("give --alleged-father or --alleged-mother, not both", as_json=as_json)
            if alleged_father is not None:
                if mother is None:
                    _fail("--alleged-father needs the known --mother", as_json=as_json)
                known, alleged_id, alleged = mother, alleged_father, "father"
            elif alleged_mother is not None:
                if father is None:
                    _fail("--alleged-mother needs the known --father", as_json=as_json)
                known, alleged_id, alleged = father, alleged_mother, "mother"
            else:
                _fail(
                    "a trio needs --alleged-father (with --mother) or --alleged-mother "
                    "(with --father)",
                    as_json=as_json,
                )
            result = trio_likelihood_ratio(
                _pick(people, child, "--child", as_json=as_json),
                _pick(
                    people,
                    known,
                    "--mother" if alleged == "father" else "--father",
                    as_json=as_json,
                ),
                _pick(people, alleged_id, f"--alleged-{alleged}", as_json=as_json),
                freqs,
                alleged=alleged,
                theta=theta,
                mutation_rate=rates,
                min_frequency=min_frequency,
            )
        if pdf is not None:
            data = report_pdf(
                result,
                title=title or f"Kinship report: {result.hypothesis}",
                subject_labels=labels,
                priors=(prior,),
            )
            pdf.write_bytes(data)
    except KinshipError as exc:
        _fail(str(exc), as_json=as_json)
    except OSError as exc:
        _fail(f"cannot write {pdf}: {exc.strerror}", as_json=as_json)
    if as_json:
        typer.echo(json.dumps(result.to_dict(prior=prior), ensure_ascii=False, indent=2))
    else:
        _print_result(result, prior)
        if pdf is not None:
            _err.print(f"PDF report written to {pdf}")


@app.command("screen")
def screen_command(
    children: Annotated[Path, typer.Option("--children", help="Children's profiles CSV.")],
    references: Annotated[
        Path, typer.Option("--references", help="Reference (relatives') profiles CSV.")
    ],
    frequencies: FreqOption,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Ranked CSV to write.")] = None,
    relationship: Annotated[
        list[str] | None,
        typer.Option(
            "--relationship", "-r", help="Relationship to test (repeatable; default: all)."
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Candidates kept per child.")] = 5,
    min_lr: Annotated[
        float, typer.Option("--min-lr", help="Keep pairs with LR at least this.")
    ] = 1.0,
    min_loci: Annotated[int, typer.Option("--min-loci", help="Loci typed in both, at least.")] = 8,
    theta: ThetaOption = 0.0,
    mutation_rate: MutationOption = None,
    min_frequency: MinFreqOption = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Threads (default: all cores).")
    ] = None,
    claims: Annotated[
        Path | None,
        typer.Option(
            "--claims",
            help="CSV reference_id,relationship: score those references for the "
            "relationship they state only.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Screen every child against every reference and rank the most likely relatives."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from reunite.kinship import CLAIMABLE_RELATIONSHIPS, KinshipError, screen

    if top < 1:
        _fail("--top must be at least 1", as_json=as_json)
    if min_lr <= 0:
        _fail("--min-lr must be positive", as_json=as_json)
    rates = _parse_mutation(mutation_rate, as_json=as_json)
    freqs = _load_freqs(frequencies, as_json=as_json)
    kids = _load_profiles(children, freqs, as_json=as_json)
    refs = _load_profiles(references, freqs, as_json=as_json)
    claimed = _load_claims(claims, as_json=as_json) if claims is not None else None
    total = len(kids) * len(refs)
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=_err,
            disable=as_json,
            transient=True,
        ) as bar:
            task = bar.add_task("pairs", total=total)
            hits = screen(
                kids,
                refs,
                freqs,
                relationships=tuple(relationship or CLAIMABLE_RELATIONSHIPS),
                top=top,
                min_lr=min_lr,
                min_loci=min_loci,
                theta=theta,
                mutation_rate=rates,
                min_frequency=min_frequency,
                workers=workers,
                progress=lambda n: bar.advance(task, n),
                claims=claimed,
            )
    except KinshipError as exc:
        _fail(str(exc), as_json=as_json)
    rows = [h.to_dict() for h in hits]
    if out is not None:
        try:
            with out.open("w", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(
                    [
                        "rank",
                        "child_id",
                        "reference_id",
                        "relationship",
                        "lr",
                        "log10_lr",
                        "loci_compared",
                        "identical",
                    ]
                )
                for i, h in enumerate(hits, 1):
                    w.writerow(
                        [
                            i,
                            h.child_id,
                            h.reference_id,
                            h.relationship,
                            f"{h.lr:.6g}" if math.isfinite(h.lr) else "inf",
                            f"{h.log10_lr:.4f}" if h.log10_lr is not None else "",
                            h.loci_compared,
                            "yes" if h.identical else "",
                        ]
                    )
        except OSError as exc:
            _fail(f"cannot write {out}: {exc.strerror}", as_json=as_json)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "children": len(kids),
                    "references": len(refs),
                    "pairs": total,
                    "frequency_database": freqs.name,
                    "synthetic": freqs.synthetic,
                    "hits": rows,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    table = Table(
        title=f"Top candidates ({len(hits)} rows; {total:,} pairs screened)", title_justify="left"
    )
    for col in ("child", "reference", "relationship", "LR", "loci"):
        table.add_column(col, justify="right" if col in {"LR", "loci"} else "left")
    for h in hits[:20]:
        table.add_row(
            h.child_id,
            h.reference_id,
            h.relationship + (" (identical profiles!)" if h.identical else ""),
            _fmt(h.lr),
            str(h.loci_compared),
        )
    _out.print(table)
    twins = sum(1 for h in hits if h.identical)
    if twins:
        _err.print(
            f"[yellow]warning:[/yellow] {twins} pair(s) have identical profiles: the "
            "same person sampled twice, or identical twins"
        )
    if out is not None:
        _err.print(f"{len(hits)} ranked rows written to {out}")


def _load_claims(path: Path, *, as_json: bool) -> dict[str, list[str]]:
    """Read ``reference_id, relationship`` rows (several rows per reference allowed)."""
    out: dict[str, list[str]] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            fields = {f.strip().lower() for f in reader.fieldnames or []}
            if not {"reference_id", "relationship"} <= fields:
                _fail(f"{path}: expected columns reference_id, relationship", as_json=as_json)
            for n, row in enumerate(reader, start=2):
                row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
                if not row["reference_id"] or not row["relationship"]:
                    _fail(
                        f"{path}: row {n}: reference_id and relationship are required",
                        as_json=as_json,
                    )
                out.setdefault(row["reference_id"], []).append(row["relationship"])
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror}", as_json=as_json)
    return out


@app.command("validate")
def validate_command(
    profiles: Annotated[
        Path | None, typer.Option("--profiles", "-p", help="Profiles CSV to check.")
    ] = None,
    frequencies: Annotated[
        str | None,
        typer.Option(
            "--frequencies",
            "-f",
            help="Frequency CSV to check; with --profiles, every typed "
            "locus must also be in it ('synthetic' allowed).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check a profile file and/or a frequency database and summarise them."""
    from reunite.kinship import (
        KinshipInputError,
        read_frequencies,
        read_profiles,
        synthetic_frequencies,
    )

    if profiles is None and frequencies is None:
        _fail("give --profiles, --frequencies or both", as_json=as_json)
    summary: dict[str, Any] = {"valid": True}
    try:
        freqs = None
        if frequencies is not None:
            freqs = (
                synthetic_frequencies()
                if frequencies.strip().lower() == "synthetic"
                else read_frequencies(Path(frequencies))
            )
            summary["frequency_database"] = {
                "name": freqs.name,
                "loci": len(freqs.loci),
                "alleles": sum(len(t) for t in freqs.frequencies.values()),
                "sample_size": freqs.sample_size,
                "synthetic": freqs.synthetic,
                "default_min_frequency": freqs.default_min_frequency,
            }
        if profiles is not None:
            people = read_profiles(profiles, freqs)
            loci_counts = [len(p) for p in people.values()]
            summary["profiles"] = {
                "count": len(people),
                "min_loci": min(loci_counts),
                "max_loci": max(loci_counts),
                "partial": sorted(pid for pid, p in people.items() if p.dropped),
            }
    except KinshipInputError as exc:
        if as_json:
            typer.echo(
                json.dumps(
                    {"valid": False, "problems": [p.to_dict() for p in exc.problems]},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        _err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    if "frequency_database" in summary:
        db = summary["frequency_database"]
        _out.print(
            f"{frequencies}: {db['name']}: {db['loci']} loci, {db['alleles']} alleles"
            + (", SYNTHETIC" if db["synthetic"] else "")
            + f"; minimum frequency {db['default_min_frequency']:g}"
        )
    if "profiles" in summary:
        pr = summary["profiles"]
        _out.print(
            f"{profiles}: {pr['count']} profiles, {pr['min_loci']}–{pr['max_loci']} "
            f"typed loci each; {len(pr['partial'])} with dropped loci"
        )


@app.command("report")
def report_command(
    result: Annotated[Path, typer.Option("--result", help="JSON written by `lr --json`.")],
    pdf: Annotated[Path, typer.Option("--pdf", help="PDF file to write.")],
    title: Annotated[str | None, typer.Option("--title", help="Report title.")] = None,
    label: Annotated[
        list[str] | None, typer.Option("--label", help="ID=NAME display label (repeatable).")
    ] = None,
    prior: Annotated[float, typer.Option("--prior")] = 0.5,
) -> None:
    """Render a stored result (the JSON of `lr --json`) as a PDF report."""
    from reunite.kinship import KinshipError, KinshipResult, report_pdf

    if not 0.0 < prior < 1.0:
        _fail(f"--prior must be strictly between 0 and 1, got {prior}")
    labels = _parse_labels(label, as_json=False)
    try:
        data = json.loads(result.read_text(encoding="utf-8"))
        stored = KinshipResult.from_dict(data)
        pdf.write_bytes(
            report_pdf(
                stored,
                title=title or f"Kinship report: {stored.hypothesis}",
                subject_labels=labels,
                priors=(prior,),
            )
        )
    except OSError as exc:
        _fail(f"cannot read {result} or write {pdf}: {exc.strerror}")
    except json.JSONDecodeError as exc:
        _fail(f"{result} is not JSON: {exc.msg} (line {exc.lineno})")
    except KinshipError as exc:
        _fail(f"{result}: {exc}")
    _err.print(f"PDF report written to {pdf}")


@app.command("frequencies")
def frequencies_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the CSV.")],
) -> None:
    """Write the shipped SYNTHETIC frequency database (demo only) as CSV."""
    from reunite.kinship import synthetic_frequencies, write_frequencies

    try:
        write_frequencies(synthetic_frequencies(), out)
    except OSError as exc:
        _fail(f"cannot write {out}: {exc.strerror}")
    _err.print(f"SYNTHETIC frequency database written to {out} (not population data)")


@simulate_app.command("pair")
def simulate_pair_command(
    relationship: Annotated[str, typer.Option("--relationship", "-r")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Profiles CSV to write.")],
    seed: Annotated[int, typer.Option("--seed")] = 0,
    ids: Annotated[str, typer.Option("--ids", help="Two IDs, comma-separated.")] = "A,B",
    mutation_rate: Annotated[float, typer.Option("--mutation-rate")] = 0.0,
) -> None:
    """Simulate one related pair with the SYNTHETIC database (first ID is the elder)."""
    from reunite.kinship import (
        KinshipError,
        simulate_pair,
        synthetic_frequencies,
        write_profiles,
    )

    parts = [x.strip() for x in ids.split(",")]
    if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
        _fail(f"--ids needs two different IDs, got {ids!r}")
    try:
        pair = simulate_pair(
            relationship,
            synthetic_frequencies(),
            seed=seed,
            ids=(parts[0], parts[1]),
            mutation_rate=mutation_rate,
        )
        write_profiles(pair, out)
    except KinshipError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write {out}: {exc.strerror}")
    _err.print(f"SYNTHETIC {relationship} pair written to {out}")


@simulate_app.command("screening")
def simulate_screening_command(
    out_dir: Annotated[
        Path, typer.Option("--out-dir", help="Folder for children.csv, references.csv, truth.csv.")
    ],
    children: Annotated[int, typer.Option("--children")] = 200,
    references: Annotated[int, typer.Option("--references")] = 1000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    drop_rate: Annotated[
        float,
        typer.Option("--drop-rate", help="Fraction of loci dropped at random (degraded samples)."),
    ] = 0.0,
) -> None:
    """Simulate a SYNTHETIC screening set with planted relatives and their truth."""
    from reunite.kinship import simulate_screening, synthetic_frequencies, write_profiles

    if children < 20 or references < 20:
        _fail("--children and --references must be at least 20 (20 relatives are planted)")
    if not 0.0 <= drop_rate < 1.0:
        _fail("--drop-rate must be in [0, 1)")
    pop = simulate_screening(
        synthetic_frequencies(), children, references, seed=seed, drop_rate=drop_rate
    )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_profiles(pop.children.values(), out_dir / "children.csv")
        write_profiles(pop.references.values(), out_dir / "references.csv")
        with (out_dir / "truth.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["child_id", "reference_id", "relationship"])
            for (c, r), rel in sorted(pop.truth.items()):
                w.writerow([c, r, rel])
    except OSError as exc:
        _fail(f"cannot write to {out_dir}: {exc.strerror}")
    _err.print(
        f"SYNTHETIC screening set written to {out_dir} ({children} children, "
        f"{references} references, {len(pop.truth)} planted relatives)"
    )
