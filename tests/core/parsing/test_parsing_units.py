"""Unit tests of the parser's parts: time, language, lexicons, menu index, cart output, PIZZA notation."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import NOW, TZ

from core.menu import ModifierKind, Portion
from core.orders.cart import CartLine, FulfilmentType
from core.parsing import available_languages, lexicon_for, menu_index, parse_order
from core.parsing.language import detect_language
from core.parsing.lexicon import PHRASE_ROLES, raw_lexicon
from core.parsing.text import fold, tokenize


# --- text -------------------------------------------------------------------------------------------
def test_fold_strips_latin_accents_but_keeps_devanagari() -> None:
    assert fold("Jalapeño CAFÉ") == "jalapeno cafe"
    assert fold("पिज़्ज़ा") == "पिज़्ज़ा"


def test_tokens_keep_spans_into_the_original_text() -> None:
    text = "Dos Piñas—7:30, j'aimerais"
    assert [text[t.start : t.end] for t in tokenize(text)] == ["Dos", "Piñas", "—", "7:30", ",", "j'", "aimerais"]


# --- lexicons ---------------------------------------------------------------------------------------
def test_five_languages_are_data_files() -> None:
    assert set(available_languages()) >= {"en", "es", "fr", "pt", "hi"}


@pytest.mark.parametrize("code", ["en", "es", "fr", "pt", "hi"])
def test_lexicon_documents_use_known_roles_and_translate_every_question(code: str) -> None:
    doc = raw_lexicon(code)
    assert set(doc["phrases"]) <= set(PHRASE_ROLES)
    assert set(raw_lexicon("en")["questions"]) <= set(lexicon_for(code).questions)
    assert doc["numbers"], "every language needs number words"


def test_fallback_does_not_override_own_words() -> None:
    assert lexicon_for("es").roles("a") == {"filler": True}  # never English "a" = 1
    assert lexicon_for("hi").roles("do") == {"number": 2}


# --- language detection -----------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "code"), [
    ("two large pizzas please", "en"), ("dos pizzas grandes", "es"), ("deux pizzas et un coca", "fr"),
    ("duas pizzas e uma coca", "pt"), ("दो पिज़्ज़ा", "hi"), ("mujhe do pizza chahiye", "hi"),
    ("Hola, quiero 2 pizzas con extra cheese", "es"), ("Je voudrais commander une pizza pour ce soir", "fr"),
])
def test_detects_language(text: str, code: str) -> None:
    assert detect_language(text, tokenize(text)) == code


# --- time -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("deliver at 7:30", datetime(2025, 3, 14, 19, 30)),
    ("at 7:30 am tomorrow", datetime(2025, 3, 15, 7, 30)),
    ("para las 21:30", datetime(2025, 3, 14, 21, 30)),
    ("demain 20h30", datetime(2025, 3, 15, 20, 30)),
    ("kal saat baje", datetime(2025, 3, 15, 19, 0)),
    ("सुबह 9 बजे", datetime(2025, 3, 15, 9, 0)),  # 9 am has passed today: tomorrow
    ("in 45 minutes", datetime(2025, 3, 14, 17, 50)),
    ("dans une demi heure", datetime(2025, 3, 14, 17, 35)),
    ("saturday at 1pm", datetime(2025, 3, 15, 13, 0)),
])
def test_requested_time_in_the_merchant_zone(text: str, expected: datetime, demo_menu) -> None:  # type: ignore[no-untyped-def]
    result = parse_order(f"a coke {text}", demo_menu, now=NOW, tz=TZ, strict=True)
    assert result.requested_time is not None
    assert result.requested_time.slot_start == expected.replace(tzinfo=ZoneInfo(TZ))


def test_meal_words_give_a_window(demo_menu) -> None:  # type: ignore[no-untyped-def]
    slot = parse_order("a coke for tomorrow lunch", demo_menu, now=NOW, tz=TZ, strict=True).requested_time
    assert slot is not None and (slot.slot_start.hour, slot.slot_end.hour) == (12, 14)  # type: ignore[union-attr]


def test_without_now_relative_times_stay_unresolved(demo_menu) -> None:  # type: ignore[no-untyped-def]
    result = parse_order("a coke at 7:30", demo_menu, strict=True)
    assert result.requested_time is None and result.requested_time_text == "at 7:30"


def test_asap_and_a_number_that_is_not_a_time(demo_menu) -> None:  # type: ignore[no-untyped-def]
    assert parse_order("2 cokes asap", demo_menu, now=NOW, strict=True).requested_time.asap  # type: ignore[union-attr]
    result = parse_order("as 2 pizzas margherita grandes", demo_menu, language="pt", now=NOW, strict=True)
    assert result.requested_time is None and result.lines[0].quantity == 2


# --- menu index -------------------------------------------------------------------------------------
def test_index_is_built_once_per_menu_version(demo_menu) -> None:  # type: ignore[no-untyped-def]
    assert menu_index(demo_menu) is menu_index(demo_menu)
    changed = demo_menu.model_copy(update={"version": demo_menu.version + 1})
    assert menu_index(changed) is not menu_index(demo_menu)


def test_plurals_translations_and_misspellings(demo_menu) -> None:  # type: ignore[no-untyped-def]
    index = menu_index(demo_menu)
    assert index.lookup("margheritas")[0].item_id == "margherita"  # type: ignore[index]
    assert index.lookup("cuatro quesos")[0].item_id == "quattro_formaggi"  # type: ignore[index]
    result = parse_order("one large hawaian", demo_menu, strict=True)
    assert result.lines[0].item_id == "hawaiian" and result.lines[0].confidence < 1
    assert any(q.kind == "confirm_line" for q in result.questions)


# --- output -----------------------------------------------------------------------------------------
def test_to_cart_lines_gives_core_cart_lines(demo_menu) -> None:  # type: ignore[no-untyped-def]
    result = parse_order("2 large margherita half ham half olives, no basil, well done", demo_menu, strict=True)
    (line,) = result.to_cart_lines()
    assert isinstance(line, CartLine)
    assert (line.item_id, line.variant_id, line.quantity) == ("margherita", "large", 2)
    kinds = {(m.option_id, m.kind, m.portion) for m in line.modifiers}
    assert kinds == {("ham", ModifierKind.ADD, Portion.LEFT), ("olives", ModifierKind.ADD, Portion.RIGHT),
                     ("basil", ModifierKind.REMOVE, Portion.WHOLE)}
    assert line.instructions == "well done"


def test_unknown_item_offers_the_closest_items(demo_menu) -> None:  # type: ignore[no-untyped-def]
    result = parse_order("2 pepperonni pizzas and 3 calzones", demo_menu, strict=True)
    assert result.unknown[0].text == "calzones" and result.unknown[0].quantity == 3
    assert any(q.kind == "unknown_item" for q in result.questions)


def test_shared_location_means_delivery(demo_menu) -> None:  # type: ignore[no-untyped-def]
    result = parse_order("2 cokes 📍 48.20817, 16.37382", demo_menu, strict=True)
    assert result.fulfilment is FulfilmentType.DELIVERY
    assert result.location is not None and round(result.location.lat, 3) == 48.208
    assert result.lines[0].quantity == 2


# --- PIZZA notation ---------------------------------------------------------------------------------
def test_pizza_exr_round_trip(pizza_menu) -> None:  # type: ignore[no-untyped-def]
    from benchmarks.pizza import canonical, line_to_exr

    result = parse_order("two large pizzas with ham and no extra cheese and a can of diet coke", pizza_menu, strict=True)
    got = canonical("(ORDER " + " ".join(line_to_exr(line, pizza_menu) for line in result.lines) + " )")
    gold = ("(ORDER (PIZZAORDER (NUMBER 2 ) (SIZE LARGE ) (TOPPING HAM ) (NOT (COMPLEX_TOPPING (QUANTITY EXTRA ) "
            "(TOPPING CHEESE ) ) ) ) (DRINKORDER (NUMBER 1 ) (DRINKTYPE DIET_COKE ) (CONTAINERTYPE CAN ) ) )")
    assert got == canonical(gold)
    assert json.loads(pizza_menu.model_dump_json())["merchant_id"] == "pizza-benchmark"
