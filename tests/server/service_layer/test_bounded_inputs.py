"""Every number a client can send is bounded at the edge, so no value reaches the database or the pricing as
something it cannot hold (a max_uses past SQLite's 64-bit integers, a price of 1e1000)."""
from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from server.app import create_app
from server.settings import Settings


BOUNDS = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")


def _numbers(schema: Any, components: dict[str, Any], path: str, seen: set[str],
             inherited: dict[str, Any] | None = None) -> list[tuple[str, dict[str, Any]]]:
    """Every integer or number schema under `schema` (following $refs once each), with where it is; the
    branches of an anyOf (an optional number) carry the bounds declared beside it."""
    if isinstance(schema, list):
        return [n for i, item in enumerate(schema)
                for n in _numbers(item, components, f"{path}[{i}]", seen, inherited)]
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _numbers(components[name], components, name, seen)
    bounds = {**(inherited or {}), **{k: v for k, v in schema.items() if k in BOUNDS}}
    found = [(path, bounds)] if schema.get("type") in ("integer", "number") else []
    for key, value in schema.items():
        if key in ("properties", "patternProperties"):
            found += [n for name, sub in value.items() for n in _numbers(sub, components, f"{path}.{name}", seen)]
        elif key in ("anyOf", "oneOf", "allOf"):
            found += _numbers(value, components, path, seen, bounds)
        elif key in ("items", "additionalProperties", "prefixItems"):
            found += _numbers(value, components, path, seen)
    return found


def _unbounded(numbers: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [where for where, bounds in numbers
            if not ({"minimum", "exclusiveMinimum"} & bounds.keys() and {"maximum", "exclusiveMaximum"} & bounds.keys())]


def test_every_number_in_a_request_has_both_bounds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Bodies are checked on the models that validate them (pydantic's schema: Litestar's OpenAPI drops a
    bound of 0 on optional fields); query, path and header parameters on the OpenAPI document."""
    app = create_app(Settings.from_env({"MEALKITZ_DATA_DIR": str(tmp_path)}))
    unbounded: list[str] = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is None:
                continue
            schema = TypeAdapter(data.annotation).json_schema()
            unbounded += _unbounded(_numbers(schema, schema.get("$defs", {}), f"{route.path} body", set()))
    document = app.openapi_schema.to_schema()
    components = document.get("components", {}).get("schemas", {})
    for route_path, operations in document["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict):
                for parameter in operation.get("parameters", []):
                    unbounded += _unbounded(_numbers(parameter.get("schema", {}), components,
                                                     f"{method.upper()} {route_path} {parameter['name']}", set()))
    assert not sorted(set(unbounded)), "numbers a client can send without a bound"
