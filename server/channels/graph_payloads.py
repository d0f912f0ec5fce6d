"""Pure builders of WhatsApp Cloud API and Instagram Messaging API send payloads, checked against Meta's limits.

Meta answers an over-long title or a fourth button with HTTP 400 only after the conversation engine has moved
on, so the limits are checked here, where the caller can still shorten a label or split a list.
Policy: anything Meta *rejects* raises ValueError (the caller must decide how to shorten or split); the one
thing Meta itself *truncates* — Instagram quick-reply titles over 20 characters — is truncated here with an
ellipsis, so what we record is what the customer sees.

Shapes follow Meta's reference (and pywa's builders, which produce the same JSON):
WhatsApp  {"messaging_product": "whatsapp", "recipient_type": "individual", "to", "type", <type>: {...}}
Instagram {"recipient": {"id"}, "message": {"text", "quick_replies": [{"content_type": "text", ...}]}}
"""
from __future__ import annotations

import re
from collections.abc import Sequence

TEXT_BODY_MAX = 4096
BUTTON_BODY_MAX = 1024
LIST_BODY_MAX = 4096
HEADER_TEXT_MAX = 60
FOOTER_TEXT_MAX = 60
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_BUTTON_LABEL_MAX = 20
LIST_SECTIONS_MAX = 10
LIST_ROWS_MAX = 10
LIST_SECTION_TITLE_MAX = 24
LIST_ROW_TITLE_MAX = 24
LIST_ROW_DESCRIPTION_MAX = 72
LIST_ROW_ID_MAX = 200
IG_TEXT_MAX = 1000
IG_QUICK_REPLIES_MAX = 13
IG_QUICK_REPLY_TITLE_MAX = 20
IG_QUICK_REPLY_PAYLOAD_MAX = 1000

# Meta rejects template parameters with newlines, tabs or more than four consecutive spaces (error 132018).
_BAD_TEMPLATE_PARAM = re.compile(r"[\n\t]| {5,}")

Row = tuple[str, str, str | None]


