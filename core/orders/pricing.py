"""Validate a cart against the live menu and price it: `quote_cart` is the one pricing function."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from core.errors import DomainError, OrderError, Problem, PromoError
from core.menu import Menu, MenuItem, ModifierKind, Portion, open_at
from core.merchants import Merchant, TaxMode
from core.money import allocate, quantize, zero
from core.orders.cart import Cart, CartLine
from core.orders.promos import Promo
from core.orders.quote import PricedModifier, Quote

MAX_SLOT_AHEAD = timedelta(days=14)
HALF = Decimal("0.5")

# A line priced from the menu: PricedLine's fields except discount, tax and total, which need the whole cart.
# The PricedLine is validated once, with the quote (setting four fields afterwards cost as much as validating).
LineDraft = dict[str, Any]


def _price_line(
    index: int, line: CartLine, menu: Menu, local_time: datetime, problems: list[Problem]
) -> LineDraft | None:
    item = menu.item(line.item_id)
    if item is None:
        problems.append(Problem(OrderError.UNKNOWN_ITEM, f"no item {line.item_id!r} on the menu", index))
        return None
    if not menu.is_available(item, local_time):
        problems.append(Problem(OrderError.ITEM_UNAVAILABLE, f"{item.name} is not available now", index))
    unit, variant_name = item.price, None
    if item.variants:
        if line.variant_id is None:
            options = ", ".join(v.name for v in item.variants)
            problems.append(Problem(OrderError.VARIANT_REQUIRED, f"choose a size for {item.name}: {options}", index))
            return None
        variant = item.variant(line.variant_id)
        if variant is None:
            problems.append(Problem(OrderError.UNKNOWN_VARIANT, f"{item.name} has no {line.variant_id!r}", index))
            return None
        unit, variant_name = variant.price, variant.name
    elif line.variant_id is not None:
        problems.append(Problem(OrderError.UNKNOWN_VARIANT, f"{item.name} has no variants", index))
        return None
    if not line.modifiers and not item.modifier_group_ids:  # the usual line: nothing to choose
        modifiers: list[PricedModifier] = []
        allergens = item.allergens
    else:
        priced = _price_modifiers(index, line, item, menu, problems)
        if priced is None:
            return None
        modifiers = priced
        unit += sum((m.unit_price for m in modifiers), Decimal(0))
        allergens = set(item.allergens)
        for m in modifiers:
            found = menu.find_option(item, m.option_id)
            if found and m.kind is not ModifierKind.REMOVE:
                allergens |= found[1].allergens
    # Per-unit prices are chargeable amounts, so unit x quantity == subtotal on every receipt.
    unit = quantize(unit, menu.currency)
    subtotal = unit * line.quantity
    return {
        "item_id": item.id, "name": item.name, "variant_id": line.variant_id, "variant_name": variant_name,
        "quantity": line.quantity, "modifiers": modifiers, "instructions": line.instructions, "unit_price": unit,
        "subtotal": subtotal, "allergens": sorted(allergens), "station": item.station,
        "tax_category": item.tax_category,
    }


def _price_modifiers(
    index: int, line: CartLine, item: MenuItem, menu: Menu, problems: list[Problem]
) -> list[PricedModifier] | None:
    priced: list[PricedModifier] = []
    chosen: Counter[str] = Counter()
    ok = True
    for mod in line.modifiers:
        if mod.portion is not Portion.WHOLE and not item.allows_halves:
            problems.append(Problem(OrderError.MODIFIER_NOT_ALLOWED, f"{item.name} cannot be split in halves", index))
            ok = False
            continue
        if mod.kind is ModifierKind.REMOVE:
            if mod.option_id not in item.ingredients:
                problems.append(Problem(OrderError.UNKNOWN_MODIFIER, f"{item.name} has no {mod.option_id!r} to remove", index))
                ok = False
                continue
            priced.append(PricedModifier(option_id=mod.option_id, name=mod.option_id, kind=mod.kind,
                                         portion=mod.portion, unit_price=Decimal(0)))
            continue
        found = menu.find_option(item, mod.option_id)
        if found is None:
            problems.append(Problem(OrderError.UNKNOWN_MODIFIER, f"{item.name} has no option {mod.option_id!r}", index))
            ok = False
            continue
        group, option = found
        if (mod.kind is ModifierKind.EXTRA and not option.allows_extra) or (
            mod.kind is ModifierKind.LIGHT and not option.allows_light
        ):
            problems.append(Problem(OrderError.MODIFIER_NOT_ALLOWED, f"{option.name} cannot be {mod.kind}", index))
            ok = False
            continue
        if not option.available:
            problems.append(Problem(OrderError.ITEM_UNAVAILABLE, f"{option.name} is not available now", index))
            ok = False
        share = HALF if mod.portion is not Portion.WHOLE else 1
        price = quantize(option.price_for(mod.kind) * share, menu.currency)
        chosen[group.id] += 1
        priced.append(PricedModifier(option_id=option.id, name=option.name, kind=mod.kind,
                                     portion=mod.portion, unit_price=price))
    for group in menu.groups_of(item):
        count = chosen[group.id]
        if count < group.min_choices or (group.max_choices is not None and count > group.max_choices):
            upper = "" if group.max_choices is None else f" and at most {group.max_choices}"
            problems.append(Problem(
                OrderError.MODIFIER_RULES,
                f"{item.name}: choose at least {group.min_choices}{upper} from {group.name} (got {count})", index))
            ok = False
    return priced if ok else None


def stock_reservations(cart: Cart, menu: Menu) -> dict[str, int]:
    """Units of each item ('item:ID') and modifier option ('option:ID') the cart takes.

    Every key is listed, counted or not, so the stock ledger can also refuse what was 86'd meanwhile.
    """
    wanted: dict[str, int] = {}
    for line in cart.lines:
        item = menu.item(line.item_id)
        if item is None:
            continue
        key = f"item:{item.id}"
        wanted[key] = wanted.get(key, 0) + line.quantity
        for mod in line.modifiers:
            found = menu.find_option(item, mod.option_id) if mod.kind is not ModifierKind.REMOVE else None
            if found is not None:
                key = f"option:{found[1].id}"
                wanted[key] = wanted.get(key, 0) + line.quantity
    return wanted


def _check_stock(wanted: dict[str, int], menu: Menu, problems: list[Problem]) -> None:
    for key, units in wanted.items():
        kind, _, ident = key.partition(":")
        if kind == "item":
            item = menu.item(ident)
            stock, name = (item.stock, item.name) if item else (None, ident)
        else:
            option = menu.option(ident)
            stock, name = (option.stock, option.name) if option else (None, ident)
        if stock is not None and units > stock:
            problems.append(Problem(OrderError.OUT_OF_STOCK, f"only {stock} {name} left, {units} wanted"))


def _fulfilment_fee(cart: Cart, merchant: Merchant, problems: list[Problem]) -> tuple[Decimal, Decimal | None]:
    """(delivery fee, distance km); records a problem when delivery is impossible."""
    if not cart.fulfilment.is_delivery:
        if not merchant.offers_pickup:
            problems.append(Problem(OrderError.FULFILMENT_NOT_OFFERED, f"{merchant.name} does not offer pickup"))
        return Decimal(0), None
    if not merchant.offers_delivery:
        problems.append(Problem(OrderError.FULFILMENT_NOT_OFFERED, f"{merchant.name} does not deliver"))
        return Decimal(0), None
    address = cart.fulfilment.address
    if address is None or address.location is None:
        problems.append(Problem(OrderError.ADDRESS_REQUIRED, "delivery needs an address with coordinates"))
        return Decimal(0), None
    distance = merchant.location.distance_km(address.location)
    fee = merchant.delivery_fee(distance)
    if fee is None or not merchant.delivery_zone.contains(merchant.location, address.location, distance):
        problems.append(Problem(OrderError.OUTSIDE_DELIVERY_ZONE,
                                f"{address.line1} is {distance} km away, outside {merchant.name}'s delivery zone"))
        return Decimal(0), distance
    return fee, distance


def _check_time(cart: Cart, merchant: Merchant, now: datetime, problems: list[Problem]) -> datetime:
    """The local time the order is for; records closed / bad slot problems."""
    when = now
    slot = cart.requested_time
    if slot.slot_start is not None:
        if slot.slot_start < now - timedelta(minutes=1) or slot.slot_start > now + MAX_SLOT_AHEAD:
            problems.append(Problem(OrderError.SLOT_INVALID, "the requested time must be between now and 14 days ahead"))
        else:
            when = slot.slot_start
    local = when.astimezone(merchant.tz)
    if merchant.paused_at(now):
        busy = merchant.busy.at(now)
        until = f" until {busy.until.astimezone(merchant.tz):%H:%M}" if busy.until else " right now"
        problems.append(Problem(OrderError.MERCHANT_PAUSED, f"{merchant.name} is not taking orders{until}"))
    elif not open_at(merchant.opening_hours, local):
        problems.append(Problem(OrderError.MERCHANT_CLOSED, f"{merchant.name} is closed at {local:%a %H:%M}"))
    return local


def quote_cart(cart: Cart, menu: Menu, merchant: Merchant, now: datetime, promo: Promo | None = None) -> Quote:
    """Validate `cart` against the live `menu` and price it; raise DomainError listing every problem.

    `promo` is the promo looked up by `cart.promo_code` (None when the code is unknown).
    """
    currency = merchant.currency
    problems: list[Problem] = []
    if menu.currency != currency:
        raise DomainError(OrderError.CURRENCY_MISMATCH, f"menu is in {menu.currency}, merchant in {currency}")
    if not cart.lines:
        raise DomainError(OrderError.EMPTY_CART, "the cart has no lines")
    local = _check_time(cart, merchant, now, problems)
    priced = [_price_line(i, line, menu, local, problems) for i, line in enumerate(cart.lines)]
    wanted = stock_reservations(cart, menu)
    _check_stock(wanted, menu, problems)
    delivery_fee, distance = _fulfilment_fee(cart, merchant, problems)
    lines = [p for p in priced if p is not None]
    subtotal = sum((p["subtotal"] for p in lines), Decimal(0))
    if lines and len(lines) == len(priced) and subtotal < merchant.min_order_value:
        problems.append(Problem(OrderError.MIN_ORDER_VALUE,
                                f"the minimum order is {merchant.min_order_value} {currency}, this is {subtotal}"))
    discount = _discount(cart, promo, subtotal, now, problems)
    if problems:
        raise DomainError.from_problems(problems)
    quote = _assemble(cart, merchant, lines, subtotal, discount, delivery_fee, distance, wanted, promo)
    quote.prep_minutes = merchant.prep_minutes_at(now)
    return quote


def _discount(cart: Cart, promo: Promo | None, subtotal: Decimal, now: datetime, problems: list[Problem]) -> Decimal:
    if not cart.promo_code:
        return Decimal(0)
    if promo is None or (promo.merchant_id not in (None, cart.merchant_id)):
        problems.append(Problem(PromoError.UNKNOWN, f"no promo code {cart.promo_code!r}"))
        return Decimal(0)
    try:
        promo.check(subtotal, now)
    except DomainError as exc:
        problems.append(Problem(exc.code, exc.detail))
        return Decimal(0)
    return promo.discount(subtotal)


def _assemble(cart: Cart, merchant: Merchant, drafts: list[LineDraft], subtotal: Decimal, discount: Decimal,
              delivery_fee: Decimal, distance: Decimal | None, wanted: dict[str, int], promo: Promo | None) -> Quote:
    currency, tax = merchant.currency, merchant.tax
    discount = quantize(discount, currency)
    shares = allocate(discount, [d["subtotal"] for d in drafts], currency)
    exclusive = tax.mode is TaxMode.EXCLUSIVE
    lines = []
    lines_total = lines_tax = Decimal(0)
    for draft, share in zip(drafts, shares):
        net = draft["subtotal"] - share
        rate = tax.rate(draft["tax_category"])
        line_tax = _tax_of(net, rate, exclusive, currency)
        total = net + line_tax if exclusive else net
        lines.append({**draft, "discount": share, "tax_rate": rate, "tax": line_tax, "total": total})
        lines_total += total
        lines_tax += line_tax
    delivery_fee = quantize(delivery_fee, currency)
    service_fee = quantize((subtotal - discount) * merchant.service_fee_pct, currency)
    fees_rate = tax.rate("fees")
    fees_tax = _tax_of(delivery_fee + service_fee, fees_rate, exclusive, currency)
    fees_tax_added = fees_tax if exclusive else zero(currency)
    tip = quantize(cart.tip, currency)
    total = lines_total + delivery_fee + service_fee + fees_tax_added + tip
    # One validation for the quote and its lines (validating each line on its own cost a third more).
    return Quote.model_validate({
        "merchant_id": cart.merchant_id, "currency": currency, "tax_mode": tax.mode, "lines": lines,
        "subtotal": subtotal, "discount": discount, "delivery_fee": delivery_fee, "service_fee": service_fee,
        "tax": lines_tax + fees_tax, "fees_tax_added": fees_tax_added, "tip": tip, "total": total,
        "distance_km": distance, "promo_code": promo.code if promo and cart.promo_code else None,
        "fulfilment": cart.fulfilment, "requested_time": cart.requested_time, "channel": cart.channel,
        "instructions": cart.instructions, "priority": cart.priority, "stock_reservations": wanted,
    })


def _tax_of(amount: Decimal, rate: Decimal, exclusive: bool, currency: str) -> Decimal:
    if rate == 0:
        return zero(currency)
    raw = amount * rate if exclusive else amount * rate / (1 + rate)
    return quantize(raw, currency)
