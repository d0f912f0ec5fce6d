"""What the customer sees of the cart: the running total, the next pending question as buttons or a list,
the menu, and the greeting."""
from __future__ import annotations

from typing import TYPE_CHECKING

from core.conversation.browse import categories_reply
from core.conversation.cart_edits import NO_OPTION, YES_NO, YES_OPTION, lines_text
from core.conversation.checkout import cart_of, line_label
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

if TYPE_CHECKING:
    from core.conversation.engine import Dialogue


class CartReplies:
    def added_text(self: Dialogue, added: list[DraftLine]) -> str:
        return self.texts.t("added", items=lines_text(added, self.menu, self.state.language)) if added else ""

    def after_cart_change(self: Dialogue, added: list[DraftLine], prefix: str | None = None) -> None:
        """Ask the next pending question, or show the cart with its running total."""
        state = self.state
        state.stage = Stage.ORDERING
        prefix = self.added_text(added) if prefix is None else prefix
        if state.questions:
            self.ask_question(prefix)
            return
        if not state.lines:
            self.say("\n".join(p for p in (prefix, self.texts.t("cart_empty")) if p), buttons=[self.menu_button()])
            return
        self.say("\n".join(p for p in (prefix, self.cart_text(), self.texts.t("cart_next")) if p), buttons=[
            Button(id="checkout", title=self.texts.t("btn_checkout")), self.menu_button()])

    def cart_text(self: Dialogue) -> str:
        texts, state = self.texts, self.state
        out = [texts.t("cart_title", merchant=self.merchant.name)]
        try:  # priced as pickup: the delivery fee comes with the address at checkout
            quote = self.ports.preview(cart_of(state, self.channel).model_copy(update={"fulfilment": Fulfilment()}))
        except DomainError:
            out.append(lines_text(state.lines, self.menu, state.language))
            return "\n".join(out)
        for line in quote.lines:
            out.append(f"{line_label(line, self.menu, texts.language)}: {texts.money(line.total, quote.currency)}")
        out.append(texts.t("cart_subtotal", amount=texts.money(quote.subtotal, quote.currency)))
        return "\n".join(out)

    def ask_question(self: Dialogue, prefix: str = "") -> None:
        state, texts = self.state, self.texts
        question = state.questions[0]
        state.asked += 1
        text = "\n".join(p for p in (prefix, question.text) if p)
        ids = lambda option: f"q:{state.asked}:{option}"  # noqa: E731
        if question.kind in YES_NO:
            self.say(text, buttons=[Button(id=ids(YES_OPTION), title=texts.t("btn_yes")),
                                    Button(id=ids(NO_OPTION), title=texts.t("btn_no"))])
        elif len(question.options) <= MAX_BUTTONS:
            self.say(text, buttons=[Button(id=ids(o.id), title=clip(o.label, BUTTON_TITLE_CHARS))
                                    for o in question.options])
        else:
            rows = [Row(id=ids(o.id), title=clip(o.label, ROW_TITLE_CHARS)) for o in question.options[:MAX_LIST_ROWS]]
            self.say(text, list_label=texts.t("choose"),
                     sections=[Section(title=clip(texts.t("options"), ROW_TITLE_CHARS), rows=rows)])

    def show_menu(self: Dialogue, page: int = 0) -> None:
        self.replies.append(categories_reply(self.menu, self.merchant.name, self.local_now(), self.texts, page))

    def clear_cart(self: Dialogue) -> None:
        self.state.clear_cart()
        self.state.stage = Stage.ORDERING
        self.say(self.texts.t("cart_cleared"), buttons=[self.menu_button()])

    def change(self: Dialogue) -> None:
        """Back from the summary to the cart; delivery, address and time are asked again at checkout."""
        self.state.fulfilment, self.state.requested_time = None, None
        self.after_cart_change([])

    def greet(self: Dialogue) -> None:
        last = self.ports.last_order(self.state.merchant_id)
        key = "greeting_again" if last else "greeting"
        buttons = [self.menu_button()] + ([Button(id="repeat", title=self.texts.t("btn_repeat"))] if last else [])
        self.say(self.texts.t(key, name=self.first_name(), merchant=self.merchant.name), buttons=buttons)
