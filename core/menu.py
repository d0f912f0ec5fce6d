"""Menus: categories, items, variants, modifier groups, availability, stock, allergens, languages.

Prices here are Decimals in the menu's currency; `core.orders.pricing` turns them into Money.
"""
from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.errors import DomainError, KitchenError
from core.money import MAX_AMOUNT


class Names(BaseModel):
    """A default name plus translations by BCP-47 language code ('es', 'fr', 'pt', 'hi')."""

    name: str = Field(min_length=1, max_length=200)
    names: dict[str, str] = Field(default_factory=dict)

    def name_in(self, language: str | None) -> str:
        """The name in `language`, or the default name when there is none in it."""
        if language and language in self.names:
            return self.names[language]
        return self.name


class AvailabilityWindow(BaseModel):
    """Open on the given ISO weekdays (1=Monday) between start and end, local time.

    An end before the start crosses midnight (e.g. 18:00-02:00).
    """

    model_config = ConfigDict(frozen=True)

    days: frozenset[Annotated[int, Field(ge=1, le=7)]] = frozenset(range(1, 8))
    start: time = time(0, 0)
    end: time = time(23, 59, 59)

    @model_validator(mode="after")
    def _days(self) -> "AvailabilityWindow":
        if not self.days or not all(1 <= d <= 7 for d in self.days):
            raise ValueError("days are ISO weekdays 1..7")
        return self

    def contains(self, local: datetime) -> bool:
        # Whole seconds: an end of 23:59:59 must cover that last second, not stop at its first microsecond.
        """Whether the window is open at this local time (windows may run past midnight)."""
        t, day = local.time().replace(tzinfo=None, microsecond=0), local.isoweekday()
        if self.start <= self.end:
            return day in self.days and self.start <= t <= self.end
        previous_day = 7 if day == 1 else day - 1
        return (day in self.days and t >= self.start) or (previous_day in self.days and t <= self.end)


MAX_WINDOWS = 14
MAX_STOCK = 1_000_000  # a count of one item in one kitchen


def check_windows(raw: list[object]) -> list[AvailabilityWindow]:
    """Availability windows from untrusted input, or DomainError(INVALID_HOURS) saying what is wrong.
    No windows means always open; a window must have some length (12:00-12:00 is a mistake, not a day)."""
    if not isinstance(raw, list) or len(raw) > MAX_WINDOWS:
        raise DomainError(KitchenError.INVALID_HOURS, f"give a list of at most {MAX_WINDOWS} windows")
    windows = []
    for n, item in enumerate(raw, start=1):
        try:
            window = AvailabilityWindow.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise DomainError(KitchenError.INVALID_HOURS,
                              f"window {n}: {where + ': ' if where else ''}{first['msg']}") from None
        if window.start == window.end:
            raise DomainError(KitchenError.INVALID_HOURS, f"window {n} starts and ends at {window.start:%H:%M}")
        windows.append(window)
    return windows


def open_at(windows: list[AvailabilityWindow], local: datetime) -> bool:
    """No windows means always available."""
    return not windows or any(w.contains(local) for w in windows)


class ModifierOption(Names):
    """One choice in a modifier group, e.g. 'Mushrooms' (+1.50). `extra_price` defaults to twice `price`."""

    id: str = Field(min_length=1, max_length=80)
    price: Decimal = Field(default=Decimal(0), ge=0, le=MAX_AMOUNT)
    extra_price: Decimal | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    allows_extra: bool = True
    allows_light: bool = True
    available: bool = True
    stock: int | None = Field(default=None, ge=0, le=MAX_STOCK)
    allergens: frozenset[str] = frozenset()
    synonyms: list[str] = Field(default_factory=list)

    def price_for(self, kind: "ModifierKind") -> Decimal:
        """The option's price as added (`add`) or doubled (`extra`: its extra price, else twice)."""
        if kind is ModifierKind.EXTRA:
            return self.extra_price if self.extra_price is not None else self.price * 2
        return self.price

    @property
    def sellable(self) -> bool:
        """Available and not sold out."""
        return self.available and (self.stock is None or self.stock > 0)


class ModifierGroup(Names):
    """Choices with min/max counts, e.g. 'Toppings' (0..5) or 'Sauce' (exactly 1)."""

    id: str = Field(min_length=1, max_length=80)
    min_choices: int = Field(default=0, ge=0, le=100)
    max_choices: int | None = Field(default=None, ge=1, le=100)
    options: list[ModifierOption] = Field(default_factory=list)

    @model_validator(mode="after")
    def _bounds(self) -> "ModifierGroup":
        if self.max_choices is not None and self.max_choices < self.min_choices:
            raise ValueError("max_choices is below min_choices")
        return self

    def option(self, option_id: str) -> ModifierOption | None:
        """The group's option with this id, if any."""
        return next((o for o in self.options if o.id == option_id), None)


