"""WhatsApp Cloud API: webhook envelopes to records, stored messages to `Inbound`, `Reply` to messages.

Envelope: {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value":
{"metadata": {"phone_number_id"}, "contacts": [...], "messages": [...], "statuses": [...]}}]}]}.
"""
from __future__ import annotations

from typing import Any

from core.conversation import CatalogItem, Inbound, InboundKind, Reply
from core.geo import GeoPoint
from server.channels import graph
from server.channels.events import Delivery, InboundRecord, StatusRecord, epoch

CHANNEL = "whatsapp"
# Message types we read; anything else (sticker, video, document, contacts...) is answered as unsupported.
KNOWN = {"text", "interactive", "button", "location", "audio", "image", "order", "unsupported"}
SILENT = {"reaction", "system", "ephemeral"}  # stored, never answered


class EnvelopeError(ValueError):
    """The body is JSON but not a WhatsApp webhook envelope."""


def parse_delivery(body: dict[str, Any]) -> Delivery:
    if not isinstance(body, dict) or body.get("object") != "whatsapp_business_account":
        raise EnvelopeError("not a whatsapp_business_account webhook")
    delivery = Delivery()
    for entry in _list(body.get("entry")):
        for change in _list(entry.get("changes") if isinstance(entry, dict) else None):
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict) or change.get("field") != "messages":
                continue
            account = str((value.get("metadata") or {}).get("phone_number_id", ""))
            delivery.account_ids.add(account)
            names = {str(c.get("wa_id")): str((c.get("profile") or {}).get("name", ""))
                     for c in _list(value.get("contacts")) if isinstance(c, dict)}
            for message in _list(value.get("messages")):
                if isinstance(message, dict) and message.get("id") and message.get("from"):
                    sender = str(message["from"])
                    delivery.messages.append(InboundRecord(
                        channel=CHANNEL, account_id=account, sender=sender, message_id=str(message["id"]),
                        kind=str(message.get("type", "unsupported")), sent_at=epoch(message.get("timestamp")),
                        payload=message, sender_name=names.get(sender, "")))
            for status in _list(value.get("statuses")):
                if isinstance(status, dict) and status.get("id") and status.get("status"):
                    errors = [f"{e.get('code')}: {e.get('title') or e.get('message')}" for e in _list(status.get("errors"))
                              if isinstance(e, dict)]
                    delivery.statuses.append(StatusRecord(
                        provider_message_id=str(status["id"]), status=str(status["status"]),
                        at=epoch(status.get("timestamp")), error="; ".join(errors) or None, account_id=account))
    return delivery


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def media_id(payload: dict[str, Any]) -> tuple[str, str] | None:
    """(media id, mime type) of an audio or voice message."""
    audio = payload.get("audio")
    if isinstance(audio, dict) and audio.get("id"):
        return str(audio["id"]), str(audio.get("mime_type") or "audio/ogg")
    return None


def to_inbound(kind: str, payload: dict[str, Any], transcript: str = "", transcript_error: str | None = None) -> Inbound | None:
    """The engine's view of a stored message; None for messages that get no answer (reactions)."""
    if kind in SILENT:
        return None
    if kind == "text":
        return Inbound(kind=InboundKind.TEXT, text=str((payload.get("text") or {}).get("body", ""))[:4096])
    if kind == "interactive":
        interactive = payload.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return Inbound(kind=InboundKind.CHOICE, choice_id=str(reply.get("id", "")), text=str(reply.get("title", "")))
    if kind == "button":
        button = payload.get("button") or {}
        return Inbound(kind=InboundKind.CHOICE, choice_id=str(button.get("payload", "")), text=str(button.get("text", "")))
    if kind == "location":
        where = payload.get("location") or {}
        try:
            point = GeoPoint(lat=float(where["latitude"]), lon=float(where["longitude"]))
        except (KeyError, TypeError, ValueError):
            return Inbound(kind=InboundKind.UNSUPPORTED)
        place = ", ".join(str(where[k]) for k in ("name", "address") if where.get(k))
        return Inbound(kind=InboundKind.LOCATION, location=point, place=place[:200])
    if kind == "audio":
        return Inbound(kind=InboundKind.VOICE, text=transcript[:4096], transcript_failed=transcript_error)
    if kind == "image":
        return Inbound(kind=InboundKind.IMAGE, text=str((payload.get("image") or {}).get("caption", ""))[:4096])
    if kind == "order":
        items = []
        for product in _list((payload.get("order") or {}).get("product_items")):
            try:
                items.append(CatalogItem(retailer_id=str(product["product_retailer_id"]),
                                         quantity=int(product.get("quantity", 1))))
            except (KeyError, TypeError, ValueError):
                continue
        return Inbound(kind=InboundKind.CATALOG_ORDER, catalog_items=items)
    return Inbound(kind=InboundKind.UNSUPPORTED)


def render(reply: Reply, to: str) -> dict[str, Any]:
    """A Cloud API message: reply buttons, a list, a location request, or text."""
    if reply.buttons:
        return graph.buttons_payload(to, reply.text[:1024], buttons=[(b.id, b.title) for b in reply.buttons])
    if reply.sections:
        sections = [(s.title, [(r.id, r.title, r.description) for r in s.rows]) for s in reply.sections]
        return graph.list_payload(to, reply.text[:1024], reply.list_label or "Menu", sections=sections)
    if reply.ask_location:
        return graph.location_request_payload(to, reply.text[:1024])
    return graph.text_payload(to, reply.text[:4096])


def render_template(to: str, name: str, language: str, params: list[str]) -> dict[str, Any]:
    """Outside the 24-hour customer-service window only approved templates may be sent."""
    return graph.template_payload(to, name, language, body_params=params)
