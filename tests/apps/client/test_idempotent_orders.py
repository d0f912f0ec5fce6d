"""An order placed online from any app carries an Idempotency-Key: the same one on a retry, none is never sent."""
from __future__ import annotations


import pytest

from apps.client.api import ApiClient
from core.ids import uuid7
from tests.apps.client.scripted_server import ScriptedSyncServer

CART = {"merchant_id": "pizzeria-donau", "lines": [{"item_id": "margherita", "variant_id": "large", "quantity": 1}]}


def order_posts(server: ScriptedSyncServer) -> list[dict[str, str]]:
    return [{k.lower(): v for k, v in headers.items()} for method, path, headers, _ in server.requests
            if (method, path) == ("POST", "/orders")]


def test_placing_an_order_sends_its_key_and_a_retry_sends_the_same_one(server: ScriptedSyncServer) -> None:
    key = str(uuid7())
    with ApiClient(server.base_url, "token") as api:
        api.place_order(CART, key)
        api.place_order(CART, key)  # the answer was lost: the app retries with the key it kept
    assert [h["idempotency-key"] for h in order_posts(server)] == [key, key]


@pytest.mark.parametrize("headers", [None, {}, {"Idempotency-Key": ""}, {"Idempotency-Key": "   "},
                                     {"X-Request-Id": "abc"}])
def test_an_order_without_a_key_is_never_sent(server: ScriptedSyncServer, headers: dict[str, str] | None) -> None:
    with ApiClient(server.base_url, "token") as api:
        with pytest.raises(ValueError, match="Idempotency-Key"):
            api.request("POST", "/orders", json=CART, headers=headers)
        with pytest.raises(ValueError, match="Idempotency-Key"):
            api.request("post", "/orders/", json=CART, headers=headers)
        with pytest.raises(ValueError, match="Idempotency-Key"):
            api.place_order(CART, "")
    assert order_posts(server) == []


def test_the_header_is_found_in_any_case(server: ScriptedSyncServer) -> None:
    with ApiClient(server.base_url, "token") as api:
        api.request("POST", "/orders", json=CART, headers={"idempotency-key": "k-1"})
    assert [h["idempotency-key"] for h in order_posts(server)] == ["k-1"]

