"""What the customer sees of the cart: the running total, the next pending question as buttons or a list,
the menu, the greeting, and what a stage expects when a message did not fit it."""
from __future__ import annotations

from core.conversation.browse import categories_reply
from core.conversation.cart_edits import NO_OPTION, YES_NO, YES_OPTION, lines_text
from core.conversation.checkout import cart_of, line_label
from core.conversation.choices import numbered
from core.conversation.context import TurnContext
from core.conversation.model import (
    BUTTON_TITLE_CHARS,
    MAX_BUTTONS,
    MAX_LIST_ROWS,
    ROW_TITLE_CHARS,
    Button,
    Row,
    Section,
    Stage,
)
from core.conversation.texts import clip
from core.errors import DomainError
from core.orders.cart import Fulfilment
from core.parsing import DraftLine


def added_text(ctx: TurnContext, added: list[DraftLine]) -> str:
    """'Added 2× Margherita (Large).', or '' when nothing was added."""
    return ctx.texts.t("added", items=lines_text(added, ctx.menu, ctx.state.language)) if added else ""


def after_cart_change(ctx: TurnContext, added: list[DraftLine], prefix: str | None = None) -> None:
    """Ask the next pending question, or show the cart with its running total."""
    state = ctx.state
    state.stage = Stage.ORDERING
    prefix = added_text(ctx, added) if prefix is None else prefix
    if state.questions:
        ask_question(ctx, prefix)
        return
    if not state.lines:
        ctx.say("\n".join(p for p in (prefix, ctx.texts.t("cart_empty")) if p), buttons=[ctx.menu_button()])
        return
    ctx.say("\n".join(p for p in (prefix, cart_text(ctx), ctx.texts.t("cart_next")) if p), buttons=[
        Button(id="checkout", title=ctx.texts.t("btn_checkout")), ctx.menu_button()])


def cart_text(ctx: TurnContext) -> str:
    """The cart line by line with prices and subtotal (priced as pickup: the fee comes with the address)."""
    texts, state = ctx.texts, ctx.state
    out = [texts.t("cart_title", merchant=ctx.merchant.name)]
    try:
        quote = ctx.ports.preview(cart_of(state, ctx.channel).model_copy(update={"fulfilment": Fulfilment()}))
    except DomainError:
        out.append(lines_text(state.lines, ctx.menu, state.language))
        return "\n".join(out)
    for line in quote.lines:
        out.append(f"{line_label(line, ctx.menu, texts.language)}: {texts.money(line.total, quote.currency)}")
    out.append(texts.t("cart_subtotal", amount=texts.money(quote.subtotal, quote.currency)))
    return "\n".join(out)


def ask_question(ctx: TurnContext, prefix: str = "") -> None:
    """Ask the first pending question: yes/no buttons, up to three option buttons, or a list."""
    state, texts = ctx.state, ctx.texts
    question = state.questions[0]
    state.asked += 1
    text = "\n".join(p for p in (prefix, question.text) if p)
    ids = lambda option: f"q:{state.asked}:{option}"  # noqa: E731
    if question.kind in YES_NO:
        ctx.say(text, buttons=[Button(id=ids(YES_OPTION), title=texts.t("btn_yes")),
                               Button(id=ids(NO_OPTION), title=texts.t("btn_no"))])
    elif len(question.options) <= MAX_BUTTONS:
        ctx.say(text, buttons=[Button(id=ids(o.id), title=clip(o.label, BUTTON_TITLE_CHARS))
                               for o in question.options])
    else:
        rows = [Row(id=ids(o.id), title=clip(o.label, ROW_TITLE_CHARS)) for o in question.options[:MAX_LIST_ROWS]]
        ctx.say(text, list_label=texts.t("choose"),
                sections=[Section(title=clip(texts.t("options"), ROW_TITLE_CHARS), rows=rows)])


def expect_choice(ctx: TurnContext, question: str) -> None:
    """A message the stage cannot use: the question again with the choices still open as numbered text.
    Up to three short choices come again as buttons; a list does not (the same list twice in a row reads
    as a loop): its rows can be typed by name or number."""
    offered = ctx.state.offered
    if not offered:
        ctx.say(question)
        return
    text = "\n".join(p for p in (question, ctx.texts.t("expect_choice", choices=numbered([c.title for c in offered])))
                     if p)
    if len(offered) <= MAX_BUTTONS and all(len(c.title) <= BUTTON_TITLE_CHARS for c in offered):
        ctx.say(text, buttons=list(offered))
    else:
        ctx.say(text)
        ctx.keep_offered = True


def ask_question_again(ctx: TurnContext) -> None:
    """The pending question was not answered: say what it expects, without a new serial (taps on the
    earlier buttons still count)."""
    shown = f"q:{ctx.state.asked}:"
    options = {shown + o.id for o in ctx.state.questions[0].options} | {shown + YES_OPTION, shown + NO_OPTION}
    if any(c.id in options for c in ctx.state.offered):
        ctx.state.stage = Stage.ORDERING
        expect_choice(ctx, ctx.state.questions[0].text)
    else:
        after_cart_change(ctx, [])


def show_menu(ctx: TurnContext, page: int = 0) -> None:
    """The menu's categories as a list (paged)."""
    ctx.replies.append(categories_reply(ctx.menu, ctx.merchant.name, ctx.local_now(), ctx.texts, page))


def clear_cart(ctx: TurnContext) -> None:
    """Empty the order being built and say so."""
    ctx.state.clear_cart()
    ctx.state.stage = Stage.ORDERING
    ctx.say(ctx.texts.t("cart_cleared"), buttons=[ctx.menu_button()])


def change(ctx: TurnContext) -> None:
    """Back from the summary to the cart; delivery, address and time are asked again at checkout."""
    ctx.state.fulfilment, ctx.state.requested_time = None, None
    after_cart_change(ctx, [])


def greet(ctx: TurnContext) -> None:
    """Welcome (or welcome back, with 'My last order') to the chosen kitchen."""
    last = ctx.ports.last_order(ctx.state.merchant_id)
    buttons = [ctx.menu_button()] + ([Button(id="repeat", title=ctx.texts.t("btn_repeat"))] if last else [])
    ctx.say(ctx.named("greeting_again" if last else "greeting", merchant=ctx.merchant.name), buttons=buttons)
