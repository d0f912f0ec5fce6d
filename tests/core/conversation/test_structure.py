"""The dialogue's shape stays readable: steps over a context with no way back to the engine, every public
function documented, every choice id the replies make handled by one tap."""
from __future__ import annotations

import ast
from pathlib import Path

import core.conversation
from core.conversation import Stage
from core.conversation.engine import STAGE_TEXT
from core.conversation.steps.taps import TAPS

PACKAGE = Path(core.conversation.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))


def test_no_step_imports_the_engine() -> None:
    for path in MODULES:
        if path.name == "engine.py" or path.name == "__init__.py" and path.parent == PACKAGE:
            continue
        imported = {node.module for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ImportFrom)}
        assert "core.conversation.engine" not in imported and "core.conversation" not in imported, path


def test_every_public_function_has_a_docstring() -> None:
    missing = [f"{path.relative_to(PACKAGE)}:{node.name}" for path in MODULES
               for node in ast.walk(ast.parse(path.read_text()))
               if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and not ast.get_docstring(node)]
    assert missing == []


def test_every_choice_id_prefix_the_replies_make_has_a_tap() -> None:
    made = set()
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "id" and isinstance(node.value, ast.JoinedStr):
                head = node.value.values[0]
                if isinstance(head, ast.Constant):
                    made.add(str(head.value).partition(":")[0])
            elif isinstance(node, ast.keyword) and node.arg == "id" and isinstance(node.value, ast.Constant):
                made.add(str(node.value.value).partition(":")[0])
    kitchen_choices = {"merchant", "merchants"}  # handled by the kitchen step before any tap
    assert made - kitchen_choices <= set(TAPS), made - set(TAPS)
    assert {"add", "cat", "ful", "time", "checkout", "confirm", "menu"} <= made


def test_every_stage_says_what_typed_text_means_there() -> None:
    assert set(STAGE_TEXT) == set(Stage)
