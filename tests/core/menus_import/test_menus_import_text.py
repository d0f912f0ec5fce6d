"""Encodings and prices: the two ways a page's text goes wrong before any parsing."""
from __future__ import annotations

import codecs
from decimal import Decimal

import pytest

from core.errors import DomainError
from core.menus_import.decoding import charset_from_content_type, decode_html
from core.menus_import.errors import ScrapeError
from core.menus_import.prices import find_prices, parse_price


def test_latin1_without_any_charset_is_detected() -> None:
    page = decode_html("<p>Crème brûlée 7,50 EUR</p><p>Café au lait 3,20 EUR</p>".encode("latin-1"))
    assert "Crème brûlée" in page.text and page.encoding_source == "detected"


def test_cp1252_euro_sign_without_charset() -> None:
    page = decode_html("<p>Käsespätzle – 12,50 €</p><p>Apfelstrudel 6,50 €</p>".encode("cp1252"))
    assert "Käsespätzle – 12,50 €" in page.text and page.encoding == "cp1252"


def test_http_charset_beats_meta() -> None:
    raw = '<meta charset="utf-8"><p>Café</p>'.encode("cp1252")
    page = decode_html(raw, http_charset="ISO-8859-1")
    assert page.text.endswith("Café</p>") and page.encoding_source == "http"


def test_meta_charset_is_used_without_http_charset() -> None:
    raw = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15"><p>Crêpe</p>'.encode("iso-8859-15")
    page = decode_html(raw)
    assert "Crêpe" in page.text and page.encoding_source == "meta"


def test_lying_meta_charset_falls_back_to_detection() -> None:
    raw = '<meta charset="utf-8"><p>Paella 14,00 € Fideuà</p>'.encode("cp1252")
    assert "Fideuà" in decode_html(raw).text


def test_unknown_charset_label_is_ignored_and_bom_wins() -> None:
    assert decode_html("<p>ñ</p>".encode(), http_charset="x-no-such").text == "<p>ñ</p>"
    assert decode_html(codecs.BOM_UTF8 + "<p>ñ</p>".encode(), http_charset="latin-1").text == "<p>ñ</p>"


def test_binary_is_a_decode_error() -> None:
    with pytest.raises(DomainError) as caught:
        decode_html(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff")
    assert caught.value.code is ScrapeError.DECODE_ERROR


def test_charset_from_content_type() -> None:
    assert charset_from_content_type('text/html; charset="UTF-8"') == "UTF-8"
    assert charset_from_content_type("text/html") is None


@pytest.mark.parametrize("text, amount, currency", [
    ("12,50 €", "12.50", "EUR"), ("$1,299.00", "1299.00", "USD"), ("1.299,00 €", "1299.00", "EUR"),
    ("EUR 8.50", "8.50", "EUR"), ("3.50", "3.50", None), ("£7", "7", "GBP"), ("CHF 18.50", "18.50", "CHF"),
])
def test_parse_price(text: str, amount: str, currency: str | None) -> None:
    parsed, code = parse_price(text)
    assert parsed == Decimal(amount) and isinstance(parsed, Decimal) and code == currency


def test_parse_price_dollar_follows_default_and_refuses_float() -> None:
    assert parse_price("$4.00", "CAD") == (Decimal("4.00"), "CAD")
    with pytest.raises(TypeError):
        parse_price(4.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["(408) 714-1489", "Mo-Sa 11:00-14:30", "1901 Lemur Ave", "since 2024",
                                  "5 km", "0,33 l", "3.5%", "v1.25"])
def test_not_prices(text: str) -> None:
    assert find_prices(text) == []


def test_find_prices_in_menu_lines() -> None:
    found = find_prices("Small 8.50 / Large 12.00")
    assert [p.amount for p in found] == [Decimal("8.50"), Decimal("12.00")] and found[0].currency is None
    (beer,) = find_prices("Cerveza 0,33 l 2,50 €")
    assert (beer.amount, beer.currency) == (Decimal("2.50"), "EUR")
