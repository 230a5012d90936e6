"""The linkage engine's comparison and level names, as a caseworker reads them.

The engine (no Django) labels its comparisons in English; the screens show them through
these catalogues so that they appear in the user's language. A label the engine adds later
and this table lacks is shown as the engine gives it.
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

COMPARISONS: dict[str, Promise] = {
    # the engine's labels
    "given name": _("given name"),
    "patronymic / father": _("patronymic / father"),
    "mother's name": _("mother's name"),
    "birth date": _("birth date"),
    "birthplace": _("birthplace"),
    "separation place": _("place of separation"),
    # column names
    "given_name": _("given name"),
    "surname": _("surname"),
    "father": _("father's name"),
    "mother": _("mother's name"),
    "sex": _("sex"),
    "birth_date": _("birth date"),
    "birth_place": _("birthplace"),
    "separation_place": _("place of separation"),
}

LEVELS: dict[str, Promise] = {
    "same name (incl. diminutive or Russified form)": _(
        "same name (incl. diminutive or Russified form)"
    ),
    "spelled similarly": _("spelled similarly"),
    "loosely similar spelling": _("loosely similar spelling"),
    "different names": _("different names"),
    "same surname": _("same surname"),
    "matches an alternative or former surname": _("matches an alternative or former surname"),
    "sounds the same": _("sounds the same"),
    "different surnames": _("different surnames"),
    "father's name agrees": _("father's name agrees"),
    "father's names differ": _("father's names differ"),
    "same given name and surname": _("same given name and surname"),
    "same given name": _("same given name"),
    "same surname only": _("same surname only"),
    "same": pgettext_lazy("comparison level", "same"),
    "different": pgettext_lazy("comparison level", "different"),
    "unknown": pgettext_lazy("comparison level", "unknown"),
    "exact": _("exact"),
    "day and month swapped": _("day and month swapped"),
    "same year and month (day unknown on one side)": _(
        "same year and month (day unknown on one side)"
    ),
    "same year and month, different day": _("same year and month, different day"),
    "same year (month unknown on one side)": _("same year (month unknown on one side)"),
    "same year, different month": _("same year, different month"),
    "one year apart": _("one year apart"),
    "two years apart": _("two years apart"),
    "consistent with the estimated age": _("consistent with the estimated age"),
    "same place": _("same place"),
    "same region": _("same region"),
    "different regions": _("different regions"),
    "not known on both sides": _("not known on both sides"),
}


def comparison_label(field: str) -> str:
    label = COMPARISONS.get(field)
    return str(label) if label is not None else field.replace("_", " ")


def level_label(level: str) -> str:
    label = LEVELS.get(level)
    return str(label) if label is not None else level


_RUN_NOTES: list[tuple[re.Pattern[str], Promise]] = [
    (
        re.compile(r"no earlier successful run for this organisation: compared everything$"),
        _("no earlier successful run for this organisation: compared everything"),
    ),
    (
        re.compile(
            r"model changed since run (?P<run>\d+) \(now v(?P<version>\d+)\): re-scored everything$"
        ),
        _("model changed since run %(run)s (now v%(version)s): re-scored everything"),
    ),
    (
        re.compile(r"(?P<label>\w+) #(?P<number>\d+) left out: (?P<reason>.*)$"),
        _("record #%(number)s left out: %(reason)s"),
    ),
]


def run_note(note: str) -> str:
    """A note of a match run (stored in English) in the current language."""
    for pattern, template in _RUN_NOTES:
        match = pattern.match(note)
        if match:
            return str(template) % match.groupdict()
    return note
