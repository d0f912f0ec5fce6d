"""Staff PIN brute force: over real HTTP from two client addresses (127.0.0.2, 127.0.0.3), with the default
limits. Guesses for one kitchen from one address are refused long before the 20th, without an argon2 verify
each, while the right PIN still works from another address. A PIN signs in merchant staff only, for a shift."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from core.orders.lifecycle import Role
from server import auth
from server.app import create_app
from server.db import tables as t
from server.ratelimit.counters import Counters
from server.settings import RateLimits
from tests.server.conftest import Api, make_settings
from tests.server.live_server import free_port

KITCHEN = "pizzeria-donau"
RIGHT_PIN = "1234"  # the demo staff account's (assets/demo/krems.json)


@contextmanager
def served(database_url: str, data_dir: Path, counters: Counters) -> Iterator[str]:
    """The demo app with the default limits, served over HTTP on 127.0.0.1 from a thread of this process."""
    app = create_app(make_settings(database_url, data_dir), migrate=False, rate_counters=counters)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(30)


def client_from(address: str, base_url: str) -> httpx.Client:
    """An HTTP client whose connections come from `address` (any 127/8 address is this machine)."""
    return httpx.Client(base_url=base_url, transport=httpx.HTTPTransport(local_address=address), timeout=30)


def start_well_inside_a_window(counters: Counters, seconds: int, margin: float = 60.0) -> None:
    """The counters' fixed windows end on multiples of `seconds` of their own clock; a run that crossed one
    would see its count start again. Wait out the end of a window that is about to close."""
    clock = counters._clock  # type: ignore[attr-defined]  # both backends take their clock for tests like this
    left = seconds - clock() % seconds
    if left < margin:
        time.sleep(left + 0.1)


def test_twenty_wrong_pins_are_refused_long_before_the_twentieth(demo_database_url: str, tmp_path: Path,
                                                                 rate_counters: Counters,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    verified: list[int] = []
    real_verify = auth._verify

    def counting_verify(hashed: str, secret: str) -> bool:
        verified.append(1)
        return real_verify(hashed, secret)

    monkeypatch.setattr(auth, "_verify", counting_verify)
    start_well_inside_a_window(rate_counters, RateLimits().sign_in_per_client_account.seconds)
    with served(demo_database_url, tmp_path, rate_counters) as base_url:
        with client_from("127.0.0.2", base_url) as attacker:
            statuses, verifies = [], []
            for guess in range(20):
                answer = attacker.post("/auth/pin", json={"merchant_id": KITCHEN, "pin": f"{9000 + guess}"})
                statuses.append(answer.status_code)
                verifies.append(len(verified))
        first_refusal = statuses.index(429)
        assert first_refusal <= 10, statuses
        assert set(statuses[:first_refusal]) == {401} and set(statuses[first_refusal:]) == {429}
        assert int(answer.headers["retry-after"]) >= 1
        # Refused guesses cost no argon2 verify: the count stops growing at the first refusal.
        assert verifies[first_refusal:] == [verifies[first_refusal - 1]] * (20 - first_refusal)
        with client_from("127.0.0.3", base_url) as tablet:
            signed_in = tablet.post("/auth/pin", json={"merchant_id": KITCHEN, "pin": RIGHT_PIN})
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["role"] == "merchant_staff"


def test_a_pin_signs_in_staff_only(api: Api) -> None:
    with api.services.engine.begin() as conn:
        auth.create_account(conn, email="owner-with-pin@pizzeria-donau.local", password="owner-pass-123",
                            role=Role.MERCHANT_OWNER, merchant_id=KITCHEN, pin="4321")
    refused = api.client.post("/auth/pin", json={"merchant_id": KITCHEN, "pin": "4321"})
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_credentials"


def test_pin_sessions_last_a_shift(api: Api) -> None:
    answer = api.client.post("/auth/pin", json={"merchant_id": KITCHEN, "pin": RIGHT_PIN})
    assert answer.status_code == 200
    with api.services.engine.connect() as conn:
        row = conn.execute(select(t.sessions.c.created_at, t.sessions.c.expires_at)
                           .where(t.sessions.c.token_hash == auth.token_digest(answer.json()["token"]))).one()
    assert row.expires_at - row.created_at == timedelta(hours=api.services.settings.pin_session_hours) == \
        timedelta(hours=12)
