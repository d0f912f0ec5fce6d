"""Docstrings where a newcomer needs them: every public function and method of core/ and of the server's
service modules (the use cases) says what it does."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _public_functions(path: Path) -> list[tuple[str, ast.AST]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, ast.AST]] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            found += [(f"{node.name}.{m.name}", m) for m in node.body
                      if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and not m.name.startswith("_")]
    return found


def test_public_functions_of_core_and_services_have_docstrings() -> None:
    files = sorted([*ROOT.glob("core/**/*.py"), *ROOT.glob("server/*/service.py")])
    assert len(files) > 50
    missing = [f"{path.relative_to(ROOT)}:{node.lineno} {name}"  # type: ignore[attr-defined]
               for path in files for name, node in _public_functions(path) if not ast.get_docstring(node)]
    assert missing == []
