"""A whole conversation where every choice is typed instead of tapped, in every language the dialogue speaks,
and the loops customers met: a typed kitchen answered with the same list again, an order lost while a kitchen
was chosen, a greeting by the channel's name."""
from __future__ import annotations

import pytest

from core.conversation import Reply, Stage
from core.merchants import Customer
from core.orders.memory import MemoryState
from tests.core.conversation.conftest import NOW, Chat

KITCHENS = ["pizzeria-donau", "krems-burger", "wachau-bowls"]
# (typed, stage after it). Kitchen by partial name, typo, number and title; then the menu, a category, a
# dish, the parser's question, checkout, delivery or pickup, the time and the confirmation, all typed.
SCRIPTS = {
    "en": [("hello", Stage.CHOOSING_MERCHANT), ("donau", Stage.ORDERING), ("menu", Stage.ORDERING),
           ("pizza", Stage.ORDERING), ("margherita", Stage.ORDERING), ("large", Stage.ORDERING),
           ("check out", Stage.FULFILMENT), ("pickup", Stage.TIME), ("later", Stage.TIME),
           ("at 19:30", Stage.CONFIRMING), ("confirm order", Stage.PLACED)],
    "es": [("hola", Stage.CHOOSING_MERCHANT), ("pizeria donau", Stage.ORDERING), ("menú", Stage.ORDERING),
           ("pizzas", Stage.ORDERING), ("margarita", Stage.ORDERING), ("grande", Stage.ORDERING),
           ("finalizar", Stage.FULFILMENT), ("recoger", Stage.TIME), ("lo antes posible", Stage.CONFIRMING),
           ("confirmar pedido", Stage.PLACED)],
    "fr": [("bonjour", Stage.CHOOSING_MERCHANT), ("2", Stage.ORDERING), ("la carte", Stage.ORDERING),
           ("burgers", Stage.ORDERING), ("cheeseburger", Stage.ORDERING), ("medium", Stage.ORDERING),
           ("passer commande", Stage.FULFILMENT), ("à emporter", Stage.TIME), ("dès que possible", Stage.CONFIRMING),
           ("oui", Stage.PLACED)],
    "pt": [("olá", Stage.CHOOSING_MERCHANT), ("Wachau Bowls", Stage.ORDERING), ("cardápio", Stage.ORDERING),
           ("bowls", Stage.ORDERING), ("poke de salmao", Stage.ORDERING), ("2", Stage.ORDERING),
           ("finalizar", Stage.FULFILMENT), ("retirada", Stage.TIME), ("o quanto antes", Stage.CONFIRMING),
           ("confirmar pedido", Stage.PLACED)],
}
ORDERED = {"en": ("pizzeria-donau", "margherita", "large"), "es": ("pizzeria-donau", "margherita", "large"),
           "fr": ("krems-burger", "cheeseburger", None), "pt": ("wachau-bowls", "salmon_poke", "large")}


def anonymous(language: str) -> Customer:
    """An Instagram customer whose profile name could not be fetched: the stand-in is the channel's name."""
    return Customer(id=f"ig:{language}", name="Instagram", language=language)


def same_list_twice(replies: list[Reply]) -> bool:
    lists = [[(r.id, r.title) for s in reply.sections for r in s.rows] for reply in replies]
    return any(a and a == b for a, b in zip(lists, lists[1:]))


@pytest.mark.parametrize("language", sorted(SCRIPTS))
def test_every_choice_typed_from_hello_to_placed(db: MemoryState, language: str) -> None:
    chat = Chat(db, anonymous(language), KITCHENS, NOW)
    for typed, stage in SCRIPTS[language]:
        chat.send(typed)
        assert chat.state.stage is stage, (typed, chat.last_text, chat.state.questions)
        assert chat.state.language == language, (typed, chat.last_text)
    [order_id] = chat.placed
    order = chat.db.orders[order_id]
    merchant, item, variant = ORDERED[language]
    assert order.merchant_id == merchant
    assert [(line.item_id, line.variant_id) for line in order.quote.lines] == [(item, variant)]
    assert not any("Instagram" in reply.text for reply in chat.received)
    assert not same_list_twice(chat.received)


@pytest.fixture
def hall(db: MemoryState, tom: Customer) -> Chat:
    """Tom at a food hall's account: three kitchens."""
    return Chat(db, tom, KITCHENS, NOW)


def test_an_order_only_one_kitchen_sells_goes_there_without_the_list(db: MemoryState, maria: Customer) -> None:
    chat = Chat(db, maria, KITCHENS, NOW)
    chat.send("quiero dos pizzas margarita grandes")
    assert chat.state.merchant_id == "pizzeria-donau" and not chat.state.pending_text
    assert [(line.item_id, line.variant_id, line.quantity) for line in chat.state.lines] == [("margherita", "large", 2)]
    assert "Pizzeria Donau" in chat.last_text and not chat.received[-1].sections


