"""A scraped menu compared with the live menu: a ChangeSet of proposed changes, each with evidence."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from core.menu import Category, Menu, MenuItem
from core.menus_import.errors import ScrapeError, scrape_error
from core.menus_import.matching import DEFAULT_THRESHOLD, best_pairs, slug
from core.menus_import.model import Availability, ScrapedItem, ScrapedMenu
from core.money import quantize


class ChangeKind(StrEnum):
    NEW_ITEM = "new_item"
    REMOVED_ITEM = "removed_item"
    PRICE_CHANGE = "price_change"
    SOLD_OUT = "sold_out"
    BACK_IN_STOCK = "back_in_stock"


AVAILABILITY_KINDS = frozenset({ChangeKind.SOLD_OUT, ChangeKind.BACK_IN_STOCK})


class Evidence(BaseModel):
    """Where a change was seen: the page, when it was fetched, and the text that shows it."""

    model_config = ConfigDict(frozen=True)

    url: str
    fetched_at: datetime
    snippet: str


class Change(BaseModel):
    """One proposed change. `id` is stable for the same page and menu, so a reviewer's selection survives
    a re-run; `item_id` names the live item (None for new items)."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: ChangeKind
    item_name: str
    item_id: str | None = None
    category_id: str | None = None
    section_path: tuple[str, ...] = ()
    variant_id: str | None = None
    old_price: Decimal | None = None
    new_price: Decimal | None = None
    scraped: ScrapedItem | None = None
    confidence: float = Field(default=1.0, ge=0, le=1)
    evidence: Evidence


class ChangeSet(BaseModel):
    """Every change a scrape suggests for one merchant's menu at one menu version."""

    merchant_id: str
    menu_version: int
    url: str
    fetched_at: datetime
    changes: list[Change] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def of_kind(self, *kinds: ChangeKind) -> list[Change]:
        """The changes of the given kinds, in order."""
        return [c for c in self.changes if c.kind in kinds]

    def by_id(self, *ids: str) -> list[Change]:
        """The changes with the given ids (a reviewer's selection), in changeset order."""
        wanted = set(ids)
        return [c for c in self.changes if c.id in wanted]


class _Context:
    def __init__(self, scraped: ScrapedMenu, menu: Menu, fetched_at: datetime, threshold: float) -> None:
        self.scraped, self.menu, self.threshold = scraped, menu, threshold
        self.fetched_at = fetched_at
        self.changes: list[Change] = []
        self.warnings: list[str] = []

    def evidence(self, snippet: str) -> Evidence:
        return Evidence(url=self.scraped.url, fetched_at=self.fetched_at, snippet=snippet[:300])


def _names(item: MenuItem) -> list[str]:
    return [item.name, *item.names.values(), *item.synonyms]


def _category_for(path: tuple[str, ...], menu: Menu, threshold: float) -> Category | None:
    candidates = [path[-1], " ".join(path)]
    pairs = best_pairs([0], menu.categories, [candidates],
                       [[c.name, *c.names.values()] for c in menu.categories], threshold)
    return menu.categories[pairs[0][1]] if pairs else None


