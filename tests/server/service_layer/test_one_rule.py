"""One rule per decision: what the REST API and an offline tablet both change follows one last-writer-wins
rule, the REST edit stamped by the server's clock when it arrives."""
from __future__ import annotations

from core.sync.hlc import Timestamp
from tests.server.conftest import Api
from tests.server.devices import Device

PIZZERIA = "pizzeria-donau"


def _stamp(api: Api, seconds: float, node: str) -> Timestamp:
    """A device stamp `seconds` from the server's clock (negative: made earlier, offline)."""
    return Timestamp(int((api.clock().timestamp() + seconds) * 1000), 0, node)


def _available(api: Api, key: str) -> bool:
    return {r["key"]: r for r in api.get(f"/merchants/{PIZZERIA}/stock", "staff").json()}[key]["available"]


def test_a_tablets_late_86_does_not_undo_a_newer_one_by_rest(api: Api) -> None:
    tablet = Device(api, "staff", "tablet-1")
    assert api.patch(f"/merchants/{PIZZERIA}/stock", "staff", {"key": "item:tiramisu", "available": False}
                     ).status_code == 200
    made_offline_before = tablet.op("stock", "set_available", {"merchant_id": PIZZERIA, "key": "item:tiramisu",
                                                               "available": True}, hlc=_stamp(api, -600, "tablet-1"))
    assert tablet.push(made_offline_before)[0]["status"] == "acked"
    assert _available(api, "item:tiramisu") is False  # the later edit (REST) stands


def test_a_tablets_newer_86_wins_over_an_older_one_by_rest(api: Api) -> None:
    tablet = Device(api, "staff", "tablet-1")
    assert api.patch(f"/merchants/{PIZZERIA}/stock", "staff", {"key": "item:tiramisu", "available": False}
                     ).status_code == 200
    newer = tablet.op("stock", "set_available", {"merchant_id": PIZZERIA, "key": "item:tiramisu", "available": True},
                      hlc=_stamp(api, 30, "tablet-1"))  # a tablet a little ahead of the server, within the drift
    assert tablet.push(newer)[0]["status"] == "acked"
    assert _available(api, "item:tiramisu") is True


def test_opening_hours_set_by_rest_are_not_undone_by_an_older_tablet_edit(api: Api) -> None:
    merchant = api.get(f"/merchants/{PIZZERIA}", "owner").json()
    merchant["opening_hours"] = [{"days": [1, 2, 3, 4, 5, 6, 7], "start": "10:00", "end": "23:00"}]
    merchant.pop("busy", None)
    assert api.put(f"/merchants/{PIZZERIA}", "owner", merchant).status_code == 200, "PUT refused"
    tablet = Device(api, "owner", "tablet-1")
    older = tablet.op("hours", "set", {"merchant_id": PIZZERIA, "target": "merchant",
                                       "windows": [{"days": [1], "start": "08:00", "end": "09:00"}]},
                      hlc=_stamp(api, -600, "tablet-1"))
    result = tablet.push(older)[0]
    assert result["status"] == "acked"
    assert [w["start"] for w in result["result"]["windows"]] == ["10:00:00"]
    assert [w["start"] for w in api.get(f"/merchants/{PIZZERIA}", "owner").json()["opening_hours"]] == ["10:00:00"]
