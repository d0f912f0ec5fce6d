"""Merchants, menus, stock (86) and promos."""
from __future__ import annotations


from litestar import Controller, Request, get, patch, post, put
from pydantic import BaseModel, Field, model_validator

from core.errors import AccountError, DomainError
from core.menu import Menu
from core.merchants import Driver, Merchant
from core.orders.lifecycle import Role
from core.orders.promos import Promo
from server.catalog import service as catalog_service
from server.catalog import store as catalog
from server.kitchen import service as kitchen_service
from server.api.orders import services_of
from server.auth import ANY_ROLE, OWNERS, STAFF, actor_of, ensure_merchant_scope, roles


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
    def list_merchants(self, request: Request) -> list[Merchant]:  # type: ignore[type-arg]
        with services_of(request).connection() as conn:
            return catalog.list_merchants(conn)

    @get("/{merchant_id:str}", guards=[roles(*ANY_ROLE)], sync_to_thread=True)
    def get_merchant(self, request: Request, merchant_id: str) -> Merchant:  # type: ignore[type-arg]
        with services_of(request).read() as uow:
            merchant = uow.catalog.merchant(merchant_id)
        if merchant is None:
            raise _not_found(merchant_id)
        return merchant

    @post("/", guards=[roles(Role.ADMIN)], status_code=201)
    async def create_merchant(self, request: Request, data: Merchant) -> Merchant:  # type: ignore[type-arg]
        """Add a merchant (admins); it starts with an empty menu in its currency."""
        return await services_of(request).execute(catalog_service.create_merchant, data)

    @put("/{merchant_id:str}", guards=[roles(*OWNERS)])
    async def update_merchant(self, request: Request, merchant_id: str,  # type: ignore[type-arg]
                              data: Merchant) -> Merchant:
        """Replace the merchant's profile: zone, fees, tax, hours (its owner or an admin)."""
        command = catalog_service.UpdateMerchant(merchant_id, data, actor_of(request))
        return await services_of(request).execute(catalog_service.update_merchant, command)

    @get("/{merchant_id:str}/menu", guards=[roles(*ANY_ROLE)], sync_to_thread=True)
    def get_menu(self, request: Request, merchant_id: str) -> Menu:  # type: ignore[type-arg]
        """The live menu: items with their current stock and 86 flags."""
        with services_of(request).read() as uow:
            menu = uow.catalog.menu(merchant_id)
        if menu is None:
            raise _not_found(merchant_id)
        return menu

    @put("/{merchant_id:str}/menu", guards=[roles(*OWNERS)])
    async def replace_menu(self, request: Request, merchant_id: str,  # type: ignore[type-arg]
                           data: Menu) -> dict[str, int]:
        """Publish a new menu version; prices on orders already placed never change."""
        command = catalog_service.ReplaceMenu(merchant_id, data, actor_of(request))
        return await services_of(request).execute(catalog_service.replace_menu, command)

    @get("/{merchant_id:str}/stock", guards=[roles(*STAFF)], sync_to_thread=True)
    def get_stock(self, request: Request, merchant_id: str) -> list[dict[str, object]]:  # type: ignore[type-arg]
        ensure_merchant_scope(actor_of(request), merchant_id)
        with services_of(request).connection() as conn:
            return catalog.stock_of(conn, merchant_id)

    @patch("/{merchant_id:str}/stock", guards=[roles(*STAFF)])
    async def change_stock(self, request: Request, merchant_id: str,  # type: ignore[type-arg]
                           data: StockChange) -> dict[str, object]:
        """86 an item or option on every channel at once, bring it back, or set its count (the same rule as a
        tablet's offline `stock.set_available`: the later change wins)."""
        services = services_of(request)
        command = kitchen_service.ChangeStock(merchant_id, data.key, actor_of(request), str(services.hlc.now()),
                                              count=data.count if data.set_count else kitchen_service.KEEP,
                                              available=data.available)
        view = await services.execute(kitchen_service.change_stock, command)
        return {"key": view["key"], "count": view["count"], "available": view["available"]}

    @post("/{merchant_id:str}/promos", guards=[roles(*OWNERS)], status_code=201)
    async def create_promo(self, request: Request, merchant_id: str,  # type: ignore[type-arg]
                           data: Promo) -> Promo:
        """A promo code for the merchant's customers (its owner or an admin)."""
        command = catalog_service.CreatePromo(merchant_id, data, actor_of(request))
        return await services_of(request).execute(catalog_service.create_promo, command)


class DriverController(Controller):
    path = "/drivers"
    tags = ["catalog"]

    @get("/", guards=[roles(*STAFF)], sync_to_thread=True)
    def list_drivers(self, request: Request) -> list[Driver]:  # type: ignore[type-arg]
        with services_of(request).connection() as conn:
            return catalog.list_drivers(conn)

    @post("/", guards=[roles(Role.ADMIN)], status_code=201)
    async def create_driver(self, request: Request, data: Driver) -> Driver:  # type: ignore[type-arg]
        """Add or update a driver's profile (admins)."""
        return await services_of(request).execute(catalog_service.save_driver, data)
