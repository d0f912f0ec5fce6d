"""core.menus_import is pure: no HTTP client, no server, no web framework imports."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "core" / "menus_import"
FORBIDDEN = ("httpx", "requests", "urllib.request", "aiohttp", "server", "apps", "litestar", "sqlalchemy", "socket")


def test_no_io_framework_imports() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert not any(name == f or name.startswith(f + ".") for f in FORBIDDEN), f"{path.name} imports {name}"
