"""Named STR locus sets and locus-name normalisation.

Labs spell loci differently ("vWA", "VWA", "THO1", "Penta D", "PENTA_D"); every name is
reduced to a key (upper case, no spaces, dashes, dots or underscores, letter O read as
zero in TH01) and mapped to one canonical spelling.

Sets:
* CODIS core 20 (FBI, in force since 1 January 2017): the original 13 plus D1S1656,
  D2S441, D2S1338, D10S1248, D12S391, D19S433, D22S1045.
* European Standard Set (ENFSI/Council Resolution 2009/C 296/01): 12 loci, all within the
  CODIS 20.
* Extras commonly typed by commercial kits: Penta D, Penta E, SE33.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

CODIS_CORE_20: tuple[str, ...] = (
    "CSF1PO", "FGA", "TH01", "TPOX", "vWA", "D3S1358", "D5S818", "D7S820", "D8S1179",
    "D13S317", "D16S539", "D18S51", "D21S11", "D1S1656", "D2S441", "D2S1338", "D10S1248",
    "D12S391", "D19S433", "D22S1045",
)  # fmt: skip
EUROPEAN_STANDARD_SET: tuple[str, ...] = (
    "D3S1358", "vWA", "D8S1179", "D21S11", "D18S51", "TH01", "FGA", "D1S1656", "D2S441",
    "D10S1248", "D12S391", "D22S1045",
)  # fmt: skip
EXTRA_LOCI: tuple[str, ...] = ("Penta D", "Penta E", "SE33")
KNOWN_LOCI: tuple[str, ...] = CODIS_CORE_20 + EXTRA_LOCI

#: Sex-typing marker: accepted in profile files (values X/Y) but never used in an LR.
AMELOGENIN = "Amelogenin"
_AMEL_KEYS = {"AMEL", "AMELOGENIN", "AM"}

_NON_KEY = re.compile(r"[\s_\-.]+")


@cache
def locus_key(name: str) -> str:
    """Return the comparison key of a locus name (case, spacing and TH01/THO1 folded)."""
    key = _NON_KEY.sub("", name).upper()
    if key == "THO1":
        key = "TH01"
    return key


_CANONICAL: dict[str, str] = {locus_key(n): n for n in KNOWN_LOCI}


def canonical_locus(name: str, extra: Iterable[str] = ()) -> str | None:
    """Return the canonical spelling of ``name`` or ``None`` if the locus is unknown.

    ``extra`` lists further accepted loci (e.g. those of a lab's frequency database).
    """
    key = locus_key(name)
    if key in _CANONICAL:
        return _CANONICAL[key]
    for other in extra:
        if locus_key(other) == key:
            return other
    return None


def is_amelogenin(name: str) -> bool:
    return locus_key(name) in _AMEL_KEYS
