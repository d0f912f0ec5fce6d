"""A pushed batch means what the same operations pushed one by one mean: every operation sees what the ones
before it did (no stale cache, no lost write), and each ends applied or rejected with a stable code.

Every ordered pair of operation kinds (and a fixed sample of triples) runs twice on copies of the demo
database, once as one push and once as a push per operation; answers and stored state must agree.
"""
from __future__ import annotations

import itertools
import json
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from core.orders.lifecycle import Role
from core.orders.model import Actor
from core.sync.hlc import HybridClock, Timestamp
from core.sync.operations import Operation
from server.services import Services
from server.sync.service import PushOperations, push
from tests.server.conftest import NOON, Clock, make_settings

PIZZERIA = "pizzeria-donau"
OWNER = Actor(role=Role.MERCHANT_OWNER, id="owner-1", merchant_id=PIZZERIA)
ANNA = Actor(role=Role.CUSTOMER, id="cust-anna")
SEED_ORDER = "0190a0a0-0000-7000-8000-900000000001"  # placed by anna and accepted before each scenario
DEVICE = "device-1"
WALL = int(NOON.timestamp() * 1000) - 60_000  # the device's clock, a minute behind the server's


def _op(n: int, entity: str, op: str, payload: dict[str, Any]) -> Operation:
    return Operation(id=f"0190a0a0-0000-7000-8000-{n:012d}", entity=entity, op=op, payload=payload,
                     hlc=str(Timestamp(WALL + n, 0, DEVICE)), device_id=DEVICE)


def _cart(item: str = "margherita", variant: str | None = "large", quantity: int = 1) -> dict[str, Any]:
    return {"merchant_id": PIZZERIA, "fulfilment": {"type": "pickup"},
            "lines": [{"item_id": item, "variant_id": variant, "quantity": quantity}]}


# Operation kinds: n makes ids and clocks unique, k (the kind's repeat in a scenario) varies the payload.
OWNER_OPS: dict[str, Callable[[int, int], Operation]] = {
    "place": lambda n, k: _op(n, "order", "place", _cart(quantity=k + 1)),
    "transition": lambda n, k: _op(n, "order", "transition", {"order_id": SEED_ORDER,
                                                              "action": ["start", "ready", "recall"][k % 3]}),
    "stock_adjust": lambda n, k: _op(n, "stock", "adjust", {"merchant_id": PIZZERIA, "key": "item:tiramisu",
                                                            "delta": -5 * (k + 1)}),
    "set_available": lambda n, k: _op(n, "stock", "set_available", {"merchant_id": PIZZERIA,
                                                                     "key": "item:margherita", "available": k % 2 == 1}),
    "bump": lambda n, k: _op(n, "bumps", "set_line", {"merchant_id": PIZZERIA, "order_id": SEED_ORDER, "line": 0,
                                                      "bumped": k % 2 == 0}),
    "busy": lambda n, k: _op(n, "busy", "set", {"merchant_id": PIZZERIA, "kind": ["paused", "off"][k % 2],
                                                "until": "2026-11-25T14:00:00+00:00" if k % 2 == 0 else None}),
    "hours": lambda n, k: _op(n, "hours", "set", {"merchant_id": PIZZERIA, "target": "item:margherita",
                                                  "windows": [{"days": [1], "start": "08:00", "end": "09:00"}]
                                                  if k % 2 == 0 else []}),
}
CUSTOMER_OPS: dict[str, Callable[[int, int], Operation]] = {
    "place": lambda n, k: _op(n, "order", "place", _cart("tiramisu", None, 4 + k * 4)),
    "cancel": lambda n, k: _op(n, "order", "transition", {"order_id": SEED_ORDER, "action": "cancel",
                                                          "reason": "changed my mind"}),
    "name": lambda n, k: _op(n, "profile", "set", {"fields": {"name": f"Anna {k}"}}),
    "language": lambda n, k: _op(n, "profile", "set", {"fields": {"language": ["es", "fr"][k % 2]}}),
    "phone": lambda n, k: _op(n, "profile", "set", {"fields": {"phone": "+43 660 1234567"}}),
}