def test_a_likely_kitchen_is_asked_with_one_tap_and_the_order_kept(hall: Chat) -> None:
    hall.send("a tiramsu")  # a typo: only the pizzeria has something like it, but it is a guess
    assert hall.state.merchant_id is None and hall.last_text == "Shall I send your order to Pizzeria Donau?"
    assert [b.title for b in hall.received[-1].buttons] == ["Yes", "No"]
    hall.send("yes")
    assert hall.state.merchant_id == "pizzeria-donau"
    assert [line.item_id for line in hall.state.lines] == ["tiramisu"]


@pytest.mark.parametrize(("typed", "kitchen"), [("Pizzeria Donau", "pizzeria-donau"), ("pizzeria donau", "pizzeria-donau"),
                                                ("donau", "pizzeria-donau"), ("2", "krems-burger"),
                                                ("3", "wachau-bowls"), ("the burger kitchen", "krems-burger")])
def test_a_typed_kitchen_is_taken_and_the_first_message_order_applied(hall: Chat, typed: str, kitchen: str) -> None:
    hall.send("a coke please")  # sold by two kitchens: which one?
    assert hall.state.stage is Stage.CHOOSING_MERCHANT and hall.state.pending_text == "a coke please"
    hall.send(typed)
    assert hall.state.merchant_id == kitchen and not hall.state.pending_text
    if kitchen != "wachau-bowls":  # the bowls kitchen sells no coke: nothing to add there
        assert [line.item_id for line in hall.state.lines] == ["coke"]
    assert not hall.received[-1].sections or "Which kitchen" not in hall.last_text


def test_a_message_the_kitchen_list_cannot_use_says_what_it_expects_not_the_list_again(hall: Chat) -> None:
    hall.send("hi")
    assert hall.received[-1].sections
    for _ in range(3):
        hall.send("hmm not sure")
        reply = hall.received[-1]
        assert not reply.sections and "type its name or number" in reply.text
        assert "1. Pizzeria Donau · 2. Krems Burger Kitchen · 3. Wachau Bowls" in reply.text
    hall.send("3")
    assert hall.state.merchant_id == "wachau-bowls" and "Welcome to Wachau Bowls" in hall.last_text


def test_an_unanswerable_reply_to_a_question_lists_its_options(chat: Chat) -> None:
    chat.send("a margherita")
    serial = chat.state.asked
    chat.send("hmm")
    assert "1. Small · 2. Medium · 3. Large" in chat.last_text and chat.state.asked == serial
    chat.send("3")
    assert chat.state.lines[0].variant_id == "large"


def test_a_customer_without_a_profile_name_is_greeted_without_one(db: MemoryState) -> None:
    chat = Chat(db, Customer(id="ig:1", name="Instagram"), ["pizzeria-donau"], NOW)
    chat.send("hi")
    assert chat.last_text.startswith("Hi! Welcome to Pizzeria Donau") and "Instagram" not in chat.last_text


def test_a_typed_button_title_does_not_switch_the_language(chat: Chat) -> None:
    chat.send("2 tiramisu and a garlic bread")
    chat.send("Check out")
    chat.send("Pickup")
    chat.send("As soon as possible")  # four words, but a button's own title: no language detection
    assert chat.state.stage is Stage.CONFIRMING and chat.state.language == "en"


def test_a_yes_in_the_customer_s_words_answers_the_one_tap_kitchen_question(db: MemoryState, maria: Customer) -> None:
    chat = Chat(db, maria, KITCHENS, NOW)
    chat.send("hola, quiero un tiramsu")
    assert [b.title for b in chat.received[-1].buttons] == ["Sí", "No"]
    chat.send("sí, claro")
    assert chat.state.merchant_id == "pizzeria-donau" and [line.item_id for line in chat.state.lines] == ["tiramisu"]


def test_choices_restated_as_buttons_fit_whatsapp_button_titles(db: MemoryState, tom: Customer) -> None:
    db.merchants["wachau-bowls"] = db.merchants["wachau-bowls"].model_copy(update={"name": "Wachau Bowls & Smoothies"})
    chat = Chat(db, tom, KITCHENS, NOW)
    chat.send("hi")
    assert "Wachau Bowls & Smoothies" in [c.title for c in chat.received[-1].choices]  # a row: 24 characters
    chat.send("hmm")
    assert not chat.received[-1].buttons and "3. Wachau Bowls & Smoothies" in chat.last_text
    chat.send("smoothies")
    assert chat.state.merchant_id == "wachau-bowls"


def test_each_checkout_stage_says_what_it_expects_from_a_message_it_cannot_use(chat: Chat) -> None:
    chat.send("2 tiramisu and a garlic bread")
    chat.send("check out")
    chat.send("hmm")
    assert chat.state.stage is Stage.FULFILMENT
    assert chat.last_text == "Delivery or pickup?\nTap one, or type its name or number: 1. Delivery · 2. Pickup"
    chat.send("2")
    assert chat.state.stage is Stage.TIME
    chat.send("hmm")
    assert "write it like “at 19:30”" in chat.last_text
    chat.send("1")
    assert chat.state.stage is Stage.CONFIRMING
    chat.send("hmm")
    assert chat.last_text == ("Shall I place it?\nTap one, or type its name or number: "
                              "1. Confirm order · 2. Change · 3. Cancel")
    chat.send("1")
    assert chat.state.stage is Stage.PLACED and len(chat.placed) == 1
