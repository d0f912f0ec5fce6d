"""The kitchen session on a real local store and outbox, with no server: taps become the right operations, shown at
once (line bumps, busy mode, hours), and state another tablet synced shows here."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from apps.client.api import ApiError
from apps.merchant.adapter import ClientAdapter
from apps.merchant.session import KitchenSession
from apps.merchant.state.busy import BusyKind
from tests.apps.merchant.orders import line, order

MENU = {"merchant_id": "k", "currency": "EUR", "categories": [{"id": "m", "name": "Mains"}],
        "items": [{"id": "soup", "name": "Soup", "category_id": "m", "price": "5"}], "modifier_groups": []}


@pytest.fixture
def adapter(tmp_path: Path) -> Iterator[ClientAdapter]:
    client = ClientAdapter("http://127.0.0.1:9", tmp_path, on_change=lambda event: None)  # never started
    client.store.set_meta("merchant", json.dumps({"id": "k", "name": "Kitchen", "prep_minutes_default": 15,
                                                  "timezone": "UTC"}))
    client.store.save_menu("k", MENU)
    yield client
    client.close()


def signed_in(adapter: ClientAdapter, role: str = "merchant_owner") -> KitchenSession:
    adapter.store.set_meta("role", role)
    adapter.store.set_meta("session", json.dumps({"role": role, "id": "acc-1", "merchant_id": "k"}))
    return KitchenSession(adapter)


def with_order(adapter: ClientAdapter, status: str = "accepted") -> dict:
    view = order(1, status, lines=[line("Burger", 2, station="grill"), line("Salad", station="cold")])
    adapter.store.put_server("order", view["id"], {k: v for k, v in view.items() if k != "_sync"})
    adapter.outbox.refresh("order", view["id"])
    return view


def queued(adapter: ClientAdapter) -> list[tuple[str, str, dict]]:
    return [(e.entity, e.op, e.payload) for e in adapter.outbox.entries()]


def test_bumping_lines_queues_shared_bumps_then_start_and_ready(adapter: ClientAdapter) -> None:
    with_order(adapter)
    session = signed_in(adapter, "merchant_staff")
    session.bump_item("ord-1", 0)
    assert session.snapshot().board.ticket("ord-1").lines[0].bumped  # shown before any sync
    session.bump_item("ord-1", 1)
    assert [(entity, op, payload.get("line"), payload.get("bumped"), payload.get("action"))
            for entity, op, payload in queued(adapter)] == [
        ("bumps", "set_line", 0, True, None), ("order", "transition", None, None, "start"),
        ("bumps", "set_line", 1, True, None), ("order", "transition", None, None, "ready")]
    assert session.snapshot().board.ticket("ord-1").column == "ready"


def test_tapping_a_done_line_again_un_bumps_it(adapter: ClientAdapter) -> None:
    with_order(adapter, "preparing")
    session = signed_in(adapter, "merchant_staff")
    session.bump_item("ord-1", 0)
    session.bump_item("ord-1", 0)
    assert [payload["bumped"] for _, _, payload in queued(adapter)] == [True, False]
    assert not session.snapshot().board.ticket("ord-1").lines[0].bumped


def test_a_bump_another_tablet_made_shows_here(adapter: ClientAdapter) -> None:
    with_order(adapter, "preparing")
    adapter.store.put_server("bumps", "ord-1", {"merchant_id": "k", "order_id": "ord-1", "lines": [1]})
    adapter.outbox.refresh("bumps", "ord-1")
    lines = signed_in(adapter, "merchant_staff").snapshot().board.ticket("ord-1").lines
    assert [l.bumped for l in lines] == [False, True]


def test_busy_mode_is_queued_shown_at_once_and_pausing_is_for_owners(adapter: ClientAdapter) -> None:
    staff = signed_in(adapter, "merchant_staff")
    with pytest.raises(ApiError, match="owner"):
        staff.start_busy(BusyKind.PAUSED, 15)
    staff.start_busy(BusyKind.EXTRA_PREP, 30, 10)
    assert staff.snapshot().busy.kind is BusyKind.EXTRA_PREP
    assert staff.default_prep_minutes() == 25 and staff.quick_picks() == [20, 25, 30, 40]
    owner = signed_in(adapter)
    owner.start_busy(BusyKind.PAUSED, 15)
    assert owner.snapshot().busy.kind is BusyKind.PAUSED
    with pytest.raises(ApiError, match="owner"):
        signed_in(adapter, "merchant_staff").stop_busy()  # (one tablet, signed in as staff now)
    owner = signed_in(adapter)
    owner.stop_busy()
    assert owner.snapshot().busy.kind is BusyKind.OFF
    assert [(p["kind"], p["extra_minutes"], p["until"] is None) for _, _, p in queued(adapter)] == [
        ("extra_prep", 10, False), ("paused", 0, False), ("off", 0, True)]


def test_owners_edit_hours_as_typed_and_see_them_before_the_sync(adapter: ClientAdapter) -> None:
    owner = signed_in(adapter)
    owner.set_hours("item:soup", "sat,sun 18:00-22:00")
    owner.set_hours("merchant", "mon-fri 11:00-23:00")
    snap = owner.snapshot()
    soup = next(l for l in snap.stock if l.key == "item:soup")
    assert soup.hours == "sat-sun 18:00-22:00" and soup.hours_pending == 1
    assert snap.hours[0].hours == "mon-fri 11:00-23:00" and snap.hours[0].pending == 1
    assert [(e, p["target"], p["windows"]) for e, _, p in queued(adapter)] == [
        ("hours", "item:soup", [{"days": [6, 7], "start": "18:00", "end": "22:00"}]),
        ("hours", "merchant", [{"days": [1, 2, 3, 4, 5], "start": "11:00", "end": "23:00"}])]
    with pytest.raises(ApiError, match="not a day"):
        owner.set_hours("item:soup", "someday 10:00-11:00")
    with pytest.raises(ApiError, match="owner"):
        signed_in(adapter, "merchant_staff").set_hours("item:soup", "")
    assert len(queued(adapter)) == 2
