"""Merchants, menus, stock (86) and promos."""
from __future__ import annotations

from typing import Any

from litestar import Controller, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field, model_validator

from core.errors import AccountError, DomainError, InputError
from core.menu import Menu
from core.merchants import Driver, Merchant
from core.orders.lifecycle import Role
from core.orders.model import Actor
from core.orders.promos import Promo
from server import catalog
from server.auth import ANY_ROLE, OWNERS, STAFF, ensure_merchant_scope, roles
from server.services import Services


class StockChange(BaseModel):
    """Set a count (null: not counted), 86 (available=false) or bring back (available=true)."""

    key: str = Field(pattern=r"^(item|option):[A-Za-z0-9_.\-]{1,80}$")
    count: int | None = Field(default=None, ge=0, le=1_000_000)
    set_count: bool = False
    available: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> "StockChange":
        if not self.set_count and self.available is None:
            raise ValueError("give available, or set_count with count")
        return self


def _not_found(merchant_id: str) -> DomainError:
    return DomainError(AccountError.NOT_FOUND, f"no merchant {merchant_id!r}")


class MerchantController(Controller):
    path = "/merchants"
    tags = ["catalog"]

    @get("/", guards=[roles(*ANY_ROLE)], sync_to_thread=True)
    def list_merchants(self, services: NamedDependency[Services]) -> list[Merchant]:
        """Every merchant: name, address, currency, hours and ordering settings."""
        with services.connection() as conn:
            return catalog.list_merchants(conn)

    @get("/{merchant_id:str}", guards=[roles(*ANY_ROLE)], sync_to_thread=True)
    def get_merchant(self, services: NamedDependency[Services], merchant_id: FromPath[str]) -> Merchant:
        """One merchant."""
        with services.read() as uow:
            merchant = uow.catalog.merchant(merchant_id)
        if merchant is None:
            raise _not_found(merchant_id)
        return merchant

    @post("/", guards=[roles(Role.ADMIN)], status_code=201)
    async def create_merchant(self, services: NamedDependency[Services], data: JSONBody[Merchant]) -> Merchant:
        """Add a merchant with an empty menu (admins)."""

        def write(uow: Any) -> Merchant:
            if catalog.merchant_exists(uow.conn, data.id):
                raise DomainError(AccountError.ALREADY_EXISTS, f"merchant {data.id!r} exists")
            catalog.upsert_merchant(uow.conn, data)
            catalog.replace_menu(uow.conn, Menu(merchant_id=data.id, currency=data.currency))
            uow.commit()
            return data

        return await services.write(write)

    @put("/{merchant_id:str}", guards=[roles(*OWNERS)])
    async def update_merchant(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                              merchant_id: FromPath[str], data: JSONBody[Merchant]) -> Merchant:
        """Replace a merchant's settings (its owner or an admin); the body's id is the path's."""
        ensure_merchant_scope(actor, merchant_id)
        if data.id != merchant_id:
            raise DomainError(InputError.INVALID, "the body's id differs from the path")

        def write(uow: Any) -> Merchant:
            if not catalog.merchant_exists(uow.conn, merchant_id):
                raise _not_found(merchant_id)
            catalog.upsert_merchant(uow.conn, data)
            uow.after_commit.append(lambda: services.cache.invalidate(merchant_id))
            uow.commit()
            return data

        return await services.write(write)

    @get("/{merchant_id:str}/menu", guards=[roles(*ANY_ROLE)], sync_to_thread=True)
    def get_menu(self, services: NamedDependency[Services], merchant_id: FromPath[str]) -> Menu:
        """The live menu: items with their current stock and 86 flags."""
        with services.read() as uow:
            menu = uow.catalog.menu(merchant_id)
        if menu is None:
            raise _not_found(merchant_id)
        return menu

    @put("/{merchant_id:str}/menu", guards=[roles(*OWNERS)])
    async def replace_menu(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                           merchant_id: FromPath[str], data: JSONBody[Menu]) -> dict[str, int]:
        """Publish a new menu version; prices on orders already placed never change."""
        ensure_merchant_scope(actor, merchant_id)
        if data.merchant_id != merchant_id:
            raise DomainError(InputError.INVALID, "the menu's merchant_id differs from the path")

        def write(uow: Any) -> dict[str, int]:
            merchant = uow.catalog.merchant(merchant_id)
            if merchant is None:
                raise _not_found(merchant_id)
            if merchant.currency != data.currency:
                raise DomainError(InputError.INVALID, f"the merchant sells in {merchant.currency}")
            version = catalog.replace_menu(uow.conn, data)
            uow.after_commit.append(lambda: services.cache.invalidate(merchant_id))
            uow.commit()
            return {"version": version}

        return await services.write(write)

    @get("/{merchant_id:str}/stock", guards=[roles(*STAFF)], sync_to_thread=True)
    def get_stock(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                  merchant_id: FromPath[str]) -> list[dict[str, object]]:
        """Every item and option of the merchant with its count (null: not counted) and availability."""
        ensure_merchant_scope(actor, merchant_id)
        with services.connection() as conn:
            return catalog.stock_of(conn, merchant_id)

    @patch("/{merchant_id:str}/stock", guards=[roles(*STAFF)])
    async def change_stock(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                           merchant_id: FromPath[str], data: JSONBody[StockChange]) -> dict[str, object]:
        """86 an item or option on every channel at once, bring it back, or set its count."""
        ensure_merchant_scope(actor, merchant_id)

        def write(uow: Any) -> dict[str, object]:
            rows = {r["key"]: r for r in catalog.stock_of(uow.conn, merchant_id)}
            if data.key not in rows:
                raise DomainError(AccountError.NOT_FOUND, f"{merchant_id} has no {data.key}")
            uow.stock.set(merchant_id, data.key, count=data.count if data.set_count else "keep",
                          available=data.available)
            uow.after_commit.append(lambda: services.cache.invalidate(merchant_id))
            uow.after_commit.append(lambda: services.publish(f"merchant:{merchant_id}",
                                                             {"type": "stock.changed", "key": data.key}))
            uow.commit()
            return {r["key"]: r for r in catalog.stock_of(uow.conn, merchant_id)}[data.key]

        return await services.write(write)

    @post("/{merchant_id:str}/promos", guards=[roles(*OWNERS)], status_code=201)
    async def create_promo(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                           merchant_id: FromPath[str], data: JSONBody[Promo]) -> Promo:
        """Add a promo code for the merchant (its owner or an admin); codes are unique and start unused."""
        ensure_merchant_scope(actor, merchant_id)
        promo = data.model_copy(update={"merchant_id": merchant_id, "code": Promo.normalise(data.code), "uses": 0})

        def write(uow: Any) -> Promo:
            if uow.catalog.promo(promo.code) is not None:
                raise DomainError(AccountError.ALREADY_EXISTS, f"promo {promo.code} exists")
            catalog.upsert_promo(uow.conn, promo)
            uow.commit()
            return promo

        return await services.write(write)


class DriverController(Controller):
    path = "/drivers"
    tags = ["catalog"]

    @get("/", guards=[roles(*STAFF)], sync_to_thread=True)
    def list_drivers(self, services: NamedDependency[Services]) -> list[Driver]:
        """Every driver (staff)."""
        with services.connection() as conn:
            return catalog.list_drivers(conn)

    @post("/", guards=[roles(Role.ADMIN)], status_code=201)
    async def create_driver(self, services: NamedDependency[Services], data: JSONBody[Driver]) -> Driver:
        """Add or replace a driver (admins)."""

        def write(uow: Any) -> Driver:
            catalog.upsert_driver(uow.conn, data)
            uow.commit()
            return data

        return await services.write(write)
