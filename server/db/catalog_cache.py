"""Merchants and live menus, read through a short-lived in-process cache.

Quotes read the menu on every request; the stock ledger, not this cache, has the last word when an order
is placed, so a cached view up to `ttl` seconds old never sells what is gone.
"""
from __future__ import annotations

import json
import threading
import time
from typing import Any

from sqlalchemy import Connection, select

from core.menu import Menu
from core.merchants import BusyMode, Customer, Merchant
from server.db import tables as t


class CatalogCache:
    def __init__(self, ttl: float = 1.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Merchant | None, Menu | None]] = {}
        self._customers: dict[str, tuple[float, Customer | None]] = {}

    def customer(self, conn: Connection, customer_id: str) -> Customer | None:
        """Customers change rarely and ordering needs only their VIP flag; cached like the menus."""
        now = time.monotonic()
        hit = self._customers.get(customer_id)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        customer = self.load_customer(conn, customer_id)
        with self._lock:
            self._customers[customer_id] = (now, customer)
        return customer

    @staticmethod
    def load_customer(conn: Connection, customer_id: str) -> Customer | None:
        """The customer as stored now, past the cache."""
        row = conn.execute(select(t.customers.c.doc).where(t.customers.c.id == customer_id)).first()
        return Customer.model_validate_json(row.doc) if row else None

    def invalidate_customer(self, customer_id: str) -> None:
        with self._lock:
            self._customers.pop(customer_id, None)

    def invalidate(self, merchant_id: str | None = None) -> None:
        with self._lock:
            if merchant_id is None:
                self._entries.clear()
            else:
                self._entries.pop(merchant_id, None)

    def get(self, conn: Connection, merchant_id: str) -> tuple[Merchant | None, Menu | None]:
        now = time.monotonic()
        entry = self._entries.get(merchant_id)
        if entry is not None and now - entry[0] < self.ttl:
            return entry[1], entry[2]
        merchant, menu = load_catalog(conn, merchant_id)
        with self._lock:
            self._entries[merchant_id] = (now, merchant, menu)
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
