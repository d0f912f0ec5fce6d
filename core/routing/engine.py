"""OR-Tools building blocks shared by the dispatch solver and the VRPTW entry point.

Both front ends translate their domain into an indexed `RoutingSpec` (integer "ticks" for time and
cost) and call `solve_spec`. Travel matrices go to C++ via RegisterTransitMatrix, so no Python
callback runs inside the search (that is what makes 10-second runs worth anything).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

FirstSolution = routing_enums_pb2.FirstSolutionStrategy
Metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic

# Large but safely inside int64 once multiplied by cost scales and summed over a route.
UNREACHABLE_TICKS = 10**9
log = logging.getLogger(__name__)


@dataclass
class RoutingSpec:
    """Indexed routing model.

    Nodes are 0..n-1. `travel[c][i][j]` is the travel time in ticks for vehicle class c; the time a
    vehicle spends from node i to j is `service[i] + travel[c][i][j]`. `windows[i]` bounds the
    service start at node i. Vehicles run from `starts[v]` to `ends[v]`.
    """

    travel: list[list[list[int]]]
    vehicle_class: list[int]
    service: list[int]
    windows: list[tuple[int, int]]
    demands: list[int]
    capacities: list[int]
    starts: list[int]
    ends: list[int]
    vehicle_windows: list[tuple[int, int]]
    horizon: int
    start_loads: list[int] | None = None
    fixed_costs: list[int] | None = None
    pairs: list[tuple[int, int]] = field(default_factory=list)
    allowed_vehicles: dict[int, list[int]] = field(default_factory=dict)
    drop_penalties: dict[int, int] = field(default_factory=dict)  # absent node = must be served
    soft_late: dict[int, tuple[int, int]] = field(default_factory=dict)  # node -> (due, coeff per tick)
    cost_scale: int = 1  # arc cost = cost_scale x travel ticks

    @property
    def num_vehicles(self) -> int:
        """How many vehicles the problem has."""
        return len(self.starts)


@dataclass
class SolveResult:
    """Routes as node lists (start/end nodes excluded), per vehicle, plus the solver objective."""

    routes: list[list[int]]
    objective: int
    dropped: list[int]


def search_parameters(
    time_limit_s: float,
    first_solution: int = FirstSolution.PARALLEL_CHEAPEST_INSERTION,
    metaheuristic: int = Metaheuristic.GUIDED_LOCAL_SEARCH,
    gls_lambda: float | None = None,
) -> pywrapcp.DefaultRoutingSearchParameters:
    """Search parameters: insertion-based first solution (arc-based ones fail on tight windows),
    then a metaheuristic until the time limit."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = first_solution
    params.local_search_metaheuristic = metaheuristic
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if gls_lambda is not None:
        params.guided_local_search_lambda_coefficient = gls_lambda
    return params


def ruin_recreate_parameters(
    time_limit_s: float,
    avg_removed_visits: int = 10,
    max_removed_sequence: int = 10,
    improve_perturbed: bool = False,
) -> pywrapcp.DefaultRoutingSearchParameters:
    """Iterated local search with SISR ruin (string removals), cheapest-insertion recreate and simulated
    annealing (automatic temperatures) deciding when a perturbed solution replaces the reference one: a
    distance search. The best solution is always the cheapest one found. `BuiltModel.solve` runs it with
    `RoutingModel.SolveWithIteratedLocalSearch`, which starts from its own first solution.
    """
    params = search_parameters(time_limit_s, FirstSolution.LOCAL_CHEAPEST_INSERTION, Metaheuristic.GREEDY_DESCENT)
    params.use_iterated_local_search = True
    ils = params.iterated_local_search_parameters
    ruin_recreate = ils.ruin_recreate_parameters
    del ruin_recreate.ruin_strategies[:]
    sisr = ruin_recreate.ruin_strategies.add().sisr
    sisr.max_removed_sequence_size = max_removed_sequence
    sisr.avg_num_removed_visits = avg_removed_visits
    sisr.bypass_factor = 0.01
    ruin_recreate.recreate_strategy.heuristic = FirstSolution.LOCAL_CHEAPEST_INSERTION
    ils.reference_solution_acceptance_strategy.simulated_annealing.automatic_temperatures = True
    ils.best_solution_acceptance_strategy.greedy_descent.SetInParent()
    ils.improve_perturbed_solution = improve_perturbed
    return params


