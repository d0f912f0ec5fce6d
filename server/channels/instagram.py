"""Instagram Messaging: webhook events to records, stored messages to `Inbound`, `Reply` to messages.

Envelope: {"object": "instagram", "entry": [{"id", "time", "messaging": [{"sender", "recipient",
"timestamp", "message" | "postback" | "read" | "reaction"}], "changes": [{"field": "comments", ...}]}]}.
Instagram has no lists or reply buttons: choices become quick replies (at most 13, titles of 20 characters).
"""
from __future__ import annotations

from typing import Any

from core.conversation import Inbound, InboundKind, Reply
from core.conversation.texts import clip
from server.channels import graph
from server.channels.events import Delivery, InboundRecord, epoch
from server.channels.whatsapp import EnvelopeError

CHANNEL = "instagram"
MAX_QUICK_REPLIES = 13
TEXT_CHARS = 1000


def parse_delivery(body: dict[str, Any]) -> Delivery:
    if not isinstance(body, dict) or body.get("object") != "instagram":
        raise EnvelopeError("not an instagram webhook")
    delivery = Delivery()
    for entry in body.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        delivery.account_ids.add(str(entry.get("id", "")))
        for event in entry.get("messaging") or []:
            record = _record(event, str(entry.get("id", "")))
            if record is not None:
                delivery.messages.append(record)
                delivery.account_ids.add(record.account_id)
        for change in entry.get("changes") or []:
            if isinstance(change, dict) and change.get("field") == "comments" and isinstance(change.get("value"), dict):
                delivery.comments.append({**change["value"], "account_id": str(entry.get("id", ""))})
    return delivery


def _record(event: Any, entry_id: str) -> InboundRecord | None:
    if not isinstance(event, dict):
        return None
    sender = str((event.get("sender") or {}).get("id", ""))
    account = str((event.get("recipient") or {}).get("id", "")) or entry_id
    message, postback = event.get("message"), event.get("postback")
    if isinstance(message, dict) and message.get("mid") and sender:
        if message.get("is_echo"):
            return None  # our own message, echoed back
        kind = "deleted" if message.get("is_deleted") else _message_kind(message)
        return InboundRecord(channel=CHANNEL, account_id=account, sender=sender, message_id=str(message["mid"]),
                             kind=kind, sent_at=epoch(event.get("timestamp")), payload=message)
    if isinstance(postback, dict) and sender:
        mid = str(postback.get("mid") or f"postback:{sender}:{event.get('timestamp')}")
        return InboundRecord(channel=CHANNEL, account_id=account, sender=sender, message_id=mid, kind="postback",
                             sent_at=epoch(event.get("timestamp")), payload=postback)
    return None  # read receipts, reactions, typing: nothing to answer


def _message_kind(message: dict[str, Any]) -> str:
    if isinstance(message.get("quick_reply"), dict):
        return "quick_reply"
    attachments = [a for a in message.get("attachments") or [] if isinstance(a, dict)]
    if attachments:
        return str(attachments[0].get("type", "unsupported"))  # audio, image, share, story_mention, ig_reel...
    return "text" if message.get("text") else "unsupported"


def attachment_url(payload: dict[str, Any]) -> str | None:
    for attachment in payload.get("attachments") or []:
        if isinstance(attachment, dict) and isinstance(attachment.get("payload"), dict):
            url = attachment["payload"].get("url")
            if url:
                return str(url)
    return None


def referred_media(payload: dict[str, Any]) -> str | None:
    """The id of the story or post a message replies to or shares, to look up its menu items."""
    reply_to = payload.get("reply_to") or {}
    if isinstance(reply_to.get("story"), dict) and reply_to["story"].get("id"):
        return str(reply_to["story"]["id"])
    for attachment in payload.get("attachments") or []:
        if isinstance(attachment, dict) and attachment.get("type") in ("share", "ig_post", "ig_reel"):
            data = attachment.get("payload") or {}
            media = data.get("ig_post_media_id") or data.get("id")
            if media:
                return str(media)
    return None


def to_inbound(kind: str, payload: dict[str, Any], transcript: str = "", transcript_error: str | None = None,
               referred_items: list[str] | None = None) -> Inbound | None:
    refers = referred_items or []
    if kind == "deleted":
        return None
    if kind == "quick_reply":
        return Inbound(kind=InboundKind.CHOICE, choice_id=str(payload["quick_reply"].get("payload", "")),
                       text=str(payload.get("text", ""))[:4096])
    if kind == "postback":
        return Inbound(kind=InboundKind.CHOICE, choice_id=str(payload.get("payload", "")),
                       text=str(payload.get("title", ""))[:4096])
    if kind == "audio":
        return Inbound(kind=InboundKind.VOICE, text=transcript[:4096], transcript_failed=transcript_error)
    if kind == "story_mention":
        return Inbound(kind=InboundKind.STORY_MENTION)
    if kind == "image":
        return Inbound(kind=InboundKind.IMAGE)
    text = str(payload.get("text", ""))[:4096]
    if kind == "text" or (kind in ("share", "ig_post", "ig_reel") and (text or refers)):
        return Inbound(kind=InboundKind.TEXT, text=text or "?", refers_to_items=refers)
    return Inbound(kind=InboundKind.UNSUPPORTED)


def render(reply: Reply, to: str) -> dict[str, Any]:
    """Text with the reply's choices as quick replies; choices past 13 stay typed-only."""
    quick = [(choice.id, clip(choice.title, 20)) for choice in reply.choices][:MAX_QUICK_REPLIES]
    return graph.ig_text_payload(to, clip(reply.text, TEXT_CHARS), quick_replies=quick)
