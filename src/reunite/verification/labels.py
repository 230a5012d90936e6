"""The kinship engine's relationship names and report wording in the user's language.

The engine (no Django) names relationships by code (``parent-child``) and words its
report in English; the screens translate through these tables. The verbal scale follows
the ENFSI (2015) guideline's bands, as the engine does (``reunite.kinship``).
"""

from __future__ import annotations

import math

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

RELATIONSHIPS: dict[str, Promise] = {
    "parent-child": _("Parent and child"),
    "full-siblings": _("Full siblings"),
    "half-siblings": _("Half siblings"),
    "grandparent": _("Grandparent and grandchild"),
    "avuncular": _("Uncle or aunt and nephew or niece"),
    "first-cousins": _("First cousins"),
    "unrelated": _("Unrelated"),
}

_BANDS: tuple[tuple[float, Promise], ...] = (
    (1_000_000, _("extremely strong support")),
    (10_000, _("very strong support")),
    (1_000, _("strong support")),
    (100, _("moderately strong support")),
    (10, _("moderate support")),
    (2, _("weak support")),
)


def kinship_relationship(name: str) -> str:
    label = RELATIONSHIPS.get(name)
    return str(label) if label is not None else name


def verbal(lr: float, relationship: str) -> str:
    """The LR on the ENFSI verbal scale, for the tested relationship against "unrelated"."""
    claim = kinship_relationship(relationship).lower()
    if lr == 0.0:
        return gettext(
            "Exclusion: the DNA profiles are incompatible with the tested relationship "
            "(%(relationship)s)."
        ) % {"relationship": claim}
    if math.isnan(lr):
        return gettext("No conclusion: the likelihood ratio is undefined.")
    for_claim = lr >= 1
    x = lr if for_claim else 1 / lr
    for lower, words in _BANDS:
        if x >= lower:
            if for_claim:
                return gettext(
                    "The DNA results provide %(support)s for the tested relationship "
                "(%(relationship)s) rather than for unrelated people."
                ) % {"support": words, "relationship": claim}
            return gettext(
                "The DNA results provide %(support)s for unrelated people rather than for the "
                "tested relationship (%(relationship)s)."
            ) % {"support": words, "relationship": claim}
    return gettext("The DNA results support neither proposition over the other (LR about 1).")
