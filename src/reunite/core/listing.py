"""Sortable list columns: ``?sort=state`` / ``?sort=-state``, with links for the headers.

A list declares its columns once (what each sorts by); the view applies the user's choice
and the template draws header links that keep the other query parameters (filters, search)
and say the current order to screen readers (``aria-sort``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    order_by: tuple[str, ...] = ()  # empty: not sortable


@dataclass(frozen=True)
class Header:
    label: str
    url: str
    sortable: bool
    aria_sort: str  # "ascending", "descending" or "none"
    data_label: str


def sort_key(request: HttpRequest, columns: Sequence[Column], default: str) -> str:
    """The requested ``sort`` if it names a sortable column, else ``default``."""
    wanted = request.GET.get("sort", "")
    keys = {c.key for c in columns if c.order_by}
    return wanted if wanted.lstrip("-") in keys else default


def apply_sort(queryset: QuerySet, columns: Sequence[Column], key: str) -> QuerySet:
    column = next(c for c in columns if c.key == key.lstrip("-"))
    descending = key.startswith("-")
    # A column may sort by a field in reverse ("-started_at"): descending turns it back.
    fields = [_reverse(f) if descending else f for f in column.order_by]
    return queryset.order_by(*fields, "-pk" if descending else "pk")


def _reverse(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


def headers(request: HttpRequest, columns: Sequence[Column], key: str) -> list[Header]:
    """Header cells: a link that sorts by the column (reversing it when already sorted)."""
    out = []
    for column in columns:
        params: Any = request.GET.copy()
        params.pop("page", None)
        current = key.lstrip("-") == column.key
        descending = key.startswith("-")
        params["sort"] = f"-{column.key}" if current and not descending else column.key
        if current:
            aria = "descending" if descending else "ascending"
        else:
            aria = "none"
        out.append(
            Header(
                label=str(column.label),
                url=f"?{params.urlencode()}",
                sortable=bool(column.order_by),
                aria_sort=aria,
                data_label=str(column.label),
            )
        )
    return out


def query_without_page(request: HttpRequest) -> str:
    """The current query string without ``page`` (for pager links)."""
    params: Any = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
