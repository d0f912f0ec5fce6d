"""The kitchen tablet's state without a browser: queue ordering, timers, alerts, busy mode, all-day counts,
station filter, item bumps, hours as typed, offline marks and the day's totals."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.merchant.i18n import Translator, keys
from apps.merchant.state.alerts import AlertState
from apps.merchant.state.board import build_board, next_action
from apps.merchant.state.busy import BusyKind, BusyMode, busy_in_force, prep_minutes
from apps.merchant.state.history import search, todays, totals
from apps.merchant.state.item_bumps import ItemBumps
from apps.merchant.state.priority import PriorityCache
from apps.merchant.state.stock import hours_lines, hours_text, parse_hours, stock_lines, warnings
from apps.merchant.state.tickets import allergy_notes, ticket_from_order
from apps.merchant.state.timers import Urgency, clock, urgency
from tests.apps.merchant.orders import NOW, line, order


def tickets(*orders, bumps: ItemBumps | None = None):
    cache = PriorityCache()
    return [ticket_from_order(o, NOW, bumped_lines=(bumps or ItemBumps()).of(o["id"]),
                              priority=cache.score(o, NOW, 15)) for o in orders]


# -- timers -----------------------------------------------------------------------------------------------------

def test_timer_turns_amber_in_the_last_quarter_and_red_when_late() -> None:
    placed = NOW - timedelta(minutes=20)
    assert urgency(placed, NOW + timedelta(minutes=10), NOW) is Urgency.OK
    assert urgency(placed, NOW + timedelta(minutes=7), NOW) is Urgency.OK  # 7 of 27 minutes left: 26 %
    assert urgency(placed, NOW + timedelta(minutes=5), NOW) is Urgency.AMBER  # 5 of 25 minutes left: 20 %
    assert urgency(placed, NOW + timedelta(minutes=2), NOW) is Urgency.AMBER  # under the 3-minute floor
    assert urgency(placed, NOW - timedelta(seconds=1), NOW) is Urgency.RED
    assert urgency(None, None, NOW) is Urgency.OK


def test_clock_reads_like_a_kitchen_timer() -> None:
    assert clock(7 + 5 / 60) == "7:05"
    assert clock(-2.5) == "-2:30"
    assert clock(62) == "1:02:00"


def test_only_open_kitchen_orders_carry_urgency() -> None:
    late_ready = ticket_from_order(order(1, "ready", promised_in=-5), NOW)
    late_new = ticket_from_order(order(2, "placed", promised_in=-5), NOW)
    assert late_ready.urgency is Urgency.OK and late_new.urgency is Urgency.RED


# -- queue ordering -----------------------------------------------------------------------------------------------

def test_columns_follow_status_and_cards_follow_the_order_managers_priority() -> None:
    board = build_board(tickets(
        order(1, "accepted", placed_min_ago=5, promised_in=20),
        order(2, "accepted", placed_min_ago=20, promised_in=-3),  # late: first
        order(3, "preparing", placed_min_ago=8, promised_in=12, vip=True),
        order(4, "placed"), order(5, "ready"), order(6, "delivered"), order(7, "rejected")))
    assert [t.number for t in board.columns["new"]] == [4]
    assert [t.number for t in board.columns["preparing"]] == [2, 3, 1]
    assert [t.number for t in board.columns["ready"]] == [5]
    assert [t.number for t in board.columns["handed_over"]] == [6]
    assert board.columns["preparing"][0].priority_reasons[0].startswith("late by")
    assert "VIP" in board.columns["preparing"][1].priority_reasons


def test_the_big_button_moves_an_order_to_its_next_column() -> None:
    by_number = {t.number: t for t in tickets(order(1, "accepted"), order(2, "preparing"), order(3, "ready"),
                                              order(4, "placed"))}
    assert next_action(by_number[1]) == "ready" and next_action(by_number[2]) == "ready"
    assert next_action(by_number[3]) == "hand_over"
    assert next_action(by_number[4]) is None  # new orders are accepted with a prep time instead


# -- stations, all-day counts, item bumps -------------------------------------------------------------------------

def test_station_filter_keeps_only_that_stations_lines_and_hides_orders_without_any() -> None:
    drinks_only = order(3, "accepted", lines=[line("Lemonade", 2, station="bar")])
    board = build_board(tickets(order(1, "accepted"), order(2, "placed"), drinks_only), station="grill")
    assert board.stations == ["bar", "cold", "grill"]
    assert board.hidden_by_station == 1
    assert all(l.station == "grill" for col in board.columns.values() for t in col for l in t.lines)
    assert board.all_day == [("Burger", 4)]


def test_all_day_counts_what_is_still_to_cook() -> None:
    bumps = ItemBumps([{"order_id": "ord-1", "lines": [0]}])  # the burgers of order 1 are done
    board = build_board(tickets(order(1, "preparing"), order(2, "placed"), order(3, "ready"), bumps=bumps))
    assert dict(board.all_day) == {"Burger": 2, "Salad": 2}


def test_a_tap_on_a_line_asks_for_an_explicit_state() -> None:
    bumps = ItemBumps([{"order_id": "a", "lines": [1]}, {"order_id": "b", "lines": [0, "junk"]}])
    assert bumps.of("a") == {1} and bumps.of("b") == {0} and bumps.of("c") == frozenset()
    assert bumps.toggled("a", 0) == (True, frozenset({0, 1}))
    assert bumps.toggled("a", 1) == (False, frozenset())  # tapping a done line un-bumps it
    assert bumps.of("a") == {1}  # asking changes nothing: the server's rows do
    ticket = ticket_from_order(order(1, "preparing", lines=[line("Soup")]), NOW, bumped_lines={0})
    assert ticket.all_bumped


# -- modifiers, instructions, allergies ---------------------------------------------------------------------------

def test_modifiers_instructions_and_allergies_are_on_the_ticket() -> None:
    ticket = ticket_from_order(order(1, lines=[line("Burger", modifiers=[("add", "Cheese"), ("remove", "Onion")],
                                                    instructions="no salt please", allergens=["gluten"])],
                                     instructions="Severe peanut ALLERGY"), NOW)
    assert [(m.kind, m.name) for m in ticket.lines[0].modifiers] == [("add", "Cheese"), ("remove", "Onion")]
    assert ticket.allergy_notes == ("Severe peanut ALLERGY",)
    assert ticket.allergens == ("gluten",)


def test_allergy_words_in_english_and_spanish() -> None:
    assert allergy_notes("sin gluten por favor", "alérgico a los frutos secos", "nut free", "extra napkins") == (
        "sin gluten por favor", "alérgico a los frutos secos", "nut free")


# -- alert --------------------------------------------------------------------------------------------------------

def test_alert_repeats_until_acknowledged_and_restarts_for_a_newer_order() -> None:
    alert = AlertState(repeat_seconds=4)
    assert alert.observe(["a"]) == {"a"} and alert.active
    assert alert.beep_due(NOW) and not alert.beep_due(NOW + timedelta(seconds=2))
    assert alert.beep_due(NOW + timedelta(seconds=4))
    alert.acknowledge()
    assert not alert.active and not alert.beep_due(NOW + timedelta(seconds=30))
    assert alert.observe(["a"]) == set() and not alert.active  # acknowledged stays quiet
    assert alert.observe(["a", "b"]) == {"b"} and alert.active
    alert.observe(["a"])  # b was accepted somewhere else
    assert not alert.active


def test_acting_on_one_card_silences_only_that_order() -> None:
    alert = AlertState()
    alert.observe(["a", "b"])
    alert.acknowledge(["a"])
    assert alert.unacknowledged == {"b"}


# -- busy mode ----------------------------------------------------------------------------------------------------

def test_busy_mode_adds_minutes_then_resumes_by_itself() -> None:
    row = {"merchant_id": "k", "kind": "extra_prep", "extra_minutes": 10,
           "until": (NOW + timedelta(minutes=30)).isoformat(), "_sync": {"pending": 1}}
    busy = busy_in_force(row, {}, NOW + timedelta(minutes=29))
    assert busy.kind is BusyKind.EXTRA_PREP and prep_minutes(busy, 15) == 25 and busy.minutes_left(NOW) == 30
    over = busy_in_force(row, {}, NOW + timedelta(minutes=30))
    assert over.kind is BusyKind.OFF and prep_minutes(over, 15) == 15
    assert prep_minutes(BusyMode(), 500) == 240


@pytest.mark.parametrize(("left", "shown"), [
    (timedelta(minutes=30), 30), (timedelta(minutes=29, seconds=1), 30), (timedelta(seconds=61), 2),
    (timedelta(seconds=60), 1), (timedelta(seconds=59), 1), (timedelta(microseconds=1), 1),
    (timedelta(0), 0), (-timedelta(seconds=5), 0),
])
def test_busy_minutes_left_round_up_to_whole_minutes(left: timedelta, shown: int) -> None:
    """The tablet shows whole minutes rounded up: never 0 while busy, never a minute more than is left."""
    busy = BusyMode(kind=BusyKind.PAUSED, until=NOW + left)
    assert busy.minutes_left(NOW) == shown


def test_busy_mode_comes_from_the_synced_row_or_else_the_downloaded_merchant() -> None:
    paused = {"kind": "paused", "until": (NOW + timedelta(minutes=15)).isoformat()}
    assert busy_in_force(None, {"busy": paused}, NOW).kind is BusyKind.PAUSED
    assert busy_in_force({"kind": "off", "until": None}, {"busy": paused}, NOW).kind is BusyKind.OFF
    assert busy_in_force(None, {}, NOW) == BusyMode()
    assert busy_in_force({"kind": "teleport"}, {}, NOW) == BusyMode()  # a newer server's kind: off, not a crash


# -- offline marks ------------------------------------------------------------------------------------------------

def test_waiting_to_sync_and_conflicts_are_counted_on_the_board() -> None:
    conflict = {"op_id": "op-1", "op": "transition", "code": "invalid_transition",
                "detail": "cannot accept an order that is cancelled"}
    board = build_board(tickets(order(1, "ready", pending=2), order(2, "accepted"), order(3, "placed", error=conflict)))
    assert board.waiting_to_sync == 1
    assert [t.number for t in board.sync_errors] == [3]
    assert board.ticket("ord-1").waiting_to_sync and not board.ticket("ord-2").waiting_to_sync


# -- history ------------------------------------------------------------------------------------------------------

def test_history_search_and_totals() -> None:
    day = tickets(order(1, "delivered", total="20.00"), order(2, "rejected", total="99.00"),
                  order(3, "preparing", total="10.50", lines=[line("Steak")]),
                  order(4, "delivered", placed_min_ago=60 * 30))  # yesterday
    today = todays(day, NOW - timedelta(hours=20))
    assert {t.number for t in today} == {1, 2, 3}
    assert [t.number for t in search(today, "steak")] == [3]
    assert [t.number for t in search(today, "#2")] == [2]
    found = totals(today)
    assert (found.orders, found.completed, found.open, found.lost) == (3, 1, 1, 1)
    assert found.revenue == Decimal("30.50") and found.average == Decimal("15.25") and found.currency == "EUR"


# -- stock --------------------------------------------------------------------------------------------------------

def test_stock_lines_join_menu_and_live_rows_with_warnings() -> None:
    menu = {"categories": [{"id": "m", "name": "Mains"}],
            "items": [{"id": "soup", "name": "Soup", "category_id": "m",
                       "availability": [{"days": [1, 2, 3, 4, 5], "start": "11:00:00", "end": "14:30:00"}]},
                      {"id": "steak", "name": "Steak", "category_id": "m"}],
            "modifier_groups": [{"id": "g", "name": "Extras", "options": [{"id": "bacon", "name": "Bacon"}]}]}
    rows = [{"key": "item:soup", "count": 3, "available": True, "_sync": {"pending": 1}},
            {"key": "option:bacon", "count": None, "available": False}]
    lines = {l.key: l for l in stock_lines(menu, rows)}
    assert lines["item:soup"].low and lines["item:soup"].pending == 1 and lines["item:soup"].hours == "mon-fri 11:00-14:30"
    assert lines["option:bacon"].sold_out and lines["option:bacon"].kind == "option"
    assert not lines["item:steak"].sold_out
    assert {l.key for l in warnings(list(lines.values()))} == {"item:soup", "option:bacon"}
    assert hours_text([{"days": [6, 7], "start": "18:00", "end": "23:00"}]) == "sat-sun 18:00-23:00"
    assert lines["item:soup"].has_hours and not lines["option:bacon"].has_hours


def test_hours_as_typed_become_windows_and_read_back_the_same() -> None:
    typed = "mon-fri 11:00-14:30; sat,sun 12:00-22:00"
    windows = parse_hours(typed)
    assert windows == [{"days": [1, 2, 3, 4, 5], "start": "11:00", "end": "14:30"},
                       {"days": [6, 7], "start": "12:00", "end": "22:00"}]
    assert parse_hours(hours_text(windows)) == windows
    assert parse_hours("18:00-2:00") == [{"days": [1, 2, 3, 4, 5, 6, 7], "start": "18:00", "end": "02:00"}]
    assert parse_hours("fri-sun 9:00-10:00")[0]["days"] == [5, 6, 7]
    assert parse_hours("  ") == []  # always available


def test_hours_that_make_no_sense_are_refused_before_they_are_queued() -> None:
    for text, says in (("funday 10:00-11:00", "not a day"), ("mon 25:00-26:00", "not a time span"),
                       ("mon 10:00-10:00", "same time"), ("mon tue 10:00-11:00", "days then hours")):
        try:
            parse_hours(text)
        except ValueError as exc:
            assert says in str(exc), (text, str(exc))
        else:
            raise AssertionError(f"{text!r} was accepted")


def test_opening_and_category_hours_lines() -> None:
    menu = {"categories": [{"id": "m", "name": "Mains", "availability": [{"days": [5], "start": "18:00:00",
                                                                           "end": "23:00:00"}],
                            "_sync": {"pending": 1}}]}
    lines = hours_lines(menu, {"name": "Rush", "opening_hours": []})
    assert [(l.target, l.name, l.hours, l.pending) for l in lines] == [
        ("merchant", "Rush", "", 0), ("category:m", "Mains", "fri 18:00-23:00", 1)]


# -- translations -------------------------------------------------------------------------------------------------

def test_spanish_has_every_english_string_and_placeholders_match() -> None:
    assert keys("en") == keys("es")
    en, es = Translator("en"), Translator("es")
    assert es("sem_accept", number=4, minutes=15) == "Aceptar pedido 4 en 15 minutos"
    assert en("sem_accept", number=4, minutes=15) == "Accept order 4 in 15 minutes"
    assert Translator("xx")("tab_kitchen") == "Kitchen"
