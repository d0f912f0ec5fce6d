"""apps/client is the UI-free runtime: it imports core, never server, Flet or Kivy."""
from __future__ import annotations

import ast
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[3] / "apps" / "client"
FORBIDDEN = ("server", "flet", "kivy", "plyer", "litestar", "sqlalchemy")


def test_apps_client_imports_no_server_and_no_ui() -> None:
    offenders = []
    for path in CLIENT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
