"""Classic VRPTW entry point (Solomon-style): depot, customers, capacity, hard windows.

Built on the same OR-Tools building blocks as the dispatch solver (engine.RoutingSpec). The
objective is hierarchical, vehicles first, then distance, solved in three phases within one time
budget: (1) a first plan with a large fixed cost per vehicle, (2) route elimination: drop the
smallest route, allow one vehicle fewer and let the search re-insert its customers (droppable at a
high penalty) warm-started from the previous plan, (3) distance polishing of the best plan.
Distances are Euclidean, scaled to integers and rounded up so integer-feasible plans stay feasible
with exact distances; reported distances are recomputed unrounded from the routes.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from core.routing.engine import FirstSolution, RoutingSpec, search_parameters, solve_spec, ticks

# Costs are in multiples of the longest arc. They stay moderate on purpose: guided local search
# scales its penalties with the objective, and huge constants drown the distance signal. Fewer
# vehicles come from route elimination (fleet size as a hard limit), not from a giant fixed cost.
FIRST_FIXED_COST = 2  # first plan: nudge towards fewer, fuller routes
DROP_PENALTY = 4  # elimination: dropping beats no insertion (<= 2 arcs)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VrptwCustomer:
    id: int
    x: float
    y: float
    demand: int
    ready: float
    due: float
    service: float


@dataclass(frozen=True)
class VrptwInstance:
    """A VRPTW instance: `depot` is customer 0; `vehicles` is the fleet size available."""

    name: str
    vehicles: int
    capacity: int
    depot: VrptwCustomer
    customers: tuple[VrptwCustomer, ...]

    def site(self, i: int) -> VrptwCustomer:
        """Node i: 0 is the depot, 1..n the customers in file order."""
        return self.depot if i == 0 else self.customers[i - 1]


@dataclass(frozen=True)
class VrptwSolution:
    """Routes as lists of node numbers (depot excluded), with unrounded Euclidean distance."""

    routes: tuple[tuple[int, ...], ...]
    distance: float

    @property
    def vehicles(self) -> int:
        return sum(1 for r in self.routes if r)


def parse_solomon(text: str, name: str | None = None) -> VrptwInstance:
    """Parse Solomon's text format (name line, VEHICLE block, CUSTOMER table)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    head = lines.index("VEHICLE")
    vehicles, capacity = (int(v) for v in lines[head + 2].split())
    rows = [ln.split() for ln in lines[head + 3 :] if ln.split()[0].isdigit()]
    sites = [
        VrptwCustomer(int(r[0]), float(r[1]), float(r[2]), int(float(r[3])), float(r[4]), float(r[5]), float(r[6]))
        for r in rows
    ]
    return VrptwInstance(name or lines[0], vehicles, capacity, sites[0], tuple(sites[1:]))


def euclidean(a: VrptwCustomer, b: VrptwCustomer) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


def route_distance(instance: VrptwInstance, routes) -> float:
    """Total unrounded Euclidean length of depot-to-depot routes."""
    total = 0.0
    for route in routes:
        path = [0, *route, 0] if route else []
        total += sum(euclidean(instance.site(a), instance.site(b)) for a, b in zip(path, path[1:]))
    return total


def check_vrptw(instance: VrptwInstance, routes, max_vehicles: int | None = None) -> list[str]:
    """Violations of a VRPTW plan with exact float times (empty list = feasible)."""
    problems = []
    visits = [c for r in routes for c in r]
    expected = set(range(1, len(instance.customers) + 1))
    if sorted(visits) != sorted(expected):
        problems.append(f"customers not visited exactly once: missing {sorted(expected - set(visits))[:5]}, "
                        f"{len(visits) - len(set(visits))} repeated")
    used = sum(1 for r in routes if r)
    if used > (max_vehicles or instance.vehicles):
        problems.append(f"{used} vehicles used, fleet is {max_vehicles or instance.vehicles}")
    depot = instance.depot
    for k, route in enumerate(r for r in routes if r):
        if sum(instance.site(c).demand for c in route) > instance.capacity:
            problems.append(f"route {k}: load over capacity {instance.capacity}")
        clock, at = depot.ready, depot
        for c in route:
            site = instance.site(c)
            start = max(clock + euclidean(at, site), site.ready)
            if start > site.due + 1e-9:
                problems.append(f"route {k}: customer {c} served at {start:.3f} after due {site.due}")
            clock, at = start + site.service, site
        if clock + euclidean(at, depot) > depot.due + 1e-9:
            problems.append(f"route {k}: back at depot at {clock + euclidean(at, depot):.3f} after {depot.due}")
    return problems


