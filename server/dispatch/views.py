"""The plan on the wire (and in the dispatch_plans row): per driver ordered stops with ETAs, unassigned
orders with reasons. `plan_from_doc` turns a stored document back into a Plan to warm-start from."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.routing import DriverRoute, Location, Plan, Stop, StopKind, UnassignedReason, UnassignedTask
from core.routing.dispatch import plan_stats


def _at(epoch: datetime, seconds: float) -> str:
    return (epoch + timedelta(seconds=round(seconds))).isoformat()


def stop_view(stop: Stop, epoch: datetime, info: dict[str, Any]) -> dict[str, Any]:
    about = info.get(stop.order_id, {})
    return {
        "kind": stop.kind.value, "order_id": stop.order_id, "order_number": about.get("number"),
        "merchant_id": about.get("merchant_id"),
        "place": about.get("merchant_name") if stop.kind is StopKind.PICKUP else about.get("address"),
        "location": {"lat": stop.location.lat, "lon": stop.location.lon},
        "arrival": _at(epoch, stop.arrival), "eta": _at(epoch, stop.service_start),
        "departure": _at(epoch, stop.departure), "late_minutes": round(float(stop.lateness) / 60, 1),
        # seconds since the plan epoch, for warm starts (road-graph times arrive as numpy floats)
        "t": [float(stop.arrival), float(stop.service_start), float(stop.departure), float(stop.lateness)],
    }


def plan_doc(plan: Plan, epoch: datetime, info: dict[str, dict[str, Any]], drivers: list[dict[str, Any]],
             violations: list[str], trigger: list[str], solve_seconds: float) -> dict[str, Any]:
    stats = plan_stats(plan)
    return {
        "computed_at": epoch.isoformat(),
        "routes": [{"driver_id": r.driver_id, "stops": [stop_view(s, epoch, info) for s in r.stops]}
                   for r in plan.routes if r.stops],
        "unassigned": [{"order_id": u.order_id, "order_number": info.get(u.order_id, {}).get("number"),
                        "reason": u.reason.value, "detail": u.detail} for u in plan.unassigned],
        "drivers": drivers,
        "warnings": list(plan.warnings),
        "violations": violations,
        "stats": {"orders": stats.orders, "assigned": stats.assigned, "unassigned": stats.unassigned,
                  "late": int(stats.late), "solve_seconds": round(solve_seconds, 3)},
        "trigger": trigger,
    }


def empty_doc(now: datetime) -> dict[str, Any]:
    return plan_doc(Plan(()), now, {}, [], [], [], 0.0) | {"computed_at": None}


def plan_from_doc(doc: dict[str, Any]) -> Plan:
    """Routes and unassigned orders of a stored plan (times relative to its own epoch)."""
    routes = []
    for route in doc.get("routes", []):
        stops = tuple(
            Stop(StopKind(s["kind"]), s["order_id"], Location(s["location"]["lat"], s["location"]["lon"]), *s["t"])
            for s in route["stops"])
        routes.append(DriverRoute(route["driver_id"], stops))
    unassigned = tuple(UnassignedTask(u["order_id"], UnassignedReason(u["reason"]), u["detail"])
                       for u in doc.get("unassigned", []))
    return Plan(tuple(routes), unassigned)


def driver_stops_view(doc: dict[str, Any], driver_id: str) -> list[dict[str, Any]]:
    route = next((r for r in doc.get("routes", []) if r["driver_id"] == driver_id), None)
    return [{k: v for k, v in s.items() if k != "t"} for s in route["stops"]] if route else []


def public_doc(doc: dict[str, Any]) -> dict[str, Any]:
    """The plan without the warm-start internals."""
    routes = [{"driver_id": r["driver_id"], "stops": [{k: v for k, v in s.items() if k != "t"} for s in r["stops"]]}
              for r in doc.get("routes", [])]
    return {**doc, "routes": routes}
