"""A compact text form of a ParseResult, for golden files: `2 margherita/large -basil ++cheese | 1 coke`.

Modifiers: +add, -remove, ++extra, ~light, with @L/@R for halves and !++ for a declined extra.
Extras: intent=, lang=, time=HH:MM or +1d HH:MM (days after now), fulfil=, addr~= (substring),
instr= (order instructions), line_instr=, removed=, change_qty=, q= (question kinds, comma-separated, sorted).
"""
from __future__ import annotations

from datetime import datetime

from core.parsing import ParseResult

_SIGN = {"add": "+", "remove": "-", "extra": "++", "light": "~"}


def render_lines(result: ParseResult) -> str:
    parts = []
    for line in result.lines:
        text = f"{line.quantity} {line.item_id}" + (f"/{line.variant_id}" if line.variant_id else "")
        mods = sorted(
            [_SIGN[m.kind.value] + m.option_id + ("" if m.portion.value == "whole" else "@" + m.portion.value[0].upper())
             for m in line.modifiers] + ["!++" + m.option_id for m in line.declined])
        parts.append(" ".join([text, *mods]))
    return " | ".join(parts)


def render_extras(result: ParseResult, now: datetime) -> dict[str, str]:
    out = {"intent": result.intent.value, "lang": result.language}
    if result.requested_time is not None:
        start = result.requested_time.slot_start
        if start is None:
            out["time"] = "asap"
        else:
            days = (start.date() - now.date()).days
            out["time"] = (f"+{days}d " if days else "") + start.strftime("%H:%M")
    if result.fulfilment is not None:
        out["fulfil"] = result.fulfilment.value
    if result.address_text:
        out["addr"] = result.address_text
    if result.instructions:
        out["instr"] = result.instructions
    if result.questions:
        out["q"] = ",".join(sorted({q.kind.value for q in result.questions}))
    if result.removed_item_ids:
        out["removed"] = ",".join(result.removed_item_ids)
    if any(line.instructions for line in result.lines):
        out["line_instr"] = " / ".join(line.instructions for line in result.lines if line.instructions)
    if result.change_last_line is not None and result.change_last_line.quantity:
        out["change_qty"] = str(result.change_last_line.quantity)
    return out