def _require_text(field: str, value: str, max_chars: int) -> str:
    """Non-empty and within Meta's character limit (Meta counts characters, not bytes)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} must be non-empty text")
    if len(value) > max_chars:
        raise ValueError(f"{field} is {len(value)} characters; Meta allows at most {max_chars}")
    return value


def _whatsapp_envelope(to: str, message_type: str, content: dict) -> dict:
    _require_text("to", to, 64)
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": message_type,
        message_type: content,
    }


def _interactive(kind: str, body: str, action: dict, header: str | None, footer: str | None) -> dict:
    """The interactive object; header and footer are optional plain text (≤ 60 characters each)."""
    interactive: dict = {"type": kind}
    if header is not None:
        interactive["header"] = {"type": "text", "text": _require_text("header", header, HEADER_TEXT_MAX)}
    interactive["body"] = {"text": body}
    if footer is not None:
        interactive["footer"] = {"text": _require_text("footer", footer, FOOTER_TEXT_MAX)}
    interactive["action"] = action
    return interactive


def text_payload(to: str, body: str, preview_url: bool = False) -> dict:
    """A plain WhatsApp text message. Longer texts must be split by the caller, at a sentence it chooses."""
    _require_text("body", body, TEXT_BODY_MAX)
    return _whatsapp_envelope(to, "text", {"body": body, "preview_url": preview_url})


def buttons_payload(to: str, body: str, buttons: Sequence[tuple[str, str]], header: str | None = None,
                    footer: str | None = None) -> dict:
    """Up to three reply buttons; each tap comes back as an interactive.button_reply with the button id."""
    _require_text("body", body, BUTTON_BODY_MAX)
    if not 1 <= len(buttons) <= BUTTONS_MAX:
        raise ValueError(f"reply buttons take 1 to {BUTTONS_MAX} buttons, got {len(buttons)}")
    _require_unique_ids("button id", [button_id for button_id, _ in buttons])
    _require_unique_ids("button title", [title for _, title in buttons])
    reply_buttons = [
        {"type": "reply", "reply": {"id": _require_text("button id", button_id, BUTTON_ID_MAX),
                                    "title": _require_text("button title", title, BUTTON_TITLE_MAX)}}
        for button_id, title in buttons
    ]
    action = {"buttons": reply_buttons}
    return _whatsapp_envelope(to, "interactive", _interactive("button", body, action, header, footer))


def list_payload(to: str, body: str, button_label: str, sections: Sequence[tuple[str, Sequence[Row]]],
                 header: str | None = None, footer: str | None = None) -> dict:
    """A list message: ≤ 10 sections holding ≤ 10 rows in total; rows come back as interactive.list_reply."""
    _require_text("body", body, LIST_BODY_MAX)
    _require_text("button label", button_label, LIST_BUTTON_LABEL_MAX)
    if not 1 <= len(sections) <= LIST_SECTIONS_MAX:
        raise ValueError(f"a list takes 1 to {LIST_SECTIONS_MAX} sections, got {len(sections)}")
    rows = [row for _, section_rows in sections for row in section_rows]
    if len(rows) > LIST_ROWS_MAX:
        raise ValueError(f"a list takes at most {LIST_ROWS_MAX} rows across all sections, got {len(rows)}")
    _require_unique_ids("row id", [row_id for row_id, _, _ in rows])
    action = {"button": button_label, "sections": [_list_section(title, rows) for title, rows in sections]}
    return _whatsapp_envelope(to, "interactive", _interactive("list", body, action, header, footer))


def _list_section(title: str, rows: Sequence[Row]) -> dict:
    if not rows:
        raise ValueError(f"list section {title!r} has no rows; Meta requires at least one")
    return {"title": _require_text("section title", title, LIST_SECTION_TITLE_MAX),
            "rows": [_list_row(*row) for row in rows]}


def _list_row(row_id: str, title: str, description: str | None) -> dict:
    row = {"id": _require_text("row id", row_id, LIST_ROW_ID_MAX),
           "title": _require_text("row title", title, LIST_ROW_TITLE_MAX)}
    if description:
        row["description"] = _require_text("row description", description, LIST_ROW_DESCRIPTION_MAX)
    return row


def _require_unique_ids(kind: str, ids: Sequence[str]) -> None:
    """Meta rejects duplicate ids (and button titles); the customer could not tell the choices apart anyway."""
    duplicates = sorted({item for item in ids if ids.count(item) > 1})
    if duplicates:
        raise ValueError(f"{kind}s must be unique; repeated: {duplicates}")


def template_payload(to: str, name: str, language_code: str, body_params: Sequence[str] = ()) -> dict:
    """An approved template (the only kind allowed outside the 24-hour window) with positional body params."""
    _require_text("template name", name, 512)
    _require_text("language code", language_code, 16)
    template: dict = {"name": name, "language": {"code": language_code}}
    if body_params:
        template["components"] = [{"type": "body", "parameters": [_template_text(p) for p in body_params]}]
    return _whatsapp_envelope(to, "template", template)


def _template_text(value: str) -> dict:
    _require_text("template parameter", value, 32768)
    if _BAD_TEMPLATE_PARAM.search(value):
        raise ValueError("template parameters may not hold newlines, tabs or more than 4 consecutive spaces")
    return {"type": "text", "text": value}


def location_request_payload(to: str, body: str) -> dict:
    """Asks the customer to share a location (answered by a location message): where to deliver."""
    _require_text("body", body, BUTTON_BODY_MAX)
    interactive = {"type": "location_request_message", "body": {"text": body}, "action": {"name": "send_location"}}
    return _whatsapp_envelope(to, "interactive", interactive)


def ig_text_payload(recipient_id: str, text: str, quick_replies: Sequence[tuple[str, str]] = ()) -> dict:
    """An Instagram DM, optionally with up to 13 quick replies (title shown, payload sent back)."""
    _require_text("recipient id", recipient_id, 128)
    _require_text("text", text, IG_TEXT_MAX)
    if len(quick_replies) > IG_QUICK_REPLIES_MAX:
        raise ValueError(f"Instagram takes at most {IG_QUICK_REPLIES_MAX} quick replies, got {len(quick_replies)}")
    message: dict = {"text": text}
    if quick_replies:
        message["quick_replies"] = [_quick_reply(payload, title) for payload, title in quick_replies]
    return {"recipient": {"id": recipient_id}, "message": message}


def _quick_reply(payload: str, title: str) -> dict:
    return {"content_type": "text",
            "title": truncate(_require_text("quick reply title", title, 10_000), IG_QUICK_REPLY_TITLE_MAX),
            "payload": _require_text("quick reply payload", payload, IG_QUICK_REPLY_PAYLOAD_MAX)}


def truncate(text: str, max_chars: int) -> str:
    """Shorten to `max_chars` with a trailing ellipsis, as Instagram itself would show it."""
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def ig_private_reply_payload(comment_id: str, text: str) -> dict:
    """A private reply: one DM to the author of a comment, addressed by the comment id (within 7 days)."""
    _require_text("comment id", comment_id, 128)
    _require_text("text", text, IG_TEXT_MAX)
    return {"recipient": {"comment_id": comment_id}, "message": {"text": text}}


ICE_BREAKERS_MAX = 4
PERSISTENT_MENU_MAX = 20
MENU_TITLE_MAX = 30


def messenger_profile_payload(ice_breakers: Sequence[dict], persistent_menu: Sequence[dict]) -> dict:
    """Instagram ice breakers ({question, payload}, ≤ 4) and persistent menu (postback/web_url, ≤ 20 buttons).

    Both go in the localised form Meta documents, under the required "default" locale; `platform` names
    Instagram because the same Messenger Profile API also serves Facebook Pages.
    """
    if len(ice_breakers) > ICE_BREAKERS_MAX:
        raise ValueError(f"Instagram takes at most {ICE_BREAKERS_MAX} ice breakers, got {len(ice_breakers)}")
    if len(persistent_menu) > PERSISTENT_MENU_MAX:
        raise ValueError(f"the persistent menu takes at most {PERSISTENT_MENU_MAX} items, got {len(persistent_menu)}")
    questions = [_ice_breaker(item) for item in ice_breakers]
    menu = [_menu_item(item) for item in persistent_menu]
    payload: dict = {"platform": "instagram"}
    if questions:
        payload["ice_breakers"] = [{"locale": "default", "call_to_actions": questions}]
    if menu:
        payload["persistent_menu"] = [{"locale": "default", "call_to_actions": menu}]
    return payload


def _ice_breaker(item: dict) -> dict:
    return {"question": _require_text("ice breaker question", item.get("question", ""), 80),
            "payload": _require_text("ice breaker payload", item.get("payload", ""), 1000)}


def _menu_item(item: dict) -> dict:
    kind = item.get("type")
    title = _require_text("menu title", item.get("title", ""), MENU_TITLE_MAX)
    if kind == "postback":
        payload = _require_text("menu payload", item.get("payload", ""), 1000)
        return {"type": "postback", "title": title, "payload": payload}
    if kind == "web_url":
        return {"type": "web_url", "title": title, "url": _require_text("menu url", item.get("url", ""), 2000)}
    raise ValueError(f"persistent menu items are 'postback' or 'web_url', got {kind!r}")
