"""POST /orders: the OrderIntake middleware answers the usual request exactly as the documented handler would,
and hands the handler everything else, body and all."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from server.api import orders as orders_api
from server.api.order_intake import MAX_FAST_BODY, _headers, _read_body, _replay
from tests.server.conftest import Api, margherita_cart


@pytest.fixture
def handler_orders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Order ids placed through the Litestar handler, "refused" for a refusal (the middleware places through its
    own reference)."""
    placed: list[str] = []
    real = orders_api.place

    async def recording(*args: Any) -> Any:
        try:
            status, content, replayed = await real(*args)
        except Exception:
            placed.append("refused")
            raise
        placed.append(json.loads(content)["id"])
        return status, content, replayed

    monkeypatch.setattr(orders_api, "place", recording)
    return placed


def uncached(api: Api, who: str) -> dict[str, str]:
    """`who`'s headers, with the session dropped from the cache so the next request takes the handler."""
    headers = api.as_(who)
    api.services.sessions.forget(api.tokens[who])
    return headers


def post(api: Api, headers: dict[str, str], body: Any, **more: str) -> Any:
    return api.client.post("/orders", json=body, headers={**headers, **more})


def test_fast_path_and_handler_give_the_same_answers(api: Api, handler_orders: list[str]) -> None:
    by_handler = post(api, uncached(api, "anna"), margherita_cart(), **{"Idempotency-Key": "k1"})
    assert by_handler.status_code == 201, by_handler.text
    assert handler_orders == [by_handler.json()["id"]]
    by_intake = post(api, api.as_("anna"), margherita_cart(), **{"Idempotency-Key": "k2"})
    assert by_intake.status_code == 201, by_intake.text
    assert handler_orders == [by_handler.json()["id"]]  # the second one did not reach the handler

    for answer in (by_handler, by_intake):
        assert answer.headers["content-type"] == "application/json"
        assert int(answer.headers["content-length"]) == len(answer.content)
        assert "idempotent-replayed" not in answer.headers
    first, second = by_handler.json(), by_intake.json()
    assert first.keys() == second.keys()
    assert second["number"] == first["number"] + 1
    assert {k: v for k, v in second.items() if k not in ("id", "number")} == \
        {k: v for k, v in first.items() if k not in ("id", "number")}

    replay = post(api, api.as_("anna"), margherita_cart(), **{"Idempotency-Key": "k1"})  # by the fast path
    assert replay.status_code == 200
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.content == by_handler.content
    assert len(handler_orders) == 1


def test_a_refused_order_gets_the_same_problem_on_either_path(api: Api, handler_orders: list[str]) -> None:
    cart = margherita_cart(lines=[{"item_id": "no-such-dish", "quantity": 1}])
    by_handler = post(api, uncached(api, "anna"), cart)
    by_intake = post(api, api.as_("anna"), cart)
    assert len(handler_orders) == 1
    assert by_handler.status_code == by_intake.status_code == 422
    assert by_intake.headers["content-type"] == by_handler.headers["content-type"] == "application/problem+json"
    assert by_intake.json() == by_handler.json()
    assert by_intake.json()["code"] == "unknown_item"


def test_staff_ordering_for_another_merchant_is_forbidden_on_the_fast_path(api: Api) -> None:
    post(api, api.as_("bowls_owner"), margherita_cart(lines=[{"item_id": "x", "quantity": 1}]))  # now cached
    response = post(api, api.as_("bowls_owner"), margherita_cart())
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("case", ["invalid_body", "long_key", "no_token", "driver", "not_json"])
def test_what_the_fast_path_does_not_take_gets_the_handlers_answer(api: Api, case: str,
                                                                   handler_orders: list[str]) -> None:
    api.as_("anna")
    post(api, api.as_("anna"), margherita_cart(lines=[{"item_id": "x", "quantity": 1}]))  # anna's session cached
    headers: Any = api.as_("anna")
    body: Any = margherita_cart()
    expected_status, expected_code = 201, None
    if case == "invalid_body":
        body = margherita_cart(lines=[{"item_id": "margherita", "variant_id": "large", "quantity": 0}])
        expected_status, expected_code = 422, "invalid_input"
    elif case == "long_key":
        headers = {**headers, "Idempotency-Key": "k" * 201}
        expected_status, expected_code = 422, "invalid_input"
    elif case == "no_token":
        headers = {}
        expected_status, expected_code = 401, "not_authenticated"
    elif case == "driver":
        headers = api.as_("driver")
        expected_status, expected_code = 403, "forbidden"
    if case == "not_json":
        response = api.client.post("/orders", content=b'{"merchant_id": ', headers=headers)
        expected_status, expected_code = 400, "bad_request"
    else:
        response = api.client.post("/orders", json=body, headers=headers)
    assert response.status_code == expected_status, response.text
    if expected_code is None:
        assert handler_orders == [response.json()["id"]]
    else:
        assert response.json()["code"] == expected_code


