"""Regression tests per failure kind of issue 14 (questions, status, script, stems, notation, fuzzy evidence),
in every language. Menus: the parsing demo menu and the eval menus (their rows are not used here)."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.menu import Menu
from core.parsing import Intent, parse_order

EVAL_MENUS = Path(__file__).resolve().parents[2] / "fixtures" / "parsing" / "eval" / "menus"


def _menu(name: str) -> Menu:
    return Menu.model_validate_json((EVAL_MENUS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("text", "language"), [
    ("is my last order ready", "en"), ("status on my dinner order", "en"), ("how long until my pizza gets here?", "en"),
    ("¿dónde está mi pedido?", "es"), ("mi pedido ya está listo?", "es"),
    ("ma commande arrive quand ?", "fr"), ("où en est ma commande", "fr"),
    ("cadê meu pedido", "pt"), ("meu pedido já saiu?", "pt"),
    ("mera order kab aayega", "hi"), ("मेरा ऑर्डर कब आएगा", "hi"),
])
def test_a_question_about_the_own_order_is_status_not_an_order(text: str, language: str, demo_menu) -> None:  # type: ignore[no-untyped-def]
    result = parse_order(text, demo_menu, language=language, strict=True)
    assert result.intent is Intent.STATUS and result.lines == []


@pytest.mark.parametrize(("text", "language", "intent"), [
    ("do you have tiramisu?", "en", Intent.MENU), ("how much is a large pizza?", "en", Intent.QUESTION),
    ("¿cuánto cuesta una pizza grande?", "es", Intent.QUESTION), ("combien coûte une grande pizza ?", "fr", Intent.QUESTION),
    ("quanto custa uma pizza grande?", "pt", Intent.QUESTION), ("pizza kitne ka hai", "hi", Intent.QUESTION),
    ("do they offer delivery", "en", Intent.QUESTION), ("¿ustedes hacen delivery?", "es", Intent.QUESTION),
])
def test_a_question_naming_a_dish_adds_nothing(text: str, language: str, intent: Intent, demo_menu) -> None:  # type: ignore[no-untyped-def]
    result = parse_order(text, demo_menu, language=language, strict=True)
    assert result.intent is intent and result.lines == []


@pytest.mark.parametrize(("text", "language"), [
    ("can you make me a pizza with ham", "en"), ("quiero dos pizzas grandes con jamón", "es"),
])
def test_a_request_stays_an_order(text: str, language: str, demo_menu) -> None:  # type: ignore[no-untyped-def]
    assert parse_order(text, demo_menu, language=language, strict=True).intent is Intent.ORDER


def test_business_names_keep_their_business_word_and_kinds_are_reported() -> None:
    empty = Menu(merchant_id="none", currency="EUR")
    result = parse_order("does restaurant royale deliver takeaway", empty, language="en", strict=True)
    assert result.merchant_text == "royale" and result.business_types == ["restaurant"]
    result = parse_order("can i get delivery from this restaurant", empty, language="en", strict=True)
    assert result.merchant_text is None and result.business_types == ["restaurant"]
    assert parse_order("when is taco bell going to arrive", empty, language="en", strict=True).merchant_text == "taco bell"


@pytest.mark.parametrize(("text", "menu", "expected"), [
    ("पनीर टिक्का और दो मैंगो लस्सी", "indian_en", {("paneer_tikka", 1), ("mango_lassi", 2)}),
    ("ek paneer tikka aur 2 mango lassi", "indian_hi", {("mango_lassi", 2)}),
    ("2 tikka paneer", "indian_en", {("paneer_tikka", 2)}),
    ("unas bravas y dos cañas", "tapas_es", {("patatas_bravas", 1), ("cana", 2)}),
    ("patatas bravas x2", "tapas_es", {("patatas_bravas", 2)}),
    ("2x bravas", "tapas_es", {("patatas_bravas", 2)}),
])
def test_dish_names_across_scripts_word_order_parts_and_notation(text: str, menu: str, expected: set) -> None:
    result = parse_order(text, _menu(menu), strict=True)
    assert expected <= {(line.item_id, line.quantity) for line in result.lines}


@pytest.mark.parametrize("text", ["two large pizzas, cheers", "i waited an hour last time"])
def test_ordinary_words_are_not_fuzzy_dishes(text: str, demo_menu) -> None:  # type: ignore[no-untyped-def]
    result = parse_order(text, demo_menu, language="en", strict=True)
    assert not any(line.item_id in ("water", "cheese") for line in result.lines)
    assert not any(m.option_id == "cheese" for line in result.lines for m in line.modifiers)
