"""Caches keyed by what requests name stay bounded: a flood of random session tokens or merchant and customer
ids neither grows them without limit nor evicts what is in use, and a malformed token costs no query."""
from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import Connection

from server.auth import SessionResolver, well_formed_token
from server.bounded_cache import TtlLru
from server.db.catalog_cache import CatalogCache
from tests.server.conftest import Api


def counting(connect: Callable[[], AbstractContextManager[Connection]], calls: list[int]) -> Callable[..., object]:
    def counted() -> AbstractContextManager[Connection]:
        calls.append(1)
        return connect()

    return counted


def test_a_flood_of_random_tokens_leaves_the_session_cache_bounded(api: Api) -> None:
    queries: list[int] = []
    resolver = SessionResolver(counting(api.services.engine.connect, queries), max_sessions=100, max_misses=50)
    api.as_("anna")
    token = api.tokens["anna"]
    assert resolver.resolve(token) is not None
    for _ in range(2_000):
        assert resolver.resolve(secrets.token_urlsafe(32)) is None
    assert len(resolver) <= 100 + 50
    assert resolver.cached(token)[1] is not None  # misses never evict a session in use


def test_a_malformed_token_is_refused_without_a_query(api: Api) -> None:
    queries: list[int] = []
    resolver = SessionResolver(counting(api.services.engine.connect, queries))
    for junk in ["", "x", "a" * 42, "a" * 44, "a" * 42 + "!", "ä" * 43, "a" * 10_000]:
        assert not well_formed_token(junk)
        assert resolver.resolve(junk) is None
    assert queries == [] and len(resolver) == 0
    assert api.client.get("/auth/me", headers={"Authorization": "Bearer " + "z" * 5000}).status_code == 401


def test_a_flood_of_unknown_ids_leaves_the_catalogue_cache_bounded(api: Api) -> None:
    cache = CatalogCache(ttl=60.0, max_merchants=10, max_customers=10, max_unknown=20)
    with api.services.engine.connect() as conn:
        merchant, _ = cache.get(conn, "pizzeria-donau")
        assert merchant is not None
        for _ in range(1_000):
            assert cache.get(conn, f"no-such-kitchen-{uuid.uuid4()}") == (None, None)
            assert cache.customer(conn, f"cust-{uuid.uuid4()}") is None
        assert len(cache) <= 10 + 10 + 20
        assert cache.get(conn, "pizzeria-donau")[0] is merchant  # still cached: unknown ids never evict it


def test_bounded_cache_expires_and_evicts_the_least_recently_used() -> None:
    now = [0.0]
    cache: TtlLru[int] = TtlLru(max_entries=2, ttl=10.0, clock=lambda: now[0])
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.lookup("a") == (True, 1)  # "a" is now the most recently used
    cache.put("c", 3)
    assert cache.lookup("b") == (False, None) and len(cache) == 2
    now[0] = 10.0
    assert cache.lookup("a") == (False, None) and cache.lookup("c") == (False, None)
