"""Webhook endpoints with Meta's recorded payloads: handshake, signatures, storing once, statuses."""
from __future__ import annotations

import hmac
import json

import pytest
from sqlalchemy import func, select

from server.channels import instagram, whatsapp
from server.channels.signature import is_valid, sign
from server.db import channel_tables as ct
from server.db import tables as t
from tests.server.channels.chat import APP_SECRET, FIXTURES, VERIFY_TOKEN, fixture, signed_post
from tests.server.conftest import Api


def test_the_recorded_signature_vector_verifies_and_its_tampered_twin_does_not() -> None:
    vector = fixture("signature_test_vector.json")
    body = vector["raw_body"].encode()
    assert is_valid(body, vector["header_value"], [vector["app_secret"]])
    assert sign(body, vector["app_secret"]) == vector["header_value"]
    tampered = vector["negative_case"]
    assert not is_valid(tampered["raw_body"].encode(), tampered["header_value"], [vector["app_secret"]])
    assert not is_valid(body, vector["header_value"], ["another-secret"])
    assert not is_valid(body, None, [vector["app_secret"]])
    assert not is_valid(body, "sha1=" + vector["header_value"][7:], [vector["app_secret"]])


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("wa_*.json")))
def test_every_recorded_whatsapp_payload_parses(name: str) -> None:
    delivery = whatsapp.parse_delivery(fixture(name))
    if name.startswith("wa_status_"):
        assert [s.status for s in delivery.statuses] == [name.removeprefix("wa_status_").removesuffix(".json")]
        assert delivery.messages == []
        return
    [record] = delivery.messages
    assert record.sender == "972987654321" and record.message_id.startswith("wamid.")
    assert record.account_id == "1122334455667"
    inbound = whatsapp.to_inbound(record.kind, record.payload)
    assert inbound is not None
    expected = {"wa_text_message.json": "text", "wa_interactive_button_reply.json": "choice",
                "wa_interactive_list_reply.json": "choice", "wa_quick_reply_button.json": "choice",
                "wa_location_chosen.json": "location", "wa_location_current.json": "location",
                "wa_audio_message.json": "voice", "wa_voice_message.json": "voice", "wa_image_message.json": "image",
                "wa_order_message.json": "catalog_order", "wa_unsupported_message.json": "unsupported"}
    assert inbound.kind == expected[name]
    if name == "wa_order_message.json":
        assert [(i.retailer_id, i.quantity) for i in inbound.catalog_items] == \
            [("HAMBURGER", 3), ("FRENCH_FRIES", 2), ("SODA", 2)]
    if name == "wa_location_chosen.json":
        assert inbound.location is not None and round(inbound.location.lat, 4) == 37.4612
        assert "Facebook HQ" in inbound.place
    if name == "wa_interactive_list_reply.json":
        assert inbound.choice_id == "callback_data"


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "instagram").glob("*.json")))
def test_every_recorded_instagram_event_parses(name: str) -> None:
    delivery = instagram.parse_delivery(json.loads((FIXTURES / "instagram" / name).read_text()))
    kinds = [m.kind for m in delivery.messages]
    expected = {"ig_text_message.json": ["text"], "ig_test_text_event.json": ["text"],
                "ig_attachment_share.json": ["share"], "ig_story_reply.json": ["text"],
                "ig_message_unsend.json": ["deleted"], "ig_messaging_seen.json": [],
                "meta_docs_messages_event.json": ["quick_reply", "audio"]}
    assert kinds == expected[name]
    for record in delivery.messages:
        inbound = instagram.to_inbound(record.kind, record.payload)
        assert (inbound is None) == (record.kind == "deleted")
    if name == "ig_story_reply.json":
        assert instagram.referred_media(delivery.messages[0].payload) == "chatwoot-app-user-id-1"


def test_handshake_echoes_the_challenge_only_for_our_verify_token(chat_api: Api) -> None:
    example = fixture("verification_get_handshake.json")["example"]["query"]
    for channel in ("whatsapp", "instagram"):
        ok = chat_api.client.get(f"/webhooks/{channel}", params={**example, "hub.verify_token": VERIFY_TOKEN})
        assert ok.status_code == 200 and ok.text == example["hub.challenge"]
        wrong = chat_api.client.get(f"/webhooks/{channel}", params=example)
        assert wrong.status_code == 403
        assert wrong.json()["code"] == "verify_token_mismatch"
        unsubscribe = chat_api.client.get(f"/webhooks/{channel}", params={**example, "hub.mode": "other",
                                                                          "hub.verify_token": VERIFY_TOKEN})
        assert unsubscribe.status_code == 403


def test_handshake_compares_the_verify_token_in_constant_time_with_every_token(
        chat_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a, b):  # type: ignore[no-untyped-def]
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    example = fixture("verification_get_handshake.json")["example"]["query"]
    guess = "test-verify-tokeX"
    wrong = chat_api.client.get("/webhooks/whatsapp", params={**example, "hub.verify_token": guess})
    assert wrong.status_code == 403
    assert compared == [(VERIFY_TOKEN.encode(), guess.encode())]  # not `in`: a short-circuiting comparison
    non_ascii = chat_api.client.get("/webhooks/whatsapp", params={**example, "hub.verify_token": "t\u00e9st"})
    assert non_ascii.status_code == 403  # refused, not a 500 from compare_digest on non-ASCII text


def _stored(api: Api) -> int:
    with api.services.connection() as conn:
        return conn.execute(select(func.count()).select_from(ct.channel_messages)).scalar_one()


