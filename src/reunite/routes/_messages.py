"""Every sentence the route planner and the map say to a person, in one place.

The templates are plain ``str.format`` strings, marked with ``gettext_noop`` so that
Django's ``makemessages`` collects them; the engine itself never imports Django. A caller
renders a :class:`Reason` with its own translation function:

>>> from django.utils.translation import gettext      # doctest: +SKIP
>>> reason.render(gettext)                             # doctest: +SKIP

Parameters that are themselves sentences (who a rule applies to, a document's name) are
nested :class:`Reason` objects, so they are translated too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "COUNTRY_NAMES",
    "MESSAGES",
    "Reason",
    "ReasonList",
    "Translate",
    "gettext_noop",
]

Translate = Callable[[str], str]


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without translating it now (like Django's)."""
    return message


def _identity(message: str) -> str:
    return message


MESSAGES: dict[str, str] = {
    # why a route cannot be used
    "place_closed_since": gettext_noop("{place} has been closed since {start}"),
    "place_closed_between": gettext_noop("{place} is closed from {start} to {end}"),
    "place_closed": gettext_noop("{place} is closed"),
    "link_closed_since": gettext_noop(
        "the {mode} connection {source} – {target} has been closed since {start}"
    ),
    "link_closed_between": gettext_noop(
        "the {mode} connection {source} – {target} is closed from {start} to {end}"
    ),
    "link_closed": gettext_noop("the {mode} connection {source} – {target} is closed"),
    "missing_document": gettext_noop("{traveller} has no {document} and {place} requires one"),
    "missing_document_entry": gettext_noop(
        "{traveller} has no {document}, which {who} need to enter {country}"
    ),
    "missing_document_exit": gettext_noop(
        "{traveller} has no {document}, which {who} need to leave {country}"
    ),
    "entry_only_via": gettext_noop(
        "{traveller} may not enter {country} at {place}: since {start}, {who} may enter "
        "{country} only through {via}"
    ),
    "no_exit": gettext_noop(
        "{traveller} may not leave {country} at {place}: since {start}, {who} may not "
        "leave {country}"
    ),
    "entry_only_via_always": gettext_noop(
        "{traveller} may not enter {country} at {place}: {who} may enter {country} only "
        "through {via}"
    ),
    "no_exit_always": gettext_noop(
        "{traveller} may not leave {country} at {place}: {who} may not leave {country}"
    ),
    "no_connection": gettext_noop("there is no connection from {origin} to {destination}"),
    "same_place": gettext_noop("the start and the destination are the same place"),
    "rule_note": gettext_noop("{reason} ({note})"),
    # who a rule applies to
    "who_everyone": gettext_noop("all travellers"),
    "who_men": gettext_noop("men"),
    "who_women": gettext_noop("women"),
    "who_travellers": gettext_noop("travellers"),
    "who_citizenship": gettext_noop("{who} with {country} citizenship"),
    "who_age_between": gettext_noop("{who} aged {min_age}–{max_age}"),
    "who_age_min": gettext_noop("{who} aged {min_age} or over"),
    "who_age_max": gettext_noop("{who} aged {max_age} or under"),
    "who_roles": gettext_noop("{who} travelling as {roles}"),
    "the_child": gettext_noop("the child"),
    # document names
    "doc_passport": gettext_noop("passport"),
    "doc_birth_certificate": gettext_noop("birth certificate"),
    "doc_id_card": gettext_noop("identity card"),
    "doc_power_of_attorney": gettext_noop("notarised power of attorney on the official form"),
    "doc_custody_decision": gettext_noop("court or guardianship decision on custody"),
    "doc_travel_permit": gettext_noop("travel permit"),
    # roles
    "role_child": gettext_noop("child"),
    "role_legal_representative": gettext_noop("legal representative"),
    "role_proxy": gettext_noop("proxy"),
    "role_escort": gettext_noop("escort"),
    # modes
    "mode_road": gettext_noop("road"),
    "mode_rail": gettext_noop("rail"),
    "mode_air": gettext_noop("air"),
    "mode_foot": gettext_noop("on foot"),
    "mode_convoy": gettext_noop("diplomatic convoy"),
    # place kinds
    "kind_city": gettext_noop("city"),
    "kind_border_crossing": gettext_noop("border crossing"),
    "kind_airport": gettext_noop("airport"),
    "kind_embassy": gettext_noop("embassy"),
    "kind_office": gettext_noop("office"),
    "kind_station": gettext_noop("station"),
    # the schematic map
    "map_title": gettext_noop("Route from {origin} to {destination}"),
    "map_network_title": gettext_noop("Route network"),
    "map_legend_route": gettext_noop("planned route"),
    "map_legend_handover": gettext_noop("handover point"),
    "map_legend_closed": gettext_noop("closed"),
    "map_legend_risky": gettext_noop("risky leg"),
    "map_illustrative": gettext_noop("Illustrative network, not real travel advice"),
    "list_separator": gettext_noop(", "),
    "list_last_separator": gettext_noop(" or "),
    # countries
    "country_UA": gettext_noop("Ukraine"),
    "country_RU": gettext_noop("Russia"),
    "country_BY": gettext_noop("Belarus"),
    "country_PL": gettext_noop("Poland"),
    "country_LV": gettext_noop("Latvia"),
    "country_LT": gettext_noop("Lithuania"),
    "country_EE": gettext_noop("Estonia"),
    "country_QA": gettext_noop("Qatar"),
    "country_TR": gettext_noop("Türkiye"),
    "country_VA": gettext_noop("Vatican City"),
    "country_MD": gettext_noop("Moldova"),
    "country_GE": gettext_noop("Georgia"),
    "country_KZ": gettext_noop("Kazakhstan"),
}

