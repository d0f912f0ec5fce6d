"""Mapping recognition onto the menu: sound distance, snapping misheard names, choosing among readings."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.menu import Menu
from core.parsing import parse_order
from core.voice.menu_match import menu_vocabulary, snap_to_menu
from core.voice.phonetic import sound_distance
from core.voice.reading import choose_reading
from core.voice.vocabulary import menu_prompt

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def menu() -> Menu:
    data = json.loads((ROOT / "assets" / "demo" / "krems.json").read_text(encoding="utf-8"))
    return next(Menu.model_validate(m["menu"]) for m in data["merchants"]
                if m["menu"]["merchant_id"] == "pizzeria-donau")


@pytest.fixture(scope="module")
def english(menu):
    return menu_vocabulary(menu, "en")


def _items(result) -> dict[str, int]:
    return {line.item_id: line.quantity for line in result.lines}


def test_sound_distance_hears_homophones_and_misspellings_as_close():
    assert sound_distance("free", "three") == 0.0  # "th" and "f" fold together
    assert sound_distance("formagi", "formaggi") < 0.2
    assert sound_distance("kelvoni", "calzone") < sound_distance("kelvoni", "tiramisu")
    assert sound_distance("please", "pepperoni") > 0.5


def test_sound_distance_stops_early_past_its_limit():
    assert sound_distance("sprite", "quattro formaggi", limit=0.3) == float("inf")
    assert sound_distance("sprite", "sprites", limit=0.3) < 0.3


@pytest.mark.parametrize(("heard", "expected"), [
    ("can i have a kelvoni and a garlic bread", "can i have a calzone and a garlic bread"),
    ("a large diver and a small quattro for a maggie", "a large diavola and a small quattro formaggi"),
    ("free garlic bread and a tiramisu", "three garlic bread and a tiramisu"),
    ("can we get 1 large 4 cheese pizza", "can we get 1 large four cheese pizza"),
])
def test_misheard_names_and_numbers_are_put_back(english, heard, expected):
    snapped, distance = snap_to_menu(heard, english, 0.5)
    assert snapped == expected
    assert distance >= 0.0


@pytest.mark.parametrize("said", [
    "three coca colas for delivery",  # "for" is not "four": no dish follows it
    "i'd like a calzone without ham please",
    "one medium hawaii with extra pineapple",
])
def test_words_that_already_mean_something_are_left_alone(english, said):
    assert snap_to_menu(said, english, 0.5) == (said, 0.0)


def test_a_stricter_threshold_snaps_less(english):
    loose, _ = snap_to_menu("one wilders please", english, 0.5)
    strict, _ = snap_to_menu("one wilders please", english, 0.05)
    assert loose == "one waters please" and strict == "one wilders please"


def _parse(menu, language="en"):
    return lambda text: parse_order(text, menu, language=language)


def test_the_reading_the_menu_explains_wins_over_the_first_hypothesis(menu):
    hypotheses = [("One medium Thyvola without pepperoni and a garlic bread.", -0.20),
                  ("One medium Thyvola without pepperoni and a garlic bed.", -0.25)]
    reading = choose_reading(hypotheses, menu, "en", _parse(menu))
    assert _items(reading.result) == {"diavola": 1, "garlic_bread": 1}
    assert "diavola" in reading.text


def test_a_far_fetched_rewrite_loses_to_what_was_heard(menu):
    reading = choose_reading([("i'd like a calzone without him", -0.2)], menu, "en", _parse(menu))
    assert reading.text == "i'd like a calzone without him" and _items(reading.result) == {"calzone": 1}


def test_the_recogniser_score_decides_between_two_menu_readings(menu):
    hypotheses = [("two calzones", -0.10), ("two tiramisu", -0.90)]
    assert _items(choose_reading(hypotheses, menu, "en", _parse(menu)).result) == {"calzone": 2}
    swapped = [("two calzones", -0.90), ("two tiramisu", -0.10)]
    assert _items(choose_reading(swapped, menu, "en", _parse(menu)).result) == {"tiramisu": 2}


def test_no_hypothesis_is_an_empty_reading(menu):
    reading = choose_reading([], menu, "en", _parse(menu))
    assert reading.text == "" and reading.result.lines == []


def test_menu_prompt_is_an_order_naming_every_dish(menu):
    for language, verb in (("en", "I "), ("es", "Q")):
        prompt = menu_prompt(menu, language)
        assert prompt.startswith(verb) and prompt.endswith(".")
        for item in menu.items:
            assert item.name_in(language) in prompt, (language, item.id)
    short = menu_prompt(menu, "en", max_chars=80)
    assert len(short) <= 80 and short.endswith(".") and menu.items[0].name in short
