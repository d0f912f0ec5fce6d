"""ConversationPorts over the order core's unit of work: a chat order goes through the same handlers
(and so the same pricing, stock and lifecycle rules) as an order from the API."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from core.ids import uuid7
from core.geo import GeoPoint
from core.menu import Menu
from core.merchants import Customer, Merchant
from core.orders import handlers
from core.orders.cart import Cart
from core.orders.lifecycle import Action, Role
from core.orders.model import Actor, Order
from core.orders.pricing import quote_cart
from core.orders.ports import UnitOfWork
from core.orders.quote import Quote
from core.streets import StreetIndex

CANCEL_REASON = "cancelled by the customer in the chat"


class OrderCorePorts:
    """The customer's view of the order core for one turn; `merchant_ids` are the business's kitchens."""

    def __init__(self, uow: UnitOfWork, customer: Customer, merchant_ids: list[str], now: datetime,
                 key_prefix: str, streets: StreetIndex | None = None) -> None:
        self.uow, self._customer, self.merchant_ids, self.now = uow, customer, merchant_ids, now
        self.key_prefix = key_prefix
        self.streets = streets
        self.actor = Actor(role=Role.CUSTOMER, id=customer.id)

    def merchants(self) -> list[Merchant]:
        """The business's kitchens that exist in the catalogue."""
        found = (self.uow.catalog.merchant(m) for m in self.merchant_ids)
        return [m for m in found if m is not None]

    def menu(self, merchant_id: str) -> Menu | None:
        """The kitchen's menu from the catalogue."""
        return self.uow.catalog.menu(merchant_id)

    def customer(self) -> Customer:
        """The customer this turn acts for."""
        return self._customer

    def quote(self, cart: Cart) -> Quote:
        """Price the cart with every rule of the order core (minimum order included)."""
        return handlers.quote(cart, self.uow, self.now)

    def preview(self, cart: Cart) -> Quote:
        """Price the cart as it grows: the minimum order value waits for checkout."""
        merchant = self.uow.catalog.merchant(cart.merchant_id)
        menu = self.uow.catalog.menu(cart.merchant_id)
        if merchant is None or menu is None:
            return self.quote(cart)  # raises the order core's unknown_merchant
        return quote_cart(cart, menu, merchant.model_copy(update={"min_order_value": Decimal(0)}), self.now)

    def place_command(self, cart: Cart, key: str) -> handlers.PlaceOrder:
        """The order core's place command, idempotent per conversation and `key`."""
        return handlers.PlaceOrder(cart=cart, actor=self.actor, order_id=str(uuid7()), now=self.now,
                                   customer_id=self._customer.id, idempotency_key=f"{self.key_prefix}:{key}")

    def place(self, cart: Cart, key: str) -> Order:
        """Place the chat's cart; a refusal undoes only the placement (the turn goes on to explain it)."""
        with self.uow.savepoint():
            return handlers.place_order(self.place_command(cart, key), self.uow).order

    def locate(self, text: str) -> tuple[str, GeoPoint] | None:
        """The street a typed address names and a point on it, if the city's streets are loaded."""
        return self.streets.locate(text) if self.streets else None

    def order(self, order_id: str) -> Order | None:
        """The order if the customer may see it."""
        order = self.uow.orders.get(order_id)
        return order if order is not None and self.actor.can_see(order) else None

    def last_order(self, merchant_id: str | None) -> Order | None:
        """The customer's most recent order (at that kitchen, if given)."""
        found = self.uow.orders.list(customer_id=self._customer.id, merchant_id=merchant_id, limit=1)
        return found[0] if found else None

    def cancel_command(self, order_id: str) -> handlers.TransitionOrder:
        """The order core's cancel command, as the customer."""
        return handlers.TransitionOrder(order_id=order_id, action=Action.CANCEL, actor=self.actor, now=self.now,
                                        reason=CANCEL_REASON)

    def cancel(self, order_id: str) -> Order:
        """Cancel one of the customer's orders; a refusal undoes only the cancellation."""
        with self.uow.savepoint():
            return handlers.transition_order(self.cancel_command(order_id), self.uow)[0]
