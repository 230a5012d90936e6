"""Ranked name search with a year or a date: "Kovalchuk 2012", "Олена 14.03.2012".

``filter_by_name`` (``reunite.registry.search``) says which records match; this module
orders them, best name match first, and reads a year or a date out of the query:

- a query word that equals a surname or given name ranks above one that only shares the
  names engine's keys with it (a spelling, a transliteration, a diminutive), which ranks
  above a prefix, which ranks above a phonetic likeness;
- a word that matches only a patronymic ranks below all of these: searching "Олександр"
  puts Oleksandr Kovalenko before Ivan Oleksandrovych Kovalenko;
- a word found in the primary name counts a little more than one in an alias;
- a year (``2012``) keeps the records born that year; a date (``2012-03-14``, ``14.03.2012``)
  or a month (``2012-03``, ``03.2012``) keeps those whose known birth date agrees with it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from reunite.registry.search import filter_by_name, plain_tokens, query_word_keys

# Scores of one query word against one part of a name (highest wins).
EXACT, KEYED, PREFIX, PHONETIC, PATRONYMIC, OTHER = 10, 8, 6, 5, 2, 4
PRIMARY_BONUS = 1
# Ranking scores every matching record; beyond this many the rest keep their order.
MAX_RANKED = 5000

_YEAR = re.compile(r"^(19|20)\d{2}$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_DOTTED_DATE = re.compile(r"^(?:(\d{1,2})[./])?(\d{1,2})[./](\d{4})$")


@dataclass(frozen=True)
class SearchQuery:
    """A query split into name words and a birth year, month or day."""

    words: tuple[str, ...]
    year: int | None = None
    month: int | None = None
    day: int | None = None

    @property
    def has_date(self) -> bool:
        return self.year is not None

    @property
    def name_text(self) -> str:
        return " ".join(self.words)


def parse_query(text: str) -> SearchQuery:
    """Split ``text`` into name words and at most one year or (partial) date."""
    words: list[str] = []
    year = month = day = None
    for raw in (text or "").split():
        token = raw.strip(",;")
        found = _date_of(token) if year is None else None
        if found is not None:
            year, month, day = found
        else:
            words.append(raw)
    return SearchQuery(tuple(words), year, month, day)


def _date_of(token: str) -> tuple[int, int | None, int | None] | None:
    if _YEAR.match(token):
        return int(token), None, None
    iso = _ISO_DATE.match(token)
    dotted = _DOTTED_DATE.match(token)
    if iso:
        year, month, day = int(iso[1]), int(iso[2]), int(iso[3]) if iso[3] else None
    elif dotted:
        year, month, day = int(dotted[3]), int(dotted[2]), int(dotted[1]) if dotted[1] else None
    else:
        return None
    try:
        dt.date(year, month, day or 1)
    except ValueError:
        return None
    return year, month, day


def filter_by_birth(queryset: QuerySet, query: SearchQuery) -> QuerySet:
    """Keep records whose birth date agrees with the query's year, month or day.

    A record known only to the year agrees with any month of that year, and one known to
    the month with any day of it: the query narrows, it never drops a vaguer record.
    """
    if query.year is None:
        return queryset
    condition = Q(birth_date__year=query.year)
    if query.month is not None:
        condition &= Q(birth_date__month=query.month) | Q(birth_date_precision="year")
        if query.day is not None:
            condition &= Q(birth_date__day=query.day) | Q(
                birth_date_precision__in=["year", "month"]
            )
    return queryset.filter(condition)


def word_score(word: str, parts: dict[str, str]) -> int:
    """How well one query word matches a name given as parts (surname, given, patronymic…)."""
    plain = plain_tokens(word)
    keys = query_word_keys(word)
    engine_keys = {k for k in keys if not k.startswith(("t:", "p:"))}
    phonetic = {k for k in keys if k.startswith("p:")}
    best = 0
    for part, value in parts.items():
        if not value:
            continue
        tokens = plain_tokens(value)
        part_keys = _part_keys(value)
        if part == "patronymic":
            if set(plain) & set(tokens) or keys & part_keys:
                best = max(best, PATRONYMIC)
            continue
        if part not in ("surname", "given_name"):
            score = OTHER if (keys & part_keys or _prefix(plain, tokens)) else 0
        elif set(plain) & set(tokens):
            score = EXACT
        elif engine_keys & part_keys:
            score = KEYED
        elif _prefix(plain, tokens):
            score = PREFIX
        elif phonetic & part_keys:
            score = PHONETIC
        else:
            score = 0
        best = max(best, score)
    return best


def _prefix(words: Sequence[str], tokens: Sequence[str]) -> bool:
    return any(t.startswith(w) for w in words for t in tokens)


def _part_keys(value: str) -> set[str]:
    from reunite.registry.search import search_text_for

    return set(search_text_for([value]).split())


def name_score(words: Iterable[str], names: Sequence[tuple[dict[str, str], bool]]) -> int:
    """The best score over a record's names; each name is (parts, is_primary)."""
    words = list(words)
    best = 0
    for parts, primary in names:
        score = sum(word_score(w, parts) for w in words)
        if score and primary:
            score += PRIMARY_BONUS
        best = max(best, score)
    return best


def _child_names(child: Any) -> list[tuple[dict[str, str], bool]]:
    return [
        (
            {"surname": n.surname, "given_name": n.given_name, "patronymic": n.patronymic,
             "full_name": n.full_name if not (n.surname or n.given_name) else ""},
            n.is_primary,
        )
        for n in child.names.all()
    ]  # fmt: skip


def _enquiry_names(enquiry: Any) -> list[tuple[dict[str, str], bool]]:
    names = [
        (
            {"surname": enquiry.surname, "given_name": enquiry.given_name,
             "patronymic": enquiry.patronymic,
             "full_name": enquiry.full_name if not (enquiry.surname or enquiry.given_name) else ""},
            True,
        )
    ]  # fmt: skip
    names += [({"other": other}, False) for other in enquiry.other_names or [] if other]
    return names


def ranked_ids(queryset: QuerySet, text: str) -> list[int]:
    """The ids of the records (children or enquiries) matching ``text``, best first."""
    query = parse_query(text)
    matching = filter_by_birth(queryset, query)
    if query.words:
        matching = filter_by_name(matching, query.name_text)
    model_name = queryset.model._meta.model_name
    if not query.words:
        return list(matching.order_by("birth_date", "pk").values_list("pk", flat=True))
    records = matching.order_by("pk")
    names_of: Callable[[Any], list[tuple[dict[str, str], bool]]]
    if model_name == "child":
        records = records.prefetch_related("names")
        names_of = _child_names
    else:
        names_of = _enquiry_names
    scored: list[tuple[int, int]] = []
    rest: list[int] = []
    for index, record in enumerate(records.iterator(chunk_size=500)):
        if index >= MAX_RANKED:
            rest.append(record.pk)
            continue
        scored.append((-name_score(query.words, names_of(record)), record.pk))
    scored.sort()
    return [pk for _score, pk in scored] + rest


def ranked_page(queryset: QuerySet, text: str, page_number: Any, per_page: int) -> Any:
    """One page of the ranked records, as Django's paginator page of model instances."""
    from django.core.paginator import Paginator

    ids = ranked_ids(queryset, text)
    page = Paginator(ids, per_page).get_page(page_number)
    by_pk = queryset.in_bulk(list(page.object_list))
    page.object_list = [by_pk[pk] for pk in page.object_list if pk in by_pk]
    return page