def _spec(instance: VrptwInstance, vehicles: int, scale: int, fixed_cost: int, drop_penalty: int | None) -> RoutingSpec:
    sites = [instance.depot, *instance.customers]
    travel = [[ticks(euclidean(a, b), scale) for b in sites] for a in sites]
    return RoutingSpec(
        travel=[travel],
        vehicle_class=[0] * vehicles,
        service=[ticks(s.service, scale) for s in sites],
        windows=[(ticks(s.ready, scale), math.floor(s.due * scale)) for s in sites],
        demands=[s.demand for s in sites],
        capacities=[instance.capacity] * vehicles,
        starts=[0] * vehicles,
        ends=[0] * vehicles,
        vehicle_windows=[(ticks(instance.depot.ready, scale), math.floor(instance.depot.due * scale))] * vehicles,
        horizon=math.floor(instance.depot.due * scale),
        fixed_costs=[fixed_cost] * vehicles,
        drop_penalties={i: drop_penalty for i in range(1, len(sites))} if drop_penalty else {},
    )


def solve_vrptw(
    instance: VrptwInstance,
    time_limit_s: float = 10.0,
    scale: int = 1000,
    elimination_share: float = 0.6,
    attempt_share: float = 0.3,
) -> VrptwSolution:
    """Minimise vehicles, then distance, within `time_limit_s` seconds of wall time.

    `elimination_share` of the budget goes to route elimination, each attempt at most
    `attempt_share`; the first plan gets half of the rest and polishing whatever is left.
    `scale` multiplies distances before rounding up to integer ticks.
    Raises RuntimeError when not even a first plan with the whole fleet is found.
    """
    deadline = time.monotonic() + time_limit_s
    sites = [instance.depot, *instance.customers]
    first_budget = time_limit_s * (1 - elimination_share) / 2
    # Measured on Solomon: local cheapest insertion gives the best start on most classes; arc-based
    # strategies (PATH_CHEAPEST_ARC) find nothing feasible on tight windows.
    params = search_parameters(first_budget, FirstSolution.LOCAL_CHEAPEST_INSERTION)
    max_arc = ticks(max(euclidean(a, b) for a in sites for b in sites), scale)
    result = solve_spec(_spec(instance, instance.vehicles, scale, FIRST_FIXED_COST * max_arc, None), params)
    if result is None:
        raise RuntimeError(f"{instance.name}: no feasible plan with {instance.vehicles} vehicles")
    best = [r for r in result.routes if r]
    log.debug("%s: first plan %d vehicles", instance.name, len(best))
    elimination_end = time.monotonic() + time_limit_s * elimination_share
    # No plan can use fewer vehicles than total demand / capacity: don't spend time below that.
    lower_bound = max(1, math.ceil(sum(c.demand for c in instance.customers) / instance.capacity))
    seed: list[list[int]] | None = None  # partial plan for len(best) - 1 vehicles, carried over on retry
    while len(best) > lower_bound and time.monotonic() < min(elimination_end, deadline) - 0.2:
        slice_s = min(attempt_share * time_limit_s, min(elimination_end, deadline) - time.monotonic())
        if seed is None:
            smallest = min(range(len(best)), key=lambda k: (len(best[k]), route_distance(instance, [best[k]])))
            seed = [r for k, r in enumerate(best) if k != smallest]
        attempt = solve_spec(
            _spec(instance, len(best) - 1, scale, 0, DROP_PENALTY * max_arc),
            search_parameters(slice_s, FirstSolution.PARALLEL_CHEAPEST_INSERTION),
            seed,
            stop_when_all_served=True,
        )
        log.debug("%s: %d vehicles -> %s dropped", instance.name, len(best) - 1, attempt and len(attempt.dropped))
        if attempt is None:
            break
        if attempt.dropped:
            seed = attempt.routes  # a few customers short: keep going from here while time allows
            continue
        best, seed = [r for r in attempt.routes if r], None
    remaining = deadline - time.monotonic()
    if remaining > 0.3:
        polished = solve_spec(
            _spec(instance, len(best), scale, 0, None),
            search_parameters(remaining - 0.1, FirstSolution.PARALLEL_CHEAPEST_INSERTION),
            best,
        )
        if polished is not None:
            best = [r for r in polished.routes if r]
    return VrptwSolution(tuple(tuple(r) for r in best), route_distance(instance, best))
