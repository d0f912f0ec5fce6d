"""Two server processes share live events through Redis: published on one, received on the other."""
from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.conftest import REDIS_ENV
from tests.server.live_server import (
    ALWAYS_OPEN_ID, LiveServer, admin_headers, create_always_open_merchant, order_cart, prepare_database,
    register_customer,
)


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"{REDIS_ENV} is not set: run the suite through .ci/run, which starts redis-server")
    return url


@pytest.mark.slow
def test_an_order_placed_on_one_process_is_seen_live_on_the_other(tmp_path: Path, redis_url: str) -> None:
    database_url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    prepare_database(database_url)
    env = {"REDIS_URL": redis_url}
    with LiveServer(database_url, tmp_path / "a", env=env) as one, LiveServer(database_url, tmp_path / "b",
                                                                               env=env) as two:
        with httpx.Client(base_url=one.base_url, timeout=30) as client:
            create_always_open_merchant(client)
            staff = {"email": "cook@always-open.local", "password": "cook-pass-123", "role": "merchant_staff",
                     "merchant_id": ALWAYS_OPEN_ID}
            assert client.post("/accounts", json=staff, headers=admin_headers(client)).status_code == 201
            customer = register_customer(client)
        with httpx.Client(base_url=two.base_url, timeout=30) as client:
            login = client.post("/auth/login", json={"email": staff["email"], "password": staff["password"]})
            token = login.json()["token"]
        with connect(f"ws://127.0.0.1:{two.port}/live?token={token}", open_timeout=10) as socket:
            assert json.loads(socket.recv(timeout=10))["topics"] == [f"merchant:{ALWAYS_OPEN_ID}"]
            with httpx.Client(base_url=one.base_url, timeout=30) as client:
                placed = client.post("/orders", json=order_cart(), headers=customer)
                assert placed.status_code == 201, placed.text
            event = json.loads(socket.recv(timeout=10))
            assert event == {"type": "order.placed", "order_id": placed.json()["id"], "status": "placed"}
