"""Merchants and live menus, read through a short-lived in-process cache.

Quotes read the menu on every request; the stock ledger, not this cache, has the last word when an order
is placed, so a cached view up to `ttl` seconds old never sells what is gone.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from core.menu import Menu
from core.merchants import BusyMode, Customer, Merchant
from server.bounded_cache import TtlLru
from server.db import tables as t


# Merchants and customers cached at once; ids that name nothing are remembered apart, in a smaller cache,
# so a flood of made-up ids costs one query each and never evicts the kitchens in use.
CATALOG_CACHE_SIZE = 2_048
CUSTOMER_CACHE_SIZE = 20_000
UNKNOWN_ID_CACHE_SIZE = 1_024


class CatalogCache:
    """Merchants with their menus, and customers, each for at most `ttl` seconds, bounded in number."""

    def __init__(self, ttl: float = 1.0, max_merchants: int = CATALOG_CACHE_SIZE,
                 max_customers: int = CUSTOMER_CACHE_SIZE, max_unknown: int = UNKNOWN_ID_CACHE_SIZE) -> None:
        self.ttl = ttl
        self._entries: TtlLru[tuple[Merchant, Menu | None]] = TtlLru(max_merchants, ttl)
        self._customers: TtlLru[Customer] = TtlLru(max_customers, ttl)
        self._unknown: TtlLru[None] = TtlLru(max_unknown, ttl)

    def __len__(self) -> int:
        """Entries held: merchants, customers and unknown ids together."""
        return len(self._entries) + len(self._customers) + len(self._unknown)

    def customer(self, conn: Connection, customer_id: str) -> Customer | None:
        """Customers change rarely and ordering needs only their VIP flag; cached like the menus."""
        found, customer = self._customers.lookup(customer_id)
        if found or self._unknown.lookup("customer:" + customer_id)[0]:
            return customer
        customer = self.load_customer(conn, customer_id)
        if customer is None:
            self._unknown.put("customer:" + customer_id, None)
        else:
            self._customers.put(customer_id, customer)
        return customer

    @staticmethod
    def load_customer(conn: Connection, customer_id: str) -> Customer | None:
        """The customer as stored now, past the cache."""
        row = conn.execute(select(t.customers.c.doc).where(t.customers.c.id == customer_id)).first()
        return Customer.model_validate_json(row.doc) if row else None

    def invalidate_customer(self, customer_id: str) -> None:
        self._customers.pop(customer_id)
        self._unknown.pop("customer:" + customer_id)

    def invalidate(self, merchant_id: str | None = None) -> None:
        if merchant_id is None:
            self._entries.clear()
            self._unknown.clear()
        else:
            self._entries.pop(merchant_id)
            self._unknown.pop("merchant:" + merchant_id)

    def get(self, conn: Connection, merchant_id: str) -> tuple[Merchant | None, Menu | None]:
        found, entry = self._entries.lookup(merchant_id)
        if found and entry is not None:
            return entry
        if self._unknown.lookup("merchant:" + merchant_id)[0]:
            return None, None
        merchant, menu = load_catalog(conn, merchant_id)
        if merchant is None:
            self._unknown.put("merchant:" + merchant_id, None)
        else:
            self._entries.put(merchant_id, (merchant, menu))
        return merchant, menu


def busy_from_row(row: Any) -> BusyMode:
    return BusyMode(kind=row.kind, extra_minutes=row.extra_minutes, until=row.until)


def busy_of(conn: Connection, merchant_id: str) -> tuple[BusyMode, str | None]:
    """The merchant's stored busy mode (as set: it may be over already) and its clock."""
    row = conn.execute(select(t.busy_modes).where(t.busy_modes.c.merchant_id == merchant_id)).first()
    return (BusyMode(), None) if row is None else (busy_from_row(row), row.hlc)


def load_catalog(conn: Connection, merchant_id: str) -> tuple[Merchant | None, Menu | None]:
    """The merchant with its busy mode, and its menu with live stock counts and 86 flags applied."""
    row = conn.execute(select(t.merchants.c.doc).where(t.merchants.c.id == merchant_id)).first()
    if row is None:
        return None, None
    merchant = Merchant.model_validate_json(row.doc)
    merchant.busy = busy_of(conn, merchant_id)[0]
    menu_row = conn.execute(select(t.menus.c.doc, t.menus.c.version).where(t.menus.c.merchant_id == merchant_id)).first()
    if menu_row is None:
        return merchant, None
    doc = json.loads(menu_row.doc)
    doc["version"] = menu_row.version
    live = {
        r.key: (r.count, r.available)
        for r in conn.execute(select(t.stock.c.key, t.stock.c.count, t.stock.c.available)
                              .where(t.stock.c.merchant_id == merchant_id))
    }
    for item in doc.get("items", []):
        count, available = live.get(f"item:{item['id']}", (item.get("stock"), item.get("available", True)))
        item["stock"], item["available"] = count, available
    for group in doc.get("modifier_groups", []):
        for option in group.get("options", []):
            count, available = live.get(f"option:{option['id']}", (option.get("stock"), option.get("available", True)))
            option["stock"], option["available"] = count, available
    return merchant, Menu.model_validate(doc)
