"""Rooms a reader holds in mind: no production module over 400 lines, no function over 60
(migrations, tests and benchmarks aside). A file that must be longer is named here, with why."""

from __future__ import annotations

import ast

from tests.core.test_import_cycles import module_files
from tests.helpers import ROOT

MODULE_LINES = 400
FUNCTION_LINES = 60
# path -> why it may be longer
LONGER_MODULES: dict[str, str] = {}
LONGER_FUNCTIONS: dict[str, str] = {}


def test_no_module_is_longer_than_a_reader_holds_in_mind():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in module_files().values()
        if (lines := len(path.read_text().splitlines())) > MODULE_LINES
    }
    assert {path: lines for path, lines in long.items() if path not in LONGER_MODULES} == {}


def test_no_function_is_longer_than_a_screen():
    long = {}
    for path in module_files().values():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                where = f"{path.relative_to(ROOT)}:{node.name}"
                if lines > FUNCTION_LINES and where not in LONGER_FUNCTIONS:
                    long[where] = lines
    assert long == {}
