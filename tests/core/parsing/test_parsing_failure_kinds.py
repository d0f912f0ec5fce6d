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


def _lines(text: str, menu: str) -> list[tuple]:
    result = parse_order(text, _menu(menu), strict=True)
    return sorted((line.item_id, line.variant_id, line.quantity, tuple(sorted(m.option_id for m in line.modifiers)))
                  for line in result.lines)


@pytest.mark.parametrize(("text", "menu", "expected"), [
    ("two margheritas, one with extra mushrooms", "pizzeria_en",
     [("margherita", None, 1, ()), ("margherita", None, 1, ("mushrooms",))]),
    ("2 hawaiian pizzas, make one of them without ham", "pizzeria_en",
     [("hawaiian", None, 1, ()), ("hawaiian", None, 1, ("ham",))]),
    ("3 large pizzas: 1 diavola, 1 hawaiian, 1 pepperoni", "pizzeria_en",
     [("diavola", "large", 1, ()), ("hawaiian", "large", 1, ()), ("pepperoni", "large", 1, ())]),
    ("3 crêpes : une sucre, une nutella, une confiture", "cafe_fr",
     [("crepe", None, 1, ("confiture",)), ("crepe", None, 1, ("nutella",)), ("crepe", None, 1, ("sucre",))]),
    ("deux cafés crème, un grand et un petit", "cafe_fr", [("cafe_creme", "grand", 1, ()), ("cafe_creme", "petit", 1, ())]),
    ("dos bocadillos de calamares, uno sin limón", "tapas_es",
     [("bocadillo_calamares", None, 1, ()), ("bocadillo_calamares", None, 1, ("limón",))]),
    ("2 kulfi, kesar pista and mango", "indian_en", [("kulfi", None, 1, ("kesar_pista",)), ("kulfi", None, 1, ("mango_kulfi",))]),
])
def test_a_quantity_split_across_a_group(text: str, menu: str, expected: list) -> None:
    assert _lines(text, menu) == expected


@pytest.mark.parametrize(("text", "menu", "expected"), [
    ("queria 2 pastéis de carne, 1 de queijo", "lanchonete_pt", [("pastel_carne", None, 2, ()), ("pastel_queijo", None, 1, ())]),
    ("media ración de croquetas de jamón y media de setas", "tapas_es",
     [("croquetas_jamon", "media", 1, ()), ("croquetas_setas", "media", 1, ())]),
    ("um açaí pequeno", "lanchonete_pt", [("acai_tigela", "p300", 1, ())]),
    ("6 chicken wings", "pizzeria_en", [("chicken_wings", "six", 1, ())]),
    ("coke zero x2", "burger_en", [("coke_zero", None, 2, ())]),
    ("थम्स अप दो", "indian_en", [("thums_up", None, 2, ())]),
    ("un agua y un café", "tapas_es", [("agua", None, 1, ()), ("cafe_solo", None, 1, ())]),
    ("tortilla entera", "tapas_es", [("tortilla", "entera", 1, ())]),
    ("cheese burger", "burger_en", [("classic_cheeseburger", None, 1, ())]),
    ("chicken biryani full", "indian_en", [("chicken_biryani", "full", 1, ())]),
    ("smoky bbq double stack and large fries", "burger_en", [("fries", "large", 1, ()), ("smoky_bbq_double_stack", None, 1, ())]),
])
def test_dish_names_by_part_sibling_size_and_count(text: str, menu: str, expected: list) -> None:
    assert _lines(text, menu) == expected


@pytest.mark.parametrize(("text", "intent"), [
    ("olvida el pedido, ya no lo quiero", Intent.CANCEL), ("order nahi chahiye", Intent.CANCEL),
    ("bjr", Intent.GREETING), ("राम राम", Intent.GREETING), ("hii", Intent.GREETING),
    ("o motoboy já saiu?", Intent.STATUS), ("delivery boy kahan hai?", Intent.STATUS),
    ("les crêpes sont faites maison ?", Intent.QUESTION), ("क्या रोगन जोश बहुत तीखा है?", Intent.QUESTION),
])
def test_cancellations_greetings_status_and_questions_in_every_language(text: str, intent: Intent, demo_menu) -> None:  # type: ignore[no-untyped-def]
    assert parse_order(text, demo_menu, strict=True).intent is intent


