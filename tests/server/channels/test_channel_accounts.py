"""A second business on its own WhatsApp number: added by an admin, verified with its own secret, selling
for its own kitchen, answering through its own number."""
from __future__ import annotations

from sqlalchemy import select

from server.db import channel_tables as ct
from tests.emulators.fixtures import GRAPH_TEST_TOKEN
from tests.emulators.graph_emulator import GraphEmulator
from tests.server.channels.chat import WhatsAppCustomer, signed_post, text_of, wa_envelope
from tests.server.conftest import Api

BOWLS_NUMBER = "5550001112223"
BOWLS_SECRET = "bowls-app-secret"


def test_a_second_number_sells_for_its_own_kitchen(chat_api: Api, graph_emulator: GraphEmulator,
                                                   demo_database_url: str) -> None:
    body = {"app_secret": BOWLS_SECRET, "verify_token": "bowls-verify", "access_token": GRAPH_TEST_TOKEN,
            "merchant_ids": ["wachau-bowls"]}
    assert chat_api.put(f"/channels/accounts/whatsapp/{BOWLS_NUMBER}", "owner", body).status_code == 403
    created = chat_api.put(f"/channels/accounts/whatsapp/{BOWLS_NUMBER}", "admin", body)
    assert created.status_code == 200, created.text
    listed = chat_api.get("/channels/accounts", "admin").json()
    assert listed == [{"channel": "whatsapp", "account_id": BOWLS_NUMBER, "merchant_ids": ["wachau-bowls"],
                       "created_at": listed[0]["created_at"]}]  # no secrets in the answer
    with chat_api.services.connection() as conn:
        stored = conn.execute(select(ct.channel_accounts)).one()._asdict()
    for name in ("app_secret", "verify_token", "access_token"):  # nor in the database: encrypted at rest
        assert stored[name].startswith("fernet:") and body[name] not in stored[name]
    unknown = chat_api.put("/channels/accounts/whatsapp/1", "admin", {**body, "merchant_ids": ["nope"]})
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_merchant"
    handshake = chat_api.client.get("/webhooks/whatsapp", params={"hub.mode": "subscribe", "hub.challenge": "42",
                                                                  "hub.verify_token": "bowls-verify"})
    assert handshake.status_code == 200 and handshake.text == "42"

    customer = WhatsAppCustomer(chat_api.client, graph_emulator, demo_database_url, "436649998877", "Eva")
    message = customer.message("text", {"body": "hi"})
    envelope = wa_envelope(message, customer.wa_id, customer.name)
    envelope["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = BOWLS_NUMBER
    assert signed_post(chat_api.client, "/webhooks/whatsapp", envelope).status_code == 401  # default secret
    assert signed_post(chat_api.client, "/webhooks/whatsapp", envelope, secret=BOWLS_SECRET).status_code == 200
    [welcome] = customer.replies_to(message["id"])
    assert "Welcome to Wachau Bowls" in text_of(welcome)  # one kitchen: no "which kitchen?"
    sends = [r for r in graph_emulator.requests(r"/messages$") if r["method"] == "POST"]
    assert sends and all(r["path"].endswith(f"/{BOWLS_NUMBER}/messages") for r in sends)
    customer.close()

    assert chat_api.client.delete(f"/channels/accounts/whatsapp/{BOWLS_NUMBER}",
                                  headers=chat_api.as_("admin")).status_code == 204
    gone = chat_api.client.delete(f"/channels/accounts/whatsapp/{BOWLS_NUMBER}", headers=chat_api.as_("admin"))
    assert gone.status_code == 404 and gone.json()["code"] == "channel_account_not_found"
