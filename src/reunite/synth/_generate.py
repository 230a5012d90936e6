"""The generator: families and children, their enquiries, the other side's registry."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from reunite.interchange import InterchangeRecord, PartialDate
from reunite.synth._data import Tables, tables
from reunite.synth._model import (
    AS_OF,
    DIFFICULTIES,
    Difficulty,
    Enquirer,
    Population,
    SyntheticChild,
)
from reunite.synth._params import PARAMS, Params
from reunite.synth._text import LATIN_SCHEMES, drop_yo, to_latin, typo, ua_to_ru_letters
from reunite.synth.exceptions import SynthError

Progress = Callable[[str, int, int], None]

MAX_RECORDS = 5_000_000
MAX_ENQUIRIES = 1_000_000

_BIRTH_MIN = date(2005, 1, 1)
_BIRTH_MAX = date(2024, 12, 31)
_DAY0 = _BIRTH_MIN.toordinal()
_FAMILY_SIZES = (1, 2, 3, 4)
_FAMILY_SIZE_P = (0.55, 0.30, 0.10, 0.05)
_TWIN_P = 0.04  # families with two or more children that include a twin pair

# Legal status of an enquired child in the other side's registry (adoption is set by the
# difficulty's ``adopted`` probability first). Russian databases list many children with
# living parents as "orphans" or "without parental care" (docs/domain.md §10).
_STATUS = ("under_guardianship", "orphan", "parents_known", "unknown")
_STATUS_P = (0.4, 0.25, 0.2, 0.15)
_RU_STATUS = ("under_guardianship", "orphan", "parents_known", "adopted", "unknown")
_RU_STATUS_P = (0.35, 0.25, 0.2, 0.1, 0.1)

_RELATIONS = (
    "mother",
    "father",
    "grandmother",
    "grandfather",
    "aunt",
    "uncle",
    "sister",
    "brother",
)
_RELATION_P = (0.55, 0.12, 0.16, 0.03, 0.07, 0.02, 0.03, 0.02)
_RELATION_UA = {
    "mother": "мати",
    "father": "батько",
    "grandmother": "бабуся",
    "grandfather": "дідусь",
    "aunt": "тітка",
    "uncle": "дядько",
    "sister": "сестра",
    "brother": "брат",
}
_RELATION_RU = {
    "mother": "мать",
    "father": "отец",
    "grandmother": "бабушка",
    "grandfather": "дедушка",
    "aunt": "тётя",
    "uncle": "дядя",
    "sister": "сестра",
    "brother": "брат",
}
_FEMALE_RELATIONS = frozenset({"mother", "grandmother", "aunt", "sister"})

_INSTITUTION_TEMPLATES = (
    "ГКУ «Центр содействия семейному воспитанию № {n}», {city}",
    "Социально-реабилитационный центр для несовершеннолетних № {n}, {city}",
    "Детский дом № {n}, {city}",
    "Школа-интернат № {n}, {city}",
    "Центр помощи детям, оставшимся без попечения родителей, № {n}, {city}",
)
_BABY_HOME = "Дом ребёнка № {n}, {city}"
_MONTHS_UA = (
    "січні",
    "лютому",
    "березні",
    "квітні",
    "травні",
    "червні",
    "липні",
    "серпні",
    "вересні",
    "жовтні",
    "листопаді",
    "грудні",
)
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_INSTITUTIONS_PER_CITY = 6


@dataclass
class _Kid:
    """A child during generation: the public ground truth plus table indices."""

    child: SyntheticChild
    given_idx: int
    father_idx: int
    surname_idx: int
    place_idx: int
    sep_place_idx: int
    adopted: bool = False
    adoptive_surname_idx: int = -1
    adoptive_father_idx: int = -1
    adoptive_given_idx: int = -1
    enquiries: list[tuple[InterchangeRecord, Enquirer, tuple[str, ...]]] = field(
        default_factory=list
    )
    records: list[tuple[InterchangeRecord, tuple[str, ...]]] = field(default_factory=list)


def _validate_args(records: int, enquiries: int, difficulty: str, seed: int) -> None:
    if difficulty not in DIFFICULTIES:
        raise SynthError(
            f"unknown difficulty {difficulty!r} (use one of: {', '.join(DIFFICULTIES)})"
        )
    if not isinstance(records, int) or not 0 <= records <= MAX_RECORDS:
        raise SynthError(f"records must be a whole number from 0 to {MAX_RECORDS:,}")
    if not isinstance(enquiries, int) or not 0 <= enquiries <= MAX_ENQUIRIES:
        raise SynthError(f"enquiries must be a whole number from 0 to {MAX_ENQUIRIES:,}")
    if not isinstance(seed, int) or seed < 0:
        raise SynthError("seed must be a non-negative whole number")


def generate(
    *,
    records: int,
    enquiries: int,
    difficulty: Difficulty = "realistic",
    seed: int = 0,
    progress: Progress | None = None,
    twin_share: float | None = None,
) -> Population:
    """Generate a population with known truth; the same arguments give the same population.

    ``records`` is the size of the other side's registry (true matches, duplicates and
    distractors), ``enquiries`` the number of families' tracing requests. When the
    registry is too small to hold every enquired child, fewer enquired children are put
    in it (the true records never exceed ``records``). ``progress(stage, done, total)`` is
    called now and then for a progress bar. ``twin_share`` is the share of families of two
    or more children that include a twin pair (default 0.04), raised by tests of the
    twin rule.
    """
    _validate_args(records, enquiries, difficulty, seed)
    if twin_share is not None and not 0.0 <= twin_share <= 1.0:
        raise SynthError(f"twin_share must be between 0 and 1, got {twin_share}")
    gen = _Generator(PARAMS[difficulty], seed, progress)
    if twin_share is not None:
        gen.twin_p = twin_share
    return gen.run(records, enquiries, difficulty)


class _Generator:
    def __init__(self, params: Params, seed: int, progress: Progress | None) -> None:
        self.p = params
        self.seed = seed
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.t: Tables = tables()
        self.progress = progress or (lambda stage, done, total: None)
        self._dates: dict[int, PartialDate] = {}
        self._institutions = self._make_institutions()
        self.n_children = 0
        self.n_families = 0
        self._families_by_id: dict[str, list[_Kid]] = {}
        self.twin_p = _TWIN_P

    # --- small helpers --------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return p > 0 and self.rng.random() < p

    def _cdf(self, p: np.ndarray) -> list[float]:
        return list(np.cumsum(p))

    def pdate(self, d: date) -> PartialDate:
        key = d.toordinal()
        got = self._dates.get(key)
        if got is None:
            got = self._dates[key] = PartialDate(d.year, d.month, d.day)
        return got

    def _make_institutions(self) -> list[list[str]]:
        rng = random.Random(self.seed ^ 0x5EED)
        out = []
        for city in self.t.ru_places.city:
            nums = rng.sample(range(1, 40), _INSTITUTIONS_PER_CITY)
            out.append(
                [rng.choice(_INSTITUTION_TEMPLATES).format(n=n, city=city) for n in nums[:-1]]
                + [_BABY_HOME.format(n=nums[-1], city=city)]
            )
        return out

    def institution_for(self, city_idx: int, age: int, legal_status: str) -> tuple[str, str]:
        """(institution, current_region) for a child placed in a Russian-held town."""
        region = self.t.ru_places.region[city_idx]
        if legal_status in ("adopted", "under_guardianship"):
            return "", region  # in a family: the registry names only the region
        pool = self._institutions[city_idx]
        name = pool[-1] if age < 4 else pool[self.rng.randrange(len(pool) - 1)]
        return name, region

    # --- run ------------------------------------------------------------------------------

    def run(self, n_records: int, n_enquiries: int, difficulty: Difficulty) -> Population:
        p = self.p
        n_enquired = math.ceil(n_enquiries / (1 + p.second_enquiry)) if n_enquiries else 0
        kids = self.families(n_enquired)
        self.progress("children", len(kids), len(kids))
        for kid in kids:
            self._families_by_id.setdefault(kid.child.family_id, []).append(kid)

        # Enquiries: one per child, then second enquiries (another relative) until the
        # requested count is reached.
        order = list(range(len(kids)))
        self.rng.shuffle(order)
        for kid in kids:
            self.add_enquiry(kid)
        for i in order[: max(0, n_enquiries - len(kids))]:
            self.add_enquiry(kids[i])
        self.progress("enquiries", n_enquiries, n_enquiries)

        # Registry: decided per family (siblings are usually placed and listed together),
        # never more true records than the registry holds.
        per_child = (1 + p.registry_duplicate) * 0.97
        p_in = min(p.in_registry, n_records / (per_child * len(kids))) if kids else 0.0
        families: dict[str, list[_Kid]] = {}
        for kid in kids:
            families.setdefault(kid.child.family_id, []).append(kid)
        budget = n_records
        for members in families.values():
            if not self.chance(p_in):
                continue
            for kid in members:
                if not self.chance(0.97):
                    continue
                need = 2 if self.chance(p.registry_duplicate) else 1
                if need > budget:
                    need = budget
                for _ in range(need):
                    self.add_record(kid, duplicate=bool(kid.records))
                budget -= need
        n_true = n_records - budget
        self.progress("registry", n_true, n_true)

        # Distractors: Ukrainian-origin children nobody enquired about, look-alike cousins
        # of true records (hard), and unrelated Russian children.
        rest = n_records - n_true
        n_ua = min(rest, round(rest * p.ua_unenquired_share))
        unenquired = self.families(n_ua) if n_ua else []
        for kid in unenquired:
            self._families_by_id.setdefault(kid.child.family_id, []).append(kid)
        used = 0
        for kid in unenquired:
            if used >= n_ua:
                break
            need = 2 if self.chance(p.registry_duplicate) and used + 2 <= n_ua else 1
            for _ in range(need):
                self.add_record(kid, duplicate=bool(kid.records))
            used += need
        unenquired = [k for k in unenquired if k.records]
        true_kids = [k for k in kids if k.records]
        n_conf = min(rest - used, round(n_true * p.confuser_rate)) if true_kids else 0
        confusers = [self.confuser(self.rng.choice(true_kids)) for _ in range(n_conf)]
        n_ru = rest - used - n_conf
        distractors = self.russian_children(n_ru)

        # Shuffle so that ids carry no information, then number them.
        all_records: list[InterchangeRecord] = [r for k in kids for r, _ in k.records]
        all_records += [r for k in unenquired for r, _ in k.records]
        all_records += confusers
        all_records += distractors
        perm = self.np.permutation(len(all_records))
        records = [all_records[i] for i in perm]
        for i, rec in enumerate(records, start=1):
            rec.record_id = f"R{i:07d}"
        all_enq = [e for k in kids for e, _, _ in k.enquiries]
        perm = self.np.permutation(len(all_enq))
        enquiries = [all_enq[i] for i in perm]
        for i, rec in enumerate(enquiries, start=1):
            rec.record_id = f"E{i:06d}"

        truth: set[tuple[str, str]] = set()
        dups: set[frozenset[str]] = set()
        children: list[SyntheticChild] = []
        for kid in kids + unenquired:
            c = kid.child
            c.enquirers = [
                Enquirer(rec.record_id, e.name, e.relationship, e.contact)
                for rec, e, _ in kid.enquiries
            ]
            c.record_ids = [rec.record_id for rec, _ in kid.records]
            c.distortions = {rec.record_id: tags for rec, _, tags in kid.enquiries}
            c.distortions.update({rec.record_id: tags for rec, tags in kid.records})
            if kid.records:
                c.russian_name = kid.records[0][0].display_name
            truth.update((e, r) for e in c.enquiry_ids for r in c.record_ids)
            if len(c.record_ids) > 1:
                dups.add(frozenset(c.record_ids))
            children.append(c)
        counts = {
            "true_records": n_true,
            "unenquired_ua_records": used,
            "confuser_records": n_conf,
            "russian_distractor_records": n_ru,
        }
        return Population(enquiries, records, truth, dups, children, difficulty, self.seed, counts)

    # --- families and children ------------------------------------------------------------

    def families(self, n_children: int) -> list[_Kid]:
        t = self.t
        kids: list[_Kid] = []
        ua_m, ua_f = t.ua_given["M"], t.ua_given["F"]
        sur, places = t.ua_surnames, t.ua_places
        sur_cdf, place_cdf = self._cdf(sur.p), self._cdf(places.p)
        father_cdf, mother_cdf = self._cdf(ua_m.parent_p), self._cdf(ua_f.parent_p)
        child_cdf = {"M": self._cdf(ua_m.child_p), "F": self._cdf(ua_f.child_p)}
        rng = self.rng
        bis = _bisect
        while len(kids) < n_children:
            self.n_families += 1
            family_id = f"F{self.n_families:06d}"
            size = min(rng.choices(_FAMILY_SIZES, _FAMILY_SIZE_P)[0], n_children - len(kids))
            s_idx = bis(sur_cdf, rng.random())
            f_idx = bis(father_cdf, rng.random())
            m_idx = bis(mother_cdf, rng.random())
            place = bis(place_cdf, rng.random())
            sep_place = place if rng.random() < 0.8 else bis(place_cdf, rng.random())
            sep = self._separation_date()
            grandfather = bis(father_cdf, rng.random())
            father_name = " ".join((sur.male[s_idx], ua_m.names[f_idx], ua_m.pat_m[grandfather]))
            m_sur = (
                sur.female[s_idx] if rng.random() < 0.85 else sur.female[bis(sur_cdf, rng.random())]
            )
            m_grandfather = bis(father_cdf, rng.random())
            mother_name = " ".join((m_sur, ua_f.names[m_idx], ua_m.pat_f[m_grandfather]))
            latest = min(_BIRTH_MAX, sep - timedelta(days=30))
            earliest = max(_BIRTH_MIN, date(sep.year - 17, sep.month, 1))
            span = (latest - earliest).days
            if span <= 0:
                earliest, span = latest - timedelta(days=365), 365
            births = sorted(earliest + timedelta(days=rng.randrange(span)) for _ in range(size))
            twins = size >= 2 and rng.random() < self.twin_p
            if twins:
                births[1] = births[0]
            used_names: set[tuple[str, int]] = set()
            for j in range(size):
                self.n_children += 1
                sex = "M" if rng.random() < 0.51 else "F"
                names = ua_m if sex == "M" else ua_f
                g_idx = bis(child_cdf[sex], rng.random())
                while (sex, g_idx) in used_names:
                    g_idx = bis(child_cdf[sex], rng.random())
                used_names.add((sex, g_idx))
                birth = births[j]
                status, adopted = self._legal_status()
                child_age = (sep - birth).days // 365
                city_idx = self._ru_city_near(place)
                institution, region = self.institution_for(city_idx, child_age, status)
                citizenship = "UA, RU" if status in ("adopted", "under_guardianship") else "UA"
                if adopted and rng.random() < 0.5:
                    citizenship = "RU"
                child = SyntheticChild(
                    child_id=f"C{self.n_children:07d}",
                    family_id=family_id,
                    sex=sex,
                    surname=sur.male[s_idx] if sex == "M" else sur.female[s_idx],
                    given_name=names.names[g_idx],
                    patronymic=(ua_m.pat_m if sex == "M" else ua_m.pat_f)[f_idx],
                    birth_date=birth,
                    birth_place=places.ua[place],
                    birth_oblast=places.oblast_ua[place],
                    mother_name=mother_name,
                    father_name=father_name,
                    is_twin=twins and j < 2,
                    separation_date=sep,
                    separation_place=places.ua[sep_place],
                    institution=institution,
                    current_region=region,
                    legal_status=status,
                    citizenship=citizenship,
                    name_changed=False,
                    birthplace_changed=False,
                    citizenship_changed=citizenship != "UA",
                    consent_for_tracing=rng.random() < 0.97,
                )
                kid = _Kid(child, g_idx, f_idx, s_idx, place, sep_place, adopted=adopted)
                if adopted:
                    kid.adoptive_surname_idx = bis(
                        self._cdf_cached("ru_sur", t.ru_surnames.p), rng.random()
                    )
                    kid.adoptive_father_idx = self._ru_parent_idx()
                    if rng.random() < self.p.rename_on_adoption:
                        kid.adoptive_given_idx = self._ru_child_idx(sex)
                    child.name_changed = True
                    child.birthplace_changed = True
                kids.append(kid)
        return kids

    def _separation_date(self) -> date:
        # Most separations in 2022 (full-scale invasion), some from 2014-2021 (Crimea,
        # Donbas), some 2023-2025.
        r = self.rng.random()
        if r < 0.12:
            start, end = date(2014, 3, 1), date(2021, 12, 31)
        elif r < 0.82:
            start, end = date(2022, 2, 24), date(2022, 12, 31)
        else:
            start, end = date(2023, 1, 1), date(2025, 6, 30)
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def _legal_status(self) -> tuple[str, bool]:
        if self.rng.random() < self.p.adopted:
            return "adopted", True
        return self.rng.choices(_STATUS, _STATUS_P)[0], False

    def _ru_city_near(self, place_idx: int) -> int:
        # Children from an occupied town are often kept in the Russian-held part of their
        # region; otherwise spread over Russia.
        ru = self.t.ru_places
        if self.rng.random() < 0.3:
            ru_name = self.t.ua_places.ru[place_idx]
            for i, city in enumerate(ru.city):
                if city == ru_name:
                    return i
        return _bisect(self._cdf_cached("ru_places", ru.p), self.rng.random())

    def _cdf_cached(self, key: str, p: np.ndarray) -> list[float]:
        cache = self.__dict__.setdefault("_cdfs", {})
        got = cache.get(key)
        if got is None:
            got = cache[key] = self._cdf(p)
        return got

    def _ru_parent_idx(self) -> int:
        g = self.t.ru_given["M"]
        return _bisect(self._cdf_cached("ru_parent_M", g.parent_p), self.rng.random())

    def _ru_child_idx(self, sex: str) -> int:
        g = self.t.ru_given[sex]
        return _bisect(self._cdf_cached(f"ru_child_{sex}", g.child_p), self.rng.random())

    # --- enquiries (families' side) -------------------------------------------------------

    def add_enquiry(self, kid: _Kid) -> None:
        p, rng, c = self.p, self.rng, kid.child
        taken = {e.relationship for _, e, _ in kid.enquiries}
        while True:
            relation = rng.choices(_RELATIONS, _RELATION_P)[0]
            if relation not in taken:
                break
        tags: list[str] = []
        ua = self.t.ua_given[c.sex]
        female = c.sex == "F"
        latin = self.chance(p.latin)
        # Russian-speaking families (Donbas, Crimea …) may write the request in Russian.
        russian = not latin and self.chance(p.russian)
        if russian:
            tags.append("russian")
            s = self.t.ua_surnames
            ua_m = self.t.ua_given["M"]
            surname = (s.letter_f if female else s.letter_m)[kid.surname_idx]
            given = drop_yo(ua.ru[kid.given_idx])
            patronymic = drop_yo((ua_m.pat_ru_f if female else ua_m.pat_ru_m)[kid.father_idx])
            dims = ua.dim_ru[kid.given_idx]
        else:
            surname, given, patronymic = c.surname, c.given_name, c.patronymic
            dims = ua.dim[kid.given_idx]
        layout = "ru" if russian else "ua"
        if self.chance(p.diminutive) and dims:
            given = rng.choice(dims)
            tags.append("diminutive")
        if self.chance(p.typo_surname):
            surname = typo(surname, rng, layout=layout)
            tags.append("typo_surname")
        if self.chance(p.typo_given):
            given = typo(given, rng, layout=layout)
            tags.append("typo_given")
        if self.chance(0.85 if latin else p.patronymic_missing):
            patronymic = ""
            tags.append("patronymic_missing")
        birth_place = ""
        if self.chance(p.birthplace_missing):
            tags.append("birthplace_missing")
        elif russian:
            birth_place = self._ru_place_text(kid.place_idx, [])
        else:
            birth_place = self._ua_place_text(kid.place_idx)
        mother, father = c.mother_name, c.father_name
        if self.chance(p.parent_missing):
            father = ""
            tags.append("parent_missing")
            if self.chance(0.5):
                mother = ""
        aliases: list[str] = []
        if self.chance(p.alias_listed) and dims:
            aliases.append(f"{rng.choice(dims)} {surname if russian else c.surname}")
        enquirer_name = self._enquirer_name(kid, relation)
        if russian:
            mother, father = self._russian_name(mother), self._russian_name(father)
            enquirer_name = self._russian_name(enquirer_name)
        scheme = ""
        if latin:
            scheme = rng.choices([s for s, _ in LATIN_SCHEMES], [w for _, w in LATIN_SCHEMES])[0]
            tags.append(f"latin:{scheme}")
            aliases = [to_latin(a, scheme) for a in aliases]
            if self.chance(0.3):
                aliases.append(f"{c.surname} {c.given_name}")  # the Cyrillic original
            surname, given, patronymic = (
                to_latin(x, scheme) if x else "" for x in (surname, given, patronymic)
            )
            birth_place = to_latin(birth_place, scheme) if birth_place else ""
            mother = to_latin(mother, scheme) if mother else ""
            father = to_latin(father, scheme) if father else ""
            enquirer_name = to_latin(enquirer_name, scheme)
        birth, age, btag = self._enquiry_birth(c.birth_date, c.separation_date)
        if btag:
            tags.append(btag)
        full_name = ""
        if self.chance(p.full_name_only):
            parts = (given, surname) if latin else (surname, given, patronymic)
            full_name = " ".join(x for x in parts if x)
            surname = given = patronymic = ""
            tags.append("full_name_only")
        sex = c.sex
        if self.chance(p.sex_missing):
            sex = ""
            tags.append("sex_missing")
        sep = c.separation_date
        r = rng.random()
        sep_date = (
            PartialDate(sep.year, sep.month)
            if r < 0.6
            else self.pdate(sep)
            if r < 0.85
            else PartialDate(sep.year)
            if r < 0.95
            else PartialDate()
        )
        sep_place = (self.t.ua_places.ru if russian else self.t.ua_places.ua)[kid.sep_place_idx]
        if latin:
            sep_place = to_latin(sep_place, scheme)
        contact = self._contact(kid, len(kid.enquiries))
        notes = ""
        if rng.random() < 0.3 and not russian:
            notes = self._enquiry_note(kid, latin, scheme)
        rec = InterchangeRecord(
            record_id="",
            notes=notes,
            surname=surname,
            given_name=given,
            patronymic=patronymic,
            full_name=full_name,
            other_names=tuple(dict.fromkeys(a for a in aliases if a)),
            sex=sex,
            birth_date=birth,
            estimated_age=age,
            birth_place=birth_place,
            separation_date=sep_date,
            separation_place=sep_place,
            mother_name=mother,
            father_name=father,
            enquirer_name=enquirer_name,
            enquirer_relationship=(
                relation if latin else (_RELATION_RU if russian else _RELATION_UA)[relation]
            ),
            enquirer_contact=contact,
        )
        kid.enquiries.append((rec, Enquirer("", enquirer_name, relation, contact), tuple(tags)))

    def _siblings(self, kid: _Kid) -> list[SyntheticChild]:
        family = self._families_by_id.get(kid.child.family_id, [])
        return [k.child for k in family if k is not kid]

    def _russian_name(self, ua_full: str) -> str:
        """How a Russian-speaking Ukrainian writes a relative's name: given name and
        patronymic in their Russian form, surname letter for letter."""
        table = self.__dict__.get("_ru_words")
        if table is None:
            table = {}
            t = self.t
            for sex in ("F", "M"):
                g = t.ua_given[sex]
                table.update({u: drop_yo(r) for u, r in zip(g.names, g.ru, strict=True)})
            m = t.ua_given["M"]
            for ua_pats, ru_pats in ((m.pat_m, m.pat_ru_m), (m.pat_f, m.pat_ru_f)):
                table.update({u: drop_yo(r) for u, r in zip(ua_pats, ru_pats, strict=True) if u})
            s = t.ua_surnames
            table.update(dict(zip(s.male, s.letter_m, strict=True)))
            table.update(dict(zip(s.female, s.letter_f, strict=True)))
            self.__dict__["_ru_words"] = table
        return " ".join(table.get(w) or ua_to_ru_letters(w) for w in ua_full.split())

    def _enquiry_note(self, kid: _Kid, latin: bool, scheme: str) -> str:
        """A short free-text note as families write them (no data the columns lack)."""
        c, rng = kid.child, self.rng
        place = self.t.ua_places.ua[kid.sep_place_idx]
        sep = c.separation_date
        sibs = self._siblings(kid)
        if latin:
            place = to_latin(place, scheme)
            options = [
                f"Taken from {place} in {_MONTHS_EN[sep.month - 1]} {sep.year}.",
                f"We lost contact in {sep.year}. Any information is welcome.",
            ]
            if sibs:
                s = sibs[0]
                word = "sister" if s.sex == "F" else "brother"
                options.append(f"Was with {word} {to_latin(s.given_name, scheme)}.")
            return rng.choice(options)
        taken = "Вивезена" if c.sex == "F" else "Вивезений"
        options = [
            f"{taken} з міста {place} у {_MONTHS_UA[sep.month - 1]} {sep.year} р.",
            f"Зв'язок втрачено {sep.day:02d}.{sep.month:02d}.{sep.year}.",
            "Можливо, перебуває в закладі на території РФ.",
        ]
        if sibs:
            s = sibs[0]
            word = "сестра" if s.sex == "F" else "брат"
            options.append(f"Разом з іншими дітьми родини ({word}: {s.given_name}).")
        return rng.choice(options)

    def _record_note(self, kid: _Kid) -> str:
        """A Russian registry's remark."""
        c, rng = kid.child, self.rng
        options = [
            f"Прибыл{'а' if c.sex == 'F' else ''} из г. {self.t.ua_places.ru[kid.sep_place_idx]}",
            "Сведения о родителях отсутствуют",
        ]
        if self._siblings(kid):
            options.append("Имеет братьев/сестёр")
        return rng.choice(options)

    def _enquiry_birth(self, birth: date, latest: date) -> tuple[PartialDate, int | None, str]:
        p, rng = self.p, self.rng
        r = rng.random()
        if r < p.birth_missing:
            age = AS_OF.year - birth.year - ((AS_OF.month, AS_OF.day) < (birth.month, birth.day))
            return PartialDate(), max(0, age + rng.choice((-1, 0, 0, 0, 1))), "birth_date_missing"
        r -= p.birth_missing
        if r < p.birth_year_only:
            return PartialDate(birth.year), None, "birth_date_year"
        r -= p.birth_year_only
        if r < p.birth_month_only:
            return PartialDate(birth.year, birth.month), None, "birth_date_month"
        r -= p.birth_month_only
        if r < p.birth_wrong:
            return self.pdate(self._shift(birth, latest)), None, "birth_date_wrong"
        return self.pdate(birth), None, ""

    def _shift(self, d: date, latest: date) -> date:
        """A plausible wrong birth date: day/month swapped, day or year off by a little.

        Never after ``latest`` (the separation date): a list with a child born after being
        separated is rejected by validation, and real clerks would notice too.
        """
        rng = self.rng
        for _ in range(5):
            r = rng.random()
            try:
                if r < 0.3 and d.day <= 12 and d.day != d.month:
                    out = date(d.year, d.day, d.month)
                elif r < 0.7:
                    out = d + timedelta(days=rng.choice((-3, -2, -1, 1, 2, 3)))
                else:
                    out = date(d.year + rng.choice((-1, 1)), d.month, d.day)
            except ValueError:
                continue
            if out != d and out <= latest:
                return out
        return d - timedelta(days=1)

    def _ua_place_text(self, idx: int) -> str:
        pl = self.t.ua_places
        r = self.rng.random()
        if r < 0.5:
            return pl.ua[idx]
        if r < 0.8:
            return f"м. {pl.ua[idx]}"
        return f"{pl.ua[idx]}, {pl.oblast_ua[idx].replace(' область', ' обл.')}"

    def _enquirer_name(self, kid: _Kid, relation: str) -> str:
        c, t, rng = kid.child, self.t, self.rng
        if relation == "mother":
            return c.mother_name
        if relation == "father":
            return c.father_name
        female = relation in _FEMALE_RELATIONS
        names = t.ua_given["F" if female else "M"]
        g = names.names[
            _bisect(self._cdf_cached(f"ua_parent_{female}", names.parent_p), rng.random())
        ]
        sur = t.ua_surnames
        s_idx = (
            kid.surname_idx
            if rng.random() < 0.7
            else _bisect(self._cdf_cached("ua_sur", sur.p), rng.random())
        )
        surname = sur.female[s_idx] if female else sur.male[s_idx]
        if relation in ("sister", "brother"):
            return f"{surname} {g}"
        ua_m = t.ua_given["M"]
        pat_idx = ua_m.parent_idx[rng.randrange(len(ua_m.parent_idx))]
        pat = (ua_m.pat_f if female else ua_m.pat_m)[pat_idx]
        return f"{surname} {g} {pat}"

    def _contact(self, kid: _Kid, n: int) -> str:
        # Fictional by construction: Ukraine has no "00" operator code (0 00… cannot be
        # dialled), Ofcom reserves 07700 900000-900999 for drama, and example.org is
        # reserved by RFC 2606.
        rng = self.rng
        r = rng.random()
        if r < 0.6:
            a, b, c = rng.randrange(1000), rng.randrange(100), rng.randrange(100)
            return f"+380 00 {a:03d} {b:02d} {c:02d}"
        if r < 0.75:
            return f"+44 7700 900{rng.randrange(1000):03d}"
        return f"family.{kid.child.child_id.lower()}.{n + 1}@example.org"

    # --- registry records (the other side) ------------------------------------------------

    def add_record(self, kid: _Kid, *, duplicate: bool) -> None:
        p, rng, c, t = self.p, self.rng, kid.child, self.t
        tags: list[str] = []
        ua = t.ua_given[c.sex]
        ru_given = t.ru_given[c.sex]
        female = c.sex == "F"
        # given name
        if kid.adopted and kid.adoptive_given_idx >= 0:
            given = drop_yo(ru_given.names[kid.adoptive_given_idx])
            tags.append("given_replaced")
        else:
            r = rng.random()
            if r < p.given_translated:
                given = ua.ru[kid.given_idx]
                if rng.random() < 0.8:
                    given = drop_yo(given)
                if given != ua_to_ru_letters(c.given_name):
                    tags.append("given_russified")
            elif r < p.given_translated + p.given_letter:
                phon = self.chance(p.phonetic)
                given = ua_to_ru_letters(c.given_name, phonetic=phon)
                tags.append("given_letter")
            else:
                given = c.given_name
                tags.append("given_kept")
        # surname
        if kid.adopted:
            rs = t.ru_surnames
            surname = drop_yo((rs.female if female else rs.male)[kid.adoptive_surname_idx])
            tags.append("adoption_surname")
        else:
            s = t.ua_surnames
            i = kid.surname_idx
            letter = (s.letter_f if female else s.letter_m)[i]
            trans = (s.trans_f if female else s.trans_m)[i]
            if trans != letter and self.chance(p.surname_translated):
                surname = trans
                tags.append("surname_translated")
            elif self.chance(p.phonetic) and "и" in letter:
                surname = ua_to_ru_letters(c.surname, phonetic=True)
                tags.append("surname_phonetic")
            else:
                surname = letter
            if self.chance(p.gender_form_error):
                other = (s.trans_m if female else s.trans_f)[i]
                if other != surname:
                    surname = other
                    tags.append("surname_gender_form")
        if self.chance(p.typo_ru):
            if rng.random() < 0.5:
                surname = typo(surname, rng, layout="ru")
            else:
                given = typo(given, rng, layout="ru")
            tags.append("typo")
        # patronymic
        if kid.adopted and kid.adoptive_given_idx >= 0:
            ru_m = t.ru_given["M"]
            patronymic = drop_yo((ru_m.pat_f if female else ru_m.pat_m)[kid.adoptive_father_idx])
            tags.append("patronymic_replaced")
        elif self.chance(p.patronymic_missing_ru):
            patronymic = ""
            tags.append("patronymic_missing")
        else:
            ua_m = t.ua_given["M"]
            patronymic = drop_yo((ua_m.pat_ru_f if female else ua_m.pat_ru_m)[kid.father_idx])
        # birth date: usually survives re-registration (docs/domain.md §10)
        birth = self.pdate(c.birth_date)
        if self.chance(p.birth_shift):
            birth = self.pdate(self._shift(c.birth_date, c.separation_date))
            tags.append("birth_date_shifted")
        elif self.chance(p.birth_year_only_ru):
            birth = PartialDate(c.birth_date.year)
            tags.append("birth_date_partial")
        # birthplace
        if kid.adopted or self.chance(p.birthplace_russian):
            ru = t.ru_places
            j = _bisect(self._cdf_cached("ru_places", ru.p), rng.random())
            birth_place = f"г. {ru.city[j]}, {ru.region[j]}"
            tags.append("birthplace_replaced")
        elif self.chance(p.birthplace_missing_ru):
            birth_place = ""
            tags.append("birthplace_missing")
        else:
            birth_place = self._ru_place_text(kid.place_idx, tags)
        # parents (rarely on a Russian record; never for adopted children)
        mother = father = ""
        if not kid.adopted and self.chance(p.parent_names_ru):
            mother = self._ru_parent_name(c.mother_name, female=True)
            if rng.random() < 0.5:
                father = self._ru_parent_name(c.father_name, female=False)
        aliases: tuple[str, ...] = ()
        if self.chance(p.original_alias):
            aliases = (c.full_name,)
            tags.append("original_alias")
        full_name = ""
        if self.chance(p.full_name_only_ru):
            full_name = " ".join(x for x in (surname, given, patronymic) if x)
            surname = given = patronymic = ""
            tags.append("full_name_only")
        institution, region = c.institution, c.current_region
        if duplicate:
            tags.append("duplicate")
            if rng.random() < 0.5:  # listed again after a transfer
                age = (AS_OF - c.birth_date).days // 365
                institution, region = self.institution_for(
                    self._ru_city_near(kid.place_idx), age, c.legal_status
                )
        placement = PartialDate()
        if rng.random() < 0.5:
            placement = self.pdate(
                min(AS_OF, c.separation_date + timedelta(days=rng.randrange(120)))
            )
        sep_place = ""
        if rng.random() < 0.3:
            sep_place = t.ua_places.ru[kid.sep_place_idx]
        notes = self._record_note(kid) if rng.random() < 0.15 else ""
        rec = InterchangeRecord(
            record_id="",
            notes=notes,
            surname=surname,
            given_name=given,
            patronymic=patronymic,
            full_name=full_name,
            other_names=aliases,
            sex="" if self.chance(p.sex_missing / 3) else c.sex,
            birth_date=birth,
            birth_place=birth_place,
            separation_date=placement,
            separation_place=sep_place,
            mother_name=mother,
            father_name=father,
            institution=institution,
            current_region=region,
            legal_status=c.legal_status,
        )
        kid.records.append((rec, tuple(tags)))

    def _ru_place_text(self, idx: int, tags: list[str]) -> str:
        pl = self.t.ua_places
        name = pl.ru[idx]
        if pl.ru_alt[idx] and self.chance(self.p.birthplace_old_name):
            name = drop_yo(pl.ru_alt[idx])
            tags.append("birthplace_old_name")
        r = self.rng.random()
        if r < 0.35:
            return f"г. {name}"
        if r < 0.6:
            return name
        if r < 0.85:
            return f"{name}, {pl.oblast_ru[idx].replace(' область', ' обл.')}"
        return f"{name}, Украина"

    def _ru_parent_name(self, ua_full: str, *, female: bool) -> str:
        """A Russian clerk's rendering of a parent's Ukrainian name (letter by letter)."""
        return ua_to_ru_letters(ua_full)

    def confuser(self, kid: _Kid) -> InterchangeRecord:
        """A look-alike of a true record: a cousin with the same surname and birthplace."""
        rng, c, t = self.rng, kid.child, self.t
        base = kid.records[0][0]
        sex = c.sex if rng.random() < 0.7 else ("F" if c.sex == "M" else "M")
        s = t.ua_surnames
        i = kid.surname_idx
        surname = (s.letter_f if sex == "F" else s.letter_m)[i]
        if rng.random() < 0.3 and sex == c.sex:
            given = base.given_name or t.ru_given[sex].names[self._ru_child_idx(sex)]
        else:
            given = drop_yo(t.ru_given[sex].names[self._ru_child_idx(sex)])
        ru_m = t.ru_given["M"]
        f_idx = self._ru_parent_idx()
        patronymic = drop_yo((ru_m.pat_f if sex == "F" else ru_m.pat_m)[f_idx])
        months = rng.choice((-1, 1)) * rng.randint(1, 36)
        b = c.birth_date
        y, m = divmod(b.year * 12 + b.month - 1 + months, 12)
        birth = date(max(2005, min(2024, y)), m + 1, min(b.day, 28))
        if birth == b:
            birth = b + timedelta(days=40)
        status = rng.choices(_STATUS, _STATUS_P)[0]
        age = (AS_OF - birth).days // 365
        institution, region = self.institution_for(self._ru_city_near(kid.place_idx), age, status)
        return InterchangeRecord(
            record_id="",
            surname=surname,
            given_name=given,
            patronymic=patronymic,
            sex=sex,
            birth_date=self.pdate(birth),
            birth_place=base.birth_place,
            institution=institution,
            current_region=region,
            legal_status=status,
        )

    # --- Russian distractors (vectorised: up to millions) ---------------------------------

    def russian_children(self, n: int) -> list[InterchangeRecord]:
        if n <= 0:
            return []
        t, g = self.t, self.np
        ru_m, ru_f = t.ru_given["M"], t.ru_given["F"]
        rs, us = t.ru_surnames, t.ua_surnames
        ru_pl = t.ru_places
        is_f = g.random(n) < 0.49
        given_m = g.choice(len(ru_m.names), size=n, p=ru_m.child_p)
        given_f = g.choice(len(ru_f.names), size=n, p=ru_f.child_p)
        father = g.choice(len(ru_m.names), size=n, p=ru_m.parent_p)
        # About one Russian child in seven has a Ukrainian-type surname (Шевченко, Ткаченко …).
        ua_surname = g.random(n) < 0.15
        s_ru = g.choice(len(rs.male), size=n, p=rs.p)
        s_ua = g.choice(len(us.male), size=n, p=us.p)
        days = g.integers(0, _BIRTH_MAX.toordinal() - _DAY0 + 1, size=n)
        city = g.choice(len(ru_pl.city), size=n, p=ru_pl.p)
        home = g.choice(len(ru_pl.city), size=n, p=ru_pl.p)
        place_fmt = g.integers(0, 4, size=n)
        status = g.choice(len(_RU_STATUS), size=n, p=_RU_STATUS_P)
        inst = g.integers(0, _INSTITUTIONS_PER_CITY - 1, size=n)
        u = g.random((n, 4))
        mother_g = g.choice(len(ru_f.names), size=n, p=ru_f.parent_p)
        placed = g.integers(0, 3000, size=n)

        names_m = [drop_yo(x) for x in ru_m.names]
        names_f = [drop_yo(x) for x in ru_f.names]
        pat_m = [drop_yo(x) for x in ru_m.pat_m]
        pat_f = [drop_yo(x) for x in ru_m.pat_f]  # a daughter's patronymic from the father
        mothers = [drop_yo(x) for x in ru_f.names]
        sur_m = [drop_yo(x) for x in rs.male]
        sur_f = [drop_yo(x) for x in rs.female]
        ua_m_s, ua_f_s = us.letter_m, us.letter_f
        place_text = [
            [f"г. {c}", c, f"{c}, {r}", ""] for c, r in zip(ru_pl.city, ru_pl.region, strict=True)
        ]
        institutions = self._institutions
        baby = _INSTITUTIONS_PER_CITY - 1
        regions = ru_pl.region
        pdate = self.pdate
        empty = PartialDate()
        out: list[InterchangeRecord] = []
        append = out.append
        fromord = date.fromordinal
        for i in range(n):
            f = bool(is_f[i])
            if ua_surname[i]:
                surname = (ua_f_s if f else ua_m_s)[s_ua[i]]
            else:
                surname = (sur_f if f else sur_m)[s_ru[i]]
            day = int(days[i])
            birth = pdate(fromord(_DAY0 + day))
            st = _RU_STATUS[status[i]]
            c = int(city[i])
            if st in ("adopted", "under_guardianship"):
                institution = ""
            elif day > _BIRTH_MAX.toordinal() - _DAY0 - 4 * 365:
                institution = institutions[c][baby]
            else:
                institution = institutions[c][inst[i]]
            row = u[i]
            mother = ""
            if row[0] < 0.25 and st != "adopted":
                mother_surname = ua_f_s[s_ua[i]] if ua_surname[i] else sur_f[s_ru[i]]
                mother = f"{mother_surname} {mothers[mother_g[i]]}"
            placement = empty
            if row[1] < 0.5:
                pd = _DAY0 + day + int(placed[i])
                if pd <= AS_OF.toordinal():
                    placement = pdate(fromord(pd))
            append(
                InterchangeRecord(
                    "",
                    surname,
                    (names_f if f else names_m)[given_f[i] if f else given_m[i]],
                    "" if row[2] < 0.1 else (pat_f if f else pat_m)[father[i]],
                    "",
                    (),
                    "F" if f else "M",
                    birth,
                    None,
                    place_text[home[i]][place_fmt[i]],
                    placement,
                    "",
                    mother,
                    "",
                    "",
                    institution,
                    regions[c],
                    st,
                )
            )
            if i % 100_000 == 99_999:
                self.progress("distractors", i + 1, n)
        self.progress("distractors", n, n)
        return out


def _bisect(cdf: list[float], x: float) -> int:
    """Index drawn from a cumulative distribution (``x`` uniform in [0, 1))."""
    lo, hi = 0, len(cdf) - 1
    x *= cdf[-1]
    while lo < hi:
        mid = (lo + hi) // 2
        if cdf[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo
