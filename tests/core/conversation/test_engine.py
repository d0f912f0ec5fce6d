"""The dialogue over the memory order core: questions, refusals, commands and stale taps."""
from __future__ import annotations

from core.conversation import Stage
from core.orders.lifecycle import Action, Role
from core.orders.memory import MemoryUnitOfWork
from core.orders.model import Actor
from core.orders.handlers import TransitionOrder, transition_order
from tests.core.conversation.conftest import NOW, Chat


def checkout_pickup(chat: Chat) -> None:
    chat.tap("checkout")
    chat.tap("ful:pickup")
    chat.tap("time:asap")


def test_a_typed_answer_picks_the_option_it_names(chat: Chat) -> None:
    chat.send("a margherita")
    assert chat.state.questions and chat.state.questions[0].kind == "choose_variant"
    chat.send("medium")
    assert chat.state.lines[0].variant_id == "medium" and not chat.state.questions


def test_a_stale_tap_is_not_taken_for_the_current_question(chat: Chat) -> None:
    chat.send("a margherita and a coke")
    stale = chat.received[-1].buttons[0].id  # answers the first question (pizza size)
    chat.tap(stale)
    assert chat.state.lines[0].variant_id is not None
    chat.tap(stale)  # tapped again: the coke question is pending now; nothing changes
    assert chat.state.lines[1].variant_id is None and chat.state.questions


def test_below_the_minimum_order_goes_back_to_ordering_with_the_amount(chat: Chat) -> None:
    chat.send("1 tiramisu")
    checkout_pickup(chat)
    assert "minimum order is €10.00" in chat.last_text and chat.state.stage is Stage.ORDERING


def test_outside_the_zone_asks_for_another_location(chat: Chat) -> None:
    chat.send("2 tiramisu and a garlic bread")
    chat.tap("checkout")
    chat.tap("ful:delivery")
    chat.share_location(48.2082, 16.3738, "Vienna")  # 60 km away
    chat.tap("time:asap")
    assert "outside our delivery area" in chat.last_text
    assert chat.state.stage is Stage.ADDRESS and chat.received[-1].ask_location


def test_the_customer_may_cancel_only_before_the_kitchen_accepts(chat: Chat) -> None:
    chat.send("2 tiramisu and a garlic bread")
    checkout_pickup(chat)
    chat.tap("confirm")
    [order_id] = chat.placed
    with MemoryUnitOfWork(chat.db) as uow:
        transition_order(TransitionOrder(order_id=order_id, action=Action.ACCEPT, now=NOW, prep_minutes=15,
                                         actor=Actor(role=Role.MERCHANT_STAFF, merchant_id="pizzeria-donau")), uow)
    chat.send("cancel my order")
    assert "can't be cancelled any more" in chat.last_text
    assert chat.db.orders[order_id].status == "accepted"


def test_repeat_puts_the_last_order_back_in_the_cart(chat: Chat) -> None:
    chat.send("2 large margherita")
    checkout_pickup(chat)
    chat.tap("confirm")
    chat.send("same as last time")
    assert [(line.item_id, line.variant_id, line.quantity) for line in chat.state.lines] == [("margherita", "large", 2)]


def test_confirming_twice_with_the_same_turn_places_one_order(chat: Chat) -> None:
    chat.send("2 tiramisu and a garlic bread")
    checkout_pickup(chat)
    before = chat.state
    chat.tap("confirm")
    chat.state = before  # the same message again from the same state, as after a crash before saving
    chat.tap("confirm")
    assert len(set(chat.placed)) == 1 and len(chat.db.orders) == 1


def test_opting_out_silences_and_writing_again_resumes(chat: Chat) -> None:
    chat.send("stop")
    assert chat.state.opted_out
    chat.send("hi")
    assert not chat.state.opted_out and "Welcome" in chat.last_text


def test_every_widget_fits_whatsapp_limits(chat: Chat) -> None:
    chat.send("hi")
    chat.tap("menu")
    for reply in chat.received:
        assert len(reply.buttons) <= 3 and all(len(b.title) <= 20 for b in reply.buttons)
        rows = [r for s in reply.sections for r in s.rows]
        assert len(rows) <= 10 and all(len(r.title) <= 24 and len(r.description) <= 72 for r in rows)