def _compare(ctx: _Context, path: tuple[str, ...], scraped: ScrapedItem, item: MenuItem, listed_in_stock: bool) -> None:
    def add(kind: ChangeKind, **fields: object) -> None:
        variant = fields.get("variant_id") or ""
        ctx.changes.append(Change(id=f"{kind}:{item.id}{':' + str(variant) if variant else ''}", kind=kind,
                                  item_name=item.name, item_id=item.id, category_id=item.category_id,
                                  section_path=path, scraped=scraped, confidence=scraped.confidence,
                                  evidence=ctx.evidence(scraped.snippet or scraped.name), **fields))  # type: ignore[arg-type]

    if scraped.availability is Availability.SOLD_OUT and item.available:
        add(ChangeKind.SOLD_OUT)
    elif not item.available and (scraped.availability is Availability.IN_STOCK
                                 or (listed_in_stock and scraped.availability is Availability.UNKNOWN)):
        add(ChangeKind.BACK_IN_STOCK)
    currency = scraped.currency or ctx.scraped.currency
    if currency is not None and currency != ctx.menu.currency:
        ctx.warnings.append(f"{scraped.name!r} is priced in {currency}, the menu in {ctx.menu.currency}; "
                            "price not compared")
        return
    if item.variants and scraped.variants:
        pairs = best_pairs(item.variants, scraped.variants, [[v.name, *v.synonyms] for v in item.variants],
                           [[o.name] for o in scraped.variants], ctx.threshold)
        for i, j, _ in pairs:
            old, new = item.variants[i].price, scraped.variants[j].price
            if new is not None and quantize(new, ctx.menu.currency) != quantize(old, ctx.menu.currency):
                add(ChangeKind.PRICE_CHANGE, variant_id=item.variants[i].id, old_price=old,
                    new_price=quantize(new, ctx.menu.currency))
    elif not item.variants and scraped.price is not None:
        new = quantize(scraped.price, ctx.menu.currency)
        if new != quantize(item.price, ctx.menu.currency):
            add(ChangeKind.PRICE_CHANGE, old_price=item.price, new_price=new)


def diff_menu(
    scraped: ScrapedMenu,
    menu: Menu,
    *,
    fetched_at: datetime,
    threshold: float = DEFAULT_THRESHOLD,
    listed_means_in_stock: bool = False,
) -> ChangeSet:
    """Compare a scraped page with the live menu. Items match by normalised name within their section
    (sections that match no category are matched against the whole menu).

    `listed_means_in_stock`: treat an item listed without a stock marker as back in stock; off by default
    because merchants 86 items in Mealkitz without touching their website.
    Raises DomainError(not_a_menu) for an empty scrape, which would otherwise read as 'everything removed'.
    """
    if scraped.item_count == 0:
        raise scrape_error(ScrapeError.NOT_A_MENU, "the scraped page has no items to compare", url=scraped.url)
    ctx = _Context(scraped, menu, fetched_at, threshold)
    matched: set[str] = set()
    unplaced: list[tuple[tuple[str, ...], ScrapedItem, Category | None]] = []
    by_path: dict[tuple[str, ...], list[ScrapedItem]] = {}
    for path, item in scraped.iter_items():
        by_path.setdefault(path, []).append(item)
    for path, items in by_path.items():
        category = _category_for(path, menu, threshold)
        pool = [i for i in menu.items if i.id not in matched and (category is None or i.category_id == category.id)]
        pairs = best_pairs(items, pool, [[i.name] for i in items], [_names(i) for i in pool], threshold)
        paired = {i for i, _, _ in pairs}
        for i, j, _ in pairs:
            matched.add(pool[j].id)
            _compare(ctx, path, items[i], pool[j], listed_means_in_stock)
        unplaced.extend((path, items[i], category) for i in range(len(items)) if i not in paired)
    taken: set[str] = set()
    for path, item, category in unplaced:
        if item.price is None:
            ctx.warnings.append(f"{item.name!r} has no price on the page; not proposed as a new item")
            continue
        ctx.changes.append(Change(
            id=f"{ChangeKind.NEW_ITEM}:{slug('/'.join(path), None)}/{slug(item.name, taken)}",
            kind=ChangeKind.NEW_ITEM, item_name=item.name, category_id=category.id if category else None,
            section_path=path, new_price=item.price, scraped=item, confidence=item.confidence,
            evidence=ctx.evidence(item.snippet or item.name)))
    for item in menu.items:
        if item.id not in matched:
            ctx.changes.append(Change(
                id=f"{ChangeKind.REMOVED_ITEM}:{item.id}", kind=ChangeKind.REMOVED_ITEM, item_name=item.name,
                item_id=item.id, category_id=item.category_id, old_price=item.price,
                evidence=ctx.evidence(f"{item.name!r} not found on the page")))
    if menu.items and len(matched) < len(menu.items) / 2:
        ctx.warnings.append("fewer than half of the menu's items were found on the page; check removals by hand")
    return ChangeSet(merchant_id=menu.merchant_id, menu_version=menu.version, url=scraped.url,
                     fetched_at=fetched_at, changes=ctx.changes, warnings=list(dict.fromkeys(ctx.warnings)))
