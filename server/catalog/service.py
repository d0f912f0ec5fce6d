"""Catalogue use cases: merchants, menus, promos and drivers, each `(command, uow) -> result`."""
from __future__ import annotations

import json
from dataclasses import dataclass

from core.errors import AccountError, DomainError, InputError
from core.menu import AvailabilityWindow, Menu
from core.merchants import Driver, Merchant
from core.orders.model import Actor
from core.orders.promos import Promo
from server.auth import ensure_merchant_scope
from server.catalog import store
from server.db.changes import record_change
from server.db.uow import SqlUnitOfWork
from server.events import CatalogChanged
from server.kitchen import store as kitchen_store
from server.kitchen.service import claim_field_clock


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


def _hours_win(uow: SqlUnitOfWork, merchant_id: str, target: str, hlc: str,
               new: list[AvailabilityWindow], stored: list[AvailabilityWindow]) -> bool:
    """Hours edited here and by tablets (`hours.set`) follow one rule, last writer wins per target: True when
    the new windows stand (unchanged ones claim nothing), False when a later tablet edit keeps its own."""
    if new == stored:
        return True
    if not claim_field_clock(uow, "hours", merchant_id, target, hlc):
        return False
    record_change(uow.raw, "hours", f"{merchant_id}/{target}",
                  json.dumps(kitchen_store.hours_view(merchant_id, target, new)), merchant_id=merchant_id)
    return True


@dataclass
class UpdateMerchant:
    """A merchant's new profile; `hlc` stamps its opening hours against tablets' offline edits."""

    merchant_id: str
    merchant: Merchant
    actor: Actor
    hlc: str


def update_merchant(cmd: UpdateMerchant, uow: SqlUnitOfWork) -> Merchant:
    """Replace a merchant's profile (its owner or an admin); its busy mode is live state and stays, and its
    opening hours follow the same last-writer-wins rule as a tablet's `hours.set`."""
    ensure_merchant_scope(cmd.actor, cmd.merchant_id)
    if cmd.merchant.id != cmd.merchant_id:
        raise DomainError(InputError.INVALID, "the body's id differs from the path")
    stored = store.stored(uow.conn, cmd.merchant_id)[0]
    if stored is None:
        raise _not_found(cmd.merchant_id)
    merchant = cmd.merchant
    if not _hours_win(uow, cmd.merchant_id, "merchant", cmd.hlc, list(merchant.opening_hours),
                      list(stored.opening_hours)):
        merchant = merchant.model_copy(update={"opening_hours": stored.opening_hours})
    store.upsert_merchant(uow.conn, merchant)
    uow.emit(CatalogChanged(cmd.merchant_id))
    return merchant


@dataclass
class ReplaceMenu:
    """A new menu; `hlc` stamps its items' and categories' hours against tablets' offline edits."""

    merchant_id: str
    menu: Menu
    actor: Actor
    hlc: str


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
    menu = cmd.menu.model_copy(deep=True)
    stored = store.stored(uow.conn, cmd.merchant_id)[1]
    if stored is not None:
        for kind, things, find in (("item", menu.items, stored.item), ("category", menu.categories, stored.category)):
            for thing in things:
                before = find(thing.id)
                if before is not None and not _hours_win(uow, cmd.merchant_id, f"{kind}:{thing.id}", cmd.hlc,
                                                         list(thing.availability), list(before.availability)):
                    thing.availability = before.availability
    version = store.replace_menu(uow.conn, menu)
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
