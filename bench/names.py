"""Benchmark of reunite.names: normalise + key 1,000,000 synthetic full names.

    .venv/bin/python bench/names.py                 # 1,000,000 names (about 2 minutes)
    .venv/bin/python bench/names.py -n 100000 --json

What is measured (one process pinned to one core):

* **warm**: for every full name, ``parse_name`` and the per-part keys the matching engine
  uses (``given_name_ids``, ``surname_key``, ``patronymic_father_ids``, ``latin_key``,
  ``phonetic_key``) plus ``name_search_keys`` of the whole name. Names repeat their tokens
  as real registers do, so the engine's per-token caches are warm after the first names.
* **cold**: the same work on fresh names after every engine cache was cleared (each name
  then pays for its own tokens): the worst case, e.g. the first pass over a new register.
* **quality**, on pairs built from the same synthetic people: a Ukrainian register record
  ("Ковальчук Олександр Петрович") against what a relative types (Latin passport spelling
  in any of ten schemes, Russian form, diminutive, speech order). *recall* is the share of
  true pairs a method accepts; *false match* is the share of wrong pairs it accepts, half
  of them siblings (same surname and patronymic, different child).

Baselines in the same run: ``raw+fuzzy`` (lower-case the strings, rapidfuzz
token_set_ratio ≥ 85) and ``kmu+fuzzy`` (first transliterate Cyrillic with the official
KMU 2010 scheme via translitua, then the same fuzzy rule): what a system without a names
engine would do.

Synthetic names come from the engine's own given-name dictionary (forms, diminutives) and
a surname list in this file; the generator is seeded and never touches real people.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources

import translitua
from rapidfuzz import fuzz
from rich.console import Console
from rich.table import Table

from reunite import names
from reunite.names import _given, _patronymic

# UA masculine | RU masculine | type: i = same for both genders, p = possessive (-ов/-ін, +а),
# a = adjectival (-ський/-цький/-ий <-> -ська/-цька/-а; RU -ский/-ый <-> -ская/-ая).
SURNAMES = """
Шевченко|Шевченко|i Коваленко|Коваленко|i Бондаренко|Бондаренко|i Ткаченко|Ткаченко|i
Кравченко|Кравченко|i Олійник|Олейник|i Шевчук|Шевчук|i Коваль|Коваль|i Поліщук|Полищук|i
Бондар|Бондарь|i Ткачук|Ткачук|i Мельник|Мельник|i Бойко|Бойко|i Лисенко|Лысенко|i
Марченко|Марченко|i Руденко|Руденко|i Савченко|Савченко|i Петренко|Петренко|i
Клименко|Клименко|i Павленко|Павленко|i Кузьменко|Кузьменко|i Гончаренко|Гончаренко|i
Харченко|Харченко|i Левченко|Левченко|i Ковальчук|Ковальчук|i Савчук|Савчук|i Мазур|Мазур|i
Кравчук|Кравчук|i Гнатюк|Гнатюк|i Романюк|Романюк|i Мороз|Мороз|i Литвиненко|Литвиненко|i
Карпенко|Карпенко|i Мартинюк|Мартынюк|i Юрченко|Юрченко|i Панченко|Панченко|i
Сидоренко|Сидоренко|i Антоненко|Антоненко|i Данилюк|Данилюк|i Васильченко|Васильченко|i
Онищенко|Онищенко|i Остапенко|Остапенко|i Зінченко|Зинченко|i Костенко|Костенко|i
Кушнір|Кушнир|i Вовк|Вовк|i Дорошенко|Дорошенко|i Приходько|Приходько|i Гуменюк|Гуменюк|i
Кириленко|Кириленко|i Федорченко|Федорченко|i Якименко|Якименко|i Лук'яненко|Лукьяненко|i
Нестеренко|Нестеренко|i Тимошенко|Тимошенко|i Степаненко|Степаненко|i
Мирошниченко|Мирошниченко|i Пономаренко|Пономаренко|i Тищенко|Тищенко|i Довженко|Довженко|i
Гордієнко|Гордиенко|i Кравець|Кравец|i Швець|Швец|i Коломієць|Коломиец|i Ярошенко|Ярошенко|i
Бабенко|Бабенко|i Ткач|Ткач|i Гаврилюк|Гаврилюк|i Захарченко|Захарченко|i Кучер|Кучер|i
Жук|Жук|i Стасюк|Стасюк|i Оліфіренко|Олифиренко|i Соловйов|Соловьёв|p Ковальов|Ковалёв|p
Іванов|Иванов|p Петров|Петров|p Сидоров|Сидоров|p Волков|Волков|p Морозов|Морозов|p
Павлов|Павлов|p Попов|Попов|p Соколов|Соколов|p Кузнєцов|Кузнецов|p Смирнов|Смирнов|p
Новіков|Новиков|p Федоров|Фёдоров|p Яковлєв|Яковлев|p Андрєєв|Андреев|p Кузьмін|Кузьмин|p
Ільїн|Ильин|p Зайцев|Зайцев|p Лебедєв|Лебедев|p Комаров|Комаров|p Орлов|Орлов|p
Макаров|Макаров|p Голубєв|Голубев|p Григор'єв|Григорьев|p Семенов|Семёнов|p Тарасов|Тарасов|p
Бєлов|Белов|p Сорокін|Сорокин|p Фомін|Фомин|p Савицький|Савицкий|a Ковальський|Ковальский|a
Висоцький|Высоцкий|a Вишневський|Вишневский|a Михайловський|Михайловский|a
Яворський|Яворский|a Левицький|Левицкий|a Грушевський|Грушевский|a Рибчинський|Рыбчинский|a
Згурський|Згурский|a Білий|Белый|a Чорний|Черный|a
"""

UA_SCHEMES = (
    ["uk_kmu_2010"] * 6
    + ["uk_passport_2007"] * 2
    + ["uk_bgn_1965", "uk_national_1996", "uk_german", "uk_french"]
)
RU_SCHEMES = (
    ["ru_icao_2013"] * 3
    + ["ru_mvd_310"] * 2
    + ["ru_gost_52535", "ru_bgn_pcgn", "ru_wikipedia", "ru_mvd_310_fr"]
)
_APOSTROPHES = "'’ʼ`"
# Latin letters typed for Cyrillic ones that look the same, in the case they look alike.
_LOOKALIKE_UPPER = str.maketrans("АВЕІКМНОРСТХ", "ABEIKMHOPCTX")
_LOOKALIKE_LOWER = str.maketrans("аеіорсх", "aeiopcx")


@dataclass(frozen=True, slots=True)
class Surname:
    uk: tuple[str, str]  # (masculine, feminine)
    ru: tuple[str, str]


def _feminine(name: str, kind: str, lang: str) -> str:
    if kind == "i":
        return name
    if kind == "p":
        return name + "а"
    for m, f in (
        ("ський", "ська"),
        ("цький", "цька"),
        ("ский", "ская"),
        ("цкий", "цкая"),
        ("ий", "а" if lang == "uk" else "ая"),
        ("ый", "ая"),
    ):
        if name.endswith(m):
            return name[: -len(m)] + f
    return name


def load_surnames() -> list[Surname]:
    out = []
    for item in SURNAMES.split():
        uk, ru, kind = item.split("|")
        out.append(Surname((uk, _feminine(uk, kind, "uk")), (ru, _feminine(ru, kind, "ru"))))
    return out


@dataclass(frozen=True, slots=True)
class Person:
    """One synthetic child: ids for truth, and the Cyrillic parts to spell from."""

    given_id: str
    gender: str
    given_uk: str
    given_ru: str
    diminutives: tuple[str, ...]
    surname: Surname
    father_id: str
    patr_uk: str
    patr_ru: str


class Generator:
    """Seeded synthetic people and the ways their names get written."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        entries = [g for g in _given.all_given_names() if g.uk and g.ru]
        # Zipf-like popularity: registers are dominated by a few dozen names.
        self.given = entries
        self.given_weights = [1.0 / (i + 1) ** 0.8 for i in range(len(entries))]
        self.fathers = [g for g in entries if g.gender == "M"]
        self.surnames = load_surnames()
        self.patr: dict[tuple[str, str], tuple[list[str], list[str]]] = {}

    def person(self) -> Person:
        rng = self.rng
        g = rng.choices(self.given, self.given_weights)[0]
        f = rng.choice(self.fathers)
        key = (f.id, g.gender)
        if key not in self.patr:
            self.patr[key] = _patronymic.patronymic_forms(f.id, g.gender)
        puk, pru = self.patr[key]
        fem = 1 if g.gender == "F" else 0
        s = rng.choice(self.surnames)
        surname = Surname((s.uk[fem], s.uk[fem]), (s.ru[fem], s.ru[fem]))
        return Person(
            g.id,
            g.gender,
            g.uk[0],
            g.ru[0],
            g.diminutives,
            surname,
            f.id,
            puk[0] if puk else "",
            pru[0] if pru else "",
        )

    def sibling(self, p: Person) -> Person:
        """Same family (surname, father), a different child of the same gender."""
        rng = self.rng
        while True:
            g = rng.choice(self.given)
            if g.id != p.given_id and g.gender == p.gender:
                return Person(
                    g.id,
                    g.gender,
                    g.uk[0],
                    g.ru[0],
                    g.diminutives,
                    p.surname,
                    p.father_id,
                    p.patr_uk,
                    p.patr_ru,
                )

    # ---- ways of writing one person
    def register_uk(self, p: Person) -> str:
        return " ".join(x for x in (p.surname.uk[0], p.given_uk, p.patr_uk) if x)

    def register_ru(self, p: Person) -> str:
        return " ".join(x for x in (p.surname.ru[0], p.given_ru, p.patr_ru) if x)

    def latin(self, p: Person) -> str:
        rng = self.rng
        if rng.random() < 0.6:
            scheme = rng.choice(UA_SCHEMES)
            given, surname = p.given_uk, p.surname.uk[0]
        else:
            scheme = rng.choice(RU_SCHEMES)
            given, surname = p.given_ru, p.surname.ru[0]
        g = names.transliterate(given, scheme)
        s = names.transliterate(surname, scheme)
        if rng.random() < 0.4:
            s = s.upper()
        return f"{g} {s}" if rng.random() < 0.8 else f"{s}, {g}"

    def diminutive(self, p: Person) -> str:
        rng = self.rng
        if not p.diminutives:
            return self.speech(p)
        d = rng.choice(p.diminutives)
        surname = p.surname.uk[0] if rng.random() < 0.6 else p.surname.ru[0]
        if rng.random() < 0.5:
            scheme = rng.choice(("uk_kmu_2010", "ru_icao_2013", "ru_mvd_310"))
            return f"{names.transliterate(d, scheme)} {names.transliterate(surname, scheme)}"
        return f"{d} {surname}"

    def speech(self, p: Person) -> str:
        if self.rng.random() < 0.5:
            return f"{p.given_uk} {p.surname.uk[0]}"
        return f"{p.given_ru} {p.surname.ru[0]}"

    def messy(self, p: Person) -> str:
        rng = self.rng
        text = self.rng.choice((self.register_uk, self.speech))(p)
        apostrophe = rng.choice(_APOSTROPHES)
        text = text.replace("'", apostrophe)
        upper = rng.random() < 0.5
        text = text.upper() if upper else text.lower()
        if rng.random() < 0.5:  # Latin look-alikes typed into Cyrillic (keyboard layouts)
            text = text.translate(_LOOKALIKE_UPPER if upper else _LOOKALIKE_LOWER)
        return "  ".join(text.split()) if rng.random() < 0.5 else f" {text} "

    def written(self, p: Person) -> str:
        r = self.rng.random()
        if r < 0.30:
            return self.register_uk(p)
        if r < 0.50:
            return self.register_ru(p)
        if r < 0.60:
            return self.speech(p)
        if r < 0.85:
            return self.latin(p)
        if r < 0.95:
            return self.diminutive(p)
        return self.messy(p)

    def query(self, p: Person) -> str:
        """What a relative types when searching for the child."""
        r = self.rng.random()
        if r < 0.45:
            return self.latin(p)
        if r < 0.65:
            return self.diminutive(p)
        if r < 0.85:
            return self.register_ru(p) if self.rng.random() < 0.5 else self.speech(p)
        return self.messy(p)


