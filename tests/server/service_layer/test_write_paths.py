"""Every write route and every sync operation reaches a use case in a feature's `service.py`; no controller
writes by itself (no unit of work of its own, no writer or engine calls).

Read from the code: each write handler (and the helpers of its own module it calls) is parsed, and what its
calls resolve to is looked up in the module it lives in.
"""
from __future__ import annotations

import ast
import inspect
import sys
import textwrap
from types import FunctionType, ModuleType
from typing import Any

from server.app import create_app
from server.settings import Settings
from server.sync.service import OPERATIONS

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Write routes that start a process of their own rather than one use case, and why.
NOT_A_USE_CASE = {
    # The optimiser's run (server.dispatch.planner) writes its plan through the writer like a job does.
    "/dispatch/replan",
    # Sets the Instagram account's ice breakers and menu on Meta's side; nothing is stored here.
    "/channels/instagram/profile",
    # Reads a page and says what a scrape would make of it; nothing is stored.
    "/merchants/{merchant_id:str}/scrape/preview",
    # Price a cart without placing it: a read.
    "/quotes",
}
# Modules of the API layer whose helpers a controller may call on its way to a use case.
API_HELPERS = ("server.api.order_intake",)
# Calls a controller never makes: writing outside the services.
FORBIDDEN_CALLS = {"write", "submit", "begin", "run_sync", "commit"}


def _is_use_case(target: Any) -> bool:
    return isinstance(target, FunctionType) and target.__module__.endswith(".service")


def _resolve(node: ast.expr, namespace: dict[str, Any]) -> Any:
    """What `a` or `a.b` names in the function's module (None when it is not a module-level name)."""
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, namespace)
        return getattr(owner, node.attr, None) if isinstance(owner, ModuleType) else None
    return None


def _functions(fn: FunctionType, owner: type | None) -> list[tuple[ast.AST, dict[str, Any]]]:
    """`fn`'s syntax tree and those of the API layer's functions (and owner's methods) it calls, once each."""
    todo, seen, trees = [fn], set(), []
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        namespace = sys.modules[current.__module__].__dict__
        tree = ast.parse(textwrap.dedent(inspect.getsource(current)))
        trees.append((tree, namespace))
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            func = call.func
            if isinstance(func, ast.Name):
                found = namespace.get(func.id)
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
                found = getattr(owner, func.attr, None)
            else:
                continue
            if isinstance(found, FunctionType) and found.__module__ in (fn.__module__, *API_HELPERS):
                todo.append(found)
    return trees


def _verdict(fn: FunctionType, owner: type | None) -> str | None:
    """None if `fn` reaches a use case and writes nothing itself; otherwise what is wrong."""
    reached = False
    for tree, namespace in _functions(fn, owner):
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "uow":
                return "builds a unit of work of its own"
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr in FORBIDDEN_CALLS:
                return f"calls .{node.func.attr}() itself"
            if node.func.attr in ("execute", "execute_sync") and node.args:
                reached = reached or _is_use_case(_resolve(node.args[0], namespace))
    return None if reached else "reaches no use case of a service module"


def _write_routes() -> list[tuple[str, str, FunctionType, type | None]]:
    app = create_app(Settings.from_env({"MEALKITZ_DATA_DIR": "/nonexistent-for-routes"}), migrate=False)
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            methods = set(getattr(handler, "http_methods", ())) & WRITE_METHODS
            if methods and route.path not in NOT_A_USE_CASE:
                fn, owner = handler.fn, None
                if inspect.ismethod(fn):  # a controller's method
                    fn, owner = fn.__func__, type(fn.__self__)
                fn = getattr(fn, "func", fn)  # a plain function, as Litestar wraps it
                found.extend((m, route.path, fn, owner) for m in sorted(methods))
    return found


def test_every_write_route_reaches_a_service_use_case() -> None:
    routes = _write_routes()
    assert len(routes) > 30  # the walk found the API
    problems = {f"{method} {path}": why for method, path, fn, owner in routes
                if (why := _verdict(fn, owner)) is not None}
    assert problems == {}


def test_every_sync_operation_reaches_a_service_use_case() -> None:
    problems = {}
    for (entity, op), handler in OPERATIONS.items():
        namespace = sys.modules[handler.__module__].__dict__
        tree = ast.parse(textwrap.dedent(inspect.getsource(handler)))
        calls = [_resolve(n.func, namespace) for n in ast.walk(tree) if isinstance(n, ast.Call)]
        if not any(_is_use_case(c) and c is not handler for c in calls):
            problems[f"{entity}.{op}"] = "reaches no use case of a service module"
    assert problems == {}


def test_the_check_catches_a_controller_that_writes_by_itself() -> None:
    async def writes_itself(services: Any) -> None:
        def unit(uow: Any) -> None:
            uow.conn.execute("DELETE FROM orders")
        await services.write(unit)

    assert _verdict(writes_itself, None) == "calls .write() itself"
