"""Checkout as dialogue: the missing details asked one by one, the minimum order said up front, the priced
summary, and placing through the order core once per turn."""
from __future__ import annotations

from typing import TYPE_CHECKING

from core.conversation.checkout import cart_of, next_step, refusal, summary_reply
from core.conversation.model import Button, Stage
from core.errors import DomainError
from core.parsing import ParseResult
from core.orders.cart import Fulfilment

if TYPE_CHECKING:
    from core.conversation.engine import Dialogue


class CheckoutSteps:
    def checkout(self: Dialogue, prefix: str = "") -> None:
        state = self.state
        if prefix:
            self.say(prefix)
        if not state.lines:
            self.say(self.texts.t("cart_empty"), buttons=[self.menu_button()])
            return
        if state.questions:
            self.ask_question()
            return
        if self.below_minimum():
            return
        step = next_step(state, self.merchant, self.customer, self.texts)
        if step is not None:
            self.replies.append(step)
            return
        try:
            quote = self.ports.quote(cart_of(state, self.channel))
        except DomainError as error:
            self.replies.append(refusal(error, state, self.merchant, self.texts, self.now))
            return
        self.replies.append(summary_reply(quote, state, self.merchant, self.menu, self.texts))

    def below_minimum(self: Dialogue) -> bool:
        """Say so before asking for an address, not after (the order core checks it again when placing)."""
        minimum = self.merchant.min_order_value
        if not minimum:
            return False
        try:
            subtotal = self.ports.preview(cart_of(self.state, self.channel).model_copy(
                update={"fulfilment": Fulfilment()})).subtotal
        except DomainError:
            return False  # the quote at the end of checkout names the problem
        if subtotal >= minimum:
            return False
        self.state.stage = Stage.ORDERING
        self.say(self.texts.t("error_min_order_value", amount=self.texts.money(minimum, self.merchant.currency)),
                 buttons=[self.menu_button()])
        return True

    def confirm(self: Dialogue) -> None:
        if self.state.stage is Stage.CONFIRMING:
            self.place()
        else:
            self.checkout()

    def place(self: Dialogue) -> None:
        state = self.state
        try:
            order = self.ports.place(cart_of(state, self.channel), key=f"turn:{state.turn}")
        except DomainError as error:
            self.replies.append(refusal(error, state, self.merchant, self.texts, self.now))
            return
        state.last_order_id = order.id
        state.clear_cart()
        state.stage = Stage.PLACED
        self.placed_order_id = order.id
        self.say(self.texts.t("placed", number=order.number, merchant=self.merchant.name),
                 buttons=[Button(id="status", title=self.texts.t("btn_status"))])

    def on_time_text(self: Dialogue, parsed: ParseResult) -> None:
        if parsed.requested_time is None:
            self.say(self.texts.t("time_not_understood"))
            return
        self.state.requested_time = parsed.requested_time
        self.checkout()

    def on_address_text(self: Dialogue, text: str) -> None:
        """A typed address: one of the customer's saved ones, or a street of the city's map; otherwise
        ask for the location pin."""
        said = text.casefold().strip()
        saved = [a for a in self.customer.addresses if a.location is not None and said
                 and (said in a.line1.casefold() or a.line1.casefold() in said)]
        if len(saved) == 1:
            self.state.address = saved[0]
            self.checkout()
            return
        located = self.ports.locate(text)
        if located is not None:  # the zone and the fee from the street; the driver reads what was typed
            self.set_location(located[1], text.strip())
            self.checkout()
            return
        self.say(self.texts.t("ask_address_pin"), ask_location=True)
