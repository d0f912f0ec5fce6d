"""A WhatsApp or Instagram customer for tests: builds webhook deliveries in Meta's real shapes (from the
recorded payloads in tests/fixtures/whatsapp), signs them like Meta, posts them, and reads what the
business answered from the Graph API emulator."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select

from server.channels.signature import sign
from server.db import channel_tables as ct

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "whatsapp"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
PHONE_NUMBER_ID = "1122334455667"
IG_ACCOUNT_ID = "17841400000000001"
_ids = count(1)


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def channel_env(graph_url: str, token: str) -> dict[str, str]:
    return {"WHATSAPP_APP_SECRET": APP_SECRET, "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
            "WHATSAPP_ACCESS_TOKEN": token, "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "INSTAGRAM_APP_SECRET": APP_SECRET, "INSTAGRAM_VERIFY_TOKEN": VERIFY_TOKEN,
            "INSTAGRAM_ACCESS_TOKEN": token, "INSTAGRAM_ACCOUNT_ID": IG_ACCOUNT_ID,
            "GRAPH_API_BASE_URL": graph_url}


def signed_post(client: Any, path: str, body: dict[str, Any] | bytes, secret: str = APP_SECRET) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(path, content=raw, headers={"Content-Type": "application/json",
                                                   "X-Hub-Signature-256": sign(raw, secret)})


def wa_envelope(message: dict[str, Any], wa_id: str, name: str) -> dict[str, Any]:
    """The recorded text-message envelope with this message, sender and our phone number id."""
    body = fixture("wa_text_message.json")
    value = body["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = PHONE_NUMBER_ID
    value["contacts"] = [{"profile": {"name": name}, "wa_id": wa_id}]
    value["messages"] = [message]
    return body


class WhatsAppCustomer:
    """`say`, `tap`, `share_location`, `send_voice`; each returns the messages the business sent back."""

    def __init__(self, client: Any, emulator: Any, database_url: str, wa_id: str, name: str) -> None:
        self.client, self.emulator, self.wa_id, self.name = client, emulator, wa_id, name
        self.engine = create_engine(database_url)
        self.received: list[dict[str, Any]] = []
        self.clock = int(time.time())

    def message(self, kind: str, content: dict[str, Any], **extra: Any) -> dict[str, Any]:
        self.clock += 1
        return {"from": self.wa_id, "id": f"wamid.test{next(_ids)}", "timestamp": str(self.clock),
                "type": kind, kind: content, **extra}

    def deliver(self, message: dict[str, Any], times: int = 1) -> list[dict[str, Any]]:
        body = wa_envelope(message, self.wa_id, self.name)
        for _ in range(times):
            response = signed_post(self.client, "/webhooks/whatsapp", body)
            assert response.status_code == 200, response.text
        return self.replies_to(message["id"])

    def say(self, text: str) -> list[dict[str, Any]]:
        return self.deliver(self.message("text", {"body": text}))

    def tap(self, title: str) -> list[dict[str, Any]]:
        """Tap the reply button or list row with this title in the last message that offered choices."""
        for sent in reversed(self.received):
            interactive = sent.get("interactive") or {}
            action = interactive.get("action") or {}
            for button in action.get("buttons", []):
                reply = button.get("reply", {})
                if reply.get("title") == title:
                    return self.deliver(self.message("interactive", {
                        "type": "button_reply", "button_reply": {"id": reply["id"], "title": title}}))
            for section in action.get("sections", []):
                for row in section.get("rows", []):
                    if row.get("title") == title:
                        return self.deliver(self.message("interactive", {
                            "type": "list_reply", "list_reply": {"id": row["id"], "title": title}}))
        raise AssertionError(f"nothing titled {title!r} was offered; last: {self.received[-1:]}")

    def share_location(self, lat: float, lon: float, name: str = "", address: str = "") -> list[dict[str, Any]]:
        return self.deliver(self.message("location", {"latitude": lat, "longitude": lon, "name": name,
                                                      "address": address}))

    def send_voice(self, media_id: str, audio: bytes) -> list[dict[str, Any]]:
        self.emulator.add_media(media_id, audio, "audio/ogg")
        return self.deliver(self.message("audio", {"mime_type": "audio/ogg; codecs=opus", "id": media_id,
                                                   "voice": True}))

    # -- waiting for the answer ----------------------------------------------------------------------------

    def replies_to(self, message_id: str, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Wait until the message is processed and every reply it queued is sent; return those replies."""
        row_id = f"whatsapp:{message_id}"
        wait_until(lambda: self._processed(row_id), timeout, f"message {message_id} was not processed")
        wait_until(lambda: not self._pending(), timeout, "replies were not sent")
        sent = self.emulator.sent_whatsapp(to=self.wa_id)
        new = sent[len(self.received):]
        self.received.extend(new)
        return new

    def _processed(self, row_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(ct.channel_messages.c.processed_at)
                                .where(ct.channel_messages.c.id == row_id)).scalar() is not None

    def _pending(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(ct.outbound_messages.c.id).where(
                ct.outbound_messages.c.recipient == self.wa_id,
                ct.outbound_messages.c.status.in_(["queued", "sending"])).limit(1)).first() is not None

    def wait_for_message(self, predicate: Callable[[str], bool], timeout: float = 30.0) -> str:
        """Wait for a message (status updates come unasked) whose text satisfies `predicate`."""
        found: list[str] = []

        def seen() -> bool:
            sent = self.emulator.sent_whatsapp(to=self.wa_id)
            new = sent[len(self.received):]
            self.received.extend(new)
            found.extend(text for text in map(text_of, self.received) if predicate(text))
            return bool(found)

        wait_until(seen, timeout, "no such message arrived")
        return found[0]

    def close(self) -> None:
        self.engine.dispose()


def text_of(message: dict[str, Any]) -> str:
    """The text a customer reads: a text body, an interactive body, or a template's parameters."""
    if message.get("type") == "text":
        return message["text"]["body"]
    if message.get("type") == "interactive":
        return message["interactive"]["body"]["text"]
    if message.get("type") == "template":
        params = [p.get("text", "") for c in message["template"].get("components", []) for p in c.get("parameters", [])]
        return " ".join(params)
    return ""


def titles(message: dict[str, Any]) -> list[str]:
    action = (message.get("interactive") or {}).get("action") or {}
    return [b["reply"]["title"] for b in action.get("buttons", [])] + \
        [r["title"] for s in action.get("sections", []) for r in s.get("rows", [])]


def wait_until(check: Callable[[], bool], timeout: float, failure: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{failure} within {timeout} s")
