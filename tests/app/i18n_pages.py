"""Helpers of the translation tests: message ids in the source, and the words a page shows."""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

from django.utils.translation.template import templatize

SRC = Path(__file__).resolve().parents[2] / "src" / "reunite"
# Engines have no Django and no catalogue; the locale and migrations hold no messages.
SKIP_DIRS = {"locale", "migrations", "names", "linkage", "kinship", "synth", "interchange"}
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy",
                 "pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy", "_g"}  # fmt: skip


def _sources(suffix: str) -> list[Path]:
    return [
        p
        for p in sorted(SRC.rglob(f"*{suffix}"))
        if not SKIP_DIRS & set(p.relative_to(SRC).parts[:-1])
    ]


def _ids_from_python(text: str) -> set[str]:
    ids = set()
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_NAMES or not node.args:
            continue
        args = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if not args or not all(isinstance(a, str) for a in args):
            continue
        if name.startswith(("pgettext", "npgettext")):
            ids.add(f"{args[0]}\x04{args[1]}")
        else:
            ids.add(args[0])
    return ids


def source_message_ids() -> set[str]:
    """Every message id marked in the application's Python files and templates."""
    ids: set[str] = set()
    for path in _sources(".py"):
        ids |= _ids_from_python(path.read_text(encoding="utf-8"))
    for path in _sources(".html"):
        # Django's own conversion of a template into gettext calls (what makemessages uses).
        converted = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        converted = re.sub(r"^\s*#.*$", "", converted, flags=re.M)
        for match in re.finditer(
            r"\b(n?p?gettext)\(((?:[^()'\"]|'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\")*)\)", converted
        ):
            try:
                args = ast.literal_eval(f"({match.group(2)},)")
            except (SyntaxError, ValueError):
                continue
            strings = [a for a in args if isinstance(a, str)]
            if match.group(1).startswith(("pgettext", "npgettext")) and len(strings) >= 2:
                ids.add(f"{strings[0]}\x04{strings[1]}")
            elif strings:
                ids.add(strings[0])
    return ids


class VisibleText(HTMLParser):
    """The words a user reads: text outside scripts, styles and code, and labelling attributes."""

    SKIPPED = {"script", "style", "code", "pre"}
    ATTRIBUTES = {"placeholder", "aria-label", "title", "alt", "data-label"}

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.open_tags: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Marked as English or "do not translate" (HTML's translate="no"): engine output.
        if tag in self.SKIPPED or ("translate", "no") in attrs or ("lang", "en") in attrs:
            self.depth += 1
            self.open_tags.append(tag)
            return
        if self.depth and tag in self.open_tags:
            self.depth += 1
            self.open_tags.append(tag)
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.parts.append(value)
            if tag == "input" and name == "value" and ("type", "submit") in attrs and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self.open_tags and tag == self.open_tags[-1]:
            self.open_tags.pop()
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'’-]*[A-Za-z0-9]|[A-Za-z]")
