"""Money: Decimal amounts, per-currency quantization (half up), allocation that adds up exactly."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import Money, allocate, currency_exponent, quantize


@pytest.mark.parametrize(("currency", "quantum"), [("EUR", "0.01"), ("USD", "0.01"), ("JPY", "1"), ("KRW", "1"),
                                                   ("KWD", "0.001"), ("BHD", "0.001")])
def test_currency_exponent(currency, quantum):
    assert currency_exponent(currency) == D(quantum)


@pytest.mark.parametrize(("amount", "currency", "expected"), [
    ("0.005", "EUR", "0.01"),
    ("0.004999", "EUR", "0.00"),
    ("2.675", "EUR", "2.68"),     # the classic float trap; exact in Decimal
    ("0.125", "EUR", "0.13"),     # half up, not banker's rounding (0.12)
    ("-0.005", "EUR", "-0.01"),   # away from zero
    ("12", "EUR", "12.00"),
    ("0.5", "JPY", "1"),
    ("1280.49", "JPY", "1280"),
    ("2.5", "JPY", "3"),          # half up (banker's would give 2)
    ("1.2345", "KWD", "1.235"),
    ("0.0625", "BHD", "0.063"),
])
def test_quantize_half_up_per_currency(amount, currency, expected):
    q = quantize(D(amount), currency)
    assert q == D(expected)
    assert q.as_tuple().exponent == currency_exponent(currency).as_tuple().exponent


def test_money_never_takes_a_float():
    with pytest.raises(TypeError):
        Money(12.5, "EUR")
    with pytest.raises(TypeError):
        Money(D("1"), "EUR") * 1.5


def test_money_coerces_ints_and_strings():
    assert Money(12, "EUR").amount == D(12)
    assert Money("12.50", "EUR").amount == D("12.50")


@pytest.mark.parametrize("code", ["eur", "EURO", "E", ""])
def test_money_needs_an_iso_code(code):
    with pytest.raises(ValueError):
        Money(D(1), code)


def test_money_arithmetic_is_exact():
    a, b = Money(D("0.10"), "EUR"), Money(D("0.20"), "EUR")
    assert a + b == Money(D("0.30"), "EUR")
    assert b - a == Money(D("0.10"), "EUR")
    assert a * 3 == Money(D("0.30"), "EUR") and 3 * a == a * 3
    assert a * D("0.5") == Money(D("0.05"), "EUR")
    assert -a == Money(D("-0.10"), "EUR")
    assert a < b and a <= a and b > a
    assert Money.zero("JPY") == Money(D(0), "JPY")


def test_money_refuses_mixing_currencies():
    eur, usd = Money(D(1), "EUR"), Money(D(1), "USD")
    for op in (lambda: eur + usd, lambda: eur - usd, lambda: eur < usd, lambda: eur <= usd):
        with pytest.raises(ValueError):
            op()


def test_quantized_and_str():
    assert Money(D("2.675"), "EUR").quantized() == Money(D("2.68"), "EUR")
    assert Money(D("2.675"), "EUR").quantized().amount.as_tuple().exponent == -2
    assert str(Money(D("12.5"), "EUR")) == "12.50 EUR"
    assert str(Money(D("1280.5"), "JPY")) == "1281 JPY"
    assert str(Money(D("1.2345"), "KWD")) == "1.235 KWD"


def test_format_shows_what_is_charged():
    assert Money(D("12.5"), "EUR").format() == "€12.50"
    assert Money(D("12.5"), "EUR").format("de_DE") == "12,50\xa0€"
    # babel alone rounds half-even (0.12, KWD1.234); the display must match quantize (half up).
    assert Money(D("0.125"), "EUR").format() == "€0.13"
    assert Money(D("1.2345"), "KWD").format() == "KWD1.235"
    assert Money(D("1280.5"), "JPY").format() == "¥1,281"


# --- allocate ------------------------------------------------------------------------------------------------


def test_allocate_by_largest_remainder():
    # 10.00 over 1:1:1 = 3.333...: floors 3.33 x 3 = 9.99, the spare cent to the first of the ties.
    assert allocate(D("10.00"), [D(1), D(1), D(1)], "EUR") == [D("3.34"), D("3.33"), D("3.33")]
    # 5.00 by 32.00 : 2.80 -> 4.5977 / 0.4023.
    assert allocate(D("5.00"), [D("32.00"), D("2.80")], "EUR") == [D("4.60"), D("0.40")]
    assert allocate(D("100"), [D(1), D(2)], "JPY") == [D(33), D(67)]
    assert allocate(D("0.010"), [D(1), D(1), D(1)], "KWD") == [D("0.004"), D("0.003"), D("0.003")]


def test_allocate_edge_cases():
    assert allocate(D("1.00"), [], "EUR") == []
    assert allocate(D("1.00"), [D(0), D(0)], "EUR") == [D("0.50"), D("0.50")]
    assert allocate(D("0.00"), [D(3), D(1)], "EUR") == [D("0.00"), D("0.00")]
    assert allocate(D("0.01"), [D(0), D(5)], "EUR") == [D("0.00"), D("0.01")]


amounts = st.integers(0, 10**7)
weights = st.lists(st.integers(0, 10**6).map(D), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(amounts, weights, st.sampled_from(["EUR", "JPY", "KWD"]))
def test_allocate_always_adds_up_and_stays_fair(units, ws, currency):
    quantum = currency_exponent(currency)
    total = D(units) * quantum
    parts = allocate(total, ws, currency)
    assert sum(parts, D(0)) == total
    assert len(parts) == len(ws)
    weight_sum = sum(ws) or D(len(ws))
    for part, w in zip(parts, ws if sum(ws) else [D(1)] * len(ws)):
        assert part == quantize(part, currency) and part >= 0
        exact = total * w / weight_sum
        assert abs(part - exact) < quantum, "each part is within one minor unit of its exact share"
