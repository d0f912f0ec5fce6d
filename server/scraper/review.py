"""Putting scraped changes live (or turning them down): a new menu version, stock rows that follow, an audit row
per change. Runs inside one writer unit of work; orders already placed keep the prices stored in them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from core.errors import AccountError, DomainError, InputError
from core.menu import Menu
from core.menus_import import Change, ChangeKind, apply_changes
from core.menus_import.errors import MenuChangeError
from core.orders.model import Actor
from server.catalog import store as catalog
from server.db.catalog_cache import load_catalog
from server.scraper import store
from server.events import CatalogChanged, LiveMessage
from server.scraper.store import ChangeStatus


def _snapshot(change: Change, menu: Menu) -> dict[str, Any] | None:
    """What the change touches, as it is in `menu` (None when the item is not there)."""
    item = menu.item(change.item_id) if change.item_id else None
    if item is None:
        return None
    if change.kind is ChangeKind.PRICE_CHANGE:
        if change.variant_id:
            variant = item.variant(change.variant_id)
            return {"item_id": item.id, "variant_id": change.variant_id,
                    "price": None if variant is None else format(variant.price, "f")}
        return {"item_id": item.id, "price": format(item.price, "f")}
    if change.kind in (ChangeKind.SOLD_OUT, ChangeKind.BACK_IN_STOCK):
        return {"item_id": item.id, "available": item.available}
    return {"item_id": item.id, "name": item.name, "price": format(item.price, "f"),
            "variants": {v.id: format(v.price, "f") for v in item.variants}}


def _created(change: Change, before: Menu, after: Menu) -> dict[str, Any] | None:
    old_ids = {i.id for i in before.items}
    name = change.scraped.name if change.scraped else change.item_name
    item = next((i for i in after.items if i.id not in old_ids and i.name == name), None)
    if item is None:
        return None
    return {"item_id": item.id, "name": item.name, "category_id": item.category_id, "price": format(item.price, "f"),
            "available": item.available}


def apply_selected(uow: Any, merchant_id: str, set_id: str | None, changes: list[Change], *,
                   actor: Actor, action: str, now: datetime) -> dict[str, Any]:
    """Apply `changes` to the live menu; returns {"menu_version", "applied": [ids], "stale": [ids]}.

    A change whose item has left the menu since the scrape is stale and skipped. Availability changes also set
    the item's live stock row (the 86 flag every channel reads).
    """
    conn = uow.conn
    merchant, menu = load_catalog(conn, merchant_id)
    if merchant is None or menu is None:
        raise DomainError(AccountError.NOT_FOUND, f"no merchant {merchant_id!r} with a menu")
    applicable = [c for c in changes if c.kind is ChangeKind.NEW_ITEM or (c.item_id and menu.item(c.item_id))]
    stale = [c.id for c in changes if c not in applicable]
    version = menu.version
    if applicable:
        updated = apply_changes(menu, applicable)
        version = catalog.replace_menu(conn, updated)
        for change in applicable:
            if change.kind in (ChangeKind.SOLD_OUT, ChangeKind.BACK_IN_STOCK) and change.item_id:
                uow.stock.set(merchant_id, f"item:{change.item_id}", available=change.kind is ChangeKind.BACK_IN_STOCK)
            new = _created(change, menu, updated) if change.kind is ChangeKind.NEW_ITEM else _snapshot(change, updated)
            store.audit(conn, merchant_id=merchant_id, set_id=set_id, change=change, action=action, actor=actor,
                        now=now, old=_snapshot(change, menu), new=new, menu_version=version)
        uow.emit(CatalogChanged(merchant_id))
        uow.emit(LiveMessage(f"merchant:{merchant_id}", {"type": "menu.changed", "version": version}))
    if set_id is not None:
        store.decide(conn, set_id, [c.id for c in applicable], ChangeStatus.APPLIED, now=now, by=_who(actor))
        store.decide(conn, set_id, stale, ChangeStatus.STALE, now=now, by=_who(actor))
        store.refresh_set_status(conn, set_id)
    return {"menu_version": version, "applied": [c.id for c in applicable], "stale": stale}


def _who(actor: Actor) -> str:
    return f"{actor.role}:{actor.id}" if actor.id else str(actor.role)


def review(uow: Any, merchant_id: str, set_id: str, *, approve: list[str], reject: list[str], actor: Actor,
           now: datetime) -> dict[str, Any]:
    """A person's decision on pending changes of one change set: approved ones go live, rejected ones are closed."""
    conn = uow.conn
    if store.change_set_row(conn, merchant_id, set_id) is None:
        raise DomainError(AccountError.NOT_FOUND, f"{merchant_id} has no change set {set_id!r}")
    both = set(approve) & set(reject)
    if both:
        raise DomainError(InputError.INVALID, f"approved and rejected at once: {sorted(both)[:5]}")
    rows = {r.change_id: r for r in store.changes_of(conn, set_id)}
    unknown = [i for i in [*approve, *reject] if i not in rows]
    if unknown:
        raise DomainError(MenuChangeError.UNKNOWN_CHANGE, f"no such changes in this set: {unknown[:5]}")
    decided = [i for i in [*approve, *reject] if rows[i].status != ChangeStatus.PENDING]
    if decided:
        raise DomainError(MenuChangeError.CHANGE_NOT_PENDING,
                          f"already decided: {', '.join(f'{i} ({rows[i].status})' for i in decided[:5])}")
    chosen = [Change.model_validate_json(rows[i].doc) for i in rows if i in set(approve)]  # in set order
    result = apply_selected(uow, merchant_id, set_id, chosen, actor=actor, action="approved", now=now) \
        if chosen else {"menu_version": None, "applied": [], "stale": []}
    menu_version = result["menu_version"]
    for change_id in reject:
        change = Change.model_validate_json(rows[change_id].doc)
        store.audit(conn, merchant_id=merchant_id, set_id=set_id, change=change, action="rejected", actor=actor,
                    now=now, old=None, new=None, menu_version=menu_version)
    store.decide(conn, set_id, list(reject), ChangeStatus.REJECTED, now=now, by=_who(actor))
    status = store.refresh_set_status(conn, set_id)
    return {**result, "rejected": list(reject), "change_set_status": status}
