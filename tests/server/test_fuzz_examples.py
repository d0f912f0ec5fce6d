"""Every failure the API fuzz (tests/server/test_fuzz_api.py) has found, kept as an explicit example so it is
tried on every run whatever the seed. Add one here, with what found it, before fixing it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.server.conftest import Api
from tests.server.test_fuzz_api import assert_problem

@dataclass(frozen=True)
class Found:
    """One request the fuzz answered wrongly."""

    name: str
    who: str
    method: str
    path: str
    body: Any


FOUND = [
    # schemathesis, another seed: OverflowError (Python int too large to convert to SQLite INTEGER) → 500.
    # Every number is now bounded at the edge (tests/server/service_layer/test_bounded_inputs.py).
    Found("promo-max-uses-beyond-64-bits", "owner", "POST", "/merchants/pizzeria-donau/promos",
          {"code": "HUGE", "kind": "fixed", "value": "1", "max_uses": 40223454232497570810167296}),
    # schemathesis, a random seed: a code of only white space normalised to "" was stored, then unreadable.
    Found("promo-code-of-white-space", "owner", "POST", "/merchants/pizzeria-donau/promos",
          {"code": "\n", "kind": "fixed", "value": "1"}),
    # The independent audit: a menu price of 1e1000 was stored, and every quote with the item answered 500.
    Found("menu-price-1e1000", "owner", "PUT", "/merchants/pizzeria-donau/menu",
          {"merchant_id": "pizzeria-donau", "currency": "EUR",
           "items": [{"id": "x", "name": "X", "category_id": "c", "price": "1e1000"}],
           "categories": [{"id": "c", "name": "C"}]}),
]


@pytest.mark.parametrize("found", FOUND, ids=lambda f: f.name)
def test_a_found_failure_is_answered_with_a_problem(api: Api, found: Found) -> None:
    response = api.client.request(found.method, found.path, json=found.body, headers=api.as_(found.who))
    assert_problem(response)
    assert 400 <= response.status_code < 500, response.text
