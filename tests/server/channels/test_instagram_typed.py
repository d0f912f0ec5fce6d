"""Instagram DMs typed instead of tapped, through the webhook, the job workers and the Graph API emulator
process: only a tap carries a quick reply's payload, so typed text equal to a title must act like the tap;
and a customer whose profile name is unknown is greeted without one. The demo account sells for three
kitchens."""
from __future__ import annotations

from tests.emulators.graph_emulator import GraphEmulator
from tests.server.channels.test_instagram_content import dm, quick_titles
from tests.server.conftest import Api


def test_typed_quick_reply_titles_act_like_taps_and_no_name_is_invented(
        chat_api: Api, graph_emulator: GraphEmulator, demo_database_url: str) -> None:
    [which] = dm(chat_api, graph_emulator, demo_database_url, {"text": "hi"})
    assert which["message"]["text"].startswith("Hi! Which kitchen") and "Instagram" not in which["message"]["text"]
    assert "Pizzeria Donau" in quick_titles(which)
    [welcome] = dm(chat_api, graph_emulator, demo_database_url, {"text": "Pizzeria Donau"})  # typed, no payload
    assert welcome["message"]["text"].startswith("Hi! Welcome to Pizzeria Donau")
    assert quick_titles(welcome) == ["Menu"]
    [menu] = dm(chat_api, graph_emulator, demo_database_url, {"text": "Menu"})
    assert menu["message"]["text"] == "What would you like to see from Pizzeria Donau?"
    assert "Pizza" in quick_titles(menu)


def test_a_first_message_order_reaches_the_one_kitchen_that_sells_it(
        chat_api: Api, graph_emulator: GraphEmulator, demo_database_url: str) -> None:
    [cart] = dm(chat_api, graph_emulator, demo_database_url, {"text": "quiero dos pizzas margarita grandes"})
    text = cart["message"]["text"]
    assert "2× Margarita (Grande)" in text and "Pizzeria Donau" in text
    assert quick_titles(cart) == ["Finalizar", "Menú"]
    [pickup] = dm(chat_api, graph_emulator, demo_database_url, {"text": "Finalizar"})
    assert pickup["message"]["text"] == "¿A domicilio o para recoger?"