def test_a_large_body_is_streamed_to_the_handler(api: Api, handler_orders: list[str]) -> None:
    post(api, api.as_("anna"), margherita_cart(lines=[{"item_id": "x", "quantity": 1}]))  # anna's session cached
    padded = json.dumps(margherita_cart()).encode() + b" " * (MAX_FAST_BODY + 1)  # valid JSON, just long
    response = api.client.post("/orders", content=padded, headers={**api.as_("anna"),
                                                                     "content-type": "application/json"})
    assert response.status_code == 201, response.text
    assert handler_orders == [response.json()["id"]]


def test_a_repeated_header_or_odd_length_takes_the_handler() -> None:
    def scope(*headers: tuple[bytes, bytes]) -> dict[str, Any]:
        return {"headers": [(b"authorization", b"Bearer t"), *headers]}

    assert _headers(scope((b"idempotency-key", b"a"))) == {"authorization": "Bearer t", "key": "a"}
    assert _headers(scope((b"idempotency-key", b"a"), (b"idempotency-key", b"b"))) is None
    assert _headers(scope((b"authorization", b"Bearer u"))) is None
    assert _headers(scope((b"content-length", b"-1"))) is None
    assert _headers(scope((b"content-length", b"12"))) == {"authorization": "Bearer t", "length": "12"}


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_replay_gives_the_handler_every_chunk_then_the_connection() -> None:
    run(_replay_gives_every_chunk())


async def _replay_gives_every_chunk() -> None:
    messages = [{"type": "http.request", "body": b"ab", "more_body": True},
                {"type": "http.request", "body": b"cd", "more_body": False},
                {"type": "http.disconnect"}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    chunks, stopped = await _read_body(receive)
    assert (chunks, stopped) == ([b"ab", b"cd"], None)
    replayed = _replay(chunks, stopped, receive)
    assert [await replayed() for _ in range(3)] == [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"cd", "more_body": False},
        {"type": "http.disconnect"}]


def test_a_disconnect_while_reading_is_passed_on() -> None:
    run(_disconnect_passed_on())


async def _disconnect_passed_on() -> None:
    messages = [{"type": "http.request", "body": b"ab", "more_body": True}, {"type": "http.disconnect"}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    chunks, stopped = await _read_body(receive)
    assert stopped == {"type": "http.disconnect"}
    replayed = _replay(chunks, stopped, receive)
    assert await replayed() == {"type": "http.request", "body": b"ab", "more_body": True}
    assert await replayed() == {"type": "http.disconnect"}


def test_an_empty_body_is_replayed_as_one_empty_message() -> None:
    run(_empty_body())


async def _empty_body() -> None:
    async def receive() -> dict[str, Any]:
        raise AssertionError("the body was already read")

    replayed = _replay([], None, receive)
    assert await replayed() == {"type": "http.request", "body": b"", "more_body": False}


def test_a_retry_must_repeat_the_body_byte_for_byte(api: Api) -> None:
    body = json.dumps(margherita_cart()).encode()
    headers = {**api.as_("anna"), "content-type": "application/json", "Idempotency-Key": "k"}
    first = api.client.post("/orders", content=body, headers=headers)
    assert first.status_code == 201, first.text
    assert api.client.post("/orders", content=body, headers=headers).json()["id"] == first.json()["id"]
    reformatted = api.client.post("/orders", content=json.dumps(margherita_cart(), indent=2).encode(),
                                  headers=headers)
    assert reformatted.status_code == 409
    assert reformatted.json()["code"] == "idempotency_key_reused"
