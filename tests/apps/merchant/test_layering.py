"""The merchant app's layers: state is pure, views are dumb, only adapter.py talks to apps/client."""
from __future__ import annotations

import ast
from pathlib import Path

MERCHANT = Path(__file__).resolve().parents[3] / "apps" / "merchant"


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    return [f"{p.relative_to(MERCHANT)}: {m}" for p in sorted((MERCHANT / folder).rglob("*.py"))
            for m in sorted(imports(p)) if m.startswith(forbidden)]


def test_state_is_pure() -> None:
    assert offenders("state", ("flet", "httpx", "sqlite", "sqlite_utils", "apps.client", "server", "websockets")) == []


def test_views_never_touch_the_network_or_the_store() -> None:
    assert offenders("views", ("httpx", "sqlite", "sqlite_utils", "apps.client.store", "apps.client.outbox",
                               "apps.client.sync", "server", "websockets")) == []


def test_nothing_imports_the_server() -> None:
    assert [f"{p.name}: {m}" for p in MERCHANT.rglob("*.py") for m in imports(p) if m.startswith("server")] == []
