"""Menus without markup: read headings, lines, tables and term lists that carry prices.

The DOM tells items apart: an item's *wrapper* is its price line's highest ancestor holding no other
price. Lines inside the wrapper belong to the item; pages without wrappers (flat siblings) are read by
position, with lower confidence. Below REVIEW_THRESHOLD a person checks the item before it is used.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

from core.menus_import.heuristic_items import Draft, clean, finish, is_price_only, leftover, split_line, tidy_name
from core.menus_import.html_lines import Event, Line, Row, TermPair, page_events
from core.menus_import.markers import is_sold_out_text, strip_sold_out
from core.menus_import.model import ScrapedSection
from core.menus_import.prices import PriceMatch, find_prices

MIN_ITEMS = 2  # one priced sentence ("minimum order $20") is not a menu
_DROP_BELOW = 0.25


@dataclass
class _Section:
    name: str
    level: int
    items: list[Draft] = field(default_factory=list)
    children: list["_Section"] = field(default_factory=list)


def _marker_only(line: Line) -> bool:
    return is_sold_out_text(line.text) and len(line.text.split()) <= 3


class _Page:
    """Events with their prices, and how many priced events sit under each DOM node."""

    def __init__(self, events: list[Event], default_currency: str | None) -> None:
        self.events = events
        self.prices: list[list[PriceMatch]] = [
            find_prices(e.text, default_currency) if isinstance(e, Line) else [] for e in events]
        # Tables and definition lists are read whole, so only free-standing price lines count here.
        self.count: Counter[int] = Counter()
        for event, prices in zip(events, self.prices):
            if prices and isinstance(event, Line):
                self.count.update(event.ancestors)

    def wrapper(self, line: Line) -> int | None:
        """Node id of the item wrapper around a price line, or None on a flat page."""
        best = None
        for ancestor in line.ancestors[1:]:  # [0] is the line's own block; a wrapper holds more than that
            if self.count[ancestor] != 1:
                break
            best = ancestor
        return best

    def is_item_heading(self, index: int) -> bool:
        """A heading names an item when its price follows on its own line, at most one plain line later,
        inside the same wrapper, and it is the only price before the next heading of its rank."""
        heading = self.events[index]
        assert isinstance(heading, Line) and heading.level is not None
        plain: list[Line] = []
        for j in range(index + 1, min(index + 5, len(self.events))):
            event = self.events[j]
            if not isinstance(event, Line) or event.level is not None:
                return False
            if not self.prices[j]:
                if not _marker_only(event):
                    plain.append(event)
                if len(plain) > 1:
                    return False
                continue
            if not is_price_only(event.text, self.prices[j]):
                return False
            if plain and not self._shared_wrapper_holds(event, plain[0], heading):
                return False
            return self._prices_until_next_heading(index) == 1
        return False

    def _shared_wrapper_holds(self, price: Line, other: Line, heading: Line) -> bool:
        common = next((a for a in price.ancestors if a in other.ancestors), None)
        return common is not None and common in heading.ancestors

    def _prices_until_next_heading(self, index: int) -> int:
        level = self.events[index].level  # type: ignore[union-attr]
        total = 0
        for j in range(index + 1, len(self.events)):
            event, prices = self.events[j], self.prices[j]
            if isinstance(event, Line) and event.level is not None and event.level <= level and not prices:
                break
            total += 1 if prices or isinstance(event, (Row, TermPair)) else 0
            if total > 1:
                break  # only "exactly one" matters; stop early on long sections
        return total


class _Reader:
    """Walks the events once, keeping open sections and the lines no item has claimed yet."""

    def __init__(self, page: _Page) -> None:
        self.page = page
        self.roots: list[_Section] = []
        self.stack: list[_Section] = []
        self.pending: list[Line] = []
        self.last: Draft | None = None
        self.last_wrapper: int | None = None
        # On flat pages the first item shows the layout: description before the price, or after it.
        self.flat_description_first: bool | None = None

    def open_section(self, name: str, level: int) -> None:
        self.release_pending()
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        section = _Section(clean(name) or name, level)
        (self.stack[-1].children if self.stack else self.roots).append(section)
        self.stack.append(section)
        self.last, self.flat_description_first = None, None

    def add(self, draft: Draft, wrapper: int | None = None) -> None:
        if not self.stack:
            self.open_section("Menu", 99)
        draft.name = tidy_name(draft.name)
        self.stack[-1].items.append(draft)
        self.last, self.last_wrapper = draft, wrapper

    def release_pending(self, lines: list[Line] | None = None) -> None:
        """Unclaimed lines describe the item before them: inside its wrapper, or anywhere on a flat page."""
        lines = self.pending if lines is None else lines
        for line in lines:
            if self.last is None:
                continue
            if self.last_wrapper is not None and self.last_wrapper not in line.ancestors:
                continue  # outside the last item's wrapper: a note about the section, not the dish
            if is_sold_out_text(line.text):
                self.last.sold_out = True
            if not _marker_only(line) and len(self.last.description) < 3:
                self.last.description.append(strip_sold_out(line.text))
        if lines is self.pending:
            self.pending = []

    def price_only(self, line: Line, prices: list[PriceMatch]) -> None:
        """A price on its own line takes its name (and description) from the lines just before it."""
        names = [p for p in self.pending if not _marker_only(p)]
        if not names:
            self.release_pending()
            return
        wrapper = self.page.wrapper(line)
        base = 0.75
        if wrapper is not None:
            mine = [p for p in self.pending if wrapper in p.ancestors]
        else:
            mine = []
        if not mine:  # flat siblings: follow the layout the first flat item showed
            base = 0.55
            if self.flat_description_first is False and self.last is not None and len(names) > 1:
                mine = self.pending[self.pending.index(names[-1]):]
            else:
                mine = list(self.pending)
                self.flat_description_first = len(names) > 1
        self.release_pending([p for p in self.pending if p not in mine])
        self.pending = []
        body = [p for p in mine if not _marker_only(p)]
        if body[0].level is not None:
            base = max(base, 0.8)
        _, labels, _ = split_line(line.text, prices)
        self.add(Draft(clean(body[0].text), prices, base, labels=[clean(line.text[: prices[0].start]), *labels],
                       description=[strip_sold_out(p.text) for p in body[1:]],
                       sold_out=any(is_sold_out_text(p.text) for p in mine),
                       classes=f"{line.classes} {body[0].classes}",
                       snippet=" ".join(p.text for p in mine) + " " + line.text), wrapper)

    def priced_line(self, line: Line, prices: list[PriceMatch]) -> None:
        self.release_pending()
        name, labels, tail = split_line(line.text, prices)
        description = [tail] if tail and not is_sold_out_text(tail) else []
        base = 0.8 if line.level is not None else 0.75
        self.add(Draft(name, prices, base, labels=["", *labels], description=description,
                       sold_out=is_sold_out_text(line.text), classes=line.classes, snippet=line.text),
                 self.page.wrapper(line))
        if self.page.wrapper(line) is None:
            self.flat_description_first = False  # name and price share a line: descriptions follow

    def row(self, row: Row) -> None:
        self.release_pending()
        found = [(i, find_prices(c)) for i, c in enumerate(row.cells)]
        price_cells = [(i, p) for i, p in found if p and is_price_only(row.cells[i], p)]
        price_columns = {i for i, _ in price_cells}
        texts = [c for i, c in enumerate(row.cells) if c and i not in price_columns]
        if row.header or not price_cells:
            if len(texts) == 1 and not row.header:
                self.open_section(texts[0], 7)  # a one-cell row inside a table titles the rows below
            return
        if not texts:
            return
        labels = [row.labels[i] if i < len(row.labels) else "" for i in sorted(price_columns)]
        self.add(Draft(texts[0], [p[0] for _, p in price_cells], 0.9, labels=labels, description=texts[1:],
                       sold_out=any(is_sold_out_text(t) for t in texts), snippet=" | ".join(row.cells)))

    def term(self, pair: TermPair) -> None:
        self.release_pending()
        term_prices = find_prices(pair.term)
        definitions = [(d, find_prices(d)) for d in pair.definitions]
        prices = term_prices or next((p for _, p in definitions if p), [])
        if not prices:
            return
        name = split_line(pair.term, term_prices)[0] if term_prices else clean(pair.term)
        description = [leftover(d, p) if p else d for d, p in definitions]
        self.add(Draft(name, prices, 0.85, description=[d for d in description if d and not is_sold_out_text(d)],
                       sold_out=any(is_sold_out_text(t) for t in [pair.term, *pair.definitions]),
                       snippet=f"{pair.term}: {' '.join(pair.definitions)}"))


def _finish(section: _Section, currency: str | None, marks: bool) -> ScrapedSection | None:
    items = [finish(d, currency, marks) for d in section.items if any(ch.isalpha() for ch in d.name)]
    items = [i for i in items if i.confidence >= _DROP_BELOW]
    children = [c for c in (_finish(s, currency, marks) for s in section.children) if c is not None]
    if not items and not children:
        return None
    return ScrapedSection(name=section.name, items=items, sections=children)


def _drafts(sections: list[_Section]) -> list[Draft]:
    return [d for s in sections for d in [*s.items, *_drafts(s.children)]]


def extract_heuristic(
    tree: LexborHTMLParser, default_currency: str | None = None
) -> tuple[list[ScrapedSection], str | None, str | None]:
    """Sections read from plain HTML, the page's main currency and its title heading.

    Returns no sections when fewer than MIN_ITEMS priced items were found: then it is not a menu.
    """
    page = _Page(page_events(tree), default_currency)
    reader = _Reader(page)
    for index, event in enumerate(page.events):
        prices = page.prices[index]
        if isinstance(event, Row):
            reader.row(event)
        elif isinstance(event, TermPair):
            reader.term(event)
        elif event.level is not None and not prices and not page.is_item_heading(index):
            reader.open_section(event.text, event.level)
        elif not prices:
            reader.pending.append(event)
        elif is_price_only(event.text, prices):
            reader.price_only(event, prices)
        else:
            reader.priced_line(event, prices)
    reader.release_pending()
    drafts = _drafts(reader.roots)
    marks = Counter(p.currency for d in drafts for p in d.prices if p.currency)
    currency = marks.most_common(1)[0][0] if marks else default_currency
    sections = [s for s in (_finish(r, currency, bool(marks)) for r in reader.roots) if s is not None]
    title = None
    # A lone top heading with sections under it is the page title (the restaurant), not a section.
    while len(sections) == 1 and not sections[0].items and sections[0].sections:
        title = title or sections[0].name
        sections = sections[0].sections
    if sum(1 for _ in _scraped_items(sections)) < MIN_ITEMS:
        return [], None, None
    return sections, currency, title


def _scraped_items(sections: list[ScrapedSection]):  # type: ignore[no-untyped-def]
    for s in sections:
        yield from s.items
        yield from _scraped_items(s.sections)
