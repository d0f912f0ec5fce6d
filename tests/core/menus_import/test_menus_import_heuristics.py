"""Plain-HTML menus: headings, tables, definition lists, flex divs, lists; English, Spanish, German."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from core.menus_import import Availability, ExtractionSource, SiteMapping, extract_menu, require_menu
from core.menus_import.errors import ScrapeError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "menus"


def items_of(name: str, **kw) -> list[tuple[tuple[str, ...], object]]:
    menu = extract_menu((FIXTURES / name).read_bytes(), f"https://example.test/{name}", **kw)
    assert menu.source is ExtractionSource.HEURISTIC
    return list(menu.iter_items())


def summary(name: str, **kw) -> list[tuple]:
    return [(" > ".join(p), i.name, str(i.price), i.currency) for p, i in items_of(name, **kw)]


def test_headings_and_paragraphs_english() -> None:
    assert summary("plain_en_headings.html") == [
        ("Starters", "Garlic Bread", "4.50", "USD"), ("Starters", "Tomato Soup", "6.00", "USD"),
        ("Starters", "Buffalo Wings", "9.25", "USD"), ("Mains", "Fish & Chips", "15.50", "USD"),
        ("Mains", "Mushroom Risotto", "14.00", "USD"), ("Desserts", "Sticky Toffee Pudding", "7.00", "USD"),
        ("Desserts", "Cheesecake", "7.50", "USD")]
    items = {i.name: i for _, i in items_of("plain_en_headings.html")}
    assert items["Garlic Bread"].description == "Toasted sourdough, roasted garlic butter, parsley."
    assert items["Buffalo Wings"].availability is Availability.SOLD_OUT
    assert items["Mushroom Risotto"].diets == ["gluten_free", "vegetarian"]
    assert all(not i.needs_review for i in items.values())


def test_headings_page_title_and_footer() -> None:
    menu = extract_menu((FIXTURES / "plain_en_headings.html").read_bytes(), "https://example.test/")
    assert menu.restaurant_name == "The Copper Kettle" and menu.language == "en"
    # nav ("Order from $15.00") and footer ("orders over $30.00") are not dishes
    assert menu.item_count == 7


def test_tables_with_size_columns_and_section_rows() -> None:
    assert summary("plain_en_table.html")[3:] == [
        ("Drinks", "Cola", "2.50", "USD"), ("Drinks", "Lemonade, homemade", "3.00", "USD"),
        ("Beer", "Peroni 0,33 l", "5.00", "USD"), ("Beer", "Moretti 0,5 l", "6.50", "USD")]
    items = {i.name: i for _, i in items_of("plain_en_table.html")}
    margherita = items["Margherita"]
    assert [(v.name, v.price) for v in margherita.variants] == [("Small", Decimal("8.00")), ("Large", Decimal("12.00"))]
    assert margherita.description == "Tomato, mozzarella, basil" and margherita.confidence >= 0.9
    assert items["Moretti 0,5 l"].availability is Availability.SOLD_OUT


def test_definition_lists_spanish() -> None:
    assert summary("plain_es_dl.html") == [
        ("Tapas", "Patatas bravas", "5.50", "EUR"), ("Tapas", "Tortilla española", "6.00", "EUR"),
        ("Tapas", "Croquetas de jamón (6 uds.)", "7.20", "EUR"), ("Tapas", "Pimientos de Padrón", "6.50", "EUR"),
        ("Raciones", "Pulpo a la gallega", "18.90", "EUR"), ("Raciones", "Paella de marisco (2 personas)", "32.00", "EUR"),
        ("Postres", "Crema catalana", "4.50", "EUR"), ("Postres", "Tarta de queso", "5.00", "EUR")]
    items = {i.name: i for _, i in items_of("plain_es_dl.html")}
    assert items["Paella de marisco (2 personas)"].availability is Availability.SOLD_OUT
    assert items["Pimientos de Padrón"].diets == ["gluten_free"]
    assert items["Patatas bravas"].description == "Patatas fritas con salsa brava y alioli."


def test_flex_divs_german_with_nested_sections() -> None:
    assert summary("plain_de_flex.html") == [
        ("Hauptgerichte > Vom Schwein", "Wiener Schnitzel vom Schwein", "12.50", "EUR"),
        ("Hauptgerichte > Vom Schwein", "Schweinebraten", "13.90", "EUR"),
        ("Hauptgerichte > Vegetarisch", "Käsespätzle", "10.80", "EUR"),
        ("Hauptgerichte > Vegetarisch", "Gemüsepfanne", "11.20", "EUR"),
        ("Getränke", "Apfelschorle 0,4 l", "3.80", "EUR"), ("Getränke", "Weißbier 0,5 l", "4.60", "EUR"),
        ("Getränke", "Kaffee", "2.90", "EUR")]
    items = {i.name: i for _, i in items_of("plain_de_flex.html")}
    assert items["Gemüsepfanne"].availability is Availability.SOLD_OUT
    assert items["Gemüsepfanne"].diets == ["gluten_free", "vegan"]
    assert items["Kaffee"].description == ""  # "Alle Preise inkl. MwSt." is outside the item's wrapper


def test_lists_with_dot_leaders_and_flat_paragraphs() -> None:
    found = items_of("plain_en_list.html", default_currency="USD")
    assert [(p[-1], i.name, str(i.price), i.currency) for p, i in found] == [
        ("Noodles", "Chicken Ramen", "13.50", "USD"), ("Noodles", "Tonkotsu Ramen", "14.50", "USD"),
        ("Noodles", "Veggie Udon", "12.00", "USD"), ("Sides", "Gyoza", "7.00", "USD"),
        ("Sides", "Edamame", "4.50", "USD"), ("Specials", "Spicy Miso Ramen", "15.00", "USD"),
        ("Specials", "Black Sesame Ice Cream", "5.50", "USD")]
    by_name = {i.name: i for _, i in found}
    assert by_name["Gyoza"].description == "Pork and cabbage dumplings"
    # Flat paragraphs with nothing grouping name and price: read by position, flagged for a person.
    assert by_name["Spicy Miso Ramen"].needs_review and by_name["Black Sesame Ice Cream"].description == "Two scoops."
    assert not by_name["Gyoza"].needs_review


def test_one_priced_sentence_is_not_a_menu() -> None:
    page = "<html><body><h1>Joe's</h1><p>We deliver within 5 km with a minimum order of $20.</p></body></html>"
    menu = extract_menu(page, "https://joes.test/")
    assert menu.item_count == 0 and menu.source is ExtractionSource.NONE
    with pytest.raises(DomainError) as caught:
        require_menu(menu)
    assert caught.value.code is ScrapeError.NOT_A_MENU


def test_sentences_with_prices_score_low() -> None:
    page = ("<html><body><ul><li>Margherita 8.50</li><li>Marinara 7.50</li>"
            "<li>Delivery from 2.50</li>"
            "<li>please note that all our pizzas can be made with a gluten free base for an extra charge of 2.00</li>"
            "</ul></body></html>")
    items = {i.name: i for _, i in extract_menu(page, "").iter_items()}
    assert not items["Margherita"].needs_review and items["Delivery from"].needs_review
    assert not any(name.startswith("please") for name in items)  # scored below the floor: dropped


def test_malformed_html_does_not_crash() -> None:
    menu = extract_menu((FIXTURES / "broken_malformed.html").read_bytes(), "https://broken.test/")
    assert menu.restaurant_name == "Broken & Co"
    assert [i.name for _, i in menu.iter_items()][:2] == ["Bean Soup", "Lentil Soup"]


def test_unclosed_title_and_deep_nesting_do_not_crash() -> None:
    deep = "<div>" * 5000 + "<p>Soup 4.50</p><p>Bread 2.00</p>" + "</div>" * 10
    extract_menu("<html><title>never closed<body>" + deep, "")
    menu = extract_menu("<html><body>" + deep, "")
    assert [i.name for _, i in menu.iter_items()] == ["Soup", "Bread"]


def test_site_mapping_for_odd_markup() -> None:
    page = """<html><body>
      <div class="grp"><span class="t">Burgers</span>
        <div class="x"><b class="n">Classic</b><i class="d">Beef, cheddar</i><u class="p">CHF 18.50</u></div>
        <div class="x"><b class="n">Veggie</b><u class="p">CHF 17.00</u><em class="so">weg</em></div>
      </div>
      <div class="grp"><span class="t">Drinks</span><div class="x"><b class="n">Rivella</b><u class="p">4.50</u></div></div>
    </body></html>"""
    mapping = SiteMapping(section=".grp", section_title=".t", item=".x", name=".n", description=".d", price=".p",
                          sold_out=".so", currency="CHF")
    menu = extract_menu(page, "https://burger.test/", site_mapping=mapping)
    assert menu.source is ExtractionSource.SITE_MAPPING
    assert [(p, i.name, i.price, i.currency, i.availability) for p, i in menu.iter_items()] == [
        (("Burgers",), "Classic", Decimal("18.50"), "CHF", Availability.UNKNOWN),
        (("Burgers",), "Veggie", Decimal("17.00"), "CHF", Availability.SOLD_OUT),
        (("Drinks",), "Rivella", Decimal("4.50"), "CHF", Availability.UNKNOWN)]


def test_site_mapping_with_bad_selector() -> None:
    with pytest.raises(DomainError) as caught:
        extract_menu("<html><body><p>x</p></body></html>", "", site_mapping=SiteMapping(item="div[[", name="b"))
    assert caught.value.code is ScrapeError.INVALID_SITE_MAPPING


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["<div>", "</div>", "<h2>", "</h2>", "<p>", "<li>", "<table>", "<tr>", "<td>",
                                 "<dl>", "<dt>", "<dd>", "Soup", " 4,50 €", "$3.00", "sold out", "(V)", "<br>",
                                 "<script>", '<div itemscope itemtype="https://schema.org/MenuItem">', "&amp;",
                                 "\x00", "<!--", "</table>"]), max_size=60),
       st.binary(max_size=40))
def test_any_markup_gives_a_result_or_a_decode_error(parts: list[str], junk: bytes) -> None:
    try:
        extract_menu("".join(parts).encode("utf-8") + junk, "https://fuzz.test/")
    except DomainError as error:
        assert error.code is ScrapeError.DECODE_ERROR
