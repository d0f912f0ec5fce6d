"""A device as the server's sync tests see it: what an app's outbox sends."""
from __future__ import annotations

from core.ids import uuid7
from core.sync.hlc import HybridClock, Timestamp
from tests.server.conftest import Api


class Device:
    """What an app's outbox sends: UUIDv7 ids, hybrid-clock stamps, one device id."""

    def __init__(self, api: Api, who: str, name: str, wall: int = 1_700_000_000_000) -> None:
        self.api, self.who, self.name = api, who, name
        self.clock = HybridClock(name, wall=lambda: wall)

    def op(self, entity: str, op: str, payload: dict, *, hlc: Timestamp | None = None) -> dict:
        return {"id": str(uuid7()), "entity": entity, "op": op, "payload": payload,
                "hlc": str(hlc or self.clock.now()), "device_id": self.name}

    def push(self, *ops: dict) -> list[dict]:
        response = self.api.post("/sync/push", self.who, {"device_id": self.name, "operations": list(ops)})
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def pull(self, since: str | None = None) -> dict:
        params = {"since": since} if since else {}
        response = self.api.get("/sync/pull", self.who, **params)
        assert response.status_code == 200, response.text
        return response.json()
