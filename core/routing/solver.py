"""Dispatch solver: drivers + orders -> routes with ETAs, using OR-Tools pickups and deliveries.

Model (see engine.RoutingSpec): one start node per driver at the driver's position, one shared
"anywhere" end node reached at zero cost (routes are open), a pickup and a drop-off node per order
(drop-off only for orders already on board, pinned to their carrier). One tick = one second; arc
cost = `COST_SCALE` x travel seconds so soft-window penalties per minute stay integral.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.routing.engine import FirstSolution, Metaheuristic, RoutingSpec, search_parameters, solve_spec, ticks
from core.routing.model import (
    DriverRoute, Location, Plan, Problem, Stop, StopKind, Task, UnassignedReason, UnassignedTask,
)
from core.routing.prechecks import Legs, departure_time, unservable_reason
from core.routing.travel import TravelMatrix, TravelTimeProvider

COST_SCALE = 60  # cost units per travel second: a per-minute lateness penalty becomes per-second x1
DROP_PENALTY = 10**10  # dropping an order costs more than any amount of driving
PINNED_DROP_PENALTY = 10**13  # on-board or locked orders: drop only if there is truly no way


@dataclass(frozen=True)
class SolverOptions:
    """Search knobs: wall-clock limit and OR-Tools strategy names."""

    time_limit_s: float = 2.0
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"


@dataclass
class _Node:
    kind: StopKind | None  # None for driver starts and the end node
    task: Task | None
    location: Location | None


def plan_routes(
    problem: Problem,
    travel: TravelTimeProvider,
    options: SolverOptions = SolverOptions(),
    previous: Plan | None = None,
) -> Plan:
    """Assign orders to drivers and sequence their stops.

    Orders on board stay with their carrier; locked orders go only to their driver; orders that
    cannot be served come back in `Plan.unassigned` with a reason. `previous` warm-starts the search
    from an earlier plan (stops of orders that no longer exist are skipped).
    """
    drivers = problem.drivers
    carriers = {o: d for d in drivers for o in d.on_board}
    points = [d.start for d in drivers] + [t.pickup for t in problem.tasks] + [t.dropoff for t in problem.tasks]
    vehicle_types = sorted({d.vehicle for d in drivers}, key=lambda v: v.value)
    matrices = {vt: travel.matrix(points, points, vt) for vt in vehicle_types}
    n_d, n_t = len(drivers), len(problem.tasks)

    def point_time(vt, a: int, b: int) -> tuple[float, str | None]:
        return matrices[vt].time(a, b), matrices[vt].reason(a, b)

    unassigned: list[UnassignedTask] = []
    warnings: list[str] = []
    nodes = [_Node(None, None, d.start) for d in drivers] + [_Node(None, None, None)]
    node_point = list(range(n_d)) + [-1]
    pairs, allowed, penalties, soft = [], {}, {}, {}
    for k, task in enumerate(problem.tasks):
        pick_pt, drop_pt = n_d + k, n_d + n_t + k
        carrier = carriers.get(task.order_id)
        if carrier is None:
            legs = {
                d.id: Legs(*point_time(d.vehicle, drivers.index(d), pick_pt), *point_time(d.vehicle, pick_pt, drop_pt))
                for d in drivers
            }
            reason = unservable_reason(task, problem, legs)
            if reason is not None:
                unassigned.append(reason)
                continue
            p = len(nodes)
            nodes += [_Node(StopKind.PICKUP, task, task.pickup), _Node(StopKind.DROPOFF, task, task.dropoff)]
            node_point += [pick_pt, drop_pt]
            pairs.append((p, p + 1))
            penalties[p] = penalties[p + 1] = PINNED_DROP_PENALTY if task.locked_to else DROP_PENALTY
            if task.locked_to:
                allowed[p] = allowed[p + 1] = [i for i, d in enumerate(drivers) if d.id == task.locked_to]
        else:
            v = drivers.index(carrier)
            if task.locked_to not in (None, carrier.id):
                warnings.append(f"order {task.order_id} is locked to {task.locked_to} but on board of {carrier.id}")
            seconds, why = point_time(carrier.vehicle, v, drop_pt)
            if math.isinf(seconds):
                unassigned.append(UnassignedTask(task.order_id, UnassignedReason.UNREACHABLE, why or "unreachable"))
                warnings.append(f"order {task.order_id} is on board of {carrier.id} but cannot be delivered: {why}")
                continue
            nodes.append(_Node(StopKind.DROPOFF, task, task.dropoff))
            node_point.append(drop_pt)
            allowed[len(nodes) - 1] = [v]
            penalties[len(nodes) - 1] = PINNED_DROP_PENALTY
            earliest = departure_time(carrier, problem.now) + seconds
            if task.dropoff_window.hard and earliest > task.dropoff_window.end:
                # Food already in the car cannot be refused: deliver late, as early as possible.
                soft[len(nodes) - 1] = (ticks(task.dropoff_window.end), COST_SCALE * 100)
                warnings.append(
                    f"order {task.order_id} on board of {carrier.id} will be late: earliest {earliest:.0f} s"
                )
    end_node = n_d
    horizon = max([ticks(d.shift.end) for d in drivers] + [1])
    windows, service, demands = [], [], []
    for i, node in enumerate(nodes):
        task = node.task
        if task is None:
            windows.append((0, horizon)); service.append(0); demands.append(0)
        elif node.kind is StopKind.PICKUP:
            windows.append((min(horizon, max(0, ticks(task.ready_from))), horizon))
            service.append(ticks(task.pickup_service_s)); demands.append(task.size)
        else:
            w = task.dropoff_window
            lo = min(horizon, max(0, ticks(w.start)))
            hi = max(lo, math.floor(w.end)) if w.hard and i not in soft else horizon
            windows.append((lo, min(hi, horizon)))
            if not w.hard:
                soft[i] = (max(0, math.floor(w.end)), max(1, round(w.late_penalty_per_minute)))
            service.append(ticks(task.dropoff_service_s)); demands.append(-task.size)
    travel_ticks = []
    for vt in vehicle_types:
        m = matrices[vt]
        travel_ticks.append([
            [
                0 if end_node in (a, b) else ticks(m.time(node_point[a], node_point[b]))
                for b in range(len(nodes))
            ]
            for a in range(len(nodes))
        ])
    spec = RoutingSpec(
        travel=travel_ticks,
        vehicle_class=[vehicle_types.index(d.vehicle) for d in drivers],
        service=service, windows=windows, demands=demands,
        capacities=[d.capacity for d in drivers],
        start_loads=[sum(problem.task(o).size for o in d.on_board if _has(problem, o)) for d in drivers],
        starts=list(range(n_d)), ends=[end_node] * n_d,
        vehicle_windows=[_vehicle_window(d, problem.now, horizon) for d in drivers],
        horizon=horizon,
        fixed_costs=[round(d.fixed_cost * COST_SCALE) for d in drivers],
        pairs=pairs, allowed_vehicles=allowed, drop_penalties=penalties, soft_late=soft, cost_scale=COST_SCALE,
    )
    params = search_parameters(
        options.time_limit_s,
        getattr(FirstSolution, options.first_solution),
        getattr(Metaheuristic, options.metaheuristic),
    )
    initial = _warm_routes(previous, problem, nodes, allowed) if previous else None
    result = solve_spec(spec, params, initial)
    routes = result.routes if result else [[] for _ in drivers]
    served = {nodes[n].task.order_id for r in routes for n in r}
    for node in nodes:
        if node.task is not None and node.kind is StopKind.DROPOFF and node.task.order_id not in served:
            unassigned.append(UnassignedTask(
                node.task.order_id, UnassignedReason.NO_ROOM,
                "feasible on its own, but no driver has room for it alongside the other orders",
            ))
    driver_routes = tuple(
        _schedule(d, problem.now, [nodes[n] for n in r], matrices[d.vehicle], node_point, r, v)
        for v, (d, r) in enumerate(zip(drivers, routes))
    )
    etas = {s.order_id: s.service_start for r in driver_routes for s in r.stops if s.kind is StopKind.DROPOFF}
    objective = float(result.objective if result else 0) / COST_SCALE
    return Plan(driver_routes, tuple(unassigned), tuple(warnings), objective, etas)


def _vehicle_window(driver, now: float, horizon: int) -> tuple[int, int]:
    hi = min(horizon, max(0, math.floor(driver.shift.end)))
    return min(hi, ticks(departure_time(driver, now))), hi  # an ended shift still yields a valid empty route


def _has(problem: Problem, order_id: str) -> bool:
    return any(t.order_id == order_id for t in problem.tasks)


def _schedule(driver, now, route_nodes, matrix: TravelMatrix, node_point, route, v) -> DriverRoute:
    """Earliest-start schedule along the route with exact (float) travel times."""
    stops, clock, at = [], departure_time(driver, now), v
    for node, n in zip(route_nodes, route):
        task = node.task
        arrival = clock + matrix.time(at, node_point[n])
        if node.kind is StopKind.PICKUP:
            start, dur, late = max(arrival, task.ready_from), task.pickup_service_s, 0.0
        else:
            start = max(arrival, task.dropoff_window.start)
            dur, late = task.dropoff_service_s, max(0.0, start - task.dropoff_window.end)
        stops.append(Stop(node.kind, task.order_id, node.location, arrival, start, start + dur, late))
        clock, at = start + dur, node_point[n]
    return DriverRoute(driver.id, tuple(stops))


def _warm_routes(previous: Plan, problem: Problem, nodes: list[_Node], allowed) -> list[list[int]]:
    """Translate a previous plan into node lists, keeping only stops still valid for that driver."""
    index = {(n.kind, n.task.order_id): i for i, n in enumerate(nodes) if n.task is not None}
    routes = []
    for v, driver in enumerate(problem.drivers):
        seq = []
        for stop in previous.route_of(driver.id).stops:
            i = index.get((stop.kind, stop.order_id))
            if i is not None and i not in seq and v in allowed.get(i, [v]):
                seq.append(i)
        routes.append(seq)
    seen = {}
    for v, seq in enumerate(routes):  # a pair split across drivers cannot seed the search
        for i in seq:
            seen.setdefault(nodes[i].task.order_id, set()).add(v)
    return [[i for i in seq if len(seen[nodes[i].task.order_id]) == 1] for seq in routes]