# --------------------------------------------------------------------------- engine work
def key_one(text: str) -> int:
    """Normalise and key one full name the way the matching engine does."""
    p = names.parse_name(text)
    n = 0
    if p.given:
        n += len(names.given_name_ids(p.given))
        names.latin_key(p.given)
    if p.surname:
        names.surname_key(p.surname)
        names.latin_key(p.surname)
        names.phonetic_key(p.surname)
    if p.patronymic:
        n += len(names.patronymic_father_ids(p.patronymic))
    return n + len(names.name_search_keys(text))


def clear_engine_caches() -> None:
    """Clear every functools cache in reunite.names so the next names pay full price."""
    for modname, module in list(sys.modules.items()):
        if not modname.startswith("reunite.names"):
            continue
        for obj in vars(module).values():
            if callable(obj) and hasattr(obj, "cache_clear") and obj.__module__ == modname:
                name = getattr(obj, "__name__", "")
                if name in ("index", "_load", "_build", "gazetteer", "_gazetteer"):
                    continue  # dictionaries stay loaded; only per-name caches are cleared
                obj.cache_clear()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(func: Callable[[str], object], texts: Iterable[str]) -> tuple[float, int]:
    """CPU seconds of this process (not wall time: other jobs on a shared machine must not
    count against the engine) and the number of texts."""
    gc.collect()
    t0 = time.process_time()
    count = 0
    for t in texts:
        func(t)
        count += 1
    return time.process_time() - t0, count


