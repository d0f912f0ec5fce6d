"""Restaurant pages for the demo kitchens: their live menu as schema.org JSON-LD, with edits a test chooses."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEMO = Path(__file__).resolve().parents[3] / "assets" / "demo" / "krems.json"


def demo_menu(merchant_id: str) -> dict[str, Any]:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    return next(m["menu"] for m in data["merchants"] if m["merchant"]["id"] == merchant_id)


def menu_page(merchant_id: str, *, prices: dict[str, str] | None = None, sold_out: set[str] = frozenset(),
              new_items: dict[str, list[tuple[str, str]]] | None = None, drop: set[str] = frozenset()) -> str:
    """The merchant's demo menu as a JSON-LD page. `prices` keys are 'item' or 'item:variant'; `new_items` maps
    a category id to (name, price) pairs to add; `drop` leaves items off the page."""
    menu = demo_menu(merchant_id)
    prices = prices or {}
    sections = []
    for category in menu["categories"]:
        items = []
        for item in menu["items"]:
            if item["category_id"] != category["id"] or item["id"] in drop:
                continue
            availability = "https://schema.org/SoldOut" if item["id"] in sold_out else "https://schema.org/InStock"
            if item.get("variants"):
                offers = [{"@type": "Offer", "name": v["name"], "priceCurrency": "EUR", "availability": availability,
                           "price": prices.get(f"{item['id']}:{v['id']}", v["price"])} for v in item["variants"]]
            else:
                offers = {"@type": "Offer", "priceCurrency": "EUR", "availability": availability,
                          "price": prices.get(item["id"], item["price"])}
            items.append({"@type": "MenuItem", "name": item["name"], "description": item.get("description", ""),
                          "offers": offers})
        for name, price in (new_items or {}).get(category["id"], []):
            items.append({"@type": "MenuItem", "name": name, "description": "New on the menu",
                          "offers": {"@type": "Offer", "price": price, "priceCurrency": "EUR",
                                     "availability": "https://schema.org/InStock"}})
        sections.append({"@type": "MenuSection", "name": category["name"], "hasMenuItem": items})
    document = {"@context": "https://schema.org", "@type": "Restaurant", "name": merchant_id,
                "hasMenu": {"@type": "Menu", "name": "Menu", "hasMenuSection": sections}}
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{merchant_id}</title>'
            f'<script type="application/ld+json">{json.dumps(document)}</script></head>'
            f"<body><h1>{merchant_id}</h1></body></html>")
