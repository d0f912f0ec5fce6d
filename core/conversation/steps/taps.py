"""What each choice does, tapped or typed. Choice ids are `head` or `head:rest`, as the replies made them:

    menu | menu:<page>            the categories          cat:<category>:<page>   a category's dishes
    add:<item>[:<quantity>]       add a dish               q:<serial>:<option>     answer the question
    checkout | confirm | change   checkout steps           ful:delivery|pickup     delivery or pickup
    addr:<n>                      a saved address          time:asap|later         when
    cancel_cart | status | human | repeat                  commands
"""
from __future__ import annotations

from collections.abc import Callable

from core.conversation.browse import items_reply
from core.conversation.cart_edits import add_line, apply_answer, new_line
from core.conversation.context import TurnContext
from core.conversation.model import Stage
from core.conversation.steps import cart, checkout, commands
from core.orders.cart import FulfilmentType, RequestedTime

Tap = Callable[[TurnContext, str], None]


def _page(rest: str) -> int:
    return int(rest) if rest.isdecimal() else 0


def _menu(ctx: TurnContext, rest: str) -> None:
    if rest and not rest.isdecimal():
        not_understood(ctx)
    else:
        cart.show_menu(ctx, _page(rest))


def _category(ctx: TurnContext, rest: str) -> None:
    category, _, page = rest.partition(":")
    reply = items_reply(ctx.menu, category, ctx.local_now(), ctx.texts, _page(page))
    if reply is None:
        cart.show_menu(ctx)
    else:
        ctx.replies.append(reply)


def _add(ctx: TurnContext, rest: str) -> None:
    item_id, _, quantity = rest.partition(":")
    line = new_line(ctx.menu, item_id, int(quantity) if quantity.isdecimal() else 1, ctx.state.language)
    if line is None:
        cart.show_menu(ctx)
        return
    add_line(ctx.state, line, ctx.menu)
    cart.after_cart_change(ctx, [line])


def _answer(ctx: TurnContext, rest: str) -> None:
    serial, _, option = rest.partition(":")
    if serial == str(ctx.state.asked):
        apply_answer(ctx.state, option, ctx.menu)
    cart.after_cart_change(ctx, [])  # answered, or a stale tap: either way ask what is pending now


def _fulfilment(ctx: TurnContext, rest: str) -> None:
    if rest in (FulfilmentType.DELIVERY, FulfilmentType.PICKUP):
        checkout.choose_fulfilment(ctx, FulfilmentType(rest))
    else:
        not_understood(ctx)


def _address(ctx: TurnContext, rest: str) -> None:
    saved = [a for a in ctx.customer.addresses if a.location is not None]
    if not rest.isdecimal():
        not_understood(ctx)
        return
    if int(rest) < len(saved):
        ctx.state.address = saved[int(rest)]
    checkout.checkout(ctx)


def _time(ctx: TurnContext, rest: str) -> None:
    if rest == "asap":
        ctx.state.requested_time = RequestedTime()
        checkout.checkout(ctx)
    elif rest == "later":
        ctx.state.stage = Stage.TIME
        ctx.say(ctx.texts.t("ask_time_text"))
    else:
        not_understood(ctx)


def _plain(step: Callable[[TurnContext], None]) -> Tap:
    """A choice without a `:rest` part; one with a rest is not one of ours."""
    return lambda ctx, rest: not_understood(ctx) if rest else step(ctx)


def not_understood(ctx: TurnContext) -> None:
    """A choice id we never sent (forged, or from an older version)."""
    ctx.say(ctx.texts.t("not_understood"), buttons=[ctx.menu_button()])


TAPS: dict[str, Tap] = {
    "menu": _menu,
    "cat": _category,
    "add": _add,
    "q": _answer,
    "ful": _fulfilment,
    "addr": _address,
    "time": _time,
    "checkout": _plain(checkout.checkout),
    "confirm": _plain(checkout.confirm),
    "change": _plain(cart.change),
    "cancel_cart": _plain(cart.clear_cart),
    "status": _plain(commands.tell_status),
    "human": _plain(commands.hand_over),
    "repeat": _plain(commands.repeat),
}


def on_choice(ctx: TurnContext, choice: str) -> None:
    """Run the tap its id names."""
    head, _, rest = choice.partition(":")
    TAPS.get(head, lambda c, _: not_understood(c))(ctx, rest)