def test_the_first_words_set_the_language_whatever_the_profile_says(chat: Chat) -> None:
    assert chat.customer.language == "en"
    chat.send("hola")
    assert chat.state.language == "es" and "Bienvenido a Pizzeria Donau" in chat.last_text
    chat.send("ok")  # too short to switch back
    assert chat.state.language == "es"


def test_the_cart_shows_prices_below_the_minimum_and_checkout_says_the_minimum_first(chat: Chat) -> None:
    chat.send("2 coke bottles")
    assert "2× Coca-Cola (Bottle 0.5 l): €7.00" in chat.last_text
    chat.tap("checkout")
    assert "minimum order is €10.00" in chat.last_text and chat.state.fulfilment is None


def test_a_typed_address_is_a_saved_one_or_a_request_for_the_pin(db, tom) -> None:  # type: ignore[no-untyped-def]
    from core.geo import GeoPoint
    from core.merchants import Address

    tom = tom.model_copy(update={"addresses": [Address(line1="Ringstraße 45", city="Krems",
                                                       location=GeoPoint(lat=48.40985, lon=15.6079))]})
    chat = Chat(db, tom, ["pizzeria-donau"], NOW)
    chat.send("2 large margherita")
    chat.tap("checkout")
    chat.tap("ful:delivery")
    assert [b.title for b in chat.received[-1].buttons] == ["Ringstraße 45"]
    chat.send("Somewhere Else 1")
    assert chat.received[-1].ask_location
    chat.send("ringstraße 45")
    assert chat.state.address is not None and chat.state.stage is Stage.TIME


def test_a_kitchen_the_account_no_longer_sells_for_starts_the_chat_over(db, tom) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(db, tom, ["pizzeria-donau", "krems-burger"], NOW)
    chat.send("hi")
    chat.tap("merchant:pizzeria-donau")
    chat.send("2 large margherita")
    chat.merchant_ids = ["krems-burger", "wachau-bowls"]  # the operator changed the account's kitchens
    chat.send("hi")
    assert chat.state.merchant_id is None and not chat.state.lines
    assert "Which kitchen" in chat.last_text


def test_more_than_ten_kitchens_are_paged(db, tom) -> None:  # type: ignore[no-untyped-def]
    pizzeria, menu = db.merchants["pizzeria-donau"], db.menus["pizzeria-donau"]
    ids = []
    for n in range(12):
        kitchen_id = f"kitchen-{n:02d}"
        db.merchants[kitchen_id] = pizzeria.model_copy(update={"id": kitchen_id, "name": f"Kitchen {n:02d}"})
        db.menus[kitchen_id] = menu.model_copy(update={"merchant_id": kitchen_id})
        ids.append(kitchen_id)
    chat = Chat(db, tom, ids, NOW)
    chat.send("hi")
    first = [c.id for c in chat.received[-1].choices]
    assert len(first) == 10 and first[-1] == "merchants:1"
    chat.tap("merchants:1")
    assert [c.id for c in chat.received[-1].choices] == ["merchant:kitchen-09", "merchant:kitchen-10",
                                                         "merchant:kitchen-11"]
    chat.tap("merchant:kitchen-11")
    assert "Welcome to Kitchen 11" in chat.last_text


def test_a_forged_tap_id_is_not_understood_rather_than_a_crash(chat: Chat) -> None:
    chat.send("hi")
    chat.tap("menu:²")
    chat.tap("add:margherita:²")
    assert chat.state.lines[0].quantity == 1


def test_a_typed_street_of_the_city_is_located_and_checked_against_the_zone(db, tom) -> None:  # type: ignore[no-untyped-def]
    from core.geo import GeoPoint
    from core.streets import StreetIndex

    streets = StreetIndex({"Ringstraße": [GeoPoint(lat=48.4113, lon=15.6061)],
                           "Wiener Straße": [GeoPoint(lat=48.2082, lon=16.3738)]})  # one in Vienna: out of zone
    chat = Chat(db, tom, ["pizzeria-donau"], NOW, streets=streets)
    chat.send("2 large margherita")
    chat.tap("checkout")
    chat.tap("ful:delivery")
    chat.send("Wiener Strasse 3")
    chat.tap("time:asap")
    assert "outside our delivery area" in chat.last_text
    chat.send("Ringstraße 45")
    assert chat.state.address is not None and chat.state.address.line1 == "Ringstraße 45"
    assert "Delivery to Ringstraße 45" in chat.last_text and "Delivery: €1.90" in chat.last_text
