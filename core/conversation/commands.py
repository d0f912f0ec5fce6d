"""What a customer can ask for at any point of the dialogue: status, cancel, repeat my last order, talk to a
person, and questions about the kitchen (open? delivery?)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from core.conversation.cart_edits import add_line
from core.conversation.model import Button, ConversationState, Reply, Stage
from core.conversation.ports import ConversationPorts
from core.conversation.status import status_text
from core.conversation.texts import Texts
from core.errors import DomainError
from core.menu import open_at
from core.merchants import Customer
from core.orders.cart import Channel, LineModifier
from core.orders.model import Order
from core.parsing import DraftLine

if TYPE_CHECKING:
    from core.conversation.engine import Dialogue


class Commands:
    # What the mixin uses of the Dialogue it is part of (engine.Dialogue).
    state: ConversationState
    ports: ConversationPorts
    texts: Texts
    customer: Customer
    channel: Channel
    now: datetime
    replies: list[Reply]

    def last_order(self: Dialogue) -> Order | None:
        if self.state.last_order_id:
            found = self.ports.order(self.state.last_order_id)
            if found is not None:
                return found
        return self.ports.last_order(self.state.merchant_id)

    def tell_status(self: Dialogue) -> None:
        order = self.last_order()
        if order is None:
            self.say(self.texts.t("status_none"), buttons=[self.menu_button()])
            return
        merchant = self._merchants.get(order.merchant_id, self.merchant)
        self.say(status_text(order, merchant, self.texts))

    def cancel(self: Dialogue) -> None:
        """Cancel the order being built, or else the last order while the kitchen has not accepted it."""
        if self.state.lines and self.state.stage is not Stage.PLACED:
            self.clear_cart()
            return
        order = self.last_order()
        if order is None or order.status.is_terminal:
            self.clear_cart()
            return
        try:
            cancelled = self.ports.cancel(order.id)
        except DomainError:
            self.say(self.texts.t("cancel_not_allowed", number=order.number),
                     buttons=[Button(id="human", title=self.texts.t("btn_human"))])
            return
        self.say(self.texts.t("status_cancelled", number=cancelled.number))

    def repeat(self: Dialogue) -> None:
        previous = self.ports.last_order(self.state.merchant_id)
        if previous is None:
            self.say(self.texts.t("repeat_none"), buttons=[self.menu_button()])
            return
        menu, added = self.menu, []
        for priced in previous.quote.lines:
            if menu.item(priced.item_id) is None:
                continue
            line = DraftLine(item_id=priced.item_id, variant_id=priced.variant_id, quantity=priced.quantity,
                             modifiers=[LineModifier(option_id=m.option_id, kind=m.kind, portion=m.portion)
                                        for m in priced.modifiers],
                             instructions=priced.instructions, display_name=priced.name)
            add_line(self.state, line, menu)
            added.append(line)
        if previous.quote.fulfilment.address is not None and self.state.address is None:
            self.state.address = previous.quote.fulfilment.address
        self.after_cart_change(added, prefix=self.texts.t("repeat_added"))

    def hand_over(self: Dialogue) -> None:
        self.state.human = True
        self.handed_over = True
        self.say(self.texts.t("human", merchant=self.merchant.name))

    def answer_question(self: Dialogue) -> None:
        merchant, texts, local = self.merchant, self.texts, self.local_now()
        today = [w for w in merchant.opening_hours if local.isoweekday() in w.days]
        hours = ", ".join(f"{w.start:%H:%M}–{w.end:%H:%M}" for w in today) if merchant.opening_hours \
            else "00:00–24:00"
        if merchant.opening_hours and not today:
            hours = texts.t("closed_today")
        fulfilment = texts.t("delivery_and_pickup" if merchant.offers_delivery and merchant.offers_pickup
                             else "delivery_only" if merchant.offers_delivery else "pickup_only")
        key = "answer_open" if open_at(merchant.opening_hours, local) else "answer_closed"
        self.say(texts.t(key, merchant=merchant.name, hours=hours, fulfilment=fulfilment),
                 buttons=[self.menu_button()])
