"""Compile the translation catalogues (``locale/*/LC_MESSAGES/django.po`` → ``.mo``).

The ``.po`` files are the source kept in git; the binary ``.mo`` files Django reads are
built from them by ``make`` (install, demo, serve, test), by the test suite at start-up and
by ``reunite demo``. polib compiles them in pure Python, so no system ``gettext`` is needed.
Run ``python -m reunite.web.catalogues`` to rebuild by hand.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def stale_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """The ``.po`` files whose ``.mo`` is missing or older than the ``.po``."""
    stale = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            stale.append(po_path)
    return stale


def compile_catalogues(locale_dir: Path = LOCALE_DIR, *, force: bool = False) -> list[Path]:
    """Write the ``.mo`` of every stale (or, with ``force``, every) catalogue; returns them."""
    import polib

    sources = (
        sorted(locale_dir.glob("*/LC_MESSAGES/*.po")) if force else stale_catalogues(locale_dir)
    )
    written = []
    for po_path in sources:
        mo_path = po_path.with_suffix(".mo")
        catalogue = polib.pofile(str(po_path))
        # Written next to the target and renamed: a reader never sees half a file.
        fd, tmp_name = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        os.close(fd)
        try:
            catalogue.save_as_mofile(tmp_name)
            os.replace(tmp_name, mo_path)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
        written.append(mo_path)
    return written


def main() -> None:
    written = compile_catalogues(force="--force" in sys.argv)
    for path in written:
        print(f"compiled {path}")


if __name__ == "__main__":
    main()
