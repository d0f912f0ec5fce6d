"""Per-site CSS selectors, for restaurant sites whose pages the heuristics read badly."""
from __future__ import annotations

import re

from pydantic import BaseModel, Field
from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from core.menus_import.errors import ScrapeError, scrape_error
from core.menus_import.markers import diets_in_text, is_sold_out_text, strip_sold_out
from core.menus_import.model import Availability, ScrapedItem, ScrapedSection
from core.menus_import.prices import find_prices, parse_price


class SiteMapping(BaseModel):
    """Where things are on one site's menu page. Item selectors are relative to a section when `section` is set.

    Example: SiteMapping(section=".menu-group", section_title="h3", item=".dish", name=".dish-title",
    description=".dish-text", price=".dish-price").
    """

    item: str = Field(min_length=1)
    name: str = Field(min_length=1)
    section: str | None = None
    section_title: str | None = None
    description: str | None = None
    price: str | None = None
    sold_out: str | None = Field(default=None, description="present inside an item when it is sold out")
    currency: str | None = Field(default=None, min_length=3, max_length=3)


def _text(node: LexborNode | None) -> str:
    return "" if node is None else re.sub(r"\s+", " ", node.text(deep=True, separator=" ") or "").strip()


def _first(root: LexborNode, selector: str | None) -> LexborNode | None:
    return root.css_first(selector) if selector else None


def _item(node: LexborNode, mapping: SiteMapping, currency: str | None) -> ScrapedItem | None:
    raw_name = _text(_first(node, mapping.name))
    if not raw_name:
        return None
    description = _text(_first(node, mapping.description))
    price_text = _text(_first(node, mapping.price)) if mapping.price else _text(node)
    matches = find_prices(price_text, currency)
    amount, found_currency = (matches[0].amount, matches[0].currency) if matches else parse_price(price_text)
    sold_out = (mapping.sold_out is not None and node.css_first(mapping.sold_out) is not None) \
        or is_sold_out_text(raw_name)
    return ScrapedItem(
        name=strip_sold_out(raw_name),
        description=description,
        price=amount,
        currency=found_currency or currency,
        diets=sorted(diets_in_text(f"{raw_name} {description}")),
        availability=Availability.SOLD_OUT if sold_out else Availability.UNKNOWN,
        # The selectors were written by a person for this site; only a missing price makes us doubt.
        confidence=0.95 if amount is not None else 0.5,
        snippet=_text(node)[:300],
    )


def extract_with_mapping(tree: LexborHTMLParser, mapping: SiteMapping) -> list[ScrapedSection]:
    """Sections and items picked by the mapping's selectors; raises invalid_site_mapping for bad selectors."""
    root = tree.body or tree.root
    if root is None:
        return []
    try:
        containers = root.css(mapping.section) if mapping.section else [root]
        sections = []
        for position, container in enumerate(containers, start=1):
            title = _text(_first(container, mapping.section_title)) or (f"Section {position}" if mapping.section else "Menu")
            items = [i for i in (_item(n, mapping, mapping.currency) for n in container.css(mapping.item)) if i]
            if items:
                sections.append(ScrapedSection(name=title, items=items))
        return sections
    except (SelectolaxError, ValueError) as error:  # an unparsable selector in the mapping
        raise scrape_error(ScrapeError.INVALID_SITE_MAPPING, f"bad CSS selector in site mapping: {error}") from error
