"""`reunite names …`: the names engine for people and scripts.

    reunite names compare "Sasha Kovalchuk" "Ковальчук Олександр Петрович"
    reunite names spellings "Юлія Ковальова"
    reunite names place Kharkov
    reunite names translit "Юлія Ковальова" --scheme ru_icao_2013

Every command takes ``--json`` for machine-readable output on stdout. Exit codes: 0 done
(for ``compare --check``: the names are the same person), 1 a clean negative answer (no
place found; ``compare --check`` and the names differ), 2 unusable input (empty text, no
letters, unknown scheme). Messages go to stderr; user errors never print a traceback.
The engine is imported lazily so that ``reunite --help`` stays fast.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from reunite.names import NameSimilarity, PersonName, Place

app = typer.Typer(
    no_args_is_help=True,
    epilog="Exit codes: 0 done, 1 negative answer (no place; compare --check: different), "
    "2 unusable input. Documentation: docs/names.md.",
)
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

_PARTS = ("given", "surname", "patronymic")
_PART_LABEL = {"given": "given name", "surname": "surname", "patronymic": "patronymic"}

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


def _fail(message: str, code: int = 2, *, as_json: bool = False) -> NoReturn:
    """Print a user-facing error (and a JSON error object with --json) and exit."""
    if as_json:
        typer.echo(json.dumps({"error": message}, ensure_ascii=False))
    _err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def _require_letters(label: str, text: str, *, as_json: bool) -> None:
    from reunite.names import normalize

    if not text or not text.strip():
        _fail(f"{label} is empty", as_json=as_json)
    if not any(ch.isalpha() for ch in normalize(text)):
        _fail(f"{label} has no letters: {text!r}", as_json=as_json)


def _echo_json(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


# --------------------------------------------------------------------------- compare
def _person_dict(p: PersonName) -> dict[str, Any]:
    from reunite.names import (
        given_name_ids,
        patronymic_father_ids,
        patronymic_gender,
        surname_key,
    )

    return {
        "surname": p.surname,
        "given": p.given,
        "patronymic": p.patronymic,
        "confidence": round(p.confidence, 4),
        "flags": sorted(p.flags),
        "keys": {
            "given_ids": sorted(given_name_ids(p.given)) if p.given else [],
            "surname_key": surname_key(p.surname) if p.surname else "",
            "father_ids": sorted(patronymic_father_ids(p.patronymic)) if p.patronymic else [],
            "patronymic_gender": patronymic_gender(p.patronymic) if p.patronymic else "U",
        },
    }


def _compare_dict(a: str, b: str, pa: PersonName, pb: PersonName, s: NameSimilarity) -> dict:
    return {
        "a": {"text": a, **_person_dict(pa)},
        "b": {"text": b, **_person_dict(pb)},
        "same": s.same,
        "score": round(s.score, 4),
        "parts": {k: round(v, 4) for k, v in s.parts.items()},
        "agreed": list(s.agreed),
    }


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="First name, any script and order.")],
    b: Annotated[str, typer.Argument(help="Second name, any script and order.")],
    as_json: JsonOption = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when the names are not the same person.")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also show the keys each part was compared on.")
    ] = False,
) -> None:
    """Are two names the same person? Verdict, similarity 0–1 and the parts that agreed.

    Names may be in Ukrainian or Russian Cyrillic or any Latin spelling, in register order
    (surname first) or speech order, with or without patronymic; diminutives count
    (Sasha = Олександр).
    """
    from reunite.names import name_similarity, parse_name

    _require_letters("A", a, as_json=as_json)
    _require_letters("B", b, as_json=as_json)
    pa, pb = parse_name(a), parse_name(b)
    sim = name_similarity(pa, pb)
    data = _compare_dict(a, b, pa, pb, sim)
    if as_json:
        _echo_json(data)
    else:
        verdict = "[bold green]same person[/]" if sim.same else "[bold red]different[/]"
        _out.print(f"{verdict}  similarity {sim.score:.2f}")
        table = Table(show_header=True, header_style="bold")
        table.add_column("part")
        table.add_column("A")
        table.add_column("B")
        table.add_column("score", justify="right")
        table.add_column("agreed", justify="center")
        for part in _PARTS:
            va, vb = getattr(pa, part), getattr(pb, part)
            if part in sim.parts:
                score = f"{sim.parts[part]:.2f}"
                mark = "[green]yes[/]" if part in sim.agreed else "[red]no[/]"
            else:
                score, mark = "–", "[dim]not compared[/]"
            table.add_row(_PART_LABEL[part], va or "[dim]–[/]", vb or "[dim]–[/]", score, mark)
        _out.print(table)
        if explain:
            for label, info in (("A", data["a"]), ("B", data["b"])):
                keys = info["keys"]
                _out.print(
                    f"{label}: given ids {', '.join(keys['given_ids']) or '–'}; "
                    f"surname key {keys['surname_key'] or '–'}; "
                    f"father ids {', '.join(keys['father_ids']) or '–'}; "
                    f"parse confidence {info['confidence']:.2f}"
                    + (f"; flags {', '.join(info['flags'])}" if info["flags"] else "")
                )
        for label, info in (("A", data["a"]), ("B", data["b"])):
            if info["flags"] and not explain:
                _err.print(
                    f"[yellow]note:[/] {label} parsed with flags: {', '.join(info['flags'])}"
                )
    if check and not sim.same:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- spellings
def _spelling_rows(text: str, limit: int) -> list[dict[str, str]]:
    from reunite.names import detect_language, detect_script, spellings

    rows = []
    for form in spellings(text)[:limit]:
        script = detect_script(form)
        rows.append(
            {
                "spelling": form,
                "script": script,
                "language": detect_language(form) if script == "cyrillic" else "",
            }
        )
    return rows


@app.command("spellings")
def spellings_cmd(
    text: Annotated[str, typer.Argument(help="A name or full name in any script.")],
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most N forms.")] = 40,
) -> None:
    """Likely Latin and Cyrillic spellings of a name, most likely first."""
    from reunite.names import detect_language, detect_script, given_name_ids, normalize

    _require_letters("TEXT", text, as_json=as_json)
    rows = _spelling_rows(text, limit)
    ids = sorted(given_name_ids(text)) if len(normalize(text).split()) == 1 else []
    if as_json:
        _echo_json(
            {
                "text": text,
                "normalized": normalize(text),
                "script": detect_script(text),
                "language": detect_language(text),
                "given_name_ids": ids,
                "spellings": [r["spelling"] for r in rows],
            }
        )
        return
    lang = detect_language(text)
    _out.print(
        f"[bold]{text}[/]  ({detect_script(text)}"
        + (f", {lang}" if lang != "unknown" else "")
        + ")"
        + (f"  given name: {', '.join(ids)}" if ids else "")
    )
    table = Table(show_header=True, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("spelling")
    table.add_column("script")
    for i, row in enumerate(rows, 1):
        script = row["script"] + (
            f" ({row['language']})" if row["language"] not in ("", "unknown") else ""
        )
        table.add_row(str(i), row["spelling"], script)
    _out.print(table)


# --------------------------------------------------------------------------- place
def _place_json(query: str, p: Place | None) -> dict[str, Any]:
    return {"query": query, "place": p.as_dict() if p is not None else None}


@app.command("place")
def place_cmd(
    text: Annotated[
        str, typer.Argument(help="A place name: Ukrainian, Russian, Latin, old or new.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Look a place up: its KATOTTH code, oblast, names in other languages and former names."""
    from reunite.names import place

    _require_letters("TEXT", text, as_json=as_json)
    found = place(text)
    if found is None:
        if as_json:
            _echo_json(_place_json(text, None))
        _err.print(f"no place found for {text!r}")
        raise typer.Exit(1)
    if as_json:
        _echo_json(_place_json(text, found))
        return
    d: dict[str, Any] = found.as_dict()
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    rows: list[tuple[str, Any]] = [
        ("name (uk)", d["name_uk"]),
        (
            "name (ru)",
            (d["name_ru"] or "–") + (" (generated)" if d.get("name_ru_generated") else ""),
        ),
        ("name (en)", d["name_en"]),
        ("kind", d["kind"]),
        ("country", d["country"]),
        ("KATOTTH", d["katotth"] or "–"),
        (
            "oblast",
            " ".join(x for x in (d["oblast"], d["oblast_id"] and f"({d['oblast_id']})") if x)
            or "–",
        ),
        ("raion", d["raion"] or "–"),
    ]
    if d["former_names"]:
        rows.append(
            (
                "former names",
                "; ".join(
                    f["name"] + (f" (until {f['renamed_on']})" if f["renamed_on"] else "")
                    for f in d["former_names"]
                ),
            )
        )
    if d.get("other_names"):
        rows.append(("other names", ", ".join(d["other_names"])))
    for label, value in rows:
        table.add_row(label, str(value))
    _out.print(table)
    matches = d.get("matches") or 1
    if isinstance(matches, int) and matches > 1:
        hint = (
            "add the kind, e.g. 'с. Іванівка, Харківська обл.'"
            if "," in text
            else "add the oblast after a comma or the kind: 'Іванівка, Харківська обл.', "
            "'с. Іванівка'"
        )
        _err.print(
            f"[yellow]note:[/] {matches} places go by {text!r}; this is the {d['kind']} "
            f"ranked first (cities before towns, villages and raions). To choose another, {hint}."
        )


