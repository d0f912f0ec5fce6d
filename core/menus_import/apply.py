"""Applying chosen changes to a menu (pure: a new Menu comes back), and the policy for what needs a human."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from core.menu import Category, Menu, MenuItem, Variant
from core.menus_import.diff import AVAILABILITY_KINDS, Change, ChangeKind, ChangeSet
from core.menus_import.matching import slug
from core.menus_import.model import Availability
from core.money import quantize


class ApplyPolicy(StrEnum):
    """AUTO_APPLY_AVAILABILITY: sold-out / back-in-stock go live at once (confident ones only); all else waits.
    NEEDS_APPROVAL: nothing goes live without a person."""

    AUTO_APPLY_AVAILABILITY = "auto_apply_availability"
    NEEDS_APPROVAL = "needs_approval"


@dataclass
class ApplyPlan:
    """A changeset split by policy: what may be applied now and what waits for approval."""

    auto: list[Change] = field(default_factory=list)
    needs_approval: list[Change] = field(default_factory=list)


def plan_changes(changeset: ChangeSet, policy: ApplyPolicy, min_confidence: float = 0.8) -> ApplyPlan:
    """Split a changeset by policy. Low-confidence availability changes wait too: a misread page must
    not 86 a dish on its own."""
    plan = ApplyPlan()
    for change in changeset.changes:
        auto = (policy is ApplyPolicy.AUTO_APPLY_AVAILABILITY and change.kind in AVAILABILITY_KINDS
                and change.confidence >= min_confidence)
        (plan.auto if auto else plan.needs_approval).append(change)
    return plan


def _new_item(change: Change, menu: Menu, categories: list[Category], item_ids: set[str]) -> MenuItem | None:
    scraped = change.scraped
    if scraped is None or scraped.price is None:
        return None
    category_id = change.category_id
    if category_id is None or not any(c.id == category_id for c in categories):
        name = change.section_path[-1] if change.section_path else "Menu"
        existing = next((c for c in categories if c.name == name), None)
        if existing is None:
            existing = Category(id=slug(name, {c.id for c in categories}), name=name,
                                position=max((c.position for c in categories), default=-1) + 1)
            categories.append(existing)
        category_id = existing.id
    variant_ids: set[str] = set()
    variants = [Variant(id=slug(o.name, variant_ids), name=o.name, price=quantize(o.price, menu.currency))
                for o in scraped.variants if o.price is not None]
    return MenuItem(
        id=slug(scraped.name, item_ids), name=scraped.name, category_id=category_id,
        description=scraped.description, price=quantize(scraped.price, menu.currency), variants=variants,
        available=scraped.availability is not Availability.SOLD_OUT, dietary=frozenset(scraped.diets),
        image_url=scraped.image_url,
    )


def apply_changes(menu: Menu, changes: list[Change]) -> Menu:
    """A new Menu with the changes applied and the version bumped; `menu` itself is not touched.

    Changes naming an item that is no longer on the menu are stale and skipped.
    """
    if not changes:
        return menu
    items = {i.id: i for i in menu.items}
    order = [i.id for i in menu.items]
    categories = list(menu.categories)
    for change in changes:
        item = items.get(change.item_id) if change.item_id else None
        if change.kind is ChangeKind.NEW_ITEM:
            created = _new_item(change, menu, categories, set(items))
            if created is not None:
                items[created.id] = created
                order.append(created.id)
        elif item is None:
            continue
        elif change.kind is ChangeKind.REMOVED_ITEM:
            del items[item.id]
        elif change.kind is ChangeKind.SOLD_OUT:
            items[item.id] = item.model_copy(update={"available": False})
        elif change.kind is ChangeKind.BACK_IN_STOCK:
            items[item.id] = item.model_copy(update={"available": True})
        elif change.kind is ChangeKind.PRICE_CHANGE and change.new_price is not None:
            if change.variant_id:
                variants = [v.model_copy(update={"price": change.new_price}) if v.id == change.variant_id else v
                            for v in item.variants]
                items[item.id] = item.model_copy(update={"variants": variants})
            else:
                items[item.id] = item.model_copy(update={"price": change.new_price})
    data = menu.model_dump()
    data.update(items=[items[i].model_dump() for i in order if i in items],
                categories=[c.model_dump() for c in categories], version=menu.version + 1)
    return Menu.model_validate(data)  # validation re-checks category references for the new items
