"""What the emulated Graph API refuses: the documented limits of WhatsApp and Instagram send payloads.

Written independently of server/channels/graph_payloads.py on purpose: if the builders and the emulator
shared their checks, a wrong limit would pass in both. Each check returns None or the reason Meta would
give, which the emulator wraps in Meta's code-100 "Invalid parameter" error body.
"""
from __future__ import annotations

import re
from typing import Any

Problem = str | None

WHATSAPP_TYPES = {"text", "interactive", "template", "image", "audio", "document", "video", "sticker",
                  "location", "contacts", "reaction"}
INTERACTIVE_BODY_MAX = {"button": 1024, "list": 4096, "location_request_message": 1024}
TEMPLATE_COMPONENT_TYPES = {"header", "body", "button", "footer"}
QUICK_REPLY_TYPES = {"text", "user_phone_number", "user_email"}
_BAD_TEMPLATE_PARAM = re.compile(r"[\n\t]| {5,}")


def _text(value: Any, field: str, max_chars: int) -> Problem:
    if not isinstance(value, str) or not value.strip():
        return f"{field} is required and must be a non-empty string"
    if len(value) > max_chars:
        return f"{field} is too long: {len(value)} characters, the maximum is {max_chars}"
    return None


def _first(*problems: Problem) -> Problem:
    return next((problem for problem in problems if problem), None)


def _unique(values: list[Any], field: str) -> Problem:
    return f"{field} must be unique" if len(set(values)) != len(values) else None


# -- WhatsApp Cloud API ----------------------------------------------------------------------------------------

def whatsapp_message_problem(body: Any) -> Problem:
    """Why Meta would refuse this POST /{phone_number_id}/messages body, or None."""
    if not isinstance(body, dict):
        return "the request body must be a JSON object"
    if body.get("messaging_product") != "whatsapp":
        return "messaging_product must be 'whatsapp'"
    if body.get("recipient_type", "individual") not in ("individual", "group"):
        return "recipient_type must be 'individual' or 'group'"
    if not isinstance(body.get("to"), str) or not body["to"].strip():
        return "to is required"
    message_type = body.get("type", "text")
    if message_type not in WHATSAPP_TYPES:
        return f"type {message_type!r} is not supported"
    content = body.get(message_type)
    if not isinstance(content, dict):
        return f"the {message_type} object is required for type {message_type!r}"
    checks = {"text": _text_problem, "interactive": _interactive_problem, "template": _template_problem}
    check = checks.get(message_type)
    return check(content) if check else None


def _text_problem(text: dict) -> Problem:
    if "preview_url" in text and not isinstance(text["preview_url"], bool):
        return "text.preview_url must be a boolean"
    return _text(text.get("body"), "text.body", 4096)


def _interactive_problem(interactive: dict) -> Problem:
    kind = interactive.get("type")
    if kind not in INTERACTIVE_BODY_MAX:
        return f"interactive.type {kind!r} is not supported here"
    action = interactive.get("action")
    if not isinstance(action, dict):
        return "interactive.action is required"
    body = interactive.get("body")
    return _first(
        _text(body.get("text") if isinstance(body, dict) else None, "interactive.body.text",
              INTERACTIVE_BODY_MAX[kind]),
        _header_problem(interactive.get("header")),
        _footer_problem(interactive.get("footer")),
        {"button": _buttons_problem, "list": _list_problem, "location_request_message": _location_problem}[kind](
            action),
    )


def _header_problem(header: Any) -> Problem:
    if header is None:
        return None
    if not isinstance(header, dict) or header.get("type") != "text":
        return "interactive.header must be a text header here"
    return _text(header.get("text"), "interactive.header.text", 60)


def _footer_problem(footer: Any) -> Problem:
    if footer is None:
        return None
    return _text(footer.get("text") if isinstance(footer, dict) else None, "interactive.footer.text", 60)


def _buttons_problem(action: dict) -> Problem:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return "action.buttons must hold 1 to 3 buttons"
    for button in buttons:
        reply = button.get("reply") if isinstance(button, dict) else None
        if not isinstance(button, dict) or button.get("type") != "reply" or not isinstance(reply, dict):
            return "each button must be {'type': 'reply', 'reply': {'id', 'title'}}"
        problem = _first(_text(reply.get("id"), "button id", 256), _text(reply.get("title"), "button title", 20))
        if problem:
            return problem
    return _first(_unique([b["reply"]["id"] for b in buttons], "button ids"),
                  _unique([b["reply"]["title"] for b in buttons], "button titles"))


def _list_problem(action: dict) -> Problem:
    sections = action.get("sections")
    problem = _text(action.get("button"), "action.button", 20)
    if problem:
        return problem
    if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
        return "action.sections must hold 1 to 10 sections"
    rows: list[dict] = []
    for section in sections:
        section_rows = section.get("rows") if isinstance(section, dict) else None
        if not isinstance(section_rows, list) or not section_rows:
            return "each section needs at least one row"
        if len(sections) > 1 or "title" in section:
            problem = _text(section.get("title"), "section title", 24)
            if problem:
                return problem
        rows.extend(section_rows)
    if len(rows) > 10:
        return f"a list message takes at most 10 rows in total, got {len(rows)}"
    for row in rows:
        problem = _row_problem(row)
        if problem:
            return problem
    return _unique([row["id"] for row in rows], "row ids")


