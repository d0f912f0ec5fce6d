"""Which kitchen, on an account that sells for several (a food hall): tapped or typed from the list, named in
the message, or the one kitchen whose menu has what was ordered. What was ordered before the kitchen was
known is kept in `pending_text` and applied once it is."""
from __future__ import annotations

from dataclasses import dataclass

from core.conversation.browse import merchants_reply
from core.conversation.context import TurnContext
from core.conversation.model import Button, Stage
from core.conversation.steps.cart import expect_choice
from core.conversation.steps.ordering import is_a_guess
from core.parsing import Intent, ParseResult

MERCHANT, MERCHANT_PAGE = "merchant", "merchants"


@dataclass(frozen=True)
class KitchenChoice:
    """What the kitchen step decided: whether a kitchen is now set, whether the message was only that
    choice (a tap or a typed kitchen name: nothing more to read in it), and the earlier order to apply."""

    chosen: bool
    answered: bool = False
    pending: str = ""


NOT_YET = KitchenChoice(chosen=False)


def choose(ctx: TurnContext) -> KitchenChoice:
    """Set the kitchen from this message if it names or implies one; otherwise ask, keeping the order."""
    state, merchants = ctx.state, ctx.merchants
    if len(merchants) == 1:
        state.merchant_id = next(iter(merchants))
        return KitchenChoice(chosen=True)
    head, _, rest = (ctx.choice or "").partition(":")
    if head == MERCHANT and rest in merchants:
        return _chosen(ctx, rest, answered=True)
    if head == MERCHANT_PAGE:
        _show_list(ctx, int(rest) if rest.isdecimal() else 0)
        return NOT_YET
    text, parsed = ctx.text, ctx.parsed
    if text and parsed is not None:
        named = _named(ctx, parsed)
        if named is not None:
            return _chosen(ctx, named, answered=False)
        sellers = _sellers(ctx, text)
        if len(sellers) == 1:
            [(merchant_id, result)] = sellers.items()
            if not is_a_guess(result):
                return _chosen(ctx, merchant_id, answered=False)
            state.pending_text = text
            _ask_to_confirm(ctx, merchant_id)
            return NOT_YET
        if sellers or parsed.intent is Intent.ORDER:
            state.pending_text = text
    _ask_which(ctx)
    return NOT_YET


def _chosen(ctx: TurnContext, merchant_id: str, *, answered: bool) -> KitchenChoice:
    state = ctx.state
    state.merchant_id, state.stage = merchant_id, Stage.ORDERING
    pending, state.pending_text = state.pending_text, ""
    if pending == ctx.text:
        pending = ""  # the same message again: it is read once, as this message
    return KitchenChoice(chosen=True, answered=answered, pending=pending)


def _named(ctx: TurnContext, parsed: ParseResult) -> str | None:
    """The kitchen the parser found named in the message ('from pizzeria donau'), if exactly one fits."""
    if not parsed.merchant_text:
        return None
    said = parsed.merchant_text.casefold()
    named = [m.id for m in ctx.merchants.values() if said in m.name.casefold() or m.name.casefold() in said]
    return named[0] if len(named) == 1 else None


def _sellers(ctx: TurnContext, text: str) -> dict[str, ParseResult]:
    """The kitchens whose menu has something the message orders, with the parse against each."""
    found = {}
    for merchant_id in ctx.merchants:
        if ctx.ports.menu(merchant_id) is None:
            continue
        result = ctx.parse(text, merchant_id)
        if result.lines:
            found[merchant_id] = result
    return found


def _ask_to_confirm(ctx: TurnContext, merchant_id: str) -> None:
    """'Pizzeria Donau?' with one tap to agree; 'No' opens the list of kitchens."""
    ctx.state.stage = Stage.CHOOSING_MERCHANT
    ctx.say(ctx.texts.t("confirm_kitchen", merchant=ctx.merchants[merchant_id].name), buttons=[
        Button(id=f"{MERCHANT}:{merchant_id}", title=ctx.texts.t("btn_yes")),
        Button(id=f"{MERCHANT_PAGE}:0", title=ctx.texts.t("btn_no"))])


def _ask_which(ctx: TurnContext) -> None:
    """The list of kitchens; if it was just shown, what is expected instead of the same list again."""
    state = ctx.state
    shown = [c for c in state.offered if c.id.partition(":")[0] in (MERCHANT, MERCHANT_PAGE)]
    if state.stage is Stage.CHOOSING_MERCHANT and shown:
        suggested = [c.id.partition(":")[2] for c in shown if c.id.startswith(f"{MERCHANT}:")]
        question = ctx.texts.t("confirm_kitchen", merchant=ctx.merchants[suggested[0]].name) \
            if len(shown) == 2 and len(suggested) == 1 and suggested[0] in ctx.merchants \
            else ctx.texts.t("ask_kitchen")
        expect_choice(ctx, question)
        return
    _show_list(ctx, 0)


def _show_list(ctx: TurnContext, page: int) -> None:
    ctx.state.stage = Stage.CHOOSING_MERCHANT
    question = ctx.named("choose_merchant") if page == 0 else ctx.texts.t("ask_kitchen")
    ctx.replies.append(merchants_reply(list(ctx.merchants.values()), question, ctx.texts, page))
