"""Who is chatting and what the order core looks like to them from inside the channel worker's write."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from core.conversation.order_ports import OrderCorePorts
from core.errors import DomainError
from server.orders import service as orders
from core.merchants import Customer, normalise_phone
from core.orders.cart import Cart
from core.orders.model import Order
from server.catalog.store import upsert_customer
from server.channels import instagram, store
from server.db import channel_tables as ct
from server.db import tables as t
from server.services import Services
from server.streets import streets_for


class ChatPorts(OrderCorePorts):
    """The order core as a chat customer sees it, inside the worker's write: orders go through the same
    orders service as API orders (and so reach the kitchen the same way); a refusal rolls back only itself."""

    def __init__(self, uow: Any, services: Services, customer: Customer, merchant_ids: list[str], now: datetime,
                 key_prefix: str) -> None:
        super().__init__(uow, customer, merchant_ids, now, key_prefix, streets=streets_for(services.settings.streets))
        self.services = services

    def place(self, cart: Cart, key: str) -> Order:
        """Place through the orders service, as the API does; a refusal undoes only the placement."""
        with self.uow.savepoint():
            return orders.place_order(self.place_command(cart, key), self.uow).order

    def cancel(self, order_id: str) -> Order:
        """Cancel through the orders service; a refusal undoes only the cancellation."""
        with self.uow.savepoint():
            return orders.transition_order(self.cancel_command(order_id), self.uow)


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
        upsert_customer(uow.conn, customer, verified_phone=msg.channel == "whatsapp")  # the sender is the phone
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
