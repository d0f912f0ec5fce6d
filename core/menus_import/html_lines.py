"""A page's DOM flattened into the reading order a person sees: headings, lines, table rows, term pairs.

The menu heuristics work on this stream instead of the DOM, so odd markup (divs for everything, missing
closing tags) changes little: what matters is which texts stand on a line of their own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "head", "nav", "footer", "form", "select",
         "button", "object", "canvas", "video", "audio", "map"}
_BLOCK = {"address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog", "div",
          "dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
          "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
          "thead", "tr", "ul", "html"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
MAX_EVENTS = 20_000  # a menu has hundreds of lines; past this the page is not a menu worth reading


@dataclass
class Line:
    """Text standing on its own line. `level` is set for h1-h6 text; `ancestors` are DOM node ids."""

    text: str
    node: LexborNode
    ancestors: list[int]
    level: int | None = None
    classes: str = ""


@dataclass
class Row:
    """A table row: its cell texts, whether it is a header row, and the column labels above it."""

    cells: list[str]
    header: bool
    node: LexborNode
    labels: list[str] = field(default_factory=list)


@dataclass
class TermPair:
    """A <dt> with its <dd>s from a definition list."""

    term: str
    definitions: list[str]
    node: LexborNode


Event = Line | Row | TermPair


def _text(node: LexborNode) -> str:
    return re.sub(r"\s+", " ", node.text(deep=True, separator=" ") or "").strip()


def _ancestor_ids(node: LexborNode) -> list[int]:
    ids, current = [], node
    while current is not None:
        ids.append(current.mem_id)
        current = current.parent
    return ids


def _classes(node: LexborNode) -> str:
    parts, current = [], node
    for _ in range(4):  # the item wrapper is rarely more than a few levels up
        if current is None:
            break
        parts.append(current.attributes.get("class") or "")
        current = current.parent
    return " ".join(p for p in parts if p).lower()


def _table_rows(table: LexborNode) -> list[Event]:
    events: list[Event] = []
    caption = table.css_first("caption")
    if caption is not None and _text(caption):
        events.append(Line(_text(caption), caption, _ancestor_ids(caption), level=7))
    labels: list[str] = []
    for tr in table.css("tr"):
        cells = [c for c in tr.iter() if c.tag in ("td", "th")]
        texts = [_text(c) for c in cells]
        if not any(texts):
            continue
        header = all(c.tag == "th" for c in cells) or (tr.parent is not None and tr.parent.tag == "thead")
        if header:
            labels = texts
        events.append(Row(texts, header, tr, labels=list(labels)))
    return events


def _definition_list(dl: LexborNode) -> list[Event]:
    events: list[Event] = []
    for child in dl.iter():
        node = child
        if child.tag == "div":  # HTML allows <div> wrappers around dt/dd groups
            for grand in child.iter():
                events.extend(_definition_list_item(grand, events))
            continue
        events.extend(_definition_list_item(node, events))
    return events


def _definition_list_item(node: LexborNode, events: list[Event]) -> list[Event]:
    if node.tag == "dt":
        return [TermPair(_text(node), [], node)]
    if node.tag == "dd" and events and isinstance(events[-1], TermPair):
        events[-1].definitions.append(_text(node))
    return []


def page_events(tree: LexborHTMLParser) -> list[Event]:
    """The page's body as an ordered list of Lines, Rows and TermPairs (tables and dls kept whole)."""
    root = tree.body or tree.root
    if root is None:
        return []
    events: list[Event] = []
    buffer: list[str] = []
    owners: list[LexborNode] = [root]

    def flush() -> None:
        text = re.sub(r"\s+", " ", "".join(buffer)).strip()
        buffer.clear()
        if not text:
            return
        owner = owners[-1]
        level = next((_HEADINGS[o.tag] for o in reversed(owners) if o.tag in _HEADINGS), None)
        events.append(Line(text, owner, _ancestor_ids(owner), level=level, classes=_classes(owner)))

    # Iterative walk with explicit exit markers: deeply nested junk HTML must not hit the recursion limit.
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack and len(events) < MAX_EVENTS:
        node, leaving = stack.pop()
        if leaving:
            flush()
            owners.pop()
            continue
        tag = node.tag
        if tag == "-text":
            buffer.append(node.text_content or "")
            continue
        if tag in _SKIP or tag is None or tag.startswith("-"):
            continue
        if tag == "br":
            flush()
            continue
        if tag == "table":
            flush()
            events.extend(_table_rows(node))
            continue
        if tag == "dl":
            flush()
            events.extend(_definition_list(node))
            continue
        children = list(node.iter(include_text=True))
        if tag in _BLOCK:
            flush()
            owners.append(node)
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(children))
    flush()
    return events