# --------------------------------------------------------------------------- places
def _data_rows(name: str) -> list[list[str]]:
    text = resources.files("reunite.names").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def place_workload(seed: int, n: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Place strings as records write them, each with (expected KATOTTH id, expected name_uk).

    60 % Ukrainian names of random settlements (some with "м."/"с." prefixes, some in caps),
    20 % their KMU 2010 transliteration, 20 % Russian, legacy English or former names of the
    towns in places_extra.tsv (former names that are also some place's current name
    excluded). A Ukrainian village name is often shared by dozens of villages,
    so for those only the name is checked (the text cannot say which one)."""
    rng = random.Random(seed)
    settlements = [r for r in _data_rows("katotth.tsv") if r[1] in ("K", "M", "X", "C")]
    by_code = {r[0]: r for r in settlements}
    current = {r[2].lower().replace("’", "'") for r in settlements}
    extra = []
    for row in _data_rows("places_extra.tsv"):
        # Oblast rows are skipped: their English aliases ("Kharkiv") name the city too.
        key = row[0]
        if key.startswith("UA") and key not in by_code:
            continue
        expected = (key, "") if key.startswith("UA") else ("", key)
        others = [x for col in row[1:3] for x in col.split("|") if x]
        others += [x.split("@")[0] for x in (row[3].split("|") if len(row) > 3 else []) if x]
        # A former name that is also the current name of another place (Олександрівськ,
        # Станіслав) rightly answers the current one, so it cannot be scored here.
        extra += [(o, expected) for o in others if o.lower().replace("’", "'") not in current]
    texts, truth = [], []
    for _ in range(n):
        r = rng.random()
        if r < 0.8:
            _code, cat, name = rng.choice(settlements)[:3]
            text = name
            if r >= 0.6:
                text = names.transliterate(name, "uk_kmu_2010")
            elif rng.random() < 0.2:
                text = ("м. " if cat in ("K", "M") else "с. ") + name
            elif rng.random() < 0.1:
                text = name.upper()
            texts.append(text)
            truth.append(("", name))
        else:
            text, expected = rng.choice(extra)
            texts.append(text)
            truth.append(expected)
    return texts, truth


def place_quality(texts: list[str], truth: list[tuple[str, str]]) -> dict[str, float]:
    ok = sum(
        1
        for text, (code, name_uk) in zip(texts, truth, strict=True)
        if (p := names.place(text)) is not None
        and (p.id == code if code else p.name_uk.replace("’", "'") == name_uk.replace("’", "'"))
    )
    baseline: dict[str, str] = {}
    for row in _data_rows("katotth.tsv"):
        baseline.setdefault(row[2].lower(), row[0])
    base_ok = sum(
        1
        for text, (code, name_uk) in zip(texts, truth, strict=True)
        if (hit := baseline.get(text.lower())) is not None and (hit == code or not code)
    )
    return {"engine": ok / len(texts), "baseline exact uk": base_ok / len(texts)}


# --------------------------------------------------------------------------- quality
def _kmu(text: str) -> str:
    return translitua.translit(text, translitua.UkrainianKMU).lower()


def fuzzy_same(a: str, b: str) -> bool:
    return fuzz.token_set_ratio(a, b) >= 85


def quality(gen: Generator, pairs: int) -> dict[str, dict[str, float]]:
    true_pairs, false_pairs = [], []
    for i in range(pairs):
        p = gen.person()
        record = gen.register_uk(p)
        true_pairs.append((gen.query(p), record))
        other = gen.sibling(p) if i % 2 else gen.person()
        if other.given_id == p.given_id and other.surname == p.surname:
            other = gen.sibling(p)
        false_pairs.append((gen.query(other), record))

    methods: dict[str, Callable[[str, str], bool]] = {
        "engine search keys": lambda q, r: names.query_matches(q, names.name_search_keys(r)),
        "engine name_similarity": lambda q, r: names.name_similarity(q, r).same,
        "baseline raw+fuzzy": lambda q, r: fuzzy_same(q.lower(), r.lower()),
        "baseline kmu+fuzzy": lambda q, r: fuzzy_same(_kmu(q), _kmu(r)),
    }
    out = {}
    for name, accept in methods.items():
        t0 = time.perf_counter()
        tp = sum(accept(q, r) for q, r in true_pairs)
        fp = sum(accept(q, r) for q, r in false_pairs)
        out[name] = {
            "recall": tp / len(true_pairs),
            "false_match": fp / len(false_pairs),
            "pairs_per_s": 2 * pairs / (time.perf_counter() - t0),
        }
    return out


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--names", type=int, default=1_000_000, help="full names to key")
    ap.add_argument("--cold", type=int, default=50_000, help="names for the cold-cache run")
    ap.add_argument("--pairs", type=int, default=10_000, help="true and false pairs for quality")
    ap.add_argument(
        "--baseline-names",
        type=int,
        default=200_000,
        help="names for the baselines' normalisation throughput",
    )
    ap.add_argument("--places", type=int, default=100_000, help="place strings for place()")
    ap.add_argument("--seed", type=int, default=20260427)
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)
    console = Console(stderr=True, width=150)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    t0 = time.perf_counter()
    names.warm_up()
    load_s = time.perf_counter() - t0
    gen = Generator(args.seed)
    console.print(f"generating {args.names:,} synthetic full names (seed {args.seed}) …")
    t0 = time.perf_counter()
    texts = [gen.written(gen.person()) for _ in range(args.names)]
    gen_s = time.perf_counter() - t0
    rss_before = peak_rss_mb()

    console.print("engine, warm caches …")
    warm_s, n = timed(key_one, texts)
    rss_after = peak_rss_mb()

    console.print("engine, cold caches …")
    cold_gen = Generator(args.seed + 1)
    cold_texts = [cold_gen.written(cold_gen.person()) for _ in range(args.cold)]
    clear_engine_caches()
    cold_s, cold_n = timed(key_one, cold_texts)

    console.print("per function (parts of the first names, warm caches) …")
    parsed = [names.parse_name(t) for t in texts[: args.baseline_names]]
    givens = [p.given for p in parsed if p.given]
    surnames = [p.surname for p in parsed if p.surname]
    patrs = [p.patronymic for p in parsed if p.patronymic]
    per_function = {}
    for fname, func, values in (
        ("given_name_ids", names.given_name_ids, givens),
        ("surname_key", names.surname_key, surnames),
        ("patronymic_father_ids", names.patronymic_father_ids, patrs),
        ("latin_key", names.latin_key, surnames),
        ("phonetic_key", names.phonetic_key, surnames),
        ("name_search_keys", names.name_search_keys, texts[: args.baseline_names]),
    ):
        secs, count = timed(func, values)
        per_function[fname] = round(count / secs) if secs else None
    place_texts, place_truth = place_workload(args.seed + 3, args.places)
    clear_engine_caches()
    secs, count = timed(names.place, place_texts)
    per_function["place (cold)"] = round(count / secs)
    secs, count = timed(names.place, place_texts)
    per_function["place (warm)"] = round(count / secs)
    place_q = place_quality(place_texts, place_truth)

    console.print("baselines …")
    base_texts = texts[: args.baseline_names]
    raw_s, raw_n = timed(str.lower, base_texts)
    kmu_s, kmu_n = timed(_kmu, base_texts)

    console.print(f"quality on {args.pairs:,} true and {args.pairs:,} false pairs …")
    q = quality(Generator(args.seed + 2), args.pairs)

    results = {
        "names": n,
        "seed": args.seed,
        "dictionary_load_s": round(load_s, 2),
        "generation_s": round(gen_s, 1),
        "engine_warm": {"seconds": round(warm_s, 2), "names_per_s": round(n / warm_s)},
        "engine_cold": {
            "names": cold_n,
            "seconds": round(cold_s, 2),
            "names_per_s": round(cold_n / cold_s),
        },
        "peak_rss_mb": {"before_keying": round(rss_before), "after_keying": round(rss_after)},
        "baseline_raw_lower": {"names": raw_n, "names_per_s": round(raw_n / raw_s)},
        "baseline_kmu_translit": {"names": kmu_n, "names_per_s": round(kmu_n / kmu_s)},
        "quality": {k: {m: round(v, 4) for m, v in d.items()} for k, d in q.items()},
        "per_function_calls_per_s": per_function,
        "places": {"strings": args.places, **{k: round(v, 4) for k, v in place_q.items()}},
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return 0

    out = Console(width=150)
    table = Table(title=f"reunite.names: {n:,} synthetic full names, one core")
    for col in ("method", "names/s", "time s", "peak RSS MB", "recall", "false match"):
        table.add_column(col, justify="left" if col == "method" else "right")
    qe, qs = q["engine search keys"], q["engine name_similarity"]
    table.add_row(
        "engine: parse + keys, warm caches",
        f"{n / warm_s:,.0f}",
        f"{warm_s:.1f}",
        f"{rss_after:,.0f}",
        f"{qe['recall']:.3f} (search)",
        f"{qe['false_match']:.3f} (search)",
    )
    table.add_row(
        "engine: parse + keys, cold caches",
        f"{cold_n / cold_s:,.0f}",
        f"{cold_s:.1f}",
        "",
        f"{qs['recall']:.3f} (similarity)",
        f"{qs['false_match']:.3f} (similarity)",
    )
    for label, key, ns, nn in (
        ("baseline raw+fuzzy (lower-case)", "baseline raw+fuzzy", raw_s, raw_n),
        ("baseline kmu+fuzzy (translitua KMU)", "baseline kmu+fuzzy", kmu_s, kmu_n),
    ):
        table.add_row(
            label,
            f"{nn / ns:,.0f}",
            f"{ns:.1f}",
            "",
            f"{q[key]['recall']:.3f}",
            f"{q[key]['false_match']:.3f}",
        )
    out.print(table)
    ftable = Table(title="per function, calls/s (CPU time, one core)")
    ftable.add_column("function")
    ftable.add_column("calls/s", justify="right")
    for fname, rate in per_function.items():
        ftable.add_row(fname, f"{rate:,}" if rate else "–")
    out.print(ftable)
    out.print(
        f"place(): {args.places:,} place strings (Ukrainian, KMU Latin, Russian/legacy/former "
        f"names): resolved correctly {place_q['engine']:.3f}; baseline exact Ukrainian-name "
        f"lookup {place_q['baseline exact uk']:.3f}"
    )
    out.print(
        f"dictionaries loaded in {load_s:.1f} s; generation {gen_s:.0f} s (not timed); "
        f"peak RSS before keying {rss_before:,.0f} MB (includes the {n:,} input strings)"
    )
    out.print(
        "recall/false match: Ukrainian register record vs what a relative types "
        f"({args.pairs:,} true, {args.pairs:,} false pairs, half of them siblings)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
