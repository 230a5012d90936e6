"""Edit forms that never lose someone else's change (optimistic locking with a merge).

An edit form carries the record's ``version`` and a signed ``baseline``: the values the
form was filled with. When the save is refused because the record changed meanwhile
(:class:`reunite.registry.actions.StaleRecord`), a three-way comparison of the baseline,
the stored record ("theirs") and the submitted form ("yours") gives:

- fields only they changed: taken from the stored record into the form;
- fields only you changed: kept as you typed them;
- fields you both changed: kept as you typed them and shown side by side, to decide.

The form comes back with the current version, so saving it again applies the merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.http import QueryDict

_SALT = "reunite.web.merge.baseline"


def sign_baseline(fields: dict[str, Any], names: list[dict[str, Any]]) -> str:
    return signing.dumps({"fields": _jsonable(fields), "names": _jsonable(names)}, salt=_SALT)


def read_baseline(token: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return data.get("fields", {}), data.get("names", [])


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@dataclass
class FieldChange:
    name: str
    label: str
    theirs: str
    yours: str
    conflict: bool  # both changed it, differently


@dataclass
class Merge:
    """What happened since the form was opened, and the merged form data to show."""

    changes: list[FieldChange]
    names_theirs: list[str]
    names_conflict: bool
    data: QueryDict


def _shown(form_field: forms.Field, value: Any) -> str:
    if isinstance(form_field, forms.BooleanField):
        return "✓" if value in (True, "on", "true", "True") else "—"
    if value in (None, ""):
        return "—"
    return str(value)


def _name_text(row: dict[str, Any]) -> str:
    parts = [row.get(k) or "" for k in ("surname", "given_name", "patronymic")]
    text = " ".join(p for p in parts if p) or (row.get("full_name") or "")
    return text


def _names_key(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [tuple(str(r.get(k) or "") for k in keys) for r in rows if any(r.get(k) for k in keys)]


def three_way(
    form: forms.Form,
    posted: QueryDict,
    baseline: tuple[dict[str, Any], list[dict[str, Any]]] | None,
    theirs_fields: dict[str, Any],
    theirs_names: list[dict[str, Any]],
    yours_names: list[dict[str, Any]],
    *,
    names_prefix: str,
    name_keys: tuple[str, ...],
    skip: tuple[str, ...] = ("version", "baseline"),
) -> Merge:
    """Merge the submitted form with the stored record against the baseline."""
    base_fields, base_names = baseline if baseline is not None else (theirs_fields, [])
    data = posted.copy()
    changes: list[FieldChange] = []
    for name, field in form.fields.items():
        if name in skip:
            continue
        base = base_fields.get(name)
        theirs = theirs_fields.get(name)
        if isinstance(field, forms.BooleanField):
            yours: Any = name in posted
        else:
            yours = posted.get(name, "")
        they_changed = field.has_changed(base, _as_data(field, theirs))
        you_changed = field.has_changed(base, yours)
        if not they_changed:
            continue
        same = not field.has_changed(theirs, yours)
        if not you_changed:
            _set(data, name, field, theirs)  # only they changed it: take theirs
        changes.append(
            FieldChange(
                name=name, label=str(field.label or name.replace("_", " ").capitalize()),
                theirs=_shown(field, theirs), yours=_shown(field, yours),
                conflict=you_changed and not same,
            )
        )
    base_key = _names_key(base_names, name_keys)
    theirs_key = _names_key(theirs_names, name_keys)
    yours_key = _names_key(yours_names, name_keys)
    names_changed_by_them = baseline is not None and theirs_key != base_key
    names_conflict = names_changed_by_them and yours_key not in (base_key, theirs_key)
    if names_changed_by_them and yours_key == base_key:
        _set_names(data, names_prefix, theirs_names, name_keys)
    return Merge(
        changes=changes,
        names_theirs=[_name_text(r) for r in theirs_names] if names_changed_by_them else [],
        names_conflict=names_conflict,
        data=data,
    )


def _as_data(field: forms.Field, value: Any) -> Any:
    if isinstance(field, forms.BooleanField):
        return bool(value)
    return "" if value is None else value


def _set(data: QueryDict, name: str, field: forms.Field, value: Any) -> None:
    if isinstance(field, forms.BooleanField):
        if value:
            data[name] = "on"
        else:
            data.pop(name, None)
        return
    data[name] = "" if value is None else str(value)


def _set_names(
    data: QueryDict, prefix: str, rows: list[dict[str, Any]], keys: tuple[str, ...]
) -> None:
    for key in list(data.keys()):
        if key.startswith(f"{prefix}-") and key[len(prefix) + 1 :][:1].isdigit():
            del data[key]
    for index, row in enumerate(rows):
        for key in keys:
            data[f"{prefix}-{index}-{key}"] = str(row.get(key) or "")
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows) + 1)
    data[f"{prefix}-INITIAL_FORMS"] = "0"
