"""Fixtures of the security tests: the rate-limit counters, memory and Redis (the server .ci/run starts)."""
from __future__ import annotations

import os
import uuid

import pytest

from server.ratelimit.counters import Counters, MemoryCounters, RedisCounters
from tests.conftest import REDIS_ENV


def redis_test_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"{REDIS_ENV} is not set: run the suite through .ci/run, which starts redis-server")
    return url


def redis_counters(prefix: str) -> RedisCounters:
    """Counters on the test Redis under `prefix` (a fresh one per test: the server is shared)."""
    return RedisCounters(redis_test_url(), prefix=prefix)


@pytest.fixture(params=["memory", "redis"])
def rate_counters(request: pytest.FixtureRequest) -> Counters:
    """Each backend of the counters port, empty."""
    if request.param == "memory":
        return MemoryCounters()
    return redis_counters(f"mealkitz-test:{uuid.uuid4().hex}:")
