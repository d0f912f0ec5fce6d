"""The operation log's wire model: what /sync/push accepts from a device, checked before anything is applied."""
from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from core.ids import uuid7
from core.sync.hlc import HybridClock
from core.sync.operations import Entity, Operation, OperationResult, OperationState

CLOCK = HybridClock("tablet1", wall=lambda: 1_700_000_000_000)


def operation(**fields: Any) -> dict[str, Any]:
    return {"id": str(uuid7()), "entity": "stock", "op": "adjust",
            "payload": {"merchant_id": "pizzeria-donau", "key": "item:tiramisu", "delta": -1},
            "hlc": str(CLOCK.now()), "device_id": "tablet1", **fields}


def test_a_device_operation_round_trips_through_json() -> None:
    raw = operation()
    op = Operation.model_validate(raw)
    assert op.entity is Entity.STOCK and op.payload == raw["payload"]
    assert Operation.model_validate_json(op.model_dump_json()) == op
    assert op.model_dump(mode="json") == raw


def test_every_entity_the_merge_rules_name_is_accepted() -> None:
    assert {e.value for e in Entity} == {"order", "stock", "profile", "bumps", "busy", "hours"}
    for entity in Entity:
        assert Operation.model_validate(operation(entity=entity.value)).entity is entity


@pytest.mark.parametrize(("field", "value"), [
    ("id", "131bc40e-08c8-4a5c-b482-775e7c123803"),  # a UUIDv4, not a UUIDv7: no time order, maybe not made by our outbox
    ("id", "not-a-uuid"),
    ("id", "01A23CB0-1A7A-76B3-A101-B2FE539CA658"),  # a UUIDv7 in capitals
    ("entity", "payment"),
    ("op", ""),
    ("op", "x" * 41),
    ("hlc", "yesterday"),
    ("hlc", "1-2-"),
    ("hlc", "0" * 121),
    ("device_id", ""),
    ("device_id", "d" * 81),
    ("payload", ["not", "an", "object"]),
])
def test_a_malformed_operation_is_refused(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Operation.model_validate(operation(**{field: value}))
    assert info.value.errors()[0]["loc"][0] == field


def test_an_operation_without_a_payload_has_an_empty_one() -> None:
    raw = operation()
    del raw["payload"]
    assert Operation.model_validate(raw).payload == {}


def test_results_carry_the_state_and_the_servers_reason() -> None:
    rejected = OperationResult.model_validate({"id": "x", "status": "rejected", "code": "invalid_transition",
                                               "detail": "cannot accept an order that is cancelled"})
    assert rejected.status is OperationState.REJECTED and rejected.result is None
    acked = OperationResult(id="y", status=OperationState.ACKED, result={"count": 3})
    assert OperationResult.model_validate_json(acked.model_dump_json()) == acked
    with pytest.raises(ValidationError):
        OperationResult.model_validate({"id": "z", "status": "maybe"})
