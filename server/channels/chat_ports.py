"""Who is chatting and what the order core looks like to them from inside the channel worker's write."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from core.conversation.order_ports import OrderCorePorts
from core.errors import DomainError
from core.merchants import Customer, normalise_phone
from core.orders.cart import Cart
from core.orders.model import Order
from server.api.order_intake import place_and_publish
from server.api.orders import transition_and_publish
from server.catalog import upsert_customer
from server.channels import instagram, store
from server.db import channel_tables as ct
from server.db import tables as t
from server.services import Services
from server.streets import streets_for


class ChatPorts(OrderCorePorts):
    """The order core as a chat customer sees it, inside the worker's write: orders are published to
    kitchens like API orders, and a refused placement rolls back only its own writes."""

    def __init__(self, uow: Any, services: Services, customer: Customer, merchant_ids: list[str], now: datetime,
                 key_prefix: str) -> None:
        super().__init__(uow, customer, merchant_ids, now, key_prefix, streets=streets_for(services.settings.streets))
        self.services = services

    def _guarded(self, fn: Any) -> Any:
        raw = self.uow.raw
        raw.execute("SAVEPOINT chat_order")
        try:
            result = fn()
        except DomainError:
            raw.execute("ROLLBACK TO SAVEPOINT chat_order")
            raise
        finally:
            raw.execute("RELEASE SAVEPOINT chat_order")
        return result

    def place(self, cart: Cart, key: str) -> Order:
        command = self.place_command(cart, key)
        return self._guarded(lambda: place_and_publish(command, self.uow, self.services)).order

    def cancel(self, order_id: str) -> Order:
        command = self.cancel_command(order_id)
        return self._guarded(lambda: transition_and_publish(command, self.uow, self.services))


def customer_for(uow: Any, msg: store.StoredMessage) -> Customer:
    """The customer behind a chat: by phone for WhatsApp (a known customer keeps their saved addresses)."""
    if msg.channel == "whatsapp":
        try:
            phone = normalise_phone("+" + msg.sender.lstrip("+"))
        except DomainError:
            phone = None
        if phone:
            row = uow.conn.execute(t.customers.select().where(t.customers.c.phone == phone)).first()
            if row is not None:
                return Customer.model_validate_json(row.doc)
        customer = Customer(id=f"wa:{msg.sender}"[:80], name=msg.sender_name or f"+{msg.sender}", phone=phone)
    else:
        customer = uow.catalog.customer(f"ig:{msg.sender}"[:80]) or Customer(
            id=f"ig:{msg.sender}"[:80], name=msg.sender_name or "Instagram")
    if uow.catalog.customer(customer.id) is None:
        upsert_customer(uow.conn, customer)
    return customer


def referred_post(uow: Any, msg: store.StoredMessage) -> tuple[list[str], str | None]:
    """The menu items and kitchen of the post or story an Instagram message replies to or shares."""
    if msg.channel != "instagram":
        return [], None
    media = instagram.referred_media(msg.payload)
    if not media:
        return [], None
    row = uow.conn.execute(ct.instagram_posts.select().where(ct.instagram_posts.c.media_id == media)).first()
    return (list(json.loads(row.item_ids)), row.merchant_id) if row else ([], None)
