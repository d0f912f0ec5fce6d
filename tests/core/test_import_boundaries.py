"""Dependencies point inwards: core imports no web, DB, HTTP-client or UI framework, nor server/apps."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE_FORBIDDEN = {"litestar", "sqlalchemy", "alembic", "httpx", "requests", "aiohttp", "flet", "kivy", "plyer",
                  "sqlite_utils", "server", "apps"}


def imported_modules(path: Path, package: str) -> set[str]:
    """Every module a file imports, relative imports resolved; also importlib.import_module("...") literals."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                found.add(node.module)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"import_module", "__import__"} and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def modules_under(top: str) -> list[tuple[Path, str]]:
    """(file, its package) for every Python file under ROOT/top."""
    out = []
    for path in sorted((ROOT / top).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        out.append((path, ".".join(parts[:-1])))  # a module's package, or an __init__'s own package
    return out


def violations(top: str, forbidden: set[str]) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path, package in modules_under(top)
        for module in imported_modules(path, package)
        if module.split(".")[0] in forbidden
    )


def test_the_walker_sees_every_kind_of_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import litestar.app\nfrom sqlalchemy import orm\nfrom . import sibling\nfrom ..server import x\n"
        "import importlib\nimportlib.import_module('httpx')\n__import__('flet')\n"
        "def later():\n    import kivy\n",
        encoding="utf-8")
    assert imported_modules(sample, "core.orders") == {
        "litestar.app", "sqlalchemy", "core.orders", "core.server", "importlib", "httpx", "flet", "kivy"}


def test_core_is_found():
    files = {str(p.relative_to(ROOT)) for p, _ in modules_under("core")}
    assert {"core/money.py", "core/orders/pricing.py", "core/orders/handlers.py"} <= files


def test_core_imports_no_framework_server_or_apps():
    assert violations("core", CORE_FORBIDDEN) == []


def test_core_relative_imports_stay_inside_core():
    outside = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path, package in modules_under("core")
        for module in imported_modules(path, package)
        if module.startswith(("core.server", "core.apps"))
    )
    assert outside == []


def test_apps_never_import_the_server():
    if not (ROOT / "apps").is_dir():
        pytest.skip("no apps/ package yet")
    assert violations("apps", {"server", "litestar", "sqlalchemy", "alembic"}) == []


def test_the_ui_free_client_imports_no_ui():
    if not (ROOT / "apps" / "client").is_dir():
        pytest.skip("no apps/client package yet")
    assert violations("apps/client", {"flet", "kivy", "server"}) == []