@pytest.fixture
def run_scenario(demo_templates: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Any]]:
    counter = itertools.count()

    def run(actor: Actor, ops: list[Operation], *, one_by_one: bool) -> tuple[list[tuple[str, str | None]], Any]:
        path = tmp_path / f"db-{next(counter)}.sqlite3"
        shutil.copyfile(demo_templates["sqlite"], path)
        services = Services(make_settings(f"sqlite:///{path}", tmp_path), clock=Clock(), writer="thread")
        services.writer.start()
        try:
            _seed(services)
            batches = [[op] for op in ops] if one_by_one else [ops]
            answers = []
            for batch in batches:
                command = PushOperations(DEVICE, batch, actor, NOON, services.hlc)
                answers += [(r.status.value, r.code) for r in services.execute_sync(push, command)]
            return answers, _state(services)
        finally:
            services.stop()

    yield run


def _seed(services: Services) -> None:
    before = str(Timestamp(WALL - 1000, 0, DEVICE))
    place = Operation(id=SEED_ORDER, entity="order", op="place", payload=_cart("calzone", None), hlc=before,
                      device_id=DEVICE)
    accept = Operation(id=SEED_ORDER[:-1] + "2", entity="order", op="transition", hlc=before, device_id=DEVICE,
                       payload={"order_id": SEED_ORDER, "action": "accept", "prep_minutes": 20})
    placed = services.execute_sync(push, PushOperations(DEVICE, [place], ANNA, NOON, HybridClock("seed")))
    accepted = services.execute_sync(push, PushOperations(DEVICE, [accept], OWNER, NOON, HybridClock("seed")))
    assert placed[0].status.value == accepted[0].status.value == "acked", (placed, accepted)


def _state(services: Services) -> dict[str, Any]:
    queries = {
        "orders": "SELECT id, status, version, total FROM orders ORDER BY id",
        "stock": "SELECT key, count, available FROM stock WHERE merchant_id = 'pizzeria-donau' ORDER BY key",
        "customer": "SELECT doc FROM customers WHERE id = 'cust-anna'",
        "busy": "SELECT kind, extra_minutes, until FROM busy_modes ORDER BY merchant_id",
        "bumps": "SELECT order_id, line, bumped FROM line_bumps ORDER BY order_id, line",
        "menu": "SELECT version, doc FROM menus WHERE merchant_id = 'pizzeria-donau'",
    }
    with services.connection() as conn:
        return {name: [tuple(json.loads(v) if name == "customer" else v for v in row)
                       for row in conn.execute(text(sql))] for name, sql in queries.items()}


def _scenarios(kinds: dict[str, Callable[[int, int], Operation]], size: int,
               sample: int | None = None) -> list[tuple[str, ...]]:
    combos = list(itertools.product(kinds, repeat=size))
    return combos if sample is None else random.Random(size * 7919).sample(combos, sample)


def _ops(kinds: dict[str, Callable[[int, int], Operation]], scenario: tuple[str, ...]) -> list[Operation]:
    seen: dict[str, int] = {}
    ops = []
    for n, kind in enumerate(scenario, start=1):
        ops.append(kinds[kind](n, seen.get(kind, 0)))
        seen[kind] = seen.get(kind, 0) + 1
    return ops


SCENARIOS = [
    *[pytest.param(OWNER, OWNER_OPS, scenario, id="kitchen:" + "+".join(scenario))
      for scenario in _scenarios(OWNER_OPS, 2) + _scenarios(OWNER_OPS, 3, sample=24)],
    *[pytest.param(ANNA, CUSTOMER_OPS, scenario, id="customer:" + "+".join(scenario))
      for scenario in _scenarios(CUSTOMER_OPS, 2) + _scenarios(CUSTOMER_OPS, 3, sample=12)],
]


@pytest.mark.parametrize(("actor", "kinds", "scenario"), SCENARIOS)
def test_a_batch_means_what_its_operations_mean_one_by_one(run_scenario: Any, actor: Actor,
                                                           kinds: dict[str, Callable[[int, int], Operation]],
                                                           scenario: tuple[str, ...]) -> None:
    ops = _ops(kinds, scenario)
    batch = run_scenario(actor, ops, one_by_one=False)
    alone = run_scenario(actor, ops, one_by_one=True)
    assert batch == alone


def test_two_profile_edits_in_one_push_both_land(run_scenario: Any) -> None:
    """The audit's lost write: a name then a language in one push; both acked, both kept."""
    answers, state = run_scenario(ANNA, [CUSTOMER_OPS["name"](1, 2), CUSTOMER_OPS["language"](2, 0)],
                                  one_by_one=False)
    assert answers == [("acked", None), ("acked", None)]
    profile = state["customer"][0][0]
    assert (profile["name"], profile["language"]) == ("Anna 2", "es")