class BuiltModel:
    """A RoutingModel built from a spec, with its index manager and dimensions."""

    def __init__(self, spec: RoutingSpec) -> None:
        self.spec = spec
        n = len(spec.service)
        self.manager = pywrapcp.RoutingIndexManager(n, spec.num_vehicles, spec.starts, spec.ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._add_costs()
        self.time = self._add_time()
        self._add_capacity()
        self._add_pairs_and_restrictions()

    def _add_costs(self) -> None:
        spec, routing = self.spec, self.routing
        for c, travel in enumerate(spec.travel):
            cost = [[min(v, UNREACHABLE_TICKS) * spec.cost_scale for v in row] for row in travel]
            cb = routing.RegisterTransitMatrix(cost)
            for v in range(spec.num_vehicles):
                if spec.vehicle_class[v] == c:
                    routing.SetArcCostEvaluatorOfVehicle(cb, v)
        for v, fixed in enumerate(spec.fixed_costs or []):
            routing.SetFixedCostOfVehicle(int(fixed), v)

    def _add_time(self) -> pywrapcp.RoutingDimension:
        spec, routing = self.spec, self.routing
        callbacks = []
        for travel in spec.travel:
            transit = [
                [spec.service[i] + min(t, UNREACHABLE_TICKS) for t in row] for i, row in enumerate(travel)
            ]
            callbacks.append(routing.RegisterTransitMatrix(transit))
        per_vehicle = [callbacks[spec.vehicle_class[v]] for v in range(spec.num_vehicles)]
        routing.AddDimensionWithVehicleTransits(per_vehicle, spec.horizon, spec.horizon, False, "time")
        time = routing.GetDimensionOrDie("time")
        endpoints = set(spec.starts) | set(spec.ends)
        for node, (lo, hi) in enumerate(spec.windows):
            if node in endpoints:
                continue
            index = self.manager.NodeToIndex(node)
            time.CumulVar(index).SetRange(lo, hi)
            if node in spec.soft_late:
                due, coeff = spec.soft_late[node]
                time.SetCumulVarSoftUpperBound(index, due, coeff)
        for v, (lo, hi) in enumerate(spec.vehicle_windows):
            time.CumulVar(routing.Start(v)).SetRange(lo, hi)
            time.CumulVar(routing.End(v)).SetMax(hi)
        return time

    def _add_capacity(self) -> None:
        spec, routing = self.spec, self.routing
        demand_cb = routing.RegisterUnaryTransitVector(list(spec.demands))
        routing.AddDimensionWithVehicleCapacity(demand_cb, 0, list(spec.capacities), False, "load")
        load = routing.GetDimensionOrDie("load")
        for v, start_load in enumerate(spec.start_loads or []):
            load.CumulVar(routing.Start(v)).SetValue(start_load)

    def _add_pairs_and_restrictions(self) -> None:
        spec, routing, solver = self.spec, self.routing, self.routing.solver()
        for pickup, dropoff in spec.pairs:
            p, d = self.manager.NodeToIndex(pickup), self.manager.NodeToIndex(dropoff)
            routing.AddPickupAndDelivery(p, d)
            solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
            solver.Add(routing.ActiveVar(p) == routing.ActiveVar(d))
            solver.Add(self.time.CumulVar(p) <= self.time.CumulVar(d))
        for node, vehicles in spec.allowed_vehicles.items():
            index = self.manager.NodeToIndex(node)
            # -1 keeps "unperformed" possible for droppable nodes.
            extra = [-1] if node in spec.drop_penalties else []
            routing.VehicleVar(index).SetValues(extra + list(vehicles))
        for node, penalty in spec.drop_penalties.items():
            routing.AddDisjunction([self.manager.NodeToIndex(node)], int(penalty))

    def routes_of(self, assignment) -> list[list[int]]:
        """Node lists per vehicle, start and end excluded."""
        routes = []
        for v in range(self.spec.num_vehicles):
            index, nodes = self.routing.Start(v), []
            index = assignment.Value(self.routing.NextVar(index))
            while not self.routing.IsEnd(index):
                nodes.append(self.manager.IndexToNode(index))
                index = assignment.Value(self.routing.NextVar(index))
            routes.append(nodes)
        return routes

    def solve(
        self, params, initial_routes: list[list[int]] | None = None, stop_when_all_served: bool = False
    ) -> SolveResult | None:
        """Solve, warm-starting from `initial_routes` (node lists per vehicle) when given.

        An initial solution that violates the new constraints is ignored rather than fatal:
        re-planning must always produce a plan. With `stop_when_all_served`, the search ends as soon as a
        solution serves every droppable node, instead of running to the time limit.

        Parameters with `use_iterated_local_search` (see `ruin_recreate_parameters`) run OR-Tools'
        iterated local search, which builds its own first solution (`initial_routes` is not used: OR-Tools
        offers no warm start for it), and the search cannot be ended early, so with
        `stop_when_all_served` the cheapest solution serving every node is kept as it goes by and
        returned if the final one still drops nodes.
        """
        routing = self.routing
        routing.CloseModelWithParameters(params)
        iterated = params.use_iterated_local_search
        droppable = [routing.ActiveVar(self.manager.NodeToIndex(n)) for n in self.spec.drop_penalties]
        all_served: list = [None, None]  # (objective, routes) of the cheapest plan serving every node
        if stop_when_all_served:

            def stop_when_good_enough() -> None:
                if iterated:
                    cost = routing.CostVar().Value()
                    if (all_served[0] is None or cost < all_served[0]) and all(var.Value() for var in droppable):
                        all_served[:] = [cost, self._current_routes()]
                elif all(var.Value() for var in droppable):
                    routing.solver().FinishCurrentSearch()

            routing.AddAtSolutionCallback(stop_when_good_enough)
        assignment = None
        if initial_routes is not None and not iterated:
            start = routing.ReadAssignmentFromRoutes(
                [[self.manager.NodeToIndex(n) for n in r] for r in initial_routes], True
            )
            if start is None:
                log.info("warm start rejected (violates the new constraints); solving from scratch")
            else:
                assignment = routing.SolveFromAssignmentWithParameters(start, params)
        if assignment is None:
            if iterated:
                assignment = routing.SolveWithIteratedLocalSearch(params)
            else:
                assignment = routing.SolveWithParameters(params)
        if assignment is None and all_served[1] is None:
            return None
        routes = self.routes_of(assignment) if assignment is not None else None
        served = {n for r in routes for n in r} if routes is not None else set()
        dropped = [n for n in self.spec.drop_penalties if n not in served]
        if all_served[1] is not None and (routes is None or dropped):
            return SolveResult(all_served[1], all_served[0], [])
        return SolveResult(routes, assignment.ObjectiveValue(), dropped)

    def _current_routes(self) -> list[list[int]]:
        """Routes of the solution being visited (inside a solution callback)."""
        routing, routes = self.routing, []
        for v in range(self.spec.num_vehicles):
            index, nodes = routing.NextVar(routing.Start(v)).Value(), []
            while not routing.IsEnd(index):
                nodes.append(self.manager.IndexToNode(index))
                index = routing.NextVar(index).Value()
            routes.append(nodes)
        return routes


def solve_spec(
    spec: RoutingSpec, params, initial_routes: list[list[int]] | None = None, stop_when_all_served: bool = False
) -> SolveResult | None:
    """Build the OR-Tools model for `spec` and solve it (None if no solution was found)."""
    return BuiltModel(spec).solve(params, initial_routes, stop_when_all_served)


def ticks(seconds: float, scale: float = 1.0) -> int:
    """Seconds (or distance units) to integer ticks, rounding up so integer schedules stay
    conservative: a route feasible in ticks is feasible with the exact float times."""
    if math.isinf(seconds):
        return UNREACHABLE_TICKS
    return int(math.ceil(seconds * scale - 1e-9))