def test_unsigned_or_badly_signed_deliveries_are_refused_and_store_nothing(chat_api: Api) -> None:
    raw = json.dumps(fixture("wa_text_message.json")).encode()
    missing = chat_api.client.post("/webhooks/whatsapp", content=raw, headers={"Content-Type": "application/json"})
    assert missing.status_code == 401 and missing.json()["code"] == "invalid_signature"
    bad = signed_post(chat_api.client, "/webhooks/whatsapp", raw, secret="not-the-secret")
    assert bad.status_code == 401
    tampered = chat_api.client.post("/webhooks/whatsapp", content=raw + b" ",
                                    headers={"X-Hub-Signature-256": sign(raw, APP_SECRET)})
    assert tampered.status_code == 401
    assert _stored(chat_api) == 0


def test_signed_garbage_is_a_400_problem_not_a_500(chat_api: Api) -> None:
    for body in (b"not json", b"[]", b'{"object": "page"}', json.dumps({"object": "whatsapp_business_account",
                                                                         "entry": "x"}).encode()):
        response = signed_post(chat_api.client, "/webhooks/whatsapp", body)
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            assert response.json()["code"] == "not_a_webhook"
    assert _stored(chat_api) == 0


def test_a_delivery_retried_by_meta_is_stored_and_queued_once(chat_api: Api) -> None:
    body = fixture("wa_text_message.json")
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "1122334455667"
    first = signed_post(chat_api.client, "/webhooks/whatsapp", body)
    again = signed_post(chat_api.client, "/webhooks/whatsapp", body)
    assert first.json()["new"] == 1 and again.json()["new"] == 0
    assert _stored(chat_api) == 1
    with chat_api.services.connection() as conn:
        jobs = conn.execute(select(func.count()).select_from(t.jobs).where(t.jobs.c.kind == "channel.inbound"))
        assert jobs.scalar_one() == 1


def test_delivery_statuses_are_recorded_against_the_sent_message_and_never_go_backwards(
        chat_api: Api, graph_emulator, demo_database_url: str) -> None:  # type: ignore[no-untyped-def]
    from tests.server.channels.chat import WhatsAppCustomer

    customer = WhatsAppCustomer(chat_api.client, graph_emulator, demo_database_url, "436640001111", "Lea")
    customer.say("hi")
    customer.close()
    with chat_api.services.connection() as conn:
        [row] = conn.execute(select(ct.outbound_messages.c.id, ct.outbound_messages.c.provider_message_id)).all()
    assert row.provider_message_id.startswith("wamid.")

    def status(name: str) -> str:
        body = fixture(f"wa_status_{name}.json")
        value = body["entry"][0]["changes"][0]["value"]
        value["metadata"]["phone_number_id"] = "1122334455667"
        value["statuses"][0]["id"] = row.provider_message_id
        assert signed_post(chat_api.client, "/webhooks/whatsapp", body).status_code == 200
        with chat_api.services.connection() as conn:
            return conn.execute(select(ct.outbound_messages.c.status)).scalar_one()

    assert status("delivered") == "delivered"
    assert status("read") == "read"
    assert status("delivered") == "read"  # Meta's callbacks arrive out of order at times
    assert status("failed") == "failed"
    with chat_api.services.connection() as conn:
        assert "130472" in conn.execute(select(ct.outbound_messages.c.error)).scalar_one()


@pytest.mark.parametrize("body", [
    {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {"metadata": "x"}}]}]},
    {"object": "instagram", "entry": 5},
    {"object": "instagram", "entry": [{"messaging": [{"sender": "abc", "message": {"mid": "m"}}]}]},
])
def test_oddly_shaped_deliveries_are_401_unsigned_and_400_signed_never_500(chat_api: Api, body: dict) -> None:
    channel = "instagram" if body["object"] == "instagram" else "whatsapp"
    raw = json.dumps(body).encode()
    unsigned = chat_api.client.post(f"/webhooks/{channel}", content=raw)
    assert unsigned.status_code == 401
    signed = signed_post(chat_api.client, f"/webhooks/{channel}", raw)
    assert signed.status_code in (200, 400), signed.text
    assert _stored(chat_api) == 0


def test_a_business_cannot_rewrite_another_business_statuses(chat_api: Api, graph_emulator,  # type: ignore[no-untyped-def]
                                                             demo_database_url: str) -> None:
    from tests.server.channels.chat import WhatsAppCustomer

    other = {"app_secret": "other-app-secret", "verify_token": "other-verify", "access_token": "other-token-1",
             "merchant_ids": ["wachau-bowls"]}
    assert chat_api.put("/channels/accounts/whatsapp/999000", "admin", other).status_code == 200
    customer = WhatsAppCustomer(chat_api.client, graph_emulator, demo_database_url, "436640002222", "Max")
    customer.say("hi")
    customer.close()
    with chat_api.services.connection() as conn:
        wamid = conn.execute(select(ct.outbound_messages.c.provider_message_id)).scalar_one()
    body = fixture("wa_status_failed.json")
    value = body["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = "999000"  # its own number, signed with its own secret
    value["statuses"][0]["id"] = wamid
    assert signed_post(chat_api.client, "/webhooks/whatsapp", body, secret="other-app-secret").status_code == 200
    with chat_api.services.connection() as conn:
        assert conn.execute(select(ct.outbound_messages.c.status)).scalar_one() == "sent"
