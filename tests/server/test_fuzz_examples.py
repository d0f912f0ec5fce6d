"""Every failure the API fuzz (tests/server/test_fuzz_api.py) has found, kept as an explicit example so it is
tried on every run whatever the seed. Add one here, with what found it, before fixing it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.server.conftest import Api
from tests.server.test_fuzz_api import assert_problem

AWAITING_THE_SERVICE_LAYER = "fixed by the service layer work (issue 13: bound every integer at the edge)"


@dataclass(frozen=True)
class Found:
    """One request the fuzz answered wrongly; `broken_on` lists the database backends where it still does."""

    name: str
    who: str
    method: str
    path: str
    body: Any
    broken_on: frozenset[str] = field(default_factory=frozenset)


FOUND = [
    # schemathesis, another seed: OverflowError (Python int too large to convert to SQLite INTEGER) → 500.
    # PostgreSQL refuses the value itself ("integer out of range"), which the server answers with a 422.
    Found("promo-max-uses-beyond-64-bits", "owner", "POST", "/merchants/pizzeria-donau/promos",
          {"code": "HUGE", "kind": "fixed", "value": "1", "max_uses": 40223454232497570810167296},
          broken_on=frozenset({"sqlite"})),
]


@pytest.mark.parametrize("found", FOUND, ids=lambda f: f.name)
def test_a_found_failure_is_answered_with_a_problem(api: Api, found: Found, request: pytest.FixtureRequest) -> None:
    backend = api.services.settings.database_url.split(":", 1)[0].split("+", 1)[0]
    if backend in found.broken_on:
        request.applymarker(pytest.mark.xfail(strict=True, reason=AWAITING_THE_SERVICE_LAYER))
    response = api.client.request(found.method, found.path, json=found.body, headers=api.as_(found.who))
    assert_problem(response)
    assert 400 <= response.status_code < 500, response.text
