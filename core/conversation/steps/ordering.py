"""Typed or spoken orders into the cart: answers to the pending question, parsed dishes and logistics,
replies to a post ('2 of these'), and carts sent from the WhatsApp catalogue."""
from __future__ import annotations

import re

from core.conversation.browse import price_text
from core.conversation.cart_edits import (
    NO_OPTION,
    YES_NO,
    YES_OPTION,
    add_line,
    apply_answer,
    apply_parse,
    match_option,
    new_line,
    unavailable_names,
)
from core.conversation.choices import Certainty
from core.conversation.context import TurnContext
from core.conversation.model import MAX_BUTTONS, Button
from core.conversation.steps.cart import added_text, after_cart_change, ask_question_again, greet
from core.conversation.steps.checkout import checkout, set_location
from core.conversation.steps.commands import answer_question
from core.parsing import DraftLine, Intent, ParseResult, QuestionKind, lexicon_for
from core.parsing.lexicon import available_languages, phrase_key


def is_a_guess(parsed: ParseResult) -> bool:
    """The parse only guesses at its dishes: a fuzzy or inferred match the parser would confirm."""
    return any(line.confidence < 1 for line in parsed.lines) \
        or any(q.kind is QuestionKind.CONFIRM_LINE for q in parsed.questions)


def answer_pending_question(ctx: TurnContext, parsed: ParseResult) -> bool:
    """A typed answer to the first pending question ('large', '2', 'yes'): applied, and the next asked."""
    state, text = ctx.state, ctx.inbound.text
    if not state.questions:
        return False
    head = state.questions[0]
    match = match_option(head, text)
    usable = match is not None and (match.certainty is Certainty.STRONG or not parsed.lines)
    typed = match.choice_id if match is not None and usable else None
    if typed is None and head.kind in YES_NO:
        typed = YES_OPTION if ctx.texts.is_yes(text) else NO_OPTION if ctx.texts.is_no(text) else None
    if typed is not None and apply_answer(state, typed, ctx.menu):
        after_cart_change(ctx, [])
        return True
    return False


def fold_in(ctx: TurnContext, parsed: ParseResult) -> list[DraftLine]:
    """Apply a parsed message to the cart without answering it (an order kept while a kitchen was chosen)."""
    added, _ = apply_parse(ctx.state, parsed, ctx.menu)
    if parsed.fulfilment is not None:
        ctx.state.fulfilment = parsed.fulfilment
    if parsed.requested_time is not None:
        ctx.state.requested_time = parsed.requested_time
    return added


def take_order(ctx: TurnContext, parsed: ParseResult) -> None:
    """Fold a parsed message into the cart and answer: the next question, the cart, or on to checkout."""
    state, texts = ctx.state, ctx.texts
    added, notes = apply_parse(state, parsed, ctx.menu)
    if parsed.fulfilment is not None:
        state.fulfilment = parsed.fulfilment
    if parsed.requested_time is not None:
        state.requested_time = parsed.requested_time
    if parsed.location is not None:
        set_location(ctx, parsed.location, parsed.address_text or "")
    for name in unavailable_names(parsed):
        ctx.say(texts.t("referred_unavailable", item=name))
    changed = added or parsed.removed_item_ids or parsed.change_last_line
    logistics = parsed.fulfilment or parsed.requested_time is not None or parsed.location
    if state.lines and (changed or logistics):
        notes = [n for n in notes if n not in _what_to_order_texts(parsed)]
    for note in notes:
        ctx.say(note, buttons=[ctx.menu_button()])
    if changed:
        if parsed.intent is Intent.CONFIRM and not state.questions:
            checkout(ctx, prefix=added_text(ctx, added))
        else:
            after_cart_change(ctx, added)
    elif state.questions and not notes:
        ask_question_again(ctx)
    elif parsed.intent is Intent.CONFIRM and state.lines:
        checkout(ctx)
    elif logistics and state.lines:
        checkout(ctx)
    elif notes or unavailable_names(parsed):
        return
    elif parsed.intent is Intent.GREETING:
        greet(ctx)
    else:
        ctx.say(texts.t("not_understood"), buttons=[ctx.menu_button()])


def _what_to_order_texts(parsed: ParseResult) -> set[str]:
    return {q.text for q in parsed.questions if q.kind is QuestionKind.WHAT_TO_ORDER}


def about_post_or_kitchen(ctx: TurnContext, parsed: ParseResult) -> bool:
    """Text that orders nothing: about the post replied to, or a question about the kitchen."""
    if ctx.state.referred_items and on_referral(ctx, parsed.intent):
        return True
    if parsed.intent is Intent.QUESTION:
        answer_question(ctx)
        return True
    return False


def on_referral(ctx: TurnContext, intent: Intent) -> bool:
    """A reply to a post or story: 'is this available?' describes its dishes, '2 of these' orders them."""
    menu, texts = ctx.menu, ctx.texts
    items = [i for i in (menu.item(r) for r in ctx.state.referred_items) if i is not None]
    if not items or intent not in (Intent.UNKNOWN, Intent.QUESTION, Intent.ORDER, Intent.GREETING):
        return False
    quantity = quantity_in(ctx.inbound.text, texts.language)
    if quantity and len(items) == 1:
        line = new_line(menu, items[0].id, quantity, ctx.state.language)
        assert line is not None
        add_line(ctx.state, line, menu)
        after_cart_change(ctx, [line])
        return True
    for item in items[:MAX_BUTTONS]:
        name = item.name_in(texts.language)
        if not menu.is_available(item, ctx.local_now()) or item.stock == 0:
            ctx.say(texts.t("referred_unavailable", item=name))
            continue
        text_out = texts.t("referred_item", item=name, price=price_text(item, menu.currency, texts))
        ctx.say(f"{text_out} {texts.t('referred_available')}", buttons=[
            Button(id=f"add:{item.id}:1", title=texts.t("btn_add_one")),
            Button(id=f"add:{item.id}:2", title=texts.t("btn_add_two"))])
    return True


def quantity_in(text: str, language: str) -> int | None:
    """The first quantity in the text, as digits ('2') or a number word of the language ('dos')."""
    digits = re.search(r"\b(\d{1,3})\b", text)
    if digits:
        return int(digits.group(1)) or None
    lexicon = lexicon_for(language if language in available_languages() else "en")
    for word in text.split():
        number = lexicon.phrases.get(phrase_key(word), {}).get("number")
        if isinstance(number, int) and number > 0:
            return number
    return None


def on_catalog(ctx: TurnContext) -> None:
    """A cart sent from the WhatsApp catalogue: its items added, with their questions."""
    menu, added = ctx.menu, []
    for entry in ctx.inbound.catalog_items:
        line = new_line(menu, entry.retailer_id, entry.quantity, ctx.state.language)
        if line is None:
            ctx.say(ctx.texts.t("referred_unavailable", item=entry.retailer_id))
            continue
        add_line(ctx.state, line, menu)
        added.append(line)
    after_cart_change(ctx, added)
