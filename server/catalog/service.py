"""Catalogue use cases: merchants, menus, promos and drivers, each `(command, uow) -> result`."""
from __future__ import annotations

from dataclasses import dataclass

from core.errors import AccountError, DomainError, InputError
from core.menu import Menu
from core.merchants import Driver, Merchant
from core.orders.model import Actor
from core.orders.promos import Promo
from server.auth import ensure_merchant_scope
from server.catalog import store
from server.db.uow import SqlUnitOfWork
from server.events import CatalogChanged


def _not_found(merchant_id: str) -> DomainError:
    return DomainError(AccountError.NOT_FOUND, f"no merchant {merchant_id!r}")


def create_merchant(merchant: Merchant, uow: SqlUnitOfWork) -> Merchant:
    """A new merchant with an empty menu in its currency (admins)."""
    if store.merchant_exists(uow.conn, merchant.id):
        raise DomainError(AccountError.ALREADY_EXISTS, f"merchant {merchant.id!r} exists")
    store.upsert_merchant(uow.conn, merchant)
    store.replace_menu(uow.conn, Menu(merchant_id=merchant.id, currency=merchant.currency))
    uow.emit(CatalogChanged(merchant.id))
    return merchant


@dataclass
class UpdateMerchant:
    merchant_id: str
    merchant: Merchant
    actor: Actor


def update_merchant(cmd: UpdateMerchant, uow: SqlUnitOfWork) -> Merchant:
    """Replace a merchant's profile (its owner or an admin); its busy mode is live state and stays."""
    ensure_merchant_scope(cmd.actor, cmd.merchant_id)
    if cmd.merchant.id != cmd.merchant_id:
        raise DomainError(InputError.INVALID, "the body's id differs from the path")
    if not store.merchant_exists(uow.conn, cmd.merchant_id):
        raise _not_found(cmd.merchant_id)
    store.upsert_merchant(uow.conn, cmd.merchant)
    uow.emit(CatalogChanged(cmd.merchant_id))
    return cmd.merchant


@dataclass
class ReplaceMenu:
    merchant_id: str
    menu: Menu
    actor: Actor


def replace_menu(cmd: ReplaceMenu, uow: SqlUnitOfWork) -> dict[str, int]:
    """Publish a new menu version; prices on orders already placed never change."""
    ensure_merchant_scope(cmd.actor, cmd.merchant_id)
    if cmd.menu.merchant_id != cmd.merchant_id:
        raise DomainError(InputError.INVALID, "the menu's merchant_id differs from the path")
    merchant = uow.catalog.merchant(cmd.merchant_id)
    if merchant is None:
        raise _not_found(cmd.merchant_id)
    if merchant.currency != cmd.menu.currency:
        raise DomainError(InputError.INVALID, f"the merchant sells in {merchant.currency}")
    version = store.replace_menu(uow.conn, cmd.menu)
    uow.emit(CatalogChanged(cmd.merchant_id))
    return {"version": version}


@dataclass
class CreatePromo:
    merchant_id: str
    promo: Promo
    actor: Actor


def create_promo(cmd: CreatePromo, uow: SqlUnitOfWork) -> Promo:
    """A promo code of the merchant's (codes are unique across merchants, case-insensitive)."""
    ensure_merchant_scope(cmd.actor, cmd.merchant_id)
    promo = cmd.promo.model_copy(update={"merchant_id": cmd.merchant_id, "code": Promo.normalise(cmd.promo.code),
                                         "uses": 0})
    if not promo.code:
        raise DomainError(InputError.INVALID, "a promo code needs letters or digits")
    if uow.catalog.promo(promo.code) is not None:
        raise DomainError(AccountError.ALREADY_EXISTS, f"promo {promo.code} exists")
    store.upsert_promo(uow.conn, promo)
    return promo


def save_driver(driver: Driver, uow: SqlUnitOfWork) -> Driver:
    """Create or update a driver's profile (admins)."""
    store.upsert_driver(uow.conn, driver)
    return driver