def test_a_typo_of_a_menu_word_is_matched_but_confirmed() -> None:
    result = parse_order("medium pepperroni and garlic bred", _menu("pizzeria_en"), strict=True)
    assert {line.item_id for line in result.lines} == {"pepperoni", "garlic_bread"}
    assert any(q.kind.value == "confirm_line" for q in result.questions)


def test_span_edges_keep_verbs_fillers_and_time_out_of_unknown_dishes() -> None:
    empty = Menu(merchant_id="none", currency="EUR")
    assert [u.text for u in parse_order("two burgers and one coke order it fast", empty, language="en", strict=True).unknown] \
        == ["burgers", "coke"]
    assert [u.text for u in parse_order("i want to eat some spicy thing", empty, language="en", strict=True).unknown] \
        == ["spicy thing"]
    mention = parse_order("quiero comer algo picante", empty, language="es", strict=True).unknown
    assert mention and not mention[0].text.startswith("comer")


@pytest.mark.parametrize(("text", "menu", "expected"), [
    ("2 cokes, both in cans", "pizzeria_en", [("coca_cola", "can", 2, ())]),
    ("dos cañas y las dos bien frías", "tapas_es", [("cana", None, 2, ())]),
])
def test_both_applies_to_the_whole_line(text: str, menu: str, expected: list) -> None:
    assert _lines(text, menu) == expected


@pytest.mark.parametrize("text", [
    "a margherita with ham on half and mushrooms on the other half",
    "una margarita con jamón en una mitad y champiñones en la otra mitad",
    "une margherita avec jambon sur une moitié et champignons sur l'autre moitié",
    "uma margherita com presunto em metade e cogumelos na outra metade",
])
def test_halves_named_after_their_topping(text: str, demo_menu) -> None:  # type: ignore[no-untyped-def]
    (line,) = parse_order(text, demo_menu, strict=True).lines
    assert [(m.option_id, m.portion.value) for m in line.modifiers] == [("ham", "left"), ("mushrooms", "right")]


def test_not_too_much_is_light_and_a_comma_ends_the_negation() -> None:
    pizza_menu = Menu.model_validate_json((Path(__file__).resolve().parents[3] / "assets" / "menus" / "pizza" / "menu.json").read_text())
    (line,) = parse_order("a pizza with not too much cheese, no onions please, well done", pizza_menu, strict=True).lines
    assert {(m.option_id, m.kind.value) for m in line.modifiers} == {("cheese", "light"), ("onions", "remove")}
    assert "well done" in line.instructions


@pytest.mark.parametrize(("text", "menu", "expected"), [
    ("1 pepperoni and 1 margherita, both medium", "pizzeria_en",
     [("margherita", "medium", 1, ()), ("pepperoni", "medium", 1, ())]),
    ("2 chicken biryani full + 1 mutton biryani half, all with extra raita", "indian_en",
     [("chicken_biryani", "full", 2, ("extra_raita",)), ("mutton_biryani", "half", 1, ("extra_raita",))]),
])
def test_both_and_all_apply_to_every_line_of_the_sentence(text: str, menu: str, expected: list) -> None:
    assert _lines(text, menu) == expected


@pytest.mark.parametrize("text", [
    "una margarita y una hawaiana, las dos grandes", "une margherita et une hawaïenne, les deux grandes",
    "ek margherita aur ek hawaiian, dono large",
])
def test_both_in_every_language(text: str, demo_menu) -> None:  # type: ignore[no-untyped-def]
    lines = parse_order(text, demo_menu, strict=True).lines
    assert sorted((line.item_id, line.variant_id, line.quantity) for line in lines) == [
        ("hawaiian", "large", 1), ("margherita", "large", 1)]
