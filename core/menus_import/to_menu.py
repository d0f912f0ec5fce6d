"""A scraped menu as a core Menu, for tools that need a live-menu shape from a page (the parser CLI, a
first import of a merchant with no menu yet). Later changes go through diff_menu / apply_changes."""
from __future__ import annotations

from decimal import Decimal

from core.menu import Category, Menu, MenuItem, ModifierGroup, ModifierOption, Variant
from core.menus_import.matching import slug
from core.menus_import.model import Availability, ScrapedItem, ScrapedMenu
from core.money import quantize

_FALLBACK_CURRENCY = "EUR"


def scraped_to_menu(scraped: ScrapedMenu, merchant_id: str | None = None, currency: str | None = None) -> Menu:
    """Sections become categories (nested ones named by their path, "Pizza / Vegetarian"), items keep
    their variants, and add-ons become one optional modifier group per item. Items without a price are
    kept at 0 (the names still matter to the parser); sold-out items come in unavailable."""
    code = (currency or scraped.currency or _FALLBACK_CURRENCY).upper()
    merchant = merchant_id or slug(scraped.restaurant_name or "", None) or "scraped-menu"
    categories: dict[tuple[str, ...], Category] = {}
    category_ids: set[str] = set()
    item_ids: set[str] = set()
    items: list[MenuItem] = []
    groups: list[ModifierGroup] = []
    group_ids: set[str] = set()
    for path, scraped_item in scraped.iter_items():
        category = categories.get(path)
        if category is None:
            name = " / ".join(p for p in path if p) or "Menu"
            category = Category(id=slug(name, category_ids), name=name[:200], position=len(categories))
            categories[path] = category
        item_id = slug(scraped_item.name, item_ids)
        modifier_group_ids: list[str] = []
        if scraped_item.addons:
            group = _addon_group(scraped_item, item_id, code, group_ids)
            groups.append(group)
            modifier_group_ids.append(group.id)
        items.append(MenuItem(
            id=item_id, name=scraped_item.name[:200], category_id=category.id,
            description=scraped_item.description, price=_price(scraped_item.price, code),
            variants=_variants(scraped_item, code), modifier_group_ids=modifier_group_ids,
            available=scraped_item.availability is not Availability.SOLD_OUT,
            dietary=frozenset(scraped_item.diets), image_url=scraped_item.image_url,
        ))
    return Menu(merchant_id=merchant, currency=code, categories=list(categories.values()), items=items,
                modifier_groups=groups)


def _price(amount: Decimal | None, currency: str) -> Decimal:
    return quantize(amount, currency) if amount is not None and amount >= 0 else Decimal(0)


def _variants(item: ScrapedItem, currency: str) -> list[Variant]:
    taken: set[str] = set()
    return [Variant(id=slug(v.name, taken), name=v.name[:200], price=_price(v.price, currency))
            for v in item.variants if v.name.strip()]


def _addon_group(item: ScrapedItem, item_id: str, currency: str, taken: set[str]) -> ModifierGroup:
    option_ids: set[str] = set()
    options = [ModifierOption(id=slug(a.name, option_ids), name=a.name[:200], price=_price(a.price, currency),
                              available=a.availability is not Availability.SOLD_OUT)
               for a in item.addons if a.name.strip()]
    return ModifierGroup(id=slug(f"{item_id}-extras", taken), name="Extras", options=options)
