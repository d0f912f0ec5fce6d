"""Scraped menu vs live menu: changes with evidence, a pure apply, and the approval policy."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.errors import DomainError
from core.menu import Category, Menu, MenuItem, Variant
from core.menus_import import (
    ApplyPolicy,
    Availability,
    ChangeKind,
    ScrapedItem,
    ScrapedMenu,
    ScrapedOption,
    ScrapedSection,
    apply_changes,
    diff_menu,
    plan_changes,
)
from core.menus_import.errors import ScrapeError
from core.menus_import.matching import normalise_name

WHEN = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
URL = "https://lupa.example/menu"


def live_menu() -> Menu:
    return Menu(merchant_id="lupa", currency="EUR", version=7, categories=[
        Category(id="starters", name="Antipasti"), Category(id="pizza", name="Pizze")], items=[
        MenuItem(id="bruschetta", name="Bruschetta", category_id="starters", price=Decimal("6.50")),
        MenuItem(id="burrata", name="Burrata", category_id="starters", price=Decimal("11.00")),
        MenuItem(id="arancini", name="Arancini", category_id="starters", price=Decimal("7.00"), available=False),
        MenuItem(id="margherita", name="Pizza Margherita", category_id="pizza", price=Decimal("9.00"), variants=[
            Variant(id="s", name="Small", price=Decimal("9.00")), Variant(id="l", name="Large", price=Decimal("14.00"))]),
        MenuItem(id="diavola", name="Diavola", category_id="pizza", price=Decimal("10.00")),
    ])


def item(name: str, price: str | None, availability=Availability.UNKNOWN, **kw) -> ScrapedItem:
    return ScrapedItem(name=name, price=Decimal(price) if price else None, currency="EUR",
                       availability=availability, snippet=f"{name} {price}", **kw)


def scraped() -> ScrapedMenu:
    return ScrapedMenu(url=URL, currency="EUR", sections=[
        ScrapedSection(name="Antipasti", items=[
            item("bruschetta", "6.50"),
            item("Burrata", "11.00", Availability.SOLD_OUT),
            item("Arancini", "7.00", Availability.IN_STOCK),
            item("Caprese", "8.50", confidence=0.7)]),
        ScrapedSection(name="Pizze", items=[
            item("Margherita Pizza", "9.00", variants=[ScrapedOption(name="Small", price=Decimal("9.00")),
                                                       ScrapedOption(name="Large", price=Decimal("14.50"))])]),
        ScrapedSection(name="Dolci", items=[item("Tiramisù", "6.00")]),
    ])


def test_changes_of_every_kind_with_evidence() -> None:
    changes = diff_menu(scraped(), live_menu(), fetched_at=WHEN)
    kinds = {(c.kind, c.item_id or c.item_name) for c in changes.changes}
    assert kinds == {
        (ChangeKind.SOLD_OUT, "burrata"), (ChangeKind.BACK_IN_STOCK, "arancini"),
        (ChangeKind.PRICE_CHANGE, "margherita"), (ChangeKind.NEW_ITEM, "Caprese"),
        (ChangeKind.NEW_ITEM, "Tiramisù"), (ChangeKind.REMOVED_ITEM, "diavola")}
    price = changes.of_kind(ChangeKind.PRICE_CHANGE)[0]
    assert (price.variant_id, price.old_price, price.new_price) == ("l", Decimal("14.00"), Decimal("14.50"))
    sold_out = changes.of_kind(ChangeKind.SOLD_OUT)[0]
    assert sold_out.evidence.url == URL and sold_out.evidence.fetched_at == WHEN
    assert sold_out.evidence.snippet == "Burrata 11.00"
    caprese = next(c for c in changes.changes if c.item_name == "Caprese")
    assert caprese.category_id == "starters" and caprese.confidence == 0.7
    assert changes.merchant_id == "lupa" and changes.menu_version == 7


def test_ids_are_stable_between_runs() -> None:
    first = [c.id for c in diff_menu(scraped(), live_menu(), fetched_at=WHEN).changes]
    again = [c.id for c in diff_menu(scraped(), live_menu(), fetched_at=WHEN).changes]
    assert first == again and len(set(first)) == len(first)


def test_apply_selected_changes_is_pure() -> None:
    menu = live_menu()
    before = menu.model_dump()
    changes = diff_menu(scraped(), menu, fetched_at=WHEN)
    updated = apply_changes(menu, changes.changes)
    assert menu.model_dump() == before
    assert updated.version == 8
    assert updated.item("burrata").available is False and updated.item("arancini").available is True
    assert updated.item("margherita").variant("l").price == Decimal("14.50")
    assert updated.item("diavola") is None
    caprese = updated.item("caprese")
    assert caprese.category_id == "starters" and caprese.price == Decimal("8.50")
    tiramisu = updated.item("tiramisu")
    assert updated.category(tiramisu.category_id).name == "Dolci"


def test_apply_only_a_selection() -> None:
    menu = live_menu()
    changes = diff_menu(scraped(), menu, fetched_at=WHEN)
    updated = apply_changes(menu, changes.by_id("sold_out:burrata"))
    assert updated.item("burrata").available is False and updated.item("diavola") is not None
    assert apply_changes(menu, []) is menu


def test_policy_auto_applies_availability_only() -> None:
    changes = diff_menu(scraped(), live_menu(), fetched_at=WHEN)
    plan = plan_changes(changes, ApplyPolicy.AUTO_APPLY_AVAILABILITY)
    assert {c.kind for c in plan.auto} == {ChangeKind.SOLD_OUT, ChangeKind.BACK_IN_STOCK}
    assert {c.kind for c in plan.needs_approval} == {ChangeKind.PRICE_CHANGE, ChangeKind.NEW_ITEM,
                                                     ChangeKind.REMOVED_ITEM}
    strict = plan_changes(changes, ApplyPolicy.NEEDS_APPROVAL)
    assert strict.auto == [] and len(strict.needs_approval) == len(changes.changes)


def test_low_confidence_availability_waits_for_approval() -> None:
    page = ScrapedMenu(url=URL, sections=[ScrapedSection(name="Antipasti", items=[
        item("Burrata", "11.00", Availability.SOLD_OUT, confidence=0.55), item("Bruschetta", "6.50")])])
    plan = plan_changes(diff_menu(page, live_menu(), fetched_at=WHEN), ApplyPolicy.AUTO_APPLY_AVAILABILITY)
    assert plan.auto == [] and ChangeKind.SOLD_OUT in {c.kind for c in plan.needs_approval}


def test_simple_price_change_and_currency_mismatch() -> None:
    page = ScrapedMenu(url=URL, sections=[ScrapedSection(name="Antipasti", items=[
        item("Bruschetta", "6.9"), ScrapedItem(name="Burrata", price=Decimal("12"), currency="USD")])])
    changes = diff_menu(page, live_menu(), fetched_at=WHEN)
    (price,) = changes.of_kind(ChangeKind.PRICE_CHANGE)
    assert (price.item_id, price.new_price) == ("bruschetta", Decimal("6.90"))
    assert any("USD" in w for w in changes.warnings)


def test_listed_items_can_count_as_in_stock() -> None:
    page = ScrapedMenu(url=URL, sections=[ScrapedSection(name="Antipasti", items=[item("Arancini", "7.00")])])
    assert not diff_menu(page, live_menu(), fetched_at=WHEN).of_kind(ChangeKind.BACK_IN_STOCK)
    assert diff_menu(page, live_menu(), fetched_at=WHEN, listed_means_in_stock=True).of_kind(ChangeKind.BACK_IN_STOCK)


def test_empty_scrape_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        diff_menu(ScrapedMenu(url=URL), live_menu(), fetched_at=WHEN)
    assert caught.value.code is ScrapeError.NOT_A_MENU


def test_name_normalisation() -> None:
    assert normalise_name("12. Crème Brûlée!") == "creme brulee"
    assert normalise_name("Fish & Chips") == normalise_name("fish  chips")
