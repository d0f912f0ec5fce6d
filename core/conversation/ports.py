"""What the dialogue needs from the rest of the system, as one port per conversation.

The server implements it over a unit of work with the customer as the actor; tests implement it in memory.
Every call that changes something (place, cancel) goes through the order core's handlers, so a chat order
obeys exactly the rules of every other channel.
"""
from __future__ import annotations

from typing import Protocol

from core.geo import GeoPoint
from core.menu import Menu
from core.merchants import Customer, Merchant
from core.orders.cart import Cart
from core.orders.model import Order
from core.orders.quote import Quote


class ConversationPorts(Protocol):
    def merchants(self) -> list[Merchant]:
        """The kitchens this business account sells for (one for most, several for a food hall)."""

    def menu(self, merchant_id: str) -> Menu | None:
        """A kitchen's menu, or None when it has none."""

    def customer(self) -> Customer:
        """The customer writing (their name, language and saved addresses)."""

    def quote(self, cart: Cart) -> Quote:
        """Price the cart; raises DomainError with the order core's code when it cannot be ordered."""

    def preview(self, cart: Cart) -> Quote:
        """Price the cart as it grows: like `quote`, but the minimum order value waits for checkout."""

    def place(self, cart: Cart, key: str) -> Order:
        """Place once per `key`: the same key again returns the same order."""

    def locate(self, text: str) -> tuple[str, GeoPoint] | None:
        """The street a typed address names and a point on it, if the city's streets are known."""

    def order(self, order_id: str) -> Order | None:
        """One of the customer's orders by id; None if unknown or not theirs."""

    def last_order(self, merchant_id: str | None) -> Order | None:
        """The customer's most recent order (at that merchant, if given)."""

    def cancel(self, order_id: str) -> Order:
        """Cancel as the customer; raises DomainError when the lifecycle no longer allows it."""
