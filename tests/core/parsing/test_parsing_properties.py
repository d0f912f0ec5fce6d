"""Property tests: any input gives a draft or questions, never an exception, and drafts are valid."""
from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.menu import Menu, ModifierKind
from core.parsing import Intent, ParseResult, parse_order

EMOJI = st.sampled_from(["🍕", "🥤", "👍", "🔥", "❤️", "😂", "🇪🇸", "👨‍👩‍👧", "📍", "\u200d", "\ufe0f"])
WORDS = st.sampled_from([
    "2", "large", "margherita", "no", "extra", "half", "and", ",", ".", "without", "cheese", "pizza", "a", "one",
    "dos", "sin", "con", "deux", "sans", "duas", "meia", "दो", "बिना", "do", "bina", "chahiye", "at", "7:30", "pm",
    "tomorrow", "lunch", "deliver", "to", "12", "main", "street", "actually", "make", "that", "forget", "the",
    "coke", "instead", "of", "menu", "cancel", "stop", "'; DROP TABLE orders; --", "<script>", "%s", "{0}",
    "48.2082, 16.3738", "0", "999999999999", "-1", "½", "١٢", "٣", "\u0301", "\t", "\n", "ß", "İ",
])
MESSAGES = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(WORDS, EMOJI, st.text(max_size=8)), max_size=60).map(" ".join),
    st.lists(WORDS, min_size=1, max_size=40).map("".join),
)


def _check(result: ParseResult, menu: Menu) -> None:
    assert isinstance(result.intent, Intent)
    assert result.lines or result.questions or result.intent is not Intent.ORDER or result.removed_item_ids \
        or result.change_last_line is not None
    for line in result.to_cart_lines():
        item = menu.item(line.item_id)
        assert item is not None
        assert 1 <= line.quantity <= 999
        if line.variant_id is not None:
            assert item.variant(line.variant_id) is not None
        for modifier in line.modifiers:
            known = menu.find_option(item, modifier.option_id) is not None
            assert known or (modifier.kind is ModifierKind.REMOVE and modifier.option_id in item.ingredients)
    for question in result.questions:
        assert question.text
        if question.line is not None:
            assert 0 <= question.line < len(result.lines)


NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=MESSAGES)
def test_any_message_parses_on_the_demo_menu(text: str, demo_menu) -> None:  # type: ignore[no-untyped-def]
    _check(parse_order(text, demo_menu, now=NOW, tz="Asia/Kolkata", strict=True), demo_menu)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=MESSAGES, language=st.sampled_from([None, "en", "es", "fr", "pt", "hi", "xx"]))
def test_any_message_parses_on_the_pizza_menu(text: str, language, pizza_menu) -> None:  # type: ignore[no-untyped-def]
    _check(parse_order(text, pizza_menu, language=language, strict=True), pizza_menu)


@settings(max_examples=100, deadline=None)
@given(text=MESSAGES)
def test_any_message_parses_on_an_empty_menu(text: str) -> None:
    menu = Menu(merchant_id="empty", currency="EUR")
    _check(parse_order(text, menu, now=NOW, strict=True), menu)


def test_ten_kilobytes_of_mixed_text(demo_menu) -> None:  # type: ignore[no-untyped-def]
    chunk = "2 large margherita sin cebolla, दो कोक 🍕 et une bière; SELECT * FROM users; "
    text = (chunk * (10_240 // len(chunk) + 1))[:10_240]
    result = parse_order(text, demo_menu, now=NOW, strict=True)
    _check(result, demo_menu)
    assert len(result.lines) > 10


def test_non_strict_mode_never_raises(demo_menu, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import core.parsing.parser as parser

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(parser, "tag_tokens", broken)
    result = parse_order("2 margherita", demo_menu)
    assert result.intent is Intent.UNKNOWN and result.questions
