"""The local store: WAL, server wins, what each kind of device reads."""
from __future__ import annotations

from pathlib import Path

from apps.client.outbox import Outbox
from apps.client.store import LocalStore
from tests.apps.client.helpers import server_order


def test_the_store_is_a_wal_database(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "device.sqlite3")
    assert store.db.journal_mode == "wal"
    assert {"orders", "stock", "profile", "menus", "meta", "outbox"} <= set(store.db.table_names())


def test_orders_only_move_forward(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "device.sqlite3")
    assert store.put_server("order", "ord-1", server_order(status="ready", version=4))
    assert not store.put_server("order", "ord-1", server_order(status="accepted", version=2))
    assert store.server_data("order", "ord-1")["status"] == "ready"


def test_what_each_device_reads(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "device.sqlite3")
    outbox = Outbox(store)
    orders = [server_order("o1", "placed"), server_order("o2", "delivered", customer_id="cust-lucia"),
              server_order("o3", "picked_up", driver_id="drv-max", merchant_id="krems-burger")]
    for order in orders:
        store.put_server("order", order["id"], order)
        outbox.refresh("order", order["id"])
    assert {o["id"] for o in store.orders(merchant_id="pizzeria-donau", open_only=True)} == {"o1"}
    assert [o["id"] for o in store.orders(customer_id="cust-lucia")] == ["o2"]
    assert [o["id"] for o in store.orders(driver_id="drv-max", open_only=True)] == ["o3"]


def test_the_cached_menu_shows_live_stock(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "device.sqlite3")
    outbox = Outbox(store)
    store.save_menu("m", {"merchant_id": "m", "items": [{"id": "tiramisu", "stock": 12, "available": True}],
                          "modifier_groups": [{"id": "g", "options": [{"id": "basil", "available": True}]}]})
    store.put_server("stock", "m|item:tiramisu", {"merchant_id": "m", "key": "item:tiramisu", "count": 4,
                                                  "available": True})
    outbox.refresh("stock", "m|item:tiramisu")
    outbox.set_available("m", "option:basil", False)
    menu = store.menu("m")
    assert menu["items"][0]["stock"] == 4
    assert menu["modifier_groups"][0]["options"][0]["available"] is False


def test_settings_persist(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "device.sqlite3")
    store.set_meta("sync_cursor", "42")
    store.close()
    assert LocalStore(tmp_path / "device.sqlite3").cursor == "42"
