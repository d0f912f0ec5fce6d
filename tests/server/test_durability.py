"""An answered order survives SIGKILL, and retrying with the same Idempotency-Key never makes a second one.

A real `mealkitz serve` process takes orders from several client threads; it is killed mid-stream and restarted
on the same database. Every 201 must be found again; re-sending every request (answered or not) must give each
key exactly one order.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from server.db import tables as t
from server.db.engine import make_engine
from tests.server.live_server import (
    ALWAYS_OPEN_ID, LiveServer, create_always_open_merchant, order_cart, prepare_database, register_customer,
)

CLIENT_THREADS = 8
KILL_AFTER_ORDERS = 150


class Intake:
    """What the client threads sent and what they heard back, per Idempotency-Key."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[str] = []
        self.answers: dict[str, tuple[int, str | None]] = {}
        self.failures: dict[str, str] = {}
        self.created = 0

    def run(self, base_url: str, headers: dict[str, str], thread: int) -> None:
        """Post orders until the server is gone: each thread ends on exactly one unanswered request."""
        with httpx.Client(base_url=base_url, timeout=30.0) as client:
            n = 0
            while True:
                key = f"durability-{thread}-{n}"
                n += 1
                with self.lock:
                    self.sent.append(key)
                try:
                    response = client.post("/orders", json=order_cart(),
                                           headers={**headers, "Idempotency-Key": key})
                except httpx.TransportError as exc:  # the server died with this request in flight (or before it)
                    with self.lock:
                        self.failures[key] = type(exc).__name__
                    return
                order_id = response.json().get("id") if response.status_code in (200, 201) else None
                with self.lock:
                    self.answers[key] = (response.status_code, order_id)
                    self.created += response.status_code == 201


def list_all_orders(client: httpx.Client, headers: dict[str, str]) -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 200}
    while True:
        response = client.get("/orders", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        orders.extend(page["items"])
        if not page["next_cursor"]:
            return orders
        params["cursor"] = page["next_cursor"]


def count_stored_orders(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.orders)
                                    .where(t.orders.c.merchant_id == ALWAYS_OPEN_ID)).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.slow
def test_answered_orders_survive_sigkill_and_retries_make_no_duplicates(database_url: str, tmp_path: Path) -> None:
    prepare_database(database_url)
    server = LiveServer(database_url, tmp_path / "data").start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=30.0) as client:
            create_always_open_merchant(client)
            customer = register_customer(client)

        intake = Intake()
        threads = [threading.Thread(target=intake.run, args=(server.base_url, customer, i), daemon=True)
                   for i in range(CLIENT_THREADS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while intake.created < KILL_AFTER_ORDERS and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()  # SIGKILL mid-stream: no shutdown hook runs
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)

        statuses = {status for status, _ in intake.answers.values()}
        assert statuses == {201}, f"before the kill every order was new and valid: {statuses}"
        acknowledged = {key: order_id for key, (_, order_id) in intake.answers.items()}
        assert len(acknowledged) >= KILL_AFTER_ORDERS, server.log_tail()
        assert len(intake.failures) == CLIENT_THREADS, "each thread's last request went unanswered"
        assert set(intake.sent) == acknowledged.keys() | intake.failures.keys()

        server.start()
        with httpx.Client(base_url=server.base_url, timeout=30.0) as client:
            # 1. Every order that was answered 201 is there: by id and in the customer's list.
            for key, order_id in acknowledged.items():
                response = client.get(f"/orders/{order_id}", headers=customer)
                assert response.status_code == 200, (key, response.text)
                assert response.json()["id"] == order_id
            listed_before_retries = {o["id"] for o in list_all_orders(client, customer)}
            assert set(acknowledged.values()) <= listed_before_retries

            # 2. Re-send every request with its key: answered ones replay their order; unanswered ones either
            #    replay (committed just before the kill) or are created now, once.
            order_of_key: dict[str, str] = {}
            for key in intake.sent:
                response = client.post("/orders", json=order_cart(), headers={**customer, "Idempotency-Key": key})
                assert response.status_code in (200, 201), (key, response.status_code, response.text)
                order_id = response.json()["id"]
                if key in acknowledged:
                    assert response.status_code == 200, (key, "an acknowledged key must replay")
                    assert response.headers.get("Idempotent-Replayed") == "true"
                    assert order_id == acknowledged[key]
                order_of_key[key] = order_id
            # ...and a second round changes nothing.
            for key in intake.sent:
                response = client.post("/orders", json=order_cart(), headers={**customer, "Idempotency-Key": key})
                assert response.status_code == 200, (key, response.status_code, response.text)
                assert response.json()["id"] == order_of_key[key]

            # 3. One order per key, no strays, no reused order numbers.
            listed = list_all_orders(client, customer)
        in_flight_committed = sum(order_of_key[key] in listed_before_retries for key in intake.failures)
        print(f"{len(acknowledged)} orders answered 201 before SIGKILL, {len(intake.failures)} unanswered "
              f"({in_flight_committed} of them had committed)")
        assert len(set(order_of_key.values())) == len(order_of_key) == len(set(intake.sent))
        assert {o["id"] for o in listed} == set(order_of_key.values())
        assert len(listed) == len(order_of_key)
        assert len({o["number"] for o in listed}) == len(listed)
        assert count_stored_orders(database_url) == len(order_of_key)
    finally:
        server.stop()
