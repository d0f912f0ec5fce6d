"""schema.org trees (see structured_data) mapped to a ScrapedMenu: Restaurant > Menu > MenuSection > MenuItem."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin

from core.menus_import.markers import availability_from_schema, diet_tag, is_sold_out_text, strip_sold_out
from core.menus_import.model import Availability, ScrapedItem, ScrapedMenu, ScrapedOption, ScrapedSection
from core.menus_import.prices import parse_price
from core.menus_import.structured_data import Node

FOOD_ESTABLISHMENTS = {
    "FoodEstablishment", "Restaurant", "Bakery", "BarOrPub", "Brewery", "CafeOrCoffeeShop", "Distillery",
    "FastFoodRestaurant", "IceCreamShop", "Winery",
}


def _types(node: Node) -> set[str]:
    return set(node.get("@type", []))


def _strings(node: Node, key: str) -> list[str]:
    return [v if isinstance(v, str) else format(v, "f") if isinstance(v, Decimal) else str(v)
            for v in node.get(key, []) if not isinstance(v, dict)]


def _text(node: Node, key: str) -> str:
    return next((s for s in _strings(node, key) if s), "")


def _nodes(node: Node, *keys: str) -> list[Node]:
    return [v for key in keys for v in node.get(key, []) if isinstance(v, dict)]


def _image(node: Node, base_url: str) -> str | None:
    for value in node.get("image", []):
        url = value if isinstance(value, str) else (_text(value, "url") or _text(value, "contentUrl"))
        if url:
            return urljoin(base_url, url) if base_url else url
    return None


def _offer_price(offer: Node, default_currency: str | None) -> tuple[Decimal | None, str | None]:
    currency = _text(offer, "priceCurrency") or None
    raw: Any = next(iter(offer.get("price", [])), None)
    if raw is None or isinstance(raw, dict):
        spec = next(iter(_nodes(offer, "priceSpecification")), None)
        if spec is not None:
            raw = next(iter(spec.get("price", [])), None)
            currency = currency or _text(spec, "priceCurrency") or None
    if raw is None:
        raw = next(iter(offer.get("lowPrice", [])), None)  # AggregateOffer: 'from' price
    amount, parsed_currency = parse_price(raw if not isinstance(raw, dict) else None, None)
    return amount, (currency.upper() if currency else None) or parsed_currency or default_currency


def _offer_name(offer: Node, position: int) -> str:
    offered = next(iter(_nodes(offer, "itemOffered")), {})
    return _text(offer, "name") or _text(offered, "name") or _text(offer, "description") or f"Option {position}"


def _options_from_offers(offers: list[Node], currency: str | None) -> list[ScrapedOption]:
    options = []
    for position, offer in enumerate(offers, start=1):
        amount, cur = _offer_price(offer, currency)
        availability = availability_from_schema(_text(offer, "availability")) if _text(offer, "availability") \
            else Availability.UNKNOWN
        options.append(ScrapedOption(name=_offer_name(offer, position), price=amount, currency=cur,
                                     availability=availability))
    return options


def _addons(item: Node, currency: str | None) -> list[ScrapedOption]:
    addons = []
    stack = list(reversed(_nodes(item, "menuAddOn")))
    while stack:
        node = stack.pop()
        if "MenuSection" in _types(node):
            stack.extend(reversed(_nodes(node, "hasMenuItem", "hasMenuSection")))
            continue
        name = _text(node, "name")
        if not name:
            continue
        options = _options_from_offers(_nodes(node, "offers"), currency)
        first = options[0] if options else ScrapedOption(name=name)
        addons.append(ScrapedOption(name=name, price=first.price, currency=first.currency,
                                    availability=first.availability))
    return addons


def _overall(options: list[ScrapedOption]) -> Availability:
    states = {o.availability for o in options}
    if states == {Availability.SOLD_OUT}:
        return Availability.SOLD_OUT
    return Availability.IN_STOCK if Availability.IN_STOCK in states else Availability.UNKNOWN


def _snippet(item: ScrapedItem) -> str:
    # Built from mapped fields, so the same menu in any syntax gives the same evidence text.
    price = f" {format(item.price, 'f')} {item.currency or ''}".rstrip() if item.price is not None else ""
    return f"{item.name}{price} [{item.availability}]"[:300]


def map_item(node: Node, base_url: str, currency: str | None) -> ScrapedItem | None:
    """One schema.org MenuItem (or Product) as a ScrapedItem; None when it has no name."""
    raw_name = _text(node, "name")
    if not raw_name:
        return None
    description = _text(node, "description")
    offers = _nodes(node, "offers")
    options = _options_from_offers(offers, currency)
    if not offers and node.get("price"):  # some sites put the price on the item itself
        options = _options_from_offers([node], currency)
    priced = [o for o in options if o.price is not None]
    availability = _overall(options)
    if is_sold_out_text(raw_name) or is_sold_out_text(description):
        availability = Availability.SOLD_OUT
    nutrition = {k: v[0] for nut in _nodes(node, "nutrition") for k, v in
                 ((k, _strings(nut, k)) for k in nut if not k.startswith("@")) if v}
    item = ScrapedItem(
        name=strip_sold_out(raw_name),
        description=description,
        price=min((o.price for o in priced), default=None),  # type: ignore[type-var]
        currency=priced[0].currency if priced else currency,
        variants=options if len(options) > 1 else [],
        addons=_addons(node, currency),
        image_url=_image(node, base_url),
        diets=sorted({diet_tag(d) for d in _strings(node, "suitableForDiet") if d}),
        nutrition=nutrition,
        availability=availability,
        confidence=1.0,
    )
    return item.model_copy(update={"snippet": _snippet(item)})


def map_section(node: Node, base_url: str, currency: str | None, fallback_name: str = "Menu") -> ScrapedSection:
    """A MenuSection (or a Menu treated as one) with its items and nested sections."""
    items = [i for i in (map_item(n, base_url, currency) for n in _nodes(node, "hasMenuItem")) if i is not None]
    return ScrapedSection(
        name=_text(node, "name") or fallback_name,
        description=_text(node, "description"),
        image_url=_image(node, base_url),
        items=items,
        sections=[map_section(s, base_url, currency) for s in _nodes(node, "hasMenuSection", "menuSection")],
    )


def _menu_sections(menu: Node, base_url: str, currency: str | None) -> list[ScrapedSection]:
    as_section = map_section(menu, base_url, currency, fallback_name=_text(menu, "name") or "Menu")
    if as_section.items:  # items straight on the Menu get a section of their own, named after the menu
        return [as_section.model_copy(update={"sections": []}), *as_section.sections]
    return as_section.sections


def map_trees(trees: list[Node], url: str, default_currency: str | None = None) -> ScrapedMenu:
    """Find restaurants, menus, sections and loose items anywhere in the trees and map them."""
    restaurant: str | None = None
    menus: list[Node] = []
    sections: list[Node] = []
    loose_items: list[Node] = []
    seen: set[int] = set()
    stack = list(reversed(trees))
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        types = _types(node)
        if types & FOOD_ESTABLISHMENTS and restaurant is None:
            restaurant = _text(node, "name") or None
        if "Menu" in types:
            menus.append(node)
        elif "MenuSection" in types:
            sections.append(node)
        elif "MenuItem" in types:
            loose_items.append(node)
        else:
            stack.extend(reversed([v for vs in (vals for k, vals in node.items() if not k.startswith("@"))
                                   for v in vs if isinstance(v, dict)]))
    mapped: list[ScrapedSection] = []
    if len(menus) == 1:
        mapped.extend(_menu_sections(menus[0], url, default_currency))
    else:  # several menus (lunch, dinner): each becomes a top-level section
        for position, menu in enumerate(menus, start=1):
            mapped.append(ScrapedSection(name=_text(menu, "name") or f"Menu {position}",
                                         description=_text(menu, "description"),
                                         sections=_menu_sections(menu, url, default_currency)))
    mapped.extend(map_section(s, url, default_currency) for s in sections)
    items = [i for i in (map_item(n, url, default_currency) for n in loose_items) if i is not None]
    if items:
        mapped.append(ScrapedSection(name="Menu", items=items))
    scraped = ScrapedMenu(url=url, restaurant_name=restaurant, sections=mapped)
    currencies = Counter(i.currency for _, i in scraped.iter_items() if i.currency)
    currency = currencies.most_common(1)[0][0] if currencies else default_currency
    return scraped.model_copy(update={"currency": currency})