class ModifierKind(StrEnum):
    """How a modifier applies to a line: add an option, more or less of it, or remove an ingredient."""

    ADD = "add"
    EXTRA = "extra"
    LIGHT = "light"
    REMOVE = "remove"


class Portion(StrEnum):
    """Half-and-half: a modifier on the whole item or on one half (where the item allows halves)."""

    WHOLE = "whole"
    LEFT = "left"
    RIGHT = "right"


class Variant(Names):
    """A size or version with its own price, e.g. 'Large' 14.50."""

    id: str = Field(min_length=1, max_length=80)
    price: Decimal = Field(ge=0, le=MAX_AMOUNT)
    synonyms: list[str] = Field(default_factory=list)


class MenuItem(Names):
    """A dish or drink. Without variants `price` is its price; with variants one must be chosen."""

    id: str = Field(min_length=1, max_length=80)
    category_id: str
    description: str = ""
    descriptions: dict[str, str] = Field(default_factory=dict)
    price: Decimal = Field(default=Decimal(0), ge=0, le=MAX_AMOUNT)
    variants: list[Variant] = Field(default_factory=list)
    modifier_group_ids: list[str] = Field(default_factory=list)
    ingredients: list[str] = Field(default_factory=list, description="removable, e.g. 'basil'")
    allows_halves: bool = False
    available: bool = Field(default=True, description="False when 86'd")
    stock: int | None = Field(default=None, ge=0, le=MAX_STOCK, description="None means not counted")
    availability: list[AvailabilityWindow] = Field(default_factory=list)
    allergens: frozenset[str] = frozenset()
    dietary: frozenset[str] = frozenset()
    synonyms: list[str] = Field(default_factory=list)
    tax_category: str = "food"
    station: str | None = None
    image_url: str | None = None

    def variant(self, variant_id: str) -> Variant | None:
        """The item's variant with this id, if any."""
        return next((v for v in self.variants if v.id == variant_id), None)


class Category(Names):
    id: str = Field(min_length=1, max_length=80)
    position: int = Field(default=0, ge=-1_000_000, le=1_000_000)
    availability: list[AvailabilityWindow] = Field(default_factory=list)


class Menu(BaseModel):
    """A merchant's live menu. Look-ups by id are indexed once per instance."""

    merchant_id: str
    currency: str = Field(min_length=3, max_length=3)
    categories: list[Category] = Field(default_factory=list)
    items: list[MenuItem] = Field(default_factory=list)
    modifier_groups: list[ModifierGroup] = Field(default_factory=list)
    version: int = Field(default=0, ge=0, le=2**31 - 1)

    @model_validator(mode="after")
    def _references(self) -> "Menu":
        category_ids = {c.id for c in self.categories}
        group_ids = {g.id for g in self.modifier_groups}
        seen: set[str] = set()
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"duplicate item id {item.id!r}")
            seen.add(item.id)
            if item.category_id not in category_ids:
                raise ValueError(f"item {item.id!r} names unknown category {item.category_id!r}")
            missing = set(item.modifier_group_ids) - group_ids
            if missing:
                raise ValueError(f"item {item.id!r} names unknown modifier groups {sorted(missing)}")
        return self

    def model_post_init(self, _context: object) -> None:
        """Index items, groups and categories by id for look-ups."""
        self._items = {i.id: i for i in self.items}
        self._groups = {g.id: g for g in self.modifier_groups}
        self._categories = {c.id: c for c in self.categories}
        self._options = {o.id: o for g in self.modifier_groups for o in g.options}

    def item(self, item_id: str) -> MenuItem | None:
        """The item with this id, if any."""
        return self._items.get(item_id)

    def group(self, group_id: str) -> ModifierGroup | None:
        """The modifier group with this id, if any."""
        return self._groups.get(group_id)

    def category(self, category_id: str) -> Category | None:
        """The category with this id, if any."""
        return self._categories.get(category_id)

    def option(self, option_id: str) -> ModifierOption | None:
        """A modifier option by id, in whichever group it is."""
        return self._options.get(option_id)

    def groups_of(self, item: MenuItem) -> list[ModifierGroup]:
        """The modifier groups an item offers, in its order."""
        return [self._groups[g] for g in item.modifier_group_ids]

    def find_option(self, item: MenuItem, option_id: str) -> tuple[ModifierGroup, ModifierOption] | None:
        """The group and option of `item` with this option id, if the item offers it."""
        for group in self.groups_of(item):
            option = group.option(option_id)
            if option is not None:
                return group, option
        return None

    def is_available(self, item: MenuItem, local: datetime) -> bool:
        """Not 86'd and inside the item's and its category's availability windows."""
        category = self._categories.get(item.category_id)
        return (
            item.available
            and open_at(item.availability, local)
            and (category is None or open_at(category.availability, local))
        )
