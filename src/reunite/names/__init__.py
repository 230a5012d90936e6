"""reunite.names: one child's name across Ukrainian, Russian and Latin spellings, and places
across renames. A plain Python package (no Django import).

Why it exists: tracing fails on names first. Олександр Ковальчук, Oleksandr Kovalchuk,
Александр Ковальчук, Alexander Kowalczuk and Саша are one boy; Дніпропетровськ and Dnipro are
one city. Every function here accepts any input without raising (bad input gives an empty or
flagged result); only :func:`transliterate` raises, for an unknown scheme name.

Quick tour::

    >>> from reunite import names
    >>> names.given_name_ids("Саша") == frozenset({"oleksandr", "oleksandra"})
    True
    >>> names.surname_key("Ковальова") == names.surname_key("Kovaleva")
    True
    >>> names.name_similarity("Sasha Kovalchuk", "Ковальчук Олександр Петрович").same
    True
    >>> names.place("Kharkov").name_uk
    'Харків'

See docs/names.md for the API, data sources and their licences, and limits.
"""

from __future__ import annotations

from reunite.names._given import GivenName, given_name, given_name_gender, given_name_ids
from reunite.names._latin import latin_key, phonetic_key
from reunite.names._patronymic import patronymic_father_ids, patronymic_gender
from reunite.names._person import (
    NameSimilarity,
    PersonName,
    name_search_keys,
    name_similarity,
    parse_name,
    query_matches,
    query_token_keys,
)
from reunite.names._places import Place, place
from reunite.names._spellings import cyrillic_spellings, spellings
from reunite.names._surname import surname_key
from reunite.names._text import MAX_LENGTH, detect_language, detect_script, normalize
from reunite.names._translit import schemes, transliterate
from reunite.names.exceptions import NamesError, UnknownSchemeError

__all__ = [
    "MAX_LENGTH",
    "GivenName",
    "NameSimilarity",
    "NamesError",
    "PersonName",
    "Place",
    "UnknownSchemeError",
    "cyrillic_spellings",
    "detect_language",
    "detect_script",
    "given_name",
    "given_name_gender",
    "given_name_ids",
    "latin_key",
    "name_search_keys",
    "name_similarity",
    "normalize",
    "parse_name",
    "patronymic_father_ids",
    "patronymic_gender",
    "phonetic_key",
    "place",
    "query_matches",
    "query_token_keys",
    "record_search_keys",
    "schemes",
    "spellings",
    "surname_key",
    "transliterate",
    "warm_up",
]


def record_search_keys(text: str) -> frozenset[str]:
    """:func:`name_search_keys` plus an "i:<letter>" key per word, for indexing records so
    that a query with initials ("О. Ковальчук") finds full names. Queries use
    :func:`query_token_keys` (or :func:`name_search_keys` per word)."""
    from reunite.names._person import _search_tokens

    keys = set(name_search_keys(text))
    for token in _search_tokens(text):
        k = latin_key(token)
        if k:
            keys.add(f"i:{k[:1]}")
    return frozenset(keys)


def warm_up(places: bool = True, *, freeze_gc: bool = False) -> None:
    """Load the dictionaries now instead of on first use (e.g. at server start).

    ``freeze_gc=True`` then moves everything allocated so far (the dictionaries, the gazetteer)
    out of the garbage collector's reach with :func:`gc.freeze`: for batch jobs over millions
    of names, where full collections would otherwise rescan those tables again and again
    (about 30 % of the time). Leave it off inside a long-running server that frees memory.
    """
    given_name_ids("Олександр")
    patronymic_father_ids("Олександрович")
    spellings("Oleksandr")
    if places:
        place("Київ")
    if freeze_gc:
        import gc

        gc.collect()
        gc.freeze()
