"""Prices in page text: find them, read them as Decimal (never float) and name their currency."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from price_parser import Price

# Symbols are ambiguous ('$' is also CAD, AUD, MXN); a caller's default currency breaks the tie.
_SYMBOLS = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "$": "USD", "us$": "USD", "usd": "USD",
    "£": "GBP", "gbp": "GBP",
    "¥": "JPY", "jpy": "JPY", "円": "JPY",
    "₹": "INR", "rs": "INR", "inr": "INR",
    "chf": "CHF", "fr.": "CHF",
    "zł": "PLN", "pln": "PLN",
    "kr": "SEK", "sek": "SEK", "nok": "NOK", "dkk": "DKK",
    "r$": "BRL", "brl": "BRL", "mxn": "MXN", "cad": "CAD", "aud": "AUD", "c$": "CAD", "a$": "AUD",
}
_DOLLAR_CURRENCIES = {"USD", "CAD", "AUD", "MXN", "NZD", "SGD", "HKD", "ARS", "CLP", "COP"}

_NUMBER = r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?|\d{1,6}(?:[.,]\d{1,2})?"
_CUR_BEFORE = r"(?:US\$|R\$|C\$|A\$|[$€£¥₹]|EUR|USD|GBP|CHF|MXN|CAD|AUD|INR|Rs\.?)"
_CUR_AFTER = r"(?:[$€£¥₹円]|EUR|USD|GBP|CHF|MXN|CAD|AUD|INR|euros?|zł|kr|Fr\.)"
# A price is a number with a currency mark on either side, or a bare number with exactly two decimals
# (menus often print "8.50" alone); whole bare numbers are too often years, sizes or phone numbers.
PRICE_PATTERN = re.compile(
    rf"(?<![\w.,])(?:{_CUR_BEFORE}\s?(?:{_NUMBER})(?:[.,]-)?"
    rf"|(?:{_NUMBER})\s?{_CUR_AFTER}(?![a-zA-Z])"
    rf"|\d{{1,4}}[.,]\d{{2}}(?![\d.,]*\d)(?!\s?(?:l|cl|ml|dl|g|gr|kg|cm|mm|km|oz|lb)\b))(?![\w%])",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PriceMatch:
    """One price found in text: its span, amount, currency (None if unmarked) and the raw text."""

    start: int
    end: int
    amount: Decimal
    currency: str | None
    text: str


def currency_code(symbol: str | None, default: str | None = None) -> str | None:
    """ISO 4217 code for a symbol or code as printed ('€', 'usd', 'Fr.'); `default` settles '$'."""
    if not symbol:
        return default
    code = _SYMBOLS.get(symbol.strip().lower())
    if code is None and re.fullmatch(r"[A-Za-z]{3}", symbol.strip()):
        code = symbol.strip().upper()
    if code == "USD" and symbol.strip() == "$" and default in _DOLLAR_CURRENCIES:
        return default
    return code or default


def parse_price(text: str | int | Decimal | None, default_currency: str | None = None) -> tuple[Decimal | None, str | None]:
    """Amount and currency from a price as written: '12,50 €', '$1,299.00', '3.50', Decimal('4').

    Floats are refused outright: a price that went through float has already lost its cents' exactness.
    """
    if text is None or isinstance(text, bool):
        return None, default_currency
    if isinstance(text, float):
        raise TypeError("prices are never floats; parse JSON with parse_float=Decimal")
    if isinstance(text, (int, Decimal)):
        return Decimal(text), default_currency
    raw = text.strip()
    if not raw:
        return None, default_currency
    try:
        # schema.org says `price` is a plain number with '.' decimals; take it literally when it is one.
        if re.fullmatch(r"\d+(?:\.\d+)?", raw):
            return Decimal(raw), default_currency
    except InvalidOperation:
        pass
    parsed = Price.fromstring(raw)
    if parsed.amount is None:
        return None, currency_code(parsed.currency, default_currency)
    return Decimal(parsed.amount), currency_code(parsed.currency, default_currency)


def find_prices(text: str, default_currency: str | None = None) -> list[PriceMatch]:
    """All prices in a line of text, left to right; `currency` is None when the text shows no mark."""
    found: list[PriceMatch] = []
    for match in PRICE_PATTERN.finditer(text):
        raw = match.group(0).rstrip(".,-").rstrip()
        amount, currency = parse_price(raw, None)
        if amount is None:
            continue
        if currency == "USD" and default_currency in _DOLLAR_CURRENCIES and "US" not in raw.upper():
            currency = default_currency
        found.append(PriceMatch(match.start(), match.start() + len(raw), amount, currency, raw))
    return found
