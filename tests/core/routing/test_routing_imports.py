"""core.routing stays pure: no web, DB, HTTP-client or UI framework, and nothing from server/apps."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"server", "apps", "litestar", "sqlalchemy", "alembic", "httpx", "requests", "flet", "kivy", "plyer",
             "asyncpg", "psycopg", "redis", "sqlite_utils"}
ROUTING = Path(__file__).resolve().parents[3] / "core" / "routing"


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_routing_imports_no_framework():
    files = sorted(ROUTING.glob("*.py"))
    assert len(files) >= 5
    offenders = {f.name: imported_roots(f) & FORBIDDEN for f in files if imported_roots(f) & FORBIDDEN}
    assert offenders == {}
