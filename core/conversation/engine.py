"""The ordering dialogue: one customer message in, the replies and the new state out.

    turn = respond(state, Inbound(kind=InboundKind.TEXT, text="2 large margherita"), ports,
                   now=now, channel=Channel.WHATSAPP)

Stages (model.Stage) follow the order of a counter conversation: which kitchen, what to eat (typed, said,
tapped in the menu, or sent from the catalogue; the parser's questions asked one at a time), delivery or
pickup, where, when, the priced summary, and the order placed through the order core. Commands work at any
point: menu, status, cancel, repeat my last order, talk to a person, stop. A conversation handed to a
person stays silent until staff hand it back; a customer who said stop hears nothing more until they
write again.

Each step is a function over a TurnContext (context.py) in steps/. A message goes, in this order:
opt-out and hand-over checks; typed text naming an offered choice becomes that choice (choices.py); the
kitchen, if none is chosen (steps/kitchen.py); then taps by id (steps/taps.py TAPS), commands by intent
(COMMANDS), what typed text means at the current stage (STAGE_TEXT), and otherwise an order
(steps/ordering.py).

Pure: everything outside comes through ConversationPorts, so a retry of the same message with the same
state gives the same replies and the same idempotency key for placing.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from core.conversation.choices import Certainty, match_choice
from core.conversation.context import TurnContext
from core.conversation.model import (
    Button,
    ConversationState,
    Inbound,
    InboundKind,
    Stage,
    Turn,
)
from core.conversation.ports import ConversationPorts
from core.conversation.steps import cart, checkout, commands, kitchen, ordering, taps
from core.orders.cart import Channel
from core.parsing import Intent, ParseResult

log = logging.getLogger(__name__)

# Said at any stage, in any words the parser knows ("where is my order", "¿dónde está mi pedido?").
COMMANDS: dict[Intent, Callable[[TurnContext], None]] = {
    Intent.HUMAN: commands.hand_over,
    Intent.STATUS: commands.tell_status,
    Intent.CANCEL: commands.cancel,
    Intent.REPEAT: commands.repeat,
    Intent.MENU: cart.show_menu,
}


def ordering_reads_it(ctx: TurnContext, parsed: ParseResult) -> bool:
    """Nothing special at this stage: the message is about a post, the kitchen, or an order."""
    return False


# What typed text that orders nothing means at each stage; a step returns False to let ordering read it.
STAGE_TEXT: dict[Stage, Callable[[TurnContext, ParseResult], bool]] = {
    Stage.NEW: ordering_reads_it,
    Stage.CHOOSING_MERCHANT: ordering_reads_it,  # while no kitchen is chosen, steps/kitchen.py runs first
    Stage.ORDERING: ordering_reads_it,
    Stage.FULFILMENT: checkout.on_fulfilment_text,
    Stage.ADDRESS: checkout.on_address_text,
    Stage.TIME: checkout.on_time_text,
    Stage.CONFIRMING: checkout.on_confirm_text,
    Stage.PLACED: ordering_reads_it,
}
COMMAND_INTENTS = frozenset(COMMANDS) | {Intent.OPT_OUT}


def respond(state: ConversationState, inbound: Inbound, ports: ConversationPorts, *, now: datetime,
            channel: Channel) -> Turn:
    """Handle one inbound message: the new state, the replies in order, and whether an order was placed or
    the conversation handed to a person."""
    ctx = TurnContext.start(state, inbound, ports, now, channel)
    handle(ctx)
    shown = list({c.id: Button(id=c.id, title=c.title) for r in ctx.replies for c in r.choices}.values())
    if shown or not ctx.keep_offered:
        ctx.state.offered = shown
    return Turn(state=ctx.state, replies=ctx.replies, placed_order_id=ctx.placed_order_id,
                handed_over=ctx.handed_over)


def handle(ctx: TurnContext) -> None:
    """Route one message through the steps (see the module's docstring for the order)."""
    state, inbound = ctx.state, ctx.inbound
    if not ctx.merchants:
        log.warning("a conversation on an account that sells for no kitchen; nothing to answer")
        return
    if state.merchant_id is not None and state.merchant_id not in ctx.merchants:
        # The account no longer sells for that kitchen: start over rather than fail on every message.
        state.merchant_id, state.stage = None, Stage.NEW
        state.clear_cart()
    exact, language = exact_choice(ctx), state.language  # a title is no evidence of another language
    ctx.parsed = ctx.parse(ctx.text, detect_language=exact is None) if ctx.text else None
    if ctx.parsed is not None and ctx.parsed.intent is Intent.OPT_OUT:
        state.opted_out, state.human = True, False
        ctx.say(ctx.texts.t("opted_out"))
        return
    state.opted_out = False  # writing again is opting back in
    if state.human:
        return  # staff have the conversation; the message is stored for them
    if inbound.refers_to_items:
        state.referred_items = inbound.refers_to_items[:10]
    ctx.choice = inbound.choice_id if inbound.kind is InboundKind.CHOICE else exact or loose_choice(ctx)
    if ctx.choice and not exact and inbound.kind is not InboundKind.CHOICE:
        ctx.set_language(language)
    if state.merchant_id is None and not _kitchen_known(ctx):
        return
    if state.stage in (Stage.NEW, Stage.CHOOSING_MERCHANT):
        state.stage = Stage.ORDERING
    if ctx.choice:
        taps.on_choice(ctx, ctx.choice)
    elif inbound.kind is InboundKind.VOICE and (inbound.transcript_failed or not inbound.text):
        key = "voice_no_model" if inbound.transcript_failed == "no_model_for_language" else "voice_failed"
        ctx.say(ctx.texts.t(key))
    elif ctx.parsed is not None:
        on_text(ctx, ctx.parsed)
    elif inbound.kind is InboundKind.LOCATION and inbound.location is not None:
        checkout.on_location(ctx)
    elif inbound.kind is InboundKind.CATALOG_ORDER:
        ordering.on_catalog(ctx)
    elif inbound.kind is InboundKind.STORY_MENTION:
        ctx.say(ctx.named("story_mention"), buttons=[ctx.menu_button()])
    elif inbound.kind is InboundKind.IMAGE:
        ctx.say(ctx.texts.t("image"), buttons=[ctx.menu_button()])
    else:
        ctx.say(ctx.texts.t("unsupported"), buttons=[ctx.menu_button()])


def standing_choices(ctx: TurnContext) -> list[Button]:
    """Buttons that mean the same whenever typed, though not on the last message: Menu, Check out."""
    standing = [ctx.menu_button()] if ctx.state.merchant_id else []
    if ctx.state.lines:
        standing.append(Button(id="checkout", title=ctx.texts.t("btn_checkout")))
    return standing


def exact_choice(ctx: TurnContext) -> str | None:
    """The choice whose title (or number) is exactly the typed or spoken text, as if tapped: the offered
    ones first, then the standing ones; a yes or a no in any language we speak answers Yes/No buttons."""
    if not ctx.text:
        return None
    for choices in (ctx.state.offered, standing_choices(ctx)):
        match = match_choice(ctx.text, [(c.id, c.title) for c in choices])
        if match is not None and match.certainty is Certainty.STRONG:
            return match.choice_id
    texts = ctx.texts
    said = texts.t("btn_yes") if texts.is_yes(ctx.text) else texts.t("btn_no") if texts.is_no(ctx.text) else None
    return next((c.id for c in ctx.state.offered if said is not None and c.title == said), None)


def loose_choice(ctx: TurnContext) -> str | None:
    """The offered choice a part of a title, a typo or a sentence around a title names. It yields to an
    order or a command in the same words ("2 margherita" is an order even while a list of pizzas is open),
    but not to the parser's guess at a single dish ("poke de salmao" guessed as another bowl)."""
    offered, parsed = ctx.state.offered, ctx.parsed
    if not ctx.text or not offered or parsed is None or parsed.intent in COMMAND_INTENTS:
        return None
    if parsed.lines and not (len(parsed.lines) == 1 and ordering.is_a_guess(parsed)):
        return None
    match = match_choice(ctx.text, [(c.id, c.title) for c in offered])
    return match.choice_id if match is not None else None


def _kitchen_known(ctx: TurnContext) -> bool:
    """Run the kitchen step; True when the message should go on to the other steps."""
    chosen = kitchen.choose(ctx)
    if not chosen.chosen:
        return False
    state = ctx.state
    if chosen.answered:  # the message only chose the kitchen: now answer what was ordered before, or greet
        ctx.choice = None
        if chosen.pending:
            ctx.inbound = Inbound(kind=InboundKind.TEXT, text=chosen.pending)
            on_text(ctx, ctx.parse(chosen.pending))
        else:
            cart.greet(ctx)
        return False
    if chosen.pending:  # ordered before, and now in a message that decided the kitchen: both count
        ordering.fold_in(ctx, ctx.parse(chosen.pending))
    if ctx.text:
        ctx.parsed = ctx.parse(ctx.text, state.merchant_id)
    return True


def on_text(ctx: TurnContext, parsed: ParseResult) -> None:
    """Typed or spoken text: an answer to the pending question, a command, what the stage asked for, a
    question about a post or the kitchen, or else an order."""
    if ordering.answer_pending_question(ctx, parsed):
        return
    if not parsed.lines:
        command = COMMANDS.get(parsed.intent)
        if command is not None:
            command(ctx)
            return
        if STAGE_TEXT[ctx.state.stage](ctx, parsed):
            return
        if ordering.about_post_or_kitchen(ctx, parsed):
            return
    ordering.take_order(ctx, parsed)
