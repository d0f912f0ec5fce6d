"""Open vocabulary around the menu: cuisines, businesses named as subjects, "do you have X", size words."""
from __future__ import annotations

import pytest

from core.menu import Menu
from core.parsing import Intent, parse_order

EMPTY = Menu(merchant_id="none", currency="EUR")


def parse(text: str):
    return parse_order(text, EMPTY, language="en", strict=True)


@pytest.mark.parametrize("text, name", [
    ("does peking garden deliver", "peking garden"),
    ("find out if the olive garden will let me do takeaway", "olive garden"),
    ("domino's has takeaway right", "domino's"),
    ("when is taco bell going to arrive", "taco bell"),
    ("is mcdonalds open now", "mcdonalds"),
    ("order two pizzas from dominoes", "dominoes"),
])
def test_business_names_as_subject_or_after_from(text, name):
    assert parse(text).merchant_text == name


@pytest.mark.parametrize("text", ["is my order ready", "do you deliver", "is it open", "will the food arrive soon",
                                  "order a meal from a nice restaurant", "does the nearby chinese restaurant do delivery"])
def test_no_business_name_where_none_is_named(text):
    assert parse(text).merchant_text is None


def test_a_business_question_is_a_question():
    assert parse("domino's has takeaway right").intent is Intent.QUESTION


def test_cuisines_are_kinds_of_food_unless_a_dish_name_goes_on():
    result = parse("i am craving chinese food")
    assert result.cuisines == ["chinese"] and result.unknown == []
    assert parse("does the nearby thai restaurant deliver").cuisines == ["thai"]
    curry = parse("order thai green curry")
    assert curry.cuisines == [] and [u.text for u in curry.unknown] == ["thai green curry"]


def test_do_you_have_asks_about_a_dish():
    result = parse("do you have spicy wings?")
    assert result.intent is Intent.MENU
    assert [u.text for u in result.unknown] == ["spicy wings"]


def test_size_words_are_not_part_of_an_unknown_dish():
    result = parse("order two large pizzas and pieces of hot wings")
    assert [(u.text, u.quantity) for u in result.unknown] == [("pizzas and pieces of hot wings", 2)]
