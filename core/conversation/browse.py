"""Browsing the menu in a chat: categories, then the dishes of one, in pages that fit a WhatsApp list.

A list holds at most 10 rows, so a page shows 9 and a 'More…' row when there is more. Only what can be
ordered now is shown (86'd and out-of-hours items are left out), with its price in the row's description.
"""
from __future__ import annotations

from datetime import datetime

from core.conversation.model import (
    MAX_LIST_ROWS,
    ROW_DESCRIPTION_CHARS,
    ROW_TITLE_CHARS,
    Reply,
    Row,
    Section,
)
from core.conversation.texts import Texts, clip
from core.menu import Menu, MenuItem
from core.merchants import Merchant

PAGE_ROWS = MAX_LIST_ROWS - 1


def orderable(menu: Menu, local: datetime) -> list[MenuItem]:
    """The items that can be ordered now: in their hours, not 86'd, in stock."""
    return [i for i in menu.items if menu.is_available(i, local) and (i.stock is None or i.stock > 0)]


def price_text(item: MenuItem, currency: str, texts: Texts) -> str:
    """'€9.50', or the cheapest variant's price for items with sizes ('from €8.00' reads as '€8.00+')."""
    if item.variants:
        return texts.money(min(v.price for v in item.variants), currency) + "+"
    return texts.money(item.price, currency)


def _paged(rows: list[Row], page: int, more_id: str, texts: Texts) -> list[Row]:
    if len(rows) <= MAX_LIST_ROWS:
        return rows
    start = page * PAGE_ROWS
    shown = rows[start : start + PAGE_ROWS]
    if start + PAGE_ROWS < len(rows):
        shown.append(Row(id=more_id, title=texts.t("more"), description=texts.t("more_description")))
    return shown


def categories_reply(menu: Menu, merchant_name: str, local: datetime, texts: Texts, page: int = 0) -> Reply:
    """The menu's categories that have something orderable now, as a list; each row names its dishes."""
    items = orderable(menu, local)
    with_items = [c for c in sorted(menu.categories, key=lambda c: c.position) if any(i.category_id == c.id for i in items)]
    rows = [Row(id=f"cat:{c.id}:0", title=clip(c.name_in(texts.language), ROW_TITLE_CHARS),
                description=clip(", ".join(i.name_in(texts.language) for i in items if i.category_id == c.id),
                                 ROW_DESCRIPTION_CHARS))
            for c in with_items]
    shown = _paged(rows, page, f"menu:{page + 1}", texts)
    return Reply(text=texts.t("menu_categories", merchant=merchant_name), list_label=texts.t("categories"),
                 sections=[Section(title=clip(texts.t("categories"), ROW_TITLE_CHARS), rows=shown)])


def items_reply(menu: Menu, category_id: str, local: datetime, texts: Texts, page: int = 0) -> Reply | None:
    """The orderable dishes of one category with prices, as a list; None for an unknown category."""
    category = menu.category(category_id)
    if category is None:
        return None
    items = [i for i in orderable(menu, local) if i.category_id == category_id]
    rows = []
    for item in items:
        description = price_text(item, menu.currency, texts)
        text = item.descriptions.get(texts.language) or item.description
        if text:
            description = f"{description} · {text}"
        rows.append(Row(id=f"add:{item.id}", title=clip(item.name_in(texts.language), ROW_TITLE_CHARS),
                        description=clip(description, ROW_DESCRIPTION_CHARS)))
    name = category.name_in(texts.language)
    shown = _paged(rows, page, f"cat:{category_id}:{page + 1}", texts)
    return Reply(text=texts.t("menu_items", category=name), list_label=texts.t("dishes"),
                 sections=[Section(title=clip(name, ROW_TITLE_CHARS), rows=shown)])


def merchants_reply(merchants: list[Merchant], question: str, texts: Texts, page: int = 0) -> Reply:
    """`question` ('Which kitchen?') with the kitchens as a list, paged like the menu for food halls with
    more than ten."""
    rows = [Row(id=f"merchant:{m.id}", title=clip(m.name, ROW_TITLE_CHARS),
                description=clip(m.address.line1, ROW_DESCRIPTION_CHARS)) for m in merchants]
    shown = _paged(rows, page, f"merchants:{page + 1}", texts)
    return Reply(text=question, list_label=texts.t("kitchens"),
                 sections=[Section(title=clip(texts.t("kitchens"), ROW_TITLE_CHARS), rows=shown)])