COUNTRY_NAMES = {
    key.removeprefix("country_"): text for key, text in MESSAGES.items()
    if key.startswith("country_")
}

@dataclass(frozen=True)
class ReasonList:
    """A list of translated items joined with ", " and " or " ("A, B or C")."""

    items: tuple[Reason | str, ...]

    def render(self, translate: Translate = _identity) -> str:
        texts = [_render_param(item, translate) for item in self.items]
        if len(texts) <= 1:
            return "".join(texts)
        separator = translate(MESSAGES["list_separator"])
        last = translate(MESSAGES["list_last_separator"])
        return separator.join(texts[:-1]) + last + texts[-1]


@dataclass(frozen=True)
class Reason:
    """A sentence to show a person: a template key from :data:`MESSAGES` and its values.

    ``str(reason)`` is the English text; ``reason.render(gettext)`` translates it.
    """

    code: str
    params: Mapping[str, str | int | Reason | ReasonList] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in MESSAGES:
            raise KeyError(f"no message template {self.code!r}")

    def render(self, translate: Translate = _identity) -> str:
        values = {name: _render_param(value, translate) for name, value in self.params.items()}
        return translate(MESSAGES[self.code]).format(**values)

    def __str__(self) -> str:
        return self.render()

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted((k, str(v)) for k, v in self.params.items()))))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reason):
            return NotImplemented
        return self.code == other.code and str(self) == str(other)


def _render_param(value: object, translate: Translate) -> str:
    if isinstance(value, Reason | ReasonList):
        return value.render(translate)
    return str(value)


def country_name(code: str) -> Reason | str:
    """The translatable name of a country, or the code itself when we have no name."""
    return Reason(f"country_{code}") if f"country_{code}" in MESSAGES else code


def document_name(code: str) -> Reason:
    return Reason(f"doc_{code}")


def mode_name(code: str) -> Reason:
    return Reason(f"mode_{code}")


def kind_name(code: str) -> Reason:
    return Reason(f"kind_{code}")


def one_of(items: list[Reason | str]) -> ReasonList:
    return ReasonList(tuple(items))
