"""Which way the imports point (../shared/DESIGN.md): ``config`` wires everything and nothing
imports it; ``core`` is the kernel below every app and imports none; each domain app imports only
the floors below it; ``demo`` seeds them all, so it sits on top and no app imports it. The Stripe
fakes (``stripe_fakes``) are for tests and the benchmark only. Read from the source with ``ast``,
so an import inside a function counts too.

    config / bench → demo → backoffice → booking → shop → cms → media_pipeline → accounts → core
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

# Each floor, and the first-party floors it must never import (everything above it, and config).
FLOORS = ["core", "accounts", "media_pipeline", "cms", "shop", "booking", "backoffice", "demo"]
FIRST_PARTY = {*FLOORS, "config", "bench", "tests", "stripe_fakes"}


def forbidden_for(floor: str) -> set[str]:
    above = set(FLOORS[FLOORS.index(floor) + 1 :])
    return above | {"config", "bench", "tests", "stripe_fakes"}


def imported_packages(path: Path) -> set[tuple[str, int]]:
    """(top-level first-party package, line) for every import in the module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update((name.split(".")[0], node.lineno) for name in names if name.split(".")[0] in FIRST_PARTY)
    return found


def modules_of(floor: str) -> list[Path]:
    return sorted(path for path in (ROOT / floor).rglob("*.py") if "migrations" not in path.parts)


@pytest.mark.parametrize("floor", FLOORS)
def test_no_floor_imports_config_or_a_floor_above_it(floor):
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        for path in modules_of(floor)
        for package, line in imported_packages(path)
        if package in forbidden_for(floor)
    ]
    assert wrong == []


def test_every_first_party_package_has_a_floor():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    assert packages - {"config", "bench", "tests", "stripe_fakes"} <= set(FLOORS)
