"""The one rule for typed answers to offered choices, and the name a customer is greeted by."""
from __future__ import annotations

import pytest

from core.conversation.choices import Certainty, match_choice, numbered
from core.conversation.context import addressed_name
from core.merchants import Customer

KITCHENS = [("merchant:pizzeria-donau", "Pizzeria Donau"), ("merchant:krems-burger", "Krems Burger Kitchen"),
            ("merchant:wachau-bowls", "Wachau Bowls")]
SIZES = [("q:3:small", "Small"), ("q:3:medium", "Medium"), ("q:3:large", "Large")]


@pytest.mark.parametrize(("typed", "expected", "certainty"), [
    ("Pizzeria Donau", "merchant:pizzeria-donau", Certainty.STRONG),  # the title, as Instagram's typed title
    ("pizzeria donau", "merchant:pizzeria-donau", Certainty.STRONG),
    ("PIZZERIA DONAU!", "merchant:pizzeria-donau", Certainty.STRONG),
    ("2", "merchant:krems-burger", Certainty.STRONG),  # the row's number
    ("donau", "merchant:pizzeria-donau", Certainty.WEAK),  # a distinctive part
    ("pizeria donau", "merchant:pizzeria-donau", Certainty.WEAK),  # a typo
    ("burger", "merchant:krems-burger", Certainty.WEAK),
    ("wachau bowl", "merchant:wachau-bowls", Certainty.WEAK),  # singular for plural
    ("la pizzeria donau por favor", "merchant:pizzeria-donau", Certainty.WEAK),  # in a sentence, another language
])
def test_a_typed_kitchen_names_its_row(typed: str, expected: str, certainty: Certainty) -> None:
    match = match_choice(typed, KITCHENS)
    assert match is not None and (match.choice_id, match.certainty) == (expected, certainty)


@pytest.mark.parametrize("typed", ["4", "0", "hello", "kitchen bowls", "a", "", "2 large margherita and a coke"])
def test_text_that_names_no_single_choice_matches_none(typed: str) -> None:
    assert match_choice(typed, KITCHENS) is None


def test_accents_and_case_do_not_matter_but_a_longer_title_does() -> None:
    yes_no = [("q:1:__yes__", "Sí"), ("q:1:__no__", "No")]
    assert match_choice("si", yes_no).choice_id == "q:1:__yes__"  # type: ignore[union-attr]
    assert match_choice("MEDIUM", SIZES).choice_id == "q:3:medium"  # type: ignore[union-attr]
    doneness = [("rare", "Medium rare"), ("medium", "Medium"), ("done", "Well done")]
    assert match_choice("medium", doneness).choice_id == "medium"  # type: ignore[union-attr]
    assert match_choice("medium rare", doneness).choice_id == "rare"  # type: ignore[union-attr]
    assert match_choice("checkout", [("checkout", "Check out")]).certainty is Certainty.STRONG  # type: ignore[union-attr]


def test_numbered_choices_read_as_text() -> None:
    assert numbered(["Pizzeria Donau", "Krems Burger Kitchen"]) == "1. Pizzeria Donau · 2. Krems Burger Kitchen"


@pytest.mark.parametrize(("name", "greeted"), [("María López", "María"), ("Instagram", ""), ("+436641112233", ""),
                                               ("WhatsApp", ""), ("Sam", "Sam")])
def test_a_stand_in_name_is_not_a_name(name: str, greeted: str) -> None:
    assert addressed_name(Customer(id="c1", name=name)) == greeted
