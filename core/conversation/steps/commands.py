"""What a customer can ask for at any point of the dialogue: status, cancel, repeat my last order, talk to a
person, and questions about the kitchen (open? delivery?)."""
from __future__ import annotations

from core.conversation.cart_edits import add_line
from core.conversation.context import TurnContext
from core.conversation.model import Button, Stage
from core.conversation.status import status_text
from core.conversation.steps.cart import after_cart_change, clear_cart
from core.errors import DomainError
from core.menu import open_at
from core.orders.cart import LineModifier
from core.orders.model import Order
from core.parsing import DraftLine


def last_order(ctx: TurnContext) -> Order | None:
    """The order this conversation placed last, else the customer's last order at this kitchen."""
    if ctx.state.last_order_id:
        found = ctx.ports.order(ctx.state.last_order_id)
        if found is not None:
            return found
    return ctx.ports.last_order(ctx.state.merchant_id)


def tell_status(ctx: TurnContext) -> None:
    """Where the last order is, in one sentence."""
    order = last_order(ctx)
    if order is None:
        ctx.say(ctx.texts.t("status_none"), buttons=[ctx.menu_button()])
        return
    merchant = ctx.merchants.get(order.merchant_id, ctx.merchant)
    ctx.say(status_text(order, merchant, ctx.texts))


def cancel(ctx: TurnContext) -> None:
    """Cancel the order being built, or else the last order while the kitchen has not accepted it."""
    if ctx.state.lines and ctx.state.stage is not Stage.PLACED:
        clear_cart(ctx)
        return
    order = last_order(ctx)
    if order is None or order.status.is_terminal:
        clear_cart(ctx)
        return
    try:
        cancelled = ctx.ports.cancel(order.id)
    except DomainError:
        ctx.say(ctx.texts.t("cancel_not_allowed", number=order.number),
                buttons=[Button(id="human", title=ctx.texts.t("btn_human"))])
        return
    ctx.say(ctx.texts.t("status_cancelled", number=cancelled.number))


def repeat(ctx: TurnContext) -> None:
    """Put the customer's last order at this kitchen in the cart again (dishes still on the menu)."""
    previous = ctx.ports.last_order(ctx.state.merchant_id)
    if previous is None:
        ctx.say(ctx.texts.t("repeat_none"), buttons=[ctx.menu_button()])
        return
    menu, added = ctx.menu, []
    for priced in previous.quote.lines:
        if menu.item(priced.item_id) is None:
            continue
        line = DraftLine(item_id=priced.item_id, variant_id=priced.variant_id, quantity=priced.quantity,
                         modifiers=[LineModifier(option_id=m.option_id, kind=m.kind, portion=m.portion)
                                    for m in priced.modifiers],
                         instructions=priced.instructions, display_name=priced.name)
        add_line(ctx.state, line, menu)
        added.append(line)
    if previous.quote.fulfilment.address is not None and ctx.state.address is None:
        ctx.state.address = previous.quote.fulfilment.address
    after_cart_change(ctx, added, prefix=ctx.texts.t("repeat_added"))


def hand_over(ctx: TurnContext) -> None:
    """Hand the conversation to the kitchen's staff; the dialogue stays silent until they hand it back."""
    ctx.state.human = True
    ctx.handed_over = True
    ctx.say(ctx.texts.t("human", merchant=ctx.merchant.name))


def answer_question(ctx: TurnContext) -> None:
    """Today's opening hours and whether the kitchen delivers, picks up or both."""
    merchant, texts, local = ctx.merchant, ctx.texts, ctx.local_now()
    today = [w for w in merchant.opening_hours if local.isoweekday() in w.days]
    hours = ", ".join(f"{w.start:%H:%M}–{w.end:%H:%M}" for w in today) if merchant.opening_hours \
        else "00:00–24:00"
    if merchant.opening_hours and not today:
        hours = texts.t("closed_today")
    fulfilment = texts.t("delivery_and_pickup" if merchant.offers_delivery and merchant.offers_pickup
                         else "delivery_only" if merchant.offers_delivery else "pickup_only")
    key = "answer_open" if open_at(merchant.opening_hours, local) else "answer_closed"
    ctx.say(texts.t(key, merchant=merchant.name, hours=hours, fulfilment=fulfilment),
            buttons=[ctx.menu_button()])
