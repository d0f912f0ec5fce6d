"""Rate limits on every route, per client address and per account, stricter on sign-in and webhooks: a refusal
is a 429 problem with Retry-After. Each test runs on both databases and both counter backends (memory, Redis)."""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect

from server.ratelimit.counters import Counters
from server.settings import Rate, RateLimits
from tests.server.conftest import DEMO_LOGINS, Api, margherita_cart, serve_api

# Counters use fixed windows aligned to the clock: a day-long window keeps a test of a few seconds from
# straddling a window's end (with 60 s windows, about one run in ten did, and the count started again).
WINDOW = 86_400
GENEROUS = Rate(10_000, 60)


def limited_api(database_url: str, data_dir: Path, counters: Counters, **limits: Rate) -> AbstractContextManager[Api]:
    """The demo app with `limits` in place of the defaults they name."""
    return serve_api(database_url, data_dir, replace(RateLimits(), **limits), counters)


def assert_rate_limited(response: Any, *, within: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= within


def login(api: Api, who: str, password: str | None = None) -> Any:
    email, right = DEMO_LOGINS[who]
    return api.client.post("/auth/login", json={"email": email, "password": password or right})


def test_every_route_is_refused_past_the_client_limit(demo_database_url: str, tmp_path: Path,
                                                      rate_counters: Counters) -> None:
    with limited_api(demo_database_url, tmp_path, rate_counters, per_client=Rate(3, WINDOW)) as api:
        assert [api.client.get("/health").status_code for _ in range(3)] == [200, 200, 200]
        assert_rate_limited(api.client.get("/health"), within=WINDOW)
        assert_rate_limited(api.client.get("/merchants/pizzeria-donau/menu"), within=WINDOW)


def test_a_live_socket_past_the_client_limit_is_closed_unaccepted(demo_database_url: str, tmp_path: Path,
                                                                 rate_counters: Counters) -> None:
    with limited_api(demo_database_url, tmp_path, rate_counters, per_client=Rate(1, WINDOW)) as api:
        assert api.client.get("/health").status_code == 200
        with pytest.raises(WebSocketDisconnect) as closed:
            with api.client.websocket_connect("/live") as socket:
                socket.receive_text()
        assert closed.value.code == 4429 and "try again in" in str(closed.value.detail)


def test_order_intake_fast_path_counts_against_the_account(demo_database_url: str, tmp_path: Path,
                                                           rate_counters: Counters) -> None:
    with limited_api(demo_database_url, tmp_path, rate_counters, per_client=GENEROUS,
                     per_account=Rate(2, WINDOW)) as api:
        placed = [api.post("/orders", "anna", margherita_cart(), **{"Idempotency-Key": f"k{n}"}) for n in range(2)]
        assert [r.status_code for r in placed] == [201, 201]
        assert_rate_limited(api.post("/orders", "anna", margherita_cart(), **{"Idempotency-Key": "k3"}),
                            within=WINDOW)
        assert_rate_limited(api.get("/auth/me", "anna"), within=WINDOW)
        assert api.get("/auth/me", "lucia").status_code == 200  # another account, the same address


def test_sign_in_has_a_stricter_client_limit(demo_database_url: str, tmp_path: Path,
                                             rate_counters: Counters) -> None:
    with limited_api(demo_database_url, tmp_path, rate_counters, sign_in_per_client=Rate(3, WINDOW)) as api:
        assert [login(api, "anna", "wrong-password").status_code for _ in range(2)] == [401, 401]
        assert api.client.post("/auth/register", json={"name": "Eve", "email": "eve@example.com",
                                                       "password": "long-enough"}).status_code == 201
        assert_rate_limited(login(api, "lucia"), within=WINDOW)
        assert_rate_limited(api.client.post("/auth/pin", json={"merchant_id": "pizzeria-donau", "pin": "1234"}),
                            within=WINDOW)
        assert api.client.get("/health").status_code == 200  # other routes keep their own, larger limit


def test_password_guesses_are_limited_per_account(demo_database_url: str, tmp_path: Path,
                                                  rate_counters: Counters) -> None:
    with limited_api(demo_database_url, tmp_path, rate_counters, sign_in_per_client=GENEROUS,
                     sign_in_per_client_account=Rate(3, WINDOW)) as api:
        assert [login(api, "anna", "wrong-password").status_code for _ in range(3)] == [401] * 3
        assert_rate_limited(login(api, "anna"), within=WINDOW)  # even the right password, once over
        assert login(api, "lucia").status_code == 200


def test_successful_sign_ins_do_not_use_up_the_account_limit(demo_database_url: str, tmp_path: Path,
                                                            rate_counters: Counters) -> None:
    with limited_api(demo_database_url, tmp_path, rate_counters, sign_in_per_client=GENEROUS,
                     sign_in_per_client_account=Rate(2, WINDOW), sign_in_per_account=Rate(2, WINDOW)) as api:
        pin = {"merchant_id": "pizzeria-donau", "pin": "1234"}  # staff after staff on one shared tablet
        assert [api.client.post("/auth/pin", json=pin).status_code for _ in range(5)] == [200] * 5
        assert login(api, "anna", "wrong-password").status_code == 401
        assert login(api, "anna").status_code == 200
        assert login(api, "anna", "wrong-password").status_code == 401
        assert_rate_limited(login(api, "anna", "wrong-password"), within=WINDOW)


def test_webhooks_have_their_own_client_limit(demo_database_url: str, tmp_path: Path,
                                              rate_counters: Counters) -> None:
    with limited_api(demo_database_url, tmp_path, rate_counters, webhooks_per_client=Rate(2, WINDOW)) as api:
        answers = [api.client.post("/webhooks/whatsapp", content=b"{}").status_code for _ in range(2)]
        assert 429 not in answers
        assert_rate_limited(api.client.post("/webhooks/whatsapp", content=b"{}"), within=WINDOW)
        assert_rate_limited(api.client.get("/webhooks/instagram"), within=WINDOW)
        assert api.client.get("/health").status_code == 200
