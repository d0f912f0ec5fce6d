"""Writing merchants, menus, stock, customers, drivers and promos (used by the API, demo data and CLI)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Connection, delete, insert, select, update

from core.menu import Menu
from core.merchants import Customer, Driver, Merchant
from core.orders.promos import Promo
from server.db import tables as t
from server.db.catalog_cache import busy_from_row


def _now() -> datetime:
    return datetime.now(timezone.utc)


def upsert_merchant(conn: Connection, merchant: Merchant) -> None:
    # Busy mode is live state in its own table (server.kitchen), never part of the stored profile.
    values = {"name": merchant.name, "doc": merchant.model_dump_json(exclude={"busy"}), "updated_at": _now()}
    if conn.execute(update(t.merchants).where(t.merchants.c.id == merchant.id).values(**values)).rowcount == 0:
        conn.execute(insert(t.merchants).values(id=merchant.id, **values))


def stock_rows(menu: Menu) -> dict[str, tuple[int | None, bool]]:
    rows = {f"item:{i.id}": (i.stock, i.available) for i in menu.items}
    for group in menu.modifier_groups:
        rows.update({f"option:{o.id}": (o.stock, o.available) for o in group.options})
    return rows


def replace_menu(conn: Connection, menu: Menu) -> int:
    """Store a new menu version. Live stock rows are kept for items that stay, created for new ones,
    dropped for removed ones; the menu document's own stock fields seed new rows only."""
    current = conn.execute(select(t.menus.c.version).where(t.menus.c.merchant_id == menu.merchant_id)).scalar()
    version = (current or 0) + 1
    doc = menu.model_dump_json(exclude={"version"})
    if current is None:
        conn.execute(insert(t.menus).values(merchant_id=menu.merchant_id, version=version, doc=doc, updated_at=_now()))
    else:
        conn.execute(update(t.menus).where(t.menus.c.merchant_id == menu.merchant_id)
                     .values(version=version, doc=doc, updated_at=_now()))
    wanted = stock_rows(menu)
    existing = {r.key for r in conn.execute(select(t.stock.c.key).where(t.stock.c.merchant_id == menu.merchant_id))}
    new = [{"merchant_id": menu.merchant_id, "key": k, "count": c, "available": a}
           for k, (c, a) in wanted.items() if k not in existing]
    if new:
        conn.execute(insert(t.stock), new)
    gone = existing - set(wanted)
    if gone:
        conn.execute(delete(t.stock).where(t.stock.c.merchant_id == menu.merchant_id, t.stock.c.key.in_(gone)))
    return version


def upsert_customer(conn: Connection, customer: Customer, *, verified_phone: bool = False) -> None:
    """Store a customer's profile. The `phone` column is their identity on WhatsApp, so it is written only
    for a phone a channel has proven (`verified_phone`); a typed phone stays in the profile document."""
    values: dict[str, object] = {"name": customer.name, "doc": customer.model_dump_json()}
    if verified_phone:
        values["phone"] = customer.phone
    if conn.execute(update(t.customers).where(t.customers.c.id == customer.id).values(**values)).rowcount == 0:
        conn.execute(insert(t.customers).values(id=customer.id, **values))


def phone_holder(conn: Connection, phone: str) -> str | None:
    """The customer whose proven phone this is, if any."""
    return conn.execute(select(t.customers.c.id).where(t.customers.c.phone == phone)).scalar()


def upsert_driver(conn: Connection, driver: Driver) -> None:
    values = {"name": driver.name, "doc": driver.model_dump_json()}
    if conn.execute(update(t.drivers).where(t.drivers.c.id == driver.id).values(**values)).rowcount == 0:
        conn.execute(insert(t.drivers).values(id=driver.id, **values))


def upsert_promo(conn: Connection, promo: Promo) -> None:
    code = Promo.normalise(promo.code)
    promo = promo.model_copy(update={"code": code})
    values = {"merchant_id": promo.merchant_id, "doc": promo.model_dump_json(exclude={"uses"}),
              "max_uses": promo.max_uses}
    if conn.execute(update(t.promos).where(t.promos.c.code == code).values(**values)).rowcount == 0:
        conn.execute(insert(t.promos).values(code=code, uses=promo.uses, **values))


def list_merchants(conn: Connection) -> list[Merchant]:
    """Every merchant, with its busy mode."""
    busy = {r.merchant_id: busy_from_row(r) for r in conn.execute(select(t.busy_modes))}
    merchants = [Merchant.model_validate_json(r.doc) for r in conn.execute(
        select(t.merchants.c.id, t.merchants.c.doc).order_by(t.merchants.c.name))]
    for merchant in merchants:
        merchant.busy = busy.get(merchant.id, merchant.busy)
    return merchants


def stored(conn: Connection, merchant_id: str) -> tuple[Merchant | None, Menu | None]:
    """The merchant and menu documents as stored (no live stock or busy mode): what edits start from."""
    merchant_row = conn.execute(select(t.merchants.c.doc).where(t.merchants.c.id == merchant_id)).first()
    menu_row = conn.execute(select(t.menus.c.doc).where(t.menus.c.merchant_id == merchant_id)).first()
    return (Merchant.model_validate_json(merchant_row.doc) if merchant_row else None,
            Menu.model_validate_json(menu_row.doc) if menu_row else None)


def list_drivers(conn: Connection) -> list[Driver]:
    return [Driver.model_validate_json(r.doc) for r in conn.execute(select(t.drivers.c.doc).order_by(t.drivers.c.name))]


def stock_of(conn: Connection, merchant_id: str) -> list[dict[str, object]]:
    return [{"key": r.key, "count": r.count, "available": r.available} for r in conn.execute(
        select(t.stock).where(t.stock.c.merchant_id == merchant_id).order_by(t.stock.c.key))]


def merchant_exists(conn: Connection, merchant_id: str) -> bool:
    return conn.execute(select(t.merchants.c.id).where(t.merchants.c.id == merchant_id)).first() is not None
