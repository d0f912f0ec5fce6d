"""Merchants, menus, stock (86) and promos."""
from __future__ import annotations


from litestar import Controller, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field, model_validator

from core.errors import AccountError, DomainError
from core.menu import Menu
from core.merchants import Driver, Merchant
from core.orders.lifecycle import Role
from core.orders.model import Actor
from core.orders.promos import Promo
from server.catalog import service as catalog_service
from server.catalog import store as catalog
from server.kitchen import service as kitchen_service
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
        return await services.execute(catalog_service.create_merchant, data)

    @put("/{merchant_id:str}", guards=[roles(*OWNERS)])
    async def update_merchant(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                              merchant_id: FromPath[str], data: JSONBody[Merchant]) -> Merchant:
        """Replace a merchant's settings (its owner or an admin); the body's id is the path's."""
        command = catalog_service.UpdateMerchant(merchant_id, data, actor, str(services.hlc.now()))
        return await services.execute(catalog_service.update_merchant, command)

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
        command = catalog_service.ReplaceMenu(merchant_id, data, actor, str(services.hlc.now()))
        return await services.execute(catalog_service.replace_menu, command)

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
        command = kitchen_service.ChangeStock(merchant_id, data.key, actor, str(services.hlc.now()),
                                              count=data.count if data.set_count else kitchen_service.KEEP_COUNT,
                                              available=data.available)
        view = await services.execute(kitchen_service.change_stock, command)
        return {"key": view["key"], "count": view["count"], "available": view["available"]}

    @post("/{merchant_id:str}/promos", guards=[roles(*OWNERS)], status_code=201)
    async def create_promo(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                           merchant_id: FromPath[str], data: JSONBody[Promo]) -> Promo:
        """Add a promo code for the merchant (its owner or an admin); codes are unique and start unused."""
        command = catalog_service.CreatePromo(merchant_id, data, actor)
        return await services.execute(catalog_service.create_promo, command)


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
        return await services.execute(catalog_service.save_driver, data)
