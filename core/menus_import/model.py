"""What a scrape found on a page, before anyone decides what to do with it.

Kept separate from core.menu: a scraped menu is evidence (with confidences and source text), not a live menu.
"""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

# Items scoring below this are shown to a human before anything is applied.
REVIEW_THRESHOLD = 0.6


class Availability(StrEnum):
    """What the page says about stock; UNKNOWN when it says nothing (most plain menus)."""

    IN_STOCK = "in_stock"
    SOLD_OUT = "sold_out"
    UNKNOWN = "unknown"


class ExtractionSource(StrEnum):
    """Where the menu came from; structured data wins over heuristics when both are present."""

    JSON_LD = "json-ld"
    MICRODATA = "microdata"
    RDFA = "rdfa"
    SITE_MAPPING = "site_mapping"
    HEURISTIC = "heuristic"
    NONE = "none"


class ScrapedOption(BaseModel):
    """A priced variant (one of several offers: 'Large') or an add-on (schema.org menuAddOn)."""

    name: str
    price: Decimal | None = None
    currency: str | None = None
    availability: Availability = Availability.UNKNOWN


class ScrapedItem(BaseModel):
    """One dish as read from the page. `confidence` is 1.0 for structured data, lower for heuristics."""

    name: str
    description: str = ""
    price: Decimal | None = None
    currency: str | None = None
    variants: list[ScrapedOption] = Field(default_factory=list)
    addons: list[ScrapedOption] = Field(default_factory=list)
    image_url: str | None = None
    diets: list[str] = Field(default_factory=list, description="sorted, e.g. ['gluten_free', 'vegan']")
    nutrition: dict[str, str] = Field(default_factory=dict)
    availability: Availability = Availability.UNKNOWN
    confidence: float = Field(default=1.0, ge=0, le=1)
    snippet: str = Field(default="", description="the page text the item was read from, for evidence")

    @property
    def needs_review(self) -> bool:
        """Read with too little confidence to apply without a person."""
        return self.confidence < REVIEW_THRESHOLD


class ScrapedSection(BaseModel):
    """A menu section; sections nest (schema.org hasMenuSection, or h2 > h3 headings)."""

    name: str
    description: str = ""
    image_url: str | None = None
    items: list[ScrapedItem] = Field(default_factory=list)
    sections: list["ScrapedSection"] = Field(default_factory=list)


class ScrapedMenu(BaseModel):
    """The menu found on one page."""

    url: str = ""
    source: ExtractionSource = ExtractionSource.NONE
    restaurant_name: str | None = None
    currency: str | None = None
    language: str | None = None
    encoding: str | None = None
    sections: list[ScrapedSection] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def iter_items(self) -> Iterator[tuple[tuple[str, ...], ScrapedItem]]:
        """Every item with the path of section names leading to it, depth first, in page order."""
        stack: list[tuple[tuple[str, ...], ScrapedSection]] = [((s.name,), s) for s in reversed(self.sections)]
        while stack:
            path, section = stack.pop()
            for item in section.items:
                yield path, item
            stack.extend(((*path, sub.name), sub) for sub in reversed(section.sections))

    @property
    def item_count(self) -> int:
        """How many items the scrape found."""
        return sum(1 for _ in self.iter_items())


def _price_str(price: Decimal | None) -> str | None:
    # A decimal string keeps the page's precision ("3.50") and never round-trips through float.
    return None if price is None else format(price, "f")


def _option_json(option: ScrapedOption) -> dict[str, Any]:
    return {
        "name": option.name,
        "price": _price_str(option.price),
        "currency": option.currency,
        "availability": str(option.availability),
    }


def _item_json(item: ScrapedItem) -> dict[str, Any]:
    return {
        "name": item.name,
        "description": item.description,
        "price": _price_str(item.price),
        "currency": item.currency,
        "variants": [_option_json(v) for v in item.variants],
        "addons": [_option_json(a) for a in item.addons],
        "diets": list(item.diets),
        "nutrition": dict(item.nutrition),
        "availability": str(item.availability),
        "image_url": item.image_url,
        "confidence": round(item.confidence, 2),
        "needs_review": item.needs_review,
    }


def _section_json(section: ScrapedSection) -> dict[str, Any]:
    return {
        "name": section.name,
        "description": section.description,
        "items": [_item_json(i) for i in section.items],
        "sections": [_section_json(s) for s in section.sections],
    }


def scraped_menu_to_json(menu: ScrapedMenu) -> dict[str, Any]:
    """The JSON-ready dict `mealkitz scrape-url` prints: nested sections, prices as decimal strings."""
    return {
        "url": menu.url,
        "source": str(menu.source),
        "restaurant_name": menu.restaurant_name,
        "currency": menu.currency,
        "language": menu.language,
        "encoding": menu.encoding,
        "item_count": menu.item_count,
        "sections": [_section_json(s) for s in menu.sections],
        "warnings": list(menu.warnings),
    }
