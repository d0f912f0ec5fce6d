"""From a cart in a chat to a placed order: the steps still missing, the priced summary, and what a
refusal from the order core means for the customer."""
from __future__ import annotations

from datetime import datetime

from core.conversation.model import MAX_BUTTONS, Button, ConversationState, Reply, Stage
from core.conversation.texts import Texts, clip
from core.errors import DomainError, OrderError
from core.menu import Menu, ModifierKind
from core.merchants import Address, Customer, Merchant
from core.orders.cart import Cart, Channel, Fulfilment, FulfilmentType, RequestedTime
from core.orders.quote import PricedLine, Quote


def cart_of(state: ConversationState, channel: Channel) -> Cart:
    """The conversation's cart in the order core's standard form (pickup until delivery is chosen)."""
    fulfilment = Fulfilment(type=state.fulfilment or FulfilmentType.PICKUP,
                            address=state.address if state.fulfilment is FulfilmentType.DELIVERY else None)
    return Cart(merchant_id=state.merchant_id or "", lines=[line.to_cart_line() for line in state.lines],
                fulfilment=fulfilment, requested_time=state.requested_time or RequestedTime(), channel=channel,
                instructions=state.instructions)


def address_text(address: Address) -> str:
    """'Ringstraße 45, Krems': the street line and the city."""
    return ", ".join(p for p in (address.line1, address.city) if p)


def next_step(state: ConversationState, merchant: Merchant, customer: Customer, texts: Texts) -> Reply | None:
    """The question for the first missing checkout detail (and its stage), or None when all are known."""
    if state.fulfilment is None:
        if merchant.offers_delivery and merchant.offers_pickup:
            state.stage = Stage.FULFILMENT
            return Reply(text=texts.t("ask_fulfilment"), buttons=[
                Button(id="ful:delivery", title=texts.t("btn_delivery")),
                Button(id="ful:pickup", title=texts.t("btn_pickup"))])
        state.fulfilment = FulfilmentType.DELIVERY if merchant.offers_delivery else FulfilmentType.PICKUP
    if state.fulfilment is FulfilmentType.DELIVERY and (state.address is None or state.address.location is None):
        state.stage = Stage.ADDRESS
        saved = [a for a in customer.addresses if a.location is not None][:MAX_BUTTONS]
        if saved:
            return Reply(text=texts.t("ask_address"), buttons=[
                Button(id=f"addr:{i}", title=clip(a.line1, 20)) for i, a in enumerate(saved)])
        return Reply(text=texts.t("ask_address_pin"), ask_location=True)
    if state.requested_time is None:
        state.stage = Stage.TIME
        return Reply(text=texts.t("ask_time"), buttons=[Button(id="time:asap", title=texts.t("btn_asap")),
                                                        Button(id="time:later", title=texts.t("btn_later"))])
    return None


def line_label(line: PricedLine, menu: Menu, language: str) -> str:
    """'2× Margherita (Large, +Mushrooms, −Basil)' with the menu's names in the customer's language."""
    item = menu.item(line.item_id)
    variant = item.variant(line.variant_id) if item and line.variant_id else None
    details = [variant.name_in(language)] if variant else [line.variant_name or ""]
    for m in line.modifiers:
        option = menu.option(m.option_id)
        name = option.name_in(language) if option else m.name
        details.append(("−" if m.kind is ModifierKind.REMOVE else "+") + name)
    shown = ", ".join(d for d in details if d)
    name = item.name_in(language) if item else line.name
    return f"{line.quantity}× {name}" + (f" ({shown})" if shown else "")


def summary_reply(quote: Quote, state: ConversationState, merchant: Merchant, menu: Menu, texts: Texts) -> Reply:
    """The priced summary with confirm, change and cancel buttons; the stage becomes CONFIRMING."""
    money = lambda amount: texts.money(amount, quote.currency)  # noqa: E731
    lines = [texts.t("summary_title", merchant=merchant.name)]
    for line in quote.lines:
        lines.append(f"{line_label(line, menu, texts.language)}: {money(line.total)}")
        if line.instructions:
            lines.append(f"   “{line.instructions}”")
    if quote.discount:
        lines.append(texts.t("summary_discount", amount=money(quote.discount)))
    if quote.fulfilment.is_delivery:
        lines.append(texts.t("summary_delivery_fee", amount=money(quote.delivery_fee)))
    if quote.service_fee:
        lines.append(texts.t("summary_service_fee", amount=money(quote.service_fee)))
    lines.append(texts.t("summary_total", amount=money(quote.total)))
    if quote.fulfilment.is_delivery and quote.fulfilment.address:
        lines.append(texts.t("summary_delivery_to", address=address_text(quote.fulfilment.address)))
    else:
        lines.append(texts.t("summary_pickup_at", merchant=merchant.name, address=address_text(merchant.address)))
    slot = quote.requested_time.slot_start
    lines.append(texts.t("summary_at", time=texts.clock(slot, merchant.timezone)) if slot else texts.t("summary_asap"))
    lines.append(texts.t("summary_confirm"))
    state.stage = Stage.CONFIRMING
    return Reply(text="\n".join(lines), buttons=[Button(id="confirm", title=texts.t("btn_confirm")),
                                                  Button(id="change", title=texts.t("btn_change")),
                                                  Button(id="cancel_cart", title=texts.t("btn_cancel"))])


def refusal(error: DomainError, state: ConversationState, merchant: Merchant, texts: Texts,
            now: datetime) -> Reply:
    """What the order core's refusal means here, and the stage to go back to so the customer can fix it."""
    code = error.code
    if code is OrderError.OUTSIDE_DELIVERY_ZONE or code is OrderError.ADDRESS_REQUIRED:
        state.address, state.stage = None, Stage.ADDRESS
        return Reply(text=texts.t("outside_zone"), ask_location=True)
    if code is OrderError.MIN_ORDER_VALUE:
        state.stage = Stage.ORDERING
        return Reply(text=texts.t("error_min_order_value", amount=texts.money(merchant.min_order_value,
                                                                               merchant.currency)),
                     buttons=[Button(id="menu", title=texts.t("btn_menu"))])
    if code is OrderError.FULFILMENT_NOT_OFFERED:
        state.fulfilment, state.stage = None, Stage.FULFILMENT
        return Reply(text=texts.t("error_fulfilment_not_offered", merchant=merchant.name))
    if code in (OrderError.MERCHANT_CLOSED, OrderError.SLOT_INVALID):
        state.requested_time, state.stage = None, Stage.TIME
        return Reply(text=texts.t("error_merchant_closed", merchant=merchant.name) + "\n" + texts.t("ask_time_text"))
    if code is OrderError.MERCHANT_PAUSED:
        return Reply(text=texts.t("error_merchant_paused", merchant=merchant.name))
    state.stage = Stage.ORDERING
    if code is OrderError.ITEM_UNAVAILABLE:
        return Reply(text=texts.t("error_item_unavailable", detail=error.detail))
    if code is OrderError.OUT_OF_STOCK:
        return Reply(text=texts.t("error_out_of_stock", detail=error.detail))
    return Reply(text=texts.t("error", detail=error.detail))
