"""Backoff bounds, and how the API client sorts failures into "retry later" and "rejected"."""
from __future__ import annotations

import json
import random

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.client.api import ApiClient, NotAuthenticated, Rejected, RetryLater
from apps.client.sync import Backoff


@given(base=st.floats(0.001, 5), cap=st.floats(0.01, 120), seed=st.integers(0, 2**32), attempts=st.integers(1, 80))
@settings(max_examples=200)
def test_every_delay_is_between_zero_and_the_capped_exponential(base: float, cap: float, seed: int,
                                                               attempts: int) -> None:
    backoff = Backoff(base=base, cap=cap, rng=random.Random(seed))
    for n in range(attempts):
        delay = backoff.next_delay()
        assert 0 <= delay <= min(cap, base * 2 ** n)
    backoff.reset()
    assert backoff.ceiling() == min(cap, base)


def test_delays_are_jittered_over_the_whole_range() -> None:
    """Full jitter: at the cap, waits spread over [0, cap] rather than bunching at the top."""
    backoff = Backoff(base=1, cap=8, rng=random.Random(7), attempt=10)
    delays = [backoff.next_delay() for _ in range(2000)]
    assert max(delays) <= 8
    assert min(delays) < 0.5 and max(delays) > 7.5
    assert 3.5 < sum(delays) / len(delays) < 4.5


def _client(handler) -> ApiClient:  # type: ignore[no-untyped-def]
    return ApiClient("http://mealkitz.test", token="t0k", transport=httpx.MockTransport(handler))


def _problem(status: int, code: str, detail: str) -> httpx.Response:
    return httpx.Response(status, headers={"content-type": "application/problem+json"},
                          content=json.dumps({"status": status, "code": code, "detail": detail}))


@pytest.mark.parametrize(("status", "kind"), [(409, Rejected), (422, Rejected), (403, Rejected), (404, Rejected),
                                              (401, NotAuthenticated), (429, RetryLater), (500, RetryLater),
                                              (503, RetryLater)])
def test_problem_details_become_typed_errors(status: int, kind: type) -> None:
    api = _client(lambda request: _problem(status, "some_code", "why it failed"))
    with pytest.raises(kind) as caught:
        api.order("ord-1")
    assert type(caught.value) is kind
    assert (caught.value.status, caught.value.code, caught.value.detail) == (status, "some_code", "why it failed")


def test_network_failures_are_retry_later() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(RetryLater) as caught:
        _client(refuse).pull()
    assert caught.value.status is None and caught.value.code == "network"


def test_an_unreadable_success_is_retry_later_not_success() -> None:
    api = _client(lambda request: httpx.Response(200, content=b"<html>captive portal</html>"))
    with pytest.raises(RetryLater):
        api.pull()
    with pytest.raises(RetryLater):
        _client(lambda request: httpx.Response(200, json={"oops": 1})).pull()


def test_a_non_problem_error_body_still_has_a_code() -> None:
    with pytest.raises(RetryLater) as caught:
        _client(lambda request: httpx.Response(502, content=b"Bad Gateway")).me()
    assert caught.value.code == "http_502"


def test_requests_carry_the_token_and_the_idempotency_key() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": "ord-1"})

    api = _client(answer)
    api.place_order({"merchant_id": "m"}, idempotency_key="k-1")
    assert seen[0].headers["authorization"] == "Bearer t0k"
    assert seen[0].headers["idempotency-key"] == "k-1"
    assert api.live_url() == "ws://mealkitz.test/live?token=t0k"
