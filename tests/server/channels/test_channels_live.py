"""End to end against a real `mealkitz serve` process and the Graph API emulator process: a voice-note
order from "hi" to handed over, and the faults Meta's delivery and our crashes bring."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from server.db import channel_tables as ct
from server.db import tables as t
from tests.emulators.graph_emulator import GraphEmulator
from tests.emulators.fixtures import GRAPH_TEST_TOKEN
from tests.server.channels.chat import WhatsAppCustomer, channel_env, text_of, titles, wait_until
from tests.server.live_server import LiveServer, admin_headers, prepare_database
from tests.server.voice.conftest import need_tools

DEMO = Path(__file__).resolve().parents[3] / "assets" / "demo" / "krems.json"
KITCHEN = "chat-pizzeria"


def pizzeria_always_open() -> tuple[dict[str, Any], dict[str, Any]]:
    """Pizzeria Donau's merchant and menu under another id, open around the clock (the server reads the
    wall clock, and the demo pizzeria closes at 23:00)."""
    entry = next(e for e in json.loads(DEMO.read_text())["merchants"] if e["merchant"]["id"] == "pizzeria-donau")
    merchant = {**entry["merchant"], "id": KITCHEN, "opening_hours": []}
    menu = {**entry["menu"], "merchant_id": KITCHEN}
    for entity in [*menu["items"], *menu["categories"]]:
        entity.pop("availability", None)
    return merchant, menu


@pytest.fixture
def server(tmp_path: Path, graph_emulator: GraphEmulator) -> Iterator[LiveServer]:
    url = f"sqlite:///{tmp_path / 'chat.sqlite3'}"
    prepare_database(url)
    env = {**channel_env(graph_emulator.url, GRAPH_TEST_TOKEN), "MEALKITZ_CHANNEL_MERCHANTS": KITCHEN,
           "MEALKITZ_DISPATCH": "0", "MEALKITZ_JOB_WORKERS": "1"}
    live = LiveServer(url, tmp_path / "data", env=env).start()
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        headers = admin_headers(client)
        merchant, menu = pizzeria_always_open()
        assert client.post("/merchants", json=merchant, headers=headers).status_code == 201
        assert client.put(f"/merchants/{KITCHEN}/menu", json=menu, headers=headers).status_code == 200
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        yield http


def customer_of(client: httpx.Client, server: LiveServer, emulator: GraphEmulator) -> WhatsAppCustomer:
    return WhatsAppCustomer(client, emulator, server.database_url, "447700900123", "Sam Taylor")


def orders(server: LiveServer) -> list[Any]:
    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(t.orders.c.id, t.orders.c.doc)).all()
    finally:
        engine.dispose()


def up_to_the_summary(customer: WhatsAppCustomer, order: str) -> None:
    """Order by text, for pickup as soon as possible, up to the priced summary."""
    customer.say(order)
    customer.tap("Check out")
    customer.tap("Pickup")
    customer.tap("As soon as possible")


def move(client: httpx.Client, order_id: str, action: str, **extra: Any) -> None:
    response = client.post(f"/orders/{order_id}/transitions", json={"action": action, **extra},
                           headers=admin_headers(client))
    assert response.status_code == 200, response.text


def test_english_voice_note_from_hi_to_handed_over(server: LiveServer, client: httpx.Client,
                                                    graph_emulator: GraphEmulator) -> None:
    need_tools("espeak-ng", "ffmpeg")
    from benchmarks.voice_wer import speak, to_opus

    sam = customer_of(client, server, graph_emulator)
    [welcome] = sam.say("hi")
    assert "Welcome to Pizzeria Donau" in text_of(welcome)
    note = to_opus(speak("two large margherita pizzas and a coca cola please", "en"))
    [heard] = sam.send_voice("8801234567", note)
    assert "Added 2× Margherita (Large), 1× Coca-Cola" in text_of(heard), text_of(heard)
    sam.tap("Can 0.33 l")
    sam.tap("Check out")
    sam.tap("Pickup")
    [summary] = sam.tap("As soon as possible")
    assert "Pickup at Pizzeria Donau" in text_of(summary)
    [placed] = sam.tap("Confirm order")
    assert "Order #1" in text_of(placed)
    [(order_id, doc)] = orders(server)
    lines = [(line["item_id"], line["variant_id"], line["quantity"]) for line in json.loads(doc)["quote"]["lines"]]
    assert lines == [("margherita", "large", 2), ("coke", "can", 1)]
    media = graph_emulator.requests(r"^/v\d+\.\d+/8801234567$")
    assert media and media[0]["method"] == "GET"  # the note was fetched from the Graph API, then its bytes
    move(client, order_id, "accept", prep_minutes=10)
    sam.wait_for_message(lambda m: "accepted" in m)
    move(client, order_id, "ready")
    sam.wait_for_message(lambda m: "ready for pickup" in m)
    move(client, order_id, "hand_over")
    sam.wait_for_message(lambda m: "delivered" in m)
    sam.close()


def test_the_same_confirmation_delivered_three_times_places_one_order(server: LiveServer, client: httpx.Client,
                                                                       graph_emulator: GraphEmulator) -> None:
    sam = customer_of(client, server, graph_emulator)
    up_to_the_summary(sam, "1 tiramisu and 1 garlic bread")
    [confirm] = [b for b in sam.received[-1]["interactive"]["action"]["buttons"] if b["reply"]["title"] == "Confirm order"]
    tap = sam.message("interactive", {"type": "button_reply", "button_reply": confirm["reply"]})
    replies = sam.deliver(tap, times=3)
    assert [text_of(r) for r in replies] == [text_of(replies[0])] and "Order #1" in text_of(replies[0])
    assert len(orders(server)) == 1
    sam.close()


def test_a_message_acknowledged_before_a_crash_is_answered_after_the_restart(
        server: LiveServer, client: httpx.Client, graph_emulator: GraphEmulator) -> None:
    server.stop()
    server.extra_env["MEALKITZ_JOB_WORKERS"] = "0"  # acknowledge, but process nothing
    server.start()
    sam = customer_of(client, server, graph_emulator)
    from tests.server.channels.chat import signed_post, wa_envelope

    message = sam.message("text", {"body": "2 tiramisu please"})
    assert signed_post(client, "/webhooks/whatsapp", wa_envelope(message, sam.wa_id, sam.name)).status_code == 200
    server.kill()
    assert graph_emulator.sent_whatsapp(to=sam.wa_id) == []
    server.extra_env["MEALKITZ_JOB_WORKERS"] = "1"
    server.start()
    [cart] = sam.replies_to(message["id"])
    assert "2× Tiramisu" in text_of(cart) and titles(cart) == ["Check out", "Menu"]
    sam.close()


def test_graph_api_500_then_200_sends_the_reply_once(server: LiveServer, client: httpx.Client,
                                                      graph_emulator: GraphEmulator) -> None:
    graph_emulator.fault(r"/messages$", {"status": 500}, method="POST")
    sam = customer_of(client, server, graph_emulator)
    [welcome] = sam.say("hi")
    assert "Welcome" in text_of(welcome)
    attempts = [r for r in graph_emulator.requests(r"/messages$") if r["method"] == "POST"]
    assert [r["response"]["status"] for r in attempts] == [500, 200]
    engine = create_engine(server.database_url)
    with engine.connect() as conn:
        rows = conn.execute(select(ct.outbound_messages.c.status, func.count()).group_by(ct.outbound_messages.c.status)).all()
    engine.dispose()
    assert rows == [("sent", 1)]
    sam.close()


def test_opt_out_is_honoured_at_once_and_writing_again_opts_back_in(server: LiveServer, client: httpx.Client,
                                                                     graph_emulator: GraphEmulator) -> None:
    sam = customer_of(client, server, graph_emulator)
    up_to_the_summary(sam, "2 tiramisu and 1 garlic bread")
    sam.tap("Confirm order")
    [(order_id, _)] = orders(server)
    [bye] = sam.say("stop")
    assert "won't receive more messages" in text_of(bye)
    before = len(graph_emulator.sent_whatsapp(to=sam.wa_id))
    move(client, order_id, "accept", prep_minutes=10)
    engine = create_engine(server.database_url)
    wait_until(lambda: _skipped(engine) == 1, 30, "the status update was not skipped")
    engine.dispose()
    assert len(graph_emulator.sent_whatsapp(to=sam.wa_id)) == before
    [status] = sam.say("where is my order?")
    assert "accepted" in text_of(status)
    sam.close()


def _skipped(engine: Any) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(ct.outbound_messages)
                            .where(ct.outbound_messages.c.status == "skipped")).scalar_one()