def _row_problem(row: Any) -> Problem:
    if not isinstance(row, dict):
        return "each row must be an object"
    description = row.get("description")
    return _first(_text(row.get("id"), "row id", 200), _text(row.get("title"), "row title", 24),
                  _text(description, "row description", 72) if description is not None else None)


def _location_problem(action: dict) -> Problem:
    return None if action.get("name") == "send_location" else "action.name must be 'send_location'"


def _template_problem(template: dict) -> Problem:
    language = template.get("language")
    problem = _first(_text(template.get("name"), "template.name", 512),
                     _text(language.get("code") if isinstance(language, dict) else None, "template.language.code", 16))
    if problem:
        return problem
    for component in template.get("components", []):
        if not isinstance(component, dict) or component.get("type") not in TEMPLATE_COMPONENT_TYPES:
            return "each template component needs a type of header, body, button or footer"
        for parameter in component.get("parameters", []):
            problem = _template_parameter_problem(parameter)
            if problem:
                return problem
    return None


def _template_parameter_problem(parameter: Any) -> Problem:
    if not isinstance(parameter, dict) or "type" not in parameter:
        return "each template parameter needs a type"
    if parameter["type"] != "text":
        return None
    return _first(_text(parameter.get("text"), "template parameter text", 32768),
                  "template parameter text may not hold newlines, tabs or more than 4 consecutive spaces"
                  if _BAD_TEMPLATE_PARAM.search(parameter["text"]) else None)


# -- Instagram --------------------------------------------------------------------------------------------------

def instagram_message_problem(body: Any) -> Problem:
    """Why Meta would refuse this POST /{ig_user_id}/messages body (a DM or a private reply), or None."""
    if not isinstance(body, dict):
        return "the request body must be a JSON object"
    recipient = body.get("recipient")
    if not isinstance(recipient, dict) or len([k for k in ("id", "comment_id") if recipient.get(k)]) != 1:
        return "recipient must hold exactly one of id or comment_id"
    message = body.get("message")
    if not isinstance(message, dict) or not ("text" in message or "attachment" in message):
        return "message must hold text or an attachment"
    if "text" in message:
        problem = _text(message["text"], "message.text", 1000)
        if problem:
            return problem
    return _quick_replies_problem(message.get("quick_replies", []))


def _quick_replies_problem(quick_replies: Any) -> Problem:
    if not isinstance(quick_replies, list) or len(quick_replies) > 13:
        return "message.quick_replies takes at most 13 quick replies"
    for reply in quick_replies:
        if not isinstance(reply, dict) or reply.get("content_type") not in QUICK_REPLY_TYPES:
            return "each quick reply needs content_type text, user_phone_number or user_email"
        if reply["content_type"] == "text":
            # Titles over 20 characters are truncated by Instagram, not refused.
            problem = _first(_text(reply.get("title"), "quick reply title", 1000),
                             _text(reply.get("payload"), "quick reply payload", 1000))
            if problem:
                return problem
    return None


def container_problem(body: Any) -> Problem:
    """Why Meta would refuse to create this image container, or None."""
    if not isinstance(body, dict):
        return "the request body must be a JSON object"
    if body.get("media_type", "IMAGE") not in ("IMAGE", "STORIES"):
        return "media_type must be IMAGE or STORIES for an image container"
    return _first(_text(body.get("image_url"), "image_url", 2048),
                  _text(body["caption"], "caption", 2200) if body.get("caption") else None)


def messenger_profile_problem(body: Any) -> Problem:
    """Why Meta would refuse this Instagram messenger_profile body, or None."""
    if not isinstance(body, dict):
        return "the request body must be a JSON object"
    if body.get("platform", "instagram") != "instagram":
        return "platform must be 'instagram'"
    for field, check in (("ice_breakers", _ice_breakers_problem), ("persistent_menu", _menu_problem)):
        if field in body:
            problem = _localised_problem(body[field], field, check)
            if problem:
                return problem
    return None if {"ice_breakers", "persistent_menu"} & body.keys() else "nothing to set"


def _localised_problem(entries: Any, field: str, check: Any) -> Problem:
    if not isinstance(entries, list) or not any(isinstance(e, dict) and e.get("locale") == "default"
                                                 for e in entries):
        return f"{field} needs an entry with locale 'default'"
    for entry in entries:
        problem = check(entry.get("call_to_actions"))
        if problem:
            return problem
    return None


def _ice_breakers_problem(questions: Any) -> Problem:
    if not isinstance(questions, list) or not 1 <= len(questions) <= 4:
        return "ice_breakers call_to_actions must hold 1 to 4 questions"
    for question in questions:
        problem = _first(_text(question.get("question"), "ice breaker question", 80),
                         _text(question.get("payload"), "ice breaker payload", 1000))
        if problem:
            return problem
    return None


def _menu_problem(items: Any) -> Problem:
    if not isinstance(items, list) or not 1 <= len(items) <= 20:
        return "persistent_menu call_to_actions must hold 1 to 20 items"
    for item in items:
        key = {"postback": "payload", "web_url": "url"}.get(item.get("type"))
        if key is None:
            return "persistent menu items must be postback or web_url"
        problem = _first(_text(item.get("title"), "menu title", 30), _text(item.get(key), f"menu {key}", 2000))
        if problem:
            return problem
    return None
