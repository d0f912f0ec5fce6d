"""Checkout as dialogue: the missing details asked one by one, the minimum order said up front, the priced
summary, and placing through the order core once per turn. The `on_*_text` steps take what was typed at
their stage and return False when it is for the ordering step instead (a dish, a change)."""
from __future__ import annotations

from core.conversation.checkout import cart_of, next_step, refusal, summary_reply
from core.conversation.context import TurnContext
from core.conversation.model import Button, Stage
from core.conversation.steps.cart import ask_question, expect_choice
from core.conversation.texts import clip
from core.errors import DomainError
from core.geo import GeoPoint
from core.merchants import Address
from core.orders.cart import Fulfilment, FulfilmentType
from core.parsing import Intent, ParseResult


def checkout(ctx: TurnContext, prefix: str = "") -> None:
    """Ask for the first missing detail, or show the priced summary to confirm."""
    state = ctx.state
    if prefix:
        ctx.say(prefix)
    if not state.lines:
        ctx.say(ctx.texts.t("cart_empty"), buttons=[ctx.menu_button()])
        return
    if state.questions:
        ask_question(ctx)
        return
    if below_minimum(ctx):
        return
    step = next_step(state, ctx.merchant, ctx.customer, ctx.texts)
    if step is not None:
        ctx.replies.append(step)
        return
    try:
        quote = ctx.ports.quote(cart_of(state, ctx.channel))
    except DomainError as error:
        ctx.replies.append(refusal(error, state, ctx.merchant, ctx.texts, ctx.now))
        return
    ctx.replies.append(summary_reply(quote, state, ctx.merchant, ctx.menu, ctx.texts))


def below_minimum(ctx: TurnContext) -> bool:
    """Say so before asking for an address, not after (the order core checks it again when placing)."""
    merchant = ctx.merchant
    minimum = merchant.min_order_value
    if not minimum:
        return False
    try:
        subtotal = ctx.ports.preview(cart_of(ctx.state, ctx.channel).model_copy(
            update={"fulfilment": Fulfilment()})).subtotal
    except DomainError:
        return False  # the quote at the end of checkout names the problem
    if subtotal >= minimum:
        return False
    ctx.state.stage = Stage.ORDERING
    ctx.say(ctx.texts.t("error_min_order_value", amount=ctx.texts.money(minimum, merchant.currency)),
            buttons=[ctx.menu_button()])
    return True


def confirm(ctx: TurnContext) -> None:
    """'Confirm': place from the summary, or go on with checkout from anywhere else."""
    if ctx.state.stage is Stage.CONFIRMING:
        place(ctx)
    else:
        checkout(ctx)


def place(ctx: TurnContext) -> None:
    """Place the cart (once per turn: the turn number is the idempotency key) and say the order number."""
    state = ctx.state
    try:
        order = ctx.ports.place(cart_of(state, ctx.channel), key=f"turn:{state.turn}")
    except DomainError as error:
        ctx.replies.append(refusal(error, state, ctx.merchant, ctx.texts, ctx.now))
        return
    state.last_order_id = order.id
    state.clear_cart()
    state.stage = Stage.PLACED
    ctx.placed_order_id = order.id
    ctx.say(ctx.texts.t("placed", number=order.number, merchant=ctx.merchant.name),
            buttons=[Button(id="status", title=ctx.texts.t("btn_status"))])


def choose_fulfilment(ctx: TurnContext, fulfilment: FulfilmentType) -> None:
    """Delivery or pickup chosen: on to the next missing detail."""
    ctx.state.fulfilment = fulfilment
    checkout(ctx)


def on_fulfilment_text(ctx: TurnContext, parsed: ParseResult) -> bool:
    """Typed at 'delivery or pickup?': the parser's answer goes on through ordering; anything else is told
    what is expected."""
    if parsed.fulfilment is not None or parsed.location is not None or parsed.intent is not Intent.UNKNOWN:
        return False
    expect_choice(ctx, ctx.texts.t("ask_fulfilment"))
    return True


def on_address_text(ctx: TurnContext, parsed: ParseResult) -> bool:
    """A typed address: one of the customer's saved ones, or a street of the city's map; otherwise ask for
    the location pin."""
    if parsed.location is not None:
        return False
    text = ctx.inbound.text
    said = text.casefold().strip()
    saved = [a for a in ctx.customer.addresses if a.location is not None and said
             and (said in a.line1.casefold() or a.line1.casefold() in said)]
    if len(saved) == 1:
        ctx.state.address = saved[0]
        checkout(ctx)
        return True
    located = ctx.ports.locate(text)
    if located is not None:  # the zone and the fee from the street; the driver reads what was typed
        set_location(ctx, located[1], text.strip())
        checkout(ctx)
        return True
    ctx.say(ctx.texts.t("ask_address_pin"), ask_location=True)
    return True


def on_time_text(ctx: TurnContext, parsed: ParseResult) -> bool:
    """A typed time ('at 19:30'); anything else is asked again with an example (and the 'as soon as
    possible' and 'later' choices, if they were offered)."""
    if parsed.requested_time is None:
        expect_choice(ctx, ctx.texts.t("time_not_understood"))
        return True
    ctx.state.requested_time = parsed.requested_time
    checkout(ctx)
    return True


def on_confirm_text(ctx: TurnContext, parsed: ParseResult) -> bool:
    """Typed at the summary: yes places; a change goes on through ordering; anything else is told the
    three choices."""
    if parsed.intent is Intent.CONFIRM or ctx.texts.is_yes(ctx.inbound.text):
        place(ctx)
        return True
    if parsed.intent is not Intent.UNKNOWN or parsed.fulfilment or parsed.requested_time or parsed.location:
        return False
    expect_choice(ctx, ctx.texts.t("summary_confirm"))
    return True


def set_location(ctx: TurnContext, point: GeoPoint, place_name: str) -> None:
    """The delivery address from a pin or a located street; delivery, when the kitchen delivers."""
    label = place_name.strip() or f"{point.lat:.5f}, {point.lon:.5f}"
    ctx.state.address = Address(line1=clip(label, 200), location=point)
    if ctx.merchant.offers_delivery:
        ctx.state.fulfilment = FulfilmentType.DELIVERY


def on_location(ctx: TurnContext) -> None:
    """A shared location pin: the delivery address, then checkout (or 'what would you like?' first)."""
    assert ctx.inbound.location is not None
    set_location(ctx, ctx.inbound.location, ctx.inbound.place)
    if ctx.state.lines:
        checkout(ctx)
    else:
        ctx.say(ctx.texts.t("cart_empty"), buttons=[ctx.menu_button()])
