"""Name search over children and enquiries.

Each record keeps ``search_text``: the search keys of all its names, space-separated and
framed by spaces. A query matches a record when every word of the query shares a key with
the record. Keys come from the names engine when it is installed (script, spelling and
diminutive independent); otherwise a plain normalised form (case, apostrophes, Unicode
composition) is used, so search always works.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.db.models import Q, QuerySet

_APOSTROPHES = re.compile("[\u2019\u02bc`\u2018\u00b4\u02b9\u0027\u2032]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—,.;:()\"/]+")


def plain_tokens(text: str) -> list[str]:
    """Lower-case NFC tokens with one apostrophe form (the fallback search key)."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    text = _APOSTROPHES.sub("'", text)
    return [t for t in _SEPARATORS.split(text) if t]


def token_keys(token: str) -> set[str]:
    """Every search key of one word."""
    keys = {f"t:{t}" for t in plain_tokens(token)}
    try:
        from reunite.names import name_search_keys
    except ImportError:  # the names engine is optional for search
        return keys
    try:
        keys |= set(name_search_keys(token))
    except Exception:  # noqa: BLE001 - a names-engine failure must not break search
        pass
    return keys


def search_text_for(names: Iterable[str]) -> str:
    keys: set[str] = set()
    for name in names:
        for token in plain_tokens(name):
            keys |= token_keys(token)
    return " " + " ".join(sorted(keys)) + " " if keys else ""


def filter_by_name(queryset: QuerySet, query: str) -> QuerySet:
    """Keep the records whose names match every word of the query."""
    for token in plain_tokens(query)[:8]:
        condition = Q()
        for key in token_keys(token):
            # Plain words match as prefixes ("kova" finds "kovalchuk"); engine keys exactly.
            suffix = "" if key.startswith("t:") else " "
            condition |= Q(search_text__contains=f" {key}{suffix}")
        queryset = queryset.filter(condition)
    return queryset
