"""Name search over children and enquiries.

Each record keeps ``search_text``: the search keys of all its names, space-separated and
framed by spaces. A query matches a record when every word of the query shares a key with
the record (the rule of ``reunite.names.query_matches``). Keys are the plain normalised
word (case, apostrophes, Unicode composition; matched as a prefix) plus the names engine's
script-, spelling- and diminutive-independent keys, so "Sasha Kovalchuk" finds
"Ковальчук Олександр". Records saved before the engine changed get new keys when edited;
``reunite reindex`` recomputes them all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.db.models import Q, QuerySet

_APOSTROPHES = re.compile("[\u2019\u02bc`\u2018\u00b4\u02b9\u0027\u2032]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—,.;:()\"/]+")


def plain_tokens(text: str) -> list[str]:
    """Lower-case NFC tokens with one apostrophe form (the fallback search key)."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    text = _APOSTROPHES.sub("'", text)
    return [t for t in _SEPARATORS.split(text) if t]


def _engine() -> Any:
    try:
        import reunite.names as names
    except ImportError:  # the names engine is optional for search
        return None
    return names


def query_word_keys(word: str) -> set[str]:
    """Every key a query word may match: the plain word (as a prefix) and the engine's keys."""
    keys = {f"t:{t}" for t in plain_tokens(word)}
    names = _engine()
    if names is not None:
        for key_set in names.query_token_keys(word):
            keys |= set(key_set)
    return keys


@lru_cache(maxsize=200_000)
def _name_keys(name: str) -> frozenset[str]:
    # Cached: a national list repeats the same surnames, given names and patronymics
    # thousands of times, and the engine's keys of one name cost about 30 µs.
    keys = {f"t:{t}" for t in plain_tokens(name)}
    engine = _engine()
    if engine is not None:
        keys |= set(engine.record_search_keys(name))
    return frozenset(keys)


def search_text_for(names: Iterable[str]) -> str:
    """The ``search_text`` of a record with these names (full names or name parts)."""
    keys: set[str] = set()
    for name in names:
        if name:
            keys |= _name_keys(name)
    return " " + " ".join(sorted(keys)) + " " if keys else ""


def filter_by_name(queryset: QuerySet, query: str) -> QuerySet:
    """Keep the records whose names match every word of the query."""
    for word in plain_tokens(query)[:8]:
        condition = Q()
        for key in query_word_keys(word):
            # Plain words match as prefixes ("kova" finds "kovalchuk"); engine keys exactly.
            suffix = "" if key.startswith("t:") else " "
            condition |= Q(search_text__contains=f" {key}{suffix}")
        queryset = queryset.filter(condition)
    return queryset
