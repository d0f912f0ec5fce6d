"""The payload builders refuse what Meta would refuse, before anything is sent."""
from __future__ import annotations

import pytest

from server.channels.graph_payloads import (
    buttons_payload,
    ig_private_reply_payload,
    ig_text_payload,
    list_payload,
    location_request_payload,
    messenger_profile_payload,
    template_payload,
    text_payload,
)

TO = "4915112345678"
ROW = ("r1", "Margherita", "Tomato, mozzarella")


def rows(count: int, prefix: str = "r") -> list[tuple[str, str, None]]:
    return [(f"{prefix}{n}", f"Dish {n}", None) for n in range(count)]


def test_text_payload_shape():
    assert text_payload(TO, "Hello", preview_url=True) == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": TO, "type": "text",
        "text": {"body": "Hello", "preview_url": True}}


def test_buttons_payload_shape():
    payload = buttons_payload(TO, "Confirm?", [("yes", "Yes"), ("no", "No")], header="Order #42", footer="18.50 EUR")
    assert payload["interactive"] == {
        "type": "button",
        "header": {"type": "text", "text": "Order #42"},
        "body": {"text": "Confirm?"},
        "footer": {"text": "18.50 EUR"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "yes", "title": "Yes"}},
                               {"type": "reply", "reply": {"id": "no", "title": "No"}}]},
    }


def test_list_payload_shape_omits_empty_descriptions():
    payload = list_payload(TO, "Pick a dish", "Menu", [("Pizza", [ROW, ("r2", "Diavola", None)])])
    assert payload["interactive"] == {
        "type": "list", "body": {"text": "Pick a dish"},
        "action": {"button": "Menu", "sections": [{"title": "Pizza", "rows": [
            {"id": "r1", "title": "Margherita", "description": "Tomato, mozzarella"},
            {"id": "r2", "title": "Diavola"}]}]},
    }


def test_template_and_location_request_shapes():
    assert template_payload(TO, "order_ready", "de", ["#42"])["template"] == {
        "name": "order_ready", "language": {"code": "de"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "#42"}]}]}
    assert "components" not in template_payload(TO, "hello_world", "en_US")["template"]
    assert location_request_payload(TO, "Where to?")["interactive"] == {
        "type": "location_request_message", "body": {"text": "Where to?"}, "action": {"name": "send_location"}}


REFUSED = {
    "text over 4096": lambda: text_payload(TO, "x" * 4097),
    "blank text": lambda: text_payload(TO, "   "),
    "no recipient": lambda: text_payload("", "hello"),
    "no buttons": lambda: buttons_payload(TO, "Pick", []),
    "four buttons": lambda: buttons_payload(TO, "Pick", [("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")]),
    "button title of 21": lambda: buttons_payload(TO, "Pick", [("a", "x" * 21)]),
    "button id of 257": lambda: buttons_payload(TO, "Pick", [("a" * 257, "A")]),
    "button body over 1024": lambda: buttons_payload(TO, "x" * 1025, [("a", "A")]),
    "repeated button id": lambda: buttons_payload(TO, "Pick", [("a", "A"), ("a", "B")]),
    "repeated button title": lambda: buttons_payload(TO, "Pick", [("a", "Same"), ("b", "Same")]),
    "header over 60": lambda: buttons_payload(TO, "Pick", [("a", "A")], header="h" * 61),
    "footer over 60": lambda: buttons_payload(TO, "Pick", [("a", "A")], footer="f" * 61),
    "eleven rows": lambda: list_payload(TO, "Pick", "Menu", [("A", rows(6, "a")), ("B", rows(5, "b"))]),
    "eleven sections": lambda: list_payload(TO, "Pick", "Menu", [(f"S{n}", rows(1, f"s{n}-")) for n in range(11)]),
    "no sections": lambda: list_payload(TO, "Pick", "Menu", []),
    "empty section": lambda: list_payload(TO, "Pick", "Menu", [("Empty", [])]),
    "row title of 25": lambda: list_payload(TO, "Pick", "Menu", [("Pizza", [("r1", "x" * 25, None)])]),
    "row description of 73": lambda: list_payload(TO, "Pick", "Menu", [("Pizza", [("r1", "Dish", "d" * 73)])]),
    "section title of 25": lambda: list_payload(TO, "Pick", "Menu", [("s" * 25, [ROW])]),
    "list button label of 21": lambda: list_payload(TO, "Pick", "b" * 21, [("Pizza", [ROW])]),
    "repeated row id": lambda: list_payload(TO, "Pick", "Menu", [("A", [ROW]), ("B", [ROW])]),
    "template param with newline": lambda: template_payload(TO, "order_ready", "en", ["two\nlines"]),
    "template param with 5 spaces": lambda: template_payload(TO, "order_ready", "en", ["five     spaces"]),
    "template without name": lambda: template_payload(TO, "", "en"),
    "instagram text over 1000": lambda: ig_text_payload("1", "x" * 1001),
    "fourteen quick replies": lambda: ig_text_payload("1", "Pick", [(f"P{n}", f"T{n}") for n in range(14)]),
    "private reply without comment": lambda: ig_private_reply_payload("", "hi"),
    "five ice breakers": lambda: messenger_profile_payload(
        [{"question": f"Q{n}", "payload": "P"} for n in range(5)], []),
    "nested menu item": lambda: messenger_profile_payload([], [{"type": "nested", "title": "More"}]),
}


@pytest.mark.parametrize("case", REFUSED)
def test_what_meta_refuses_raises_value_error(case):
    with pytest.raises(ValueError):
        REFUSED[case]()


def test_limits_are_inclusive():
    buttons_payload(TO, "x" * 1024, [("a" * 256, "t" * 20), ("b", "B"), ("c", "C")], header="h" * 60)
    list_payload(TO, "Pick", "b" * 20, [("s" * 24, [("r" * 200, "t" * 24, "d" * 72)]), ("B", rows(9))])
    text_payload(TO, "x" * 4096)
    ig_text_payload("1", "x" * 1000, [(f"P{n}", f"T{n}") for n in range(13)])


def test_instagram_quick_reply_titles_are_truncated_as_instagram_would():
    payload = ig_text_payload("998877", "Pick", [("LONG", "A rather long quick reply title")])
    assert payload["message"]["quick_replies"] == [
        {"content_type": "text", "title": "A rather long quick…", "payload": "LONG"}]
    assert len(payload["message"]["quick_replies"][0]["title"]) == 20
