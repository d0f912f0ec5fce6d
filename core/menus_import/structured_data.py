"""JSON-LD, microdata and RDFa brought to one shape: trees of schema.org nodes.

A node is a dict: "@type" -> list of short type names ('MenuItem'), "@id" -> str (optional), and each
property (short name, 'hasMenuItem') -> list of values, each a str, a Decimal/int or another node.
Whatever syntax a page used, the same markup gives the same tree, so mapping is written once.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import extruct
from selectolax.lexbor import LexborHTMLParser

Node = dict[str, Any]

_PREFIXES = ("https://schema.org/", "http://schema.org/", "schema:", "https://schema.org#", "http://schema.org#")
_MAX_DEPTH = 40  # menus nest a few levels; anything deeper is a reference cycle or hostile input


def short_name(name: str) -> str:
    """'https://schema.org/MenuItem' -> 'MenuItem'."""
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _clean_text(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def _load_json_ld(text: str) -> Any:
    # parse_float=Decimal: a price of 3.10 written as a JSON number must not pass through float.
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError:
        pass
    # Common real-world damage: HTML comments or CDATA around the JSON, trailing commas.
    repaired = re.sub(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$", "", text.strip())
    repaired = re.sub(r",\s*([}\]])", r"\1", repaired)
    try:
        return json.loads(repaired, parse_float=Decimal, strict=False)
    except ValueError:
        return None


def json_ld_documents(html: str) -> list[Any]:
    """Parsed bodies of every <script type="application/ld+json"> that holds valid (or mendable) JSON."""
    tree = LexborHTMLParser(html)
    documents = []
    for script in tree.css("script"):
        kind = (script.attributes.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json":
            continue
        loaded = _load_json_ld(script.text(deep=True) or "")
        if loaded is not None:
            documents.append(loaded)
    return documents


def _flatten_json_ld(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, list):
        return [d for part in document for d in _flatten_json_ld(part)]
    if isinstance(document, dict):
        if "@graph" in document:
            return _flatten_json_ld(document["@graph"])
        return [document]
    return []


def _normalise(value: Any, depth: int = 0) -> list[Any]:
    """Any syntax's value -> list of plain values and nodes (references stay as {'@ref': id})."""
    if depth > _MAX_DEPTH:
        return []
    if isinstance(value, list):
        return [v for item in value for v in _normalise(item, depth + 1)]
    if isinstance(value, str):
        return [_clean_text(value)]
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return [value]
    if not isinstance(value, dict):
        return []
    if "@value" in value:
        return _normalise(value["@value"], depth + 1)
    if "@list" in value:
        return _normalise(value["@list"], depth + 1)
    if set(value) == {"@id"}:
        return [{"@ref": str(value["@id"])}]
    node: Node = {"@type": [short_name(t) for t in _normalise(value.get("@type", []), depth + 1) if isinstance(t, str)]}
    if "@id" in value:
        node["@id"] = str(value["@id"])
    for key, raw in value.items():
        if key.startswith("@"):
            continue
        node.setdefault(short_name(key), []).extend(_normalise(raw, depth + 1))
    return [node]


def _resolve(value: Any, index: dict[str, Node], seen: frozenset[str], depth: int = 0) -> Any:
    if not isinstance(value, dict) or depth > _MAX_DEPTH:
        return value
    if "@ref" in value:
        target = index.get(value["@ref"])
        if target is None or value["@ref"] in seen:
            return value["@ref"]  # an external IRI, e.g. https://schema.org/GlutenFreeDiet
        return _resolve(target, index, seen | {value["@ref"]}, depth + 1)
    resolved: Node = {}
    for key, values in value.items():
        if key in ("@type", "@id"):
            resolved[key] = values
        else:
            resolved[key] = [_resolve(v, index, seen, depth + 1) for v in values]
    return resolved


def _references(value: Any, into: set[str]) -> None:
    if isinstance(value, dict):
        if "@ref" in value:
            into.add(value["@ref"])
            return
        for key, values in value.items():
            if key not in ("@type", "@id"):
                for v in values:
                    _references(v, into)


def _trees(raw_nodes: list[Any]) -> list[Node]:
    """Resolve @id references and return the root nodes (those nothing else points to)."""
    nodes = [n for raw in raw_nodes for n in _normalise(raw) if isinstance(n, dict) and "@ref" not in n]
    index = {n["@id"]: n for n in nodes if "@id" in n and len(n) > 2}
    referenced: set[str] = set()
    for n in nodes:
        _references(n, referenced)
    roots = [n for n in nodes if n.get("@type") and n.get("@id") not in referenced]
    return [_resolve(n, index, frozenset({n["@id"]}) if "@id" in n else frozenset()) for n in roots]


def _document_order(tree: Node, html: str) -> None:
    """RDFa comes back as an unordered graph; put multi-valued properties back in page order.

    A node's place is where its most telling literal (name, then price, then any) first appears after
    its parent's place, so repeated words elsewhere on the page do not shuffle it.
    """
    flat = _clean_text(html)

    def place(value: Any, start: int) -> int:
        if isinstance(value, dict):
            literals = [v for key in ("name", "price", "description") for v in value.get(key, [])
                        if isinstance(v, str)]
            literals += [v for key, vs in value.items() if not key.startswith("@") for v in vs if isinstance(v, str)]
        else:
            literals = [str(value)]
        for literal in literals:
            found = flat.find(literal, start) if len(literal) > 1 else -1
            if found >= 0:
                return found
        return len(flat)

    stack: list[tuple[Node, int]] = [(tree, 0)]
    while stack:
        node, start = stack.pop()
        for key, values in node.items():
            if key in ("@type", "@id"):
                continue
            if len(values) > 1:
                values.sort(key=lambda v: place(v, start))
            stack.extend((v, place(v, start)) for v in values if isinstance(v, dict))


def structured_trees(html: str, url: str) -> dict[str, list[Node]]:
    """Root nodes per syntax: {'json-ld': [...], 'microdata': [...], 'rdfa': [...]}. Never raises on bad markup."""
    result: dict[str, list[Node]] = {"json-ld": [], "microdata": [], "rdfa": []}
    try:
        result["json-ld"] = _trees([d for doc in json_ld_documents(html) for d in _flatten_json_ld(doc)])
    except Exception:  # noqa: BLE001 - hostile markup must cost us the syntax, not the scrape
        result["json-ld"] = []
    lowered = html.lower()
    # Skip the costly parsers when their attributes are absent (RDFa's pyRdfa walks every node).
    present = {"microdata": "itemscope" in lowered,
               "rdfa": any(mark in lowered for mark in ("typeof=", "property=", "vocab=", "about="))}
    for syntax in ("microdata", "rdfa"):
        if not present[syntax]:
            continue
        try:
            data = extruct.extract(html, base_url=url or None, syntaxes=[syntax], uniform=True, errors="ignore")
            result[syntax] = _trees(data.get(syntax, []))
        except Exception:  # noqa: BLE001 - extruct's parsers raise many types on broken pages
            result[syntax] = []
    for tree in result["rdfa"]:
        _document_order(tree, html)
    return result