# --------------------------------------------------------------------------- translit
@app.command("translit")
def translit_cmd(
    text: Annotated[str, typer.Argument(help="Cyrillic text.")],
    scheme: Annotated[
        list[str] | None,
        typer.Option("--scheme", "-s", help="Scheme name (repeatable); default: all."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Transliterate Cyrillic with official schemes (see `reunite names schemes`)."""
    from reunite.names import schemes, transliterate
    from reunite.names.exceptions import UnknownSchemeError

    _require_letters("TEXT", text, as_json=as_json)
    chosen = scheme or schemes()
    try:
        out = {s: transliterate(text, s) for s in chosen}
    except UnknownSchemeError as exc:
        _fail(f"{exc}; run `reunite names schemes` for the list", as_json=as_json)
    if as_json:
        _echo_json({"text": text, "transliterations": out})
        return
    table = Table(show_header=True, header_style="bold")
    table.add_column("scheme")
    table.add_column("result")
    for s, result in out.items():
        table.add_row(s, result)
    _out.print(table)


@app.command("schemes")
def schemes_cmd(as_json: JsonOption = False) -> None:
    """List the transliteration scheme names."""
    from reunite.names import schemes

    names = schemes()
    if as_json:
        _echo_json({"schemes": names})
        return
    for s in names:
        _out.print(s)
