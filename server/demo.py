"""`mealkitz demo-data`: three Krems kitchens with full menus, customers, drivers, promos and accounts."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Connection, select

from core.menu import Menu
from core.merchants import Customer, Driver, Merchant
from core.orders.lifecycle import Role
from core.orders.promos import Promo
from server.catalog import store as catalog
from server.auth import create_account
from server.db import tables as t

DEMO_FILE = Path(__file__).resolve().parents[1] / "assets" / "demo" / "krems.json"


def load_demo(conn: Connection, path: Path = DEMO_FILE) -> dict[str, int]:
    """Load (or refresh) the demo data; safe to run twice."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["merchants"]:
        catalog.upsert_merchant(conn, Merchant.model_validate(entry["merchant"]))
        catalog.replace_menu(conn, Menu.model_validate(entry["menu"]))
    for raw in data["customers"]:
        catalog.upsert_customer(conn, Customer.model_validate({k: v for k, v in raw.items() if k != "email"}),
                                verified_phone=True)  # demo customers stand for known WhatsApp customers
    for raw in data["drivers"]:
        catalog.upsert_driver(conn, Driver.model_validate(raw))
    for raw in data["promos"]:
        catalog.upsert_promo(conn, Promo.model_validate(raw))
    created = 0
    for raw in data["accounts"]:
        if conn.execute(select(t.accounts.c.id).where(t.accounts.c.email == raw["email"])).first():
            continue
        create_account(conn, email=raw["email"], password=raw["password"], role=Role(raw["role"]),
                       merchant_id=raw.get("merchant_id"), customer_id=raw.get("customer_id"),
                       driver_id=raw.get("driver_id"), pin=raw.get("pin"))
        created += 1
    return {"merchants": len(data["merchants"]), "customers": len(data["customers"]),
            "drivers": len(data["drivers"]), "accounts_created": created}
