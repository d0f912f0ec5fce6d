"""A real `mealkitz serve` process with an always-open kitchen, its staff account and a customer, for the
client's sync tests; devices reach it directly or through a FaultProxy."""
from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from apps.client.api import ApiClient
from apps.client.outbox import Outbox
from apps.client.store import LocalStore
from apps.client.sync import Backoff, SyncReport, SyncWorker
from tests.apps.client.proxy import FaultProxy
from tests.apps.client.scripted_server import ScriptedSyncServer
from tests.server.live_server import (
    ALWAYS_OPEN_ID, LiveServer, admin_headers, create_always_open_merchant, prepare_database, register_customer,
)

STAFF = {"email": "kitchen@always-open.local", "password": "staff-test-pass"}
COUNTED = "item:soup"  # the kitchen counts soup; the tests' orders never contain soup
START_COUNT = 1000


def pickup_cart(quantity: int = 1) -> dict[str, Any]:
    """An order of pasta (not counted), so placing orders never touches the counted soup."""
    return {"merchant_id": ALWAYS_OPEN_ID, "fulfilment": {"type": "pickup"},
            "lines": [{"item_id": "pasta", "variant_id": "regular", "quantity": quantity}]}


@dataclass
class World:
    server: LiveServer
    db_path: Path
    admin: dict[str, str]
    staff_token: str
    customer: dict[str, str]
    tmp: Path
    devices: list["Device"] = field(default_factory=list)

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.server.base_url, timeout=30.0)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the server's own database (tests only): the ground truth for exactly-once."""
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30) as conn:
            return conn.execute(sql, params).fetchall()

    def stock(self, key: str = COUNTED) -> dict[str, Any]:
        with self.http() as client:
            rows = client.get(f"/merchants/{ALWAYS_OPEN_ID}/stock", headers=self.admin).json()
        return next(r for r in rows if r["key"] == key)

    def set_stock(self, count: int, key: str = COUNTED, available: bool = True) -> None:
        with self.http() as client:
            response = client.patch(f"/merchants/{ALWAYS_OPEN_ID}/stock", headers=self.admin,
                                    json={"key": key, "set_count": True, "count": count, "available": available})
            assert response.status_code == 200, response.text

    def order(self, order_id: str) -> dict[str, Any]:
        with self.http() as client:
            response = client.get(f"/orders/{order_id}", headers=self.admin)
            assert response.status_code == 200, response.text
            return response.json()

    def place_directly(self, n: int) -> list[str]:
        """Orders placed online by the customer (not through any outbox)."""
        with self.http() as client:
            return [client.post("/orders", json=pickup_cart(), headers=self.customer).json()["id"] for _ in range(n)]

    def device(self, name: str, base_url: str | None = None, *, token: str | None = None, role: str = "merchant_staff",
               batch_size: int = 50) -> "Device":
        store = LocalStore(self.tmp / f"{name}.sqlite3")
        store.set_meta("role", role)
        api = ApiClient(base_url or self.server.base_url, token or self.staff_token, timeout=30.0)
        device = Device(store, Outbox(store), api, batch_size)
        self.devices.append(device)
        return device


@dataclass
class Device:
    store: LocalStore
    outbox: Outbox
    api: ApiClient
    batch_size: int = 50

    def __post_init__(self) -> None:
        # Tiny waits: the tests drive rounds themselves; the bounds are tested on their own.
        self.worker = SyncWorker(self.api, self.outbox, batch_size=self.batch_size,
                                 backoff=Backoff(base=0.001, cap=0.01))

    def sync_until_settled(self, max_rounds: int = 200) -> SyncReport:
        """Run rounds until one succeeds with nothing left to send (the network is expected to heal)."""
        for _ in range(max_rounds):
            report = self.worker.run_once()
            if report.ok and self.outbox.pending() == 0 and not self.outbox.unsettled():
                return report
        raise AssertionError(f"not settled after {max_rounds} rounds: {self.outbox.counts()}, "
                             f"last error {self.worker.last_error}")

    def close(self) -> None:
        self.api.close()
        self.store.close()


def _login(client: httpx.Client, credentials: dict[str, str]) -> str:
    response = client.post("/auth/login", json=credentials)
    assert response.status_code == 200, response.text
    return response.json()["token"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("sync-world")
    db_path = tmp / "server.sqlite3"
    prepare_database(f"sqlite:///{db_path}")
    server = LiveServer(f"sqlite:///{db_path}", tmp / "server-data").start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=30.0) as client:
            create_always_open_merchant(client)
            admin = admin_headers(client)
            response = client.post("/accounts", headers=admin, json={**STAFF, "role": "merchant_staff",
                                                                     "merchant_id": ALWAYS_OPEN_ID})
            assert response.status_code == 201, response.text
            staff_token = _login(client, STAFF)
            customer = register_customer(client)
        world = World(server, db_path, admin, staff_token, customer, tmp)
        world.set_stock(START_COUNT)
        yield world
    finally:
        for device in world.devices if "world" in locals() else []:
            device.close()
        server.stop()


@pytest.fixture
def proxy(world: World) -> Iterator[FaultProxy]:
    proxy = FaultProxy(world.server.base_url).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A directory for device files that hypothesis examples can use (function fixtures run once per test)."""
    with tempfile.TemporaryDirectory() as path:
        yield Path(path)


@pytest.fixture
def server() -> Iterator[ScriptedSyncServer]:
    """A sync server on 127.0.0.1 whose push answers the test scripts (tests/apps/client/scripted_server.py)."""
    server = ScriptedSyncServer().start()
    yield server
    server.stop()
