"""schema.org menus in JSON-LD, microdata and RDFa: one mapping, the same result whatever the syntax."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from core.menus_import import Availability, ExtractionSource, extract_menu, scraped_menu_to_json

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "menus"
URL = "https://lupa.example/menu"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def without_source(name: str) -> dict:
    result = scraped_menu_to_json(extract_menu(read(name), URL))
    result.pop("source")
    return result


@pytest.mark.parametrize("example", ["schemaorg_eg-0004", "schemaorg_eg-0397"])
def test_schemaorg_examples_agree_across_syntaxes(example: str) -> None:
    results = [without_source(f"{example}_{syntax}.html") for syntax in ("json", "microdata", "rdfa")]
    assert results[0] == results[1] == results[2]


def test_schemaorg_restaurant_without_menu_items() -> None:
    for syntax in ("json", "microdata", "rdfa"):
        menu = extract_menu(read(f"schemaorg_eg-0004_{syntax}.html"), URL)
        assert menu.restaurant_name == "GreatFood" and menu.item_count == 0
        # The delivery minimum ($20) of eg-0397 is an offer of the shop, not a dish.
        pizza = extract_menu(read(f"schemaorg_eg-0397_{syntax}.html"), URL)
        assert pizza.restaurant_name == "Joe's Pizza" and pizza.item_count == 0


def test_full_menu_agrees_across_syntaxes() -> None:
    reference = without_source("trattoria_jsonld.html")
    assert reference["item_count"] == 4
    assert without_source("trattoria_microdata.html") == reference
    for _ in range(5):  # RDFa comes back as an unordered graph; page order must be restored every time
        assert without_source("trattoria_rdfa.html") == reference


@pytest.mark.parametrize("name, source", [("trattoria_jsonld.html", ExtractionSource.JSON_LD),
                                          ("trattoria_microdata.html", ExtractionSource.MICRODATA),
                                          ("trattoria_rdfa.html", ExtractionSource.RDFA)])
def test_source_is_reported(name: str, source: ExtractionSource) -> None:
    assert extract_menu(read(name), URL).source is source


def test_trattoria_mapping_details() -> None:
    menu = extract_menu(read("trattoria_jsonld.html"), URL)
    items = {item.name: (path, item) for path, item in menu.iter_items()}
    path, bruschetta = items["Bruschetta"]
    assert path == ("Antipasti",) and bruschetta.price == Decimal("6.50") and bruschetta.currency == "USD"
    assert bruschetta.image_url == "https://lupa.example/img/bruschetta.jpg"
    assert bruschetta.diets == ["vegan", "vegetarian"] and bruschetta.availability is Availability.IN_STOCK
    assert items["Burrata"][1].availability is Availability.SOLD_OUT
    assert items["Burrata"][1].diets == ["gluten_free"]
    path, margherita = items["Margherita"]
    assert path == ("Mains", "Pizza")
    assert [(v.name, v.price) for v in margherita.variants] == [("Small", Decimal("9.00")), ("Large", Decimal("14.50"))]
    assert margherita.price == Decimal("9.00")
    assert [(a.name, a.price) for a in margherita.addons] == [("Anchovies", Decimal("2.00"))]
    assert margherita.nutrition == {"calories": "850 calories"}
    platter = items["Party platter for 40"][1]
    assert platter.price == Decimal("1299.00") and platter.availability is Availability.SOLD_OUT
    assert all(item.confidence == 1.0 and not item.needs_review for _, item in menu.iter_items())


def test_schemaorg_0385_taco() -> None:
    menu = extract_menu(read("schemaorg_eg-0385_json.html"), URL)
    (path, taco), = list(menu.iter_items())
    assert path == ("Tacos",) and taco.name == "Aloo Gobi Taco"
    assert taco.price == Decimal("3.50") and isinstance(taco.price, Decimal) and taco.currency == "USD"
    assert taco.diets == ["gluten_free"] and taco.nutrition["calories"] == "170 calories"
    assert menu.restaurant_name == "Some Restaurant" and menu.sections[0].description.startswith("Tacos inspired")


def _page(json_ld: str) -> str:
    return f'<html><head><script type="application/ld+json">{json_ld}</script></head><body></body></html>'


def test_json_number_prices_never_pass_through_float() -> None:
    page = _page('{"@context": "https://schema.org", "@type": "MenuItem", "name": "Soup",'
                 ' "offers": {"@type": "Offer", "price": 3.10, "priceCurrency": "EUR"}}')
    (_, soup), = list(extract_menu(page, URL).iter_items())
    assert soup.price == Decimal("3.10") and str(soup.price) == "3.10"


def test_text_prices_and_aggregate_offers() -> None:
    page = _page('[{"@context": "https://schema.org", "@type": "MenuItem", "name": "Tarta",'
                 ' "offers": {"@type": "Offer", "price": "12,50 €"}},'
                 ' {"@context": "https://schema.org", "@type": "MenuItem", "name": "Platter",'
                 ' "offers": {"@type": "AggregateOffer", "lowPrice": "20", "highPrice": "40", "priceCurrency": "GBP"}}]')
    items = {i.name: i for _, i in extract_menu(page, URL).iter_items()}
    assert (items["Tarta"].price, items["Tarta"].currency) == (Decimal("12.50"), "EUR")
    assert (items["Platter"].price, items["Platter"].currency) == (Decimal("20"), "GBP")


def test_graph_with_id_references_and_several_menus() -> None:
    page = _page('{"@context": "https://schema.org", "@graph": ['
                 '{"@id": "#r", "@type": "Restaurant", "name": "Twin", "hasMenu": [{"@id": "#lunch"}, {"@id": "#dinner"}]},'
                 '{"@id": "#lunch", "@type": "Menu", "name": "Lunch", "hasMenuItem": {"@id": "#soup"}},'
                 '{"@id": "#dinner", "@type": "Menu", "name": "Dinner", "hasMenuSection": {"@type": "MenuSection",'
                 ' "name": "Mains", "hasMenuItem": {"@type": "MenuItem", "name": "Steak", "offers": {"price": "30"}}}},'
                 '{"@id": "#soup", "@type": "MenuItem", "name": "Soup (sold out)", "offers": {"price": "5"}}]}')
    menu = extract_menu(page, URL, default_currency="EUR")
    assert menu.restaurant_name == "Twin"
    assert [(p, i.name, i.price) for p, i in menu.iter_items()] == [
        (("Lunch", "Lunch"), "Soup", Decimal("5")), (("Dinner", "Mains"), "Steak", Decimal("30"))]
    soup = next(i for _, i in menu.iter_items() if i.name == "Soup")
    assert soup.availability is Availability.SOLD_OUT and soup.currency == "EUR"


@pytest.mark.parametrize("json_ld", ['{"@type": "Menu", "hasMenuItem": {', '[1, null, "x"]',
                                     '{"@type": "MenuItem", "hasMenuItem": {"@id": "#self"}, "@id": "#self"}',
                                     '<!-- {"@type": "MenuItem", "name": "A", "offers": {"price": "1"},} -->'])
def test_broken_json_ld_does_not_crash(json_ld: str) -> None:
    extract_menu(_page(json_ld), URL)
