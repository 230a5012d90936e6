"""The layer order of docs/architecture.md holds in the code: no app imports a higher one.

The imports of every module under ``src/reunite/`` are read from its syntax tree (nested and
``TYPE_CHECKING`` imports included, nothing is executed). A Django package may import the
packages below it in ``LAYERS`` and any engine; an engine (every other package) imports no
Django and no Django package of Reunite.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "reunite"

# Lowest first: the same order as the table in docs/architecture.md ("Layers").
LAYERS: tuple[str, ...] = (
    "accounts",  # organisations, roles, the policy
    "audit",  # the hash-chained audit log
    "core",  # Acting, the API style, shared form pieces
    "jobs",  # background jobs (django-tasks queue in the database), progress pages
    "registry",  # children, tracing requests, persons
    "cases",  # cases, their timeline, transitions and guards
    "matching",  # candidate pairs, reviews; a confirmed match opens or moves a case
    "verification",  # evidence, decisions, best interests; guards "approved" on cases
    "reunification",  # rounds, transfers, custody, follow-up
    "web",  # the dashboard and the registry screens, the base templates
    "exchange",  # the direct channel between installations: the top app
    "demo",  # the demo set-up, which drives every app through its actions
    "cli",  # the reunite command
    "config",  # settings and the URL tree
)
DJANGO_ROOTS = ("django", "rest_framework", "drf_spectacular", "django_htmx")


def imports_of(path: Path, package: str) -> Iterator[tuple[int, str]]:
    """Every module name the file imports, with its line (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield node.lineno, module


def top_packages(src: Path) -> list[str]:
    return sorted(p.name for p in src.iterdir() if p.is_dir() and (p / "__init__.py").exists())


def violations(src: Path, layers: tuple[str, ...]) -> list[str]:
    """Each import that breaks the layer order, as ``file:line: message``."""
    found = []
    rank = {name: index for index, name in enumerate(layers)}
    for package in top_packages(src):
        is_app = (src / package / "apps.py").exists()
        if is_app and package not in rank:
            found.append(f"{package}: a Django app missing from LAYERS; give it its place")
            continue
        for path in sorted((src / package).rglob("*.py")):
            relative = path.relative_to(src.parent)
            dotted = ".".join(relative.with_suffix("").parts)
            if path.name != "__init__.py":
                dotted = dotted.rsplit(".", 1)[0]
            for line, module in imports_of(path, dotted):
                root, _, rest = module.partition(".")
                where = f"{relative}:{line}"
                if package not in rank:  # an engine
                    if root in DJANGO_ROOTS:
                        found.append(f"{where}: the engine {package} imports {module}")
                    elif root == "reunite" and rest.split(".")[0] in rank:
                        found.append(f"{where}: the engine {package} imports {module}")
                    continue
                target = rest.split(".")[0] if root == "reunite" else ""
                if target in rank and rank[target] > rank[package]:
                    found.append(f"{where}: {package} imports the higher layer {module}")
    return found


def test_no_package_imports_a_higher_layer() -> None:
    assert violations(SRC, LAYERS) == []


def test_every_listed_layer_exists() -> None:
    missing = [name for name in LAYERS if not (SRC / name / "__init__.py").exists()]
    assert missing == []


HIGHER = "imports the higher layer"
CASES_MODELS = "from reunite.cases.models import Case\n"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # A lower app importing a higher one.
        (
            {"registry/apps.py": "", "registry/models.py": CASES_MODELS, "cases/apps.py": ""},
            [f"reunite/registry/models.py:1: registry {HIGHER} reunite.cases.models"],
        ),
        # The same, hidden inside a function and written as a relative import.
        (
            {"cases/apps.py": "", "verification/apps.py": "",
             "cases/views.py": "def f():\n    from ..verification import status\n"},
            [f"reunite/cases/views.py:2: cases {HIGHER} reunite.verification"],
        ),
        # An engine importing Django, and one importing an app.
        (
            {"names/_x.py": "import django.db\n", "synth/_y.py": "from reunite.registry import x\n",
             "registry/apps.py": ""},
            ["reunite/names/_x.py:1: the engine names imports django.db",
             "reunite/synth/_y.py:1: the engine synth imports reunite.registry"],
        ),
        # A new app nobody placed.
        (
            {"newapp/apps.py": ""},
            ["newapp: a Django app missing from LAYERS; give it its place"],
        ),
        # Downward imports are fine.
        (
            {"cases/apps.py": "", "registry/apps.py": "",
             "cases/models.py": "from reunite.registry.models import Child\nimport reunite.names\n",
             },
            [],
        ),
    ],
)  # fmt: skip
def test_the_checker_finds_each_kind_of_violation(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    src = tmp_path / "reunite"
    for name, text in files.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(text, encoding="utf-8")
    assert violations(src, LAYERS) == expected
