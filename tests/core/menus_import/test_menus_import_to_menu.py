"""scraped_to_menu: a schema.org page becomes a core Menu the parser can use, whatever the syntax."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from core.menus_import import ScrapedItem, ScrapedMenu, ScrapedOption, ScrapedSection, extract_menu, scraped_to_menu
from core.parsing import parse_order

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "menus"


@pytest.mark.parametrize("page", ["trattoria_jsonld.html", "trattoria_microdata.html", "trattoria_rdfa.html"])
def test_trattoria_page_becomes_a_menu(page):
    menu = scraped_to_menu(extract_menu((FIXTURES / page).read_bytes()))
    assert menu.merchant_id == "trattoria-lupa" and menu.currency == "USD"
    assert [c.name for c in menu.categories] == ["Antipasti", "Mains / Pizza", "Mains / Catering"]
    margherita = menu.item("margherita")
    assert margherita is not None and margherita.price == Decimal("9.00")
    assert [(v.id, v.price) for v in margherita.variants] == [("small", Decimal("9.00")), ("large", Decimal("14.50"))]
    (group,) = menu.groups_of(margherita)
    assert [(o.id, o.price) for o in group.options] == [("anchovies", Decimal("2.00"))]
    assert menu.item("burrata").available is False  # sold out on the page
    assert "vegan" in menu.item("bruschetta").dietary
    result = parse_order("2 large margherita with anchovies", menu, language="en")
    assert [(l.item_id, l.variant_id, l.quantity, [m.option_id for m in l.modifiers]) for l in result.lines] == [
        ("margherita", "large", 2, ["anchovies"])]


def test_ids_are_unique_prices_quantised_and_missing_prices_zero():
    scraped = ScrapedMenu(restaurant_name="Chez Test", currency="jpy", sections=[ScrapedSection(name="Dishes", items=[
        ScrapedItem(name="Ramen", price=Decimal("800.4")),
        ScrapedItem(name="Ramen", price=None, variants=[ScrapedOption(name="Big"), ScrapedOption(name="Big")]),
    ])])
    menu = scraped_to_menu(scraped, merchant_id="m1")
    assert menu.merchant_id == "m1" and menu.currency == "JPY"
    assert [(i.id, i.price) for i in menu.items] == [("ramen", Decimal("800")), ("ramen-2", Decimal("0"))]
    assert [v.id for v in menu.items[1].variants] == ["big", "big-2"]
    assert scraped_to_menu(ScrapedMenu()).items == []
