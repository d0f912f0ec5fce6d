"""A dinner peak in Krems, simulated: our automatic dispatch against the nearest-free-driver rule.

    python -m benchmarks.dispatch_sim [--osm PATH] [--hours 3] [--drivers 8] [--seed S] [--time-limit 1.0]

Simulated time, no sleeping. From 17:30, orders arrive as a Poisson process whose rate peaks at 19:00
(8/h off-peak, 40/h at the top) at the three demo kitchens; customers sit at random road-reachable points
of the map within the kitchen's zone. Kitchens quote their default prep time and really take 0.8-1.5x of
it; every leg takes the road graph's time x a random 0.9-1.35 (traffic, parking). The promise is the
product's own rule (placed + quoted prep + travel estimate, core.orders); "on time" means delivered by the
promise + 5 min (the planner itself prices lateness from the promise on).

- ours: core.routing.dispatch re-planning (OR-Tools, warm start, road graph) at every event: order
  accepted, food ready, food late (the kitchen's estimate passed), driver late (> 3 min behind the plan).
  A driver finishes the leg in progress (that stop is committed); everything else may move.
- baseline: at acceptance the nearest free driver (road time to the kitchen) takes the order, one order
  per trip; with no free driver, orders queue and the next driver to become free takes the oldest.

Both runs see the same orders, prep times and driver start positions. Driven km follow the fastest road
path of each leg. Last line:
    dispatch_on_time_share: <ours> baseline=<theirs> km=<ours km>/<baseline km>
"""
from __future__ import annotations

import argparse
import heapq
import json
import math
import random
import statistics
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import networkx as nx

from core.orders.handlers import travel_minutes
from core.routing import Location, Plan, RoadGraphTravelTimes, SolverOptions, StopKind, TimeWindow, VehicleType
from core.routing.dispatch import DispatchOrder, DispatchPolicy, DriverState, Stage, build_problem, check, solve
from core.routing.road_graph import haversine_m

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "assets" / "demo" / "krems.json"
START = datetime(2026, 11, 27, 16, 30, tzinfo=timezone.utc)  # 17:30 in Vienna
PEAK_H, PEAK_SD_H, BASE_PER_H, PEAK_PER_H = 1.5, 0.6, 8.0, 32.0  # rate = base + peak x gaussian around 19:00
MERCHANT_SHARE = {"pizzeria-donau": 0.45, "krems-burger": 0.30, "wachau-bowls": 0.25}
FLEET = [(VehicleType.SCOOTER, 4), (VehicleType.BIKE, 3), (VehicleType.SCOOTER, 4), (VehicleType.CAR, 6)]
DRIVER_LATE_S = 180.0
POLICY = DispatchPolicy()
ON_TIME_GRACE_S = 300.0  # delivered within 5 min of the promise counts as on time (promises show as a range)


@dataclass
class SimOrder:
    id: str
    merchant: str
    pickup: Location
    dropoff: Location
    placed: float
    quoted_ready: float
    actual_ready: float
    promised: float
    picked: float | None = None
    delivered: float | None = None
    driver: str | None = None


@dataclass
class SimDriver:
    id: str
    vehicle: VehicleType
    capacity: int
    at: Location  # where the driver is, or will be when the current activity ends
    free_at: float = 0.0  # when the current activity (leg + service) is expected to end
    busy: bool = False
    committed: tuple[StopKind, str] | None = None  # the stop being driven to / served
    itinerary: list[tuple[StopKind, str]] = field(default_factory=list)
    on_board: set[str] = field(default_factory=set)
    km: float = 0.0
    planned_arrival: float | None = None


class Roads:
    """Travel times from the product's provider, and the length of the fastest path for driven km."""

    def __init__(self, osm: Path) -> None:
        self.times = RoadGraphTravelTimes.from_osm_file(osm, max_snap_m=1000, snap_to_main_component=True)
        self._graphs: dict[VehicleType, nx.DiGraph] = {}
        self._paths: dict[tuple[VehicleType, int], dict[int, list[int]]] = {}

    def seconds(self, a: Location, b: Location, vehicle: VehicleType) -> float:
        return self.times.matrix([a], [b], vehicle).time(0, 0)

    def _graph(self, vehicle: VehicleType) -> nx.DiGraph:
        if vehicle not in self._graphs:
            cap, g = self.times.max_speeds_kph[vehicle], nx.DiGraph()
            for u, v, d in self.times.graph.edges(data=True):
                s = d["length"] / (min(d["speed_kph"], cap) / 3.6)
                if not g.has_edge(u, v) or g[u][v]["seconds"] > s:
                    g.add_edge(u, v, seconds=s, length=d["length"])
            self._graphs[vehicle] = g
        return self._graphs[vehicle]

    def km(self, a: Location, b: Location, vehicle: VehicleType) -> float:
        (na, sa), (nb, sb) = self.times.nearest_node(a), self.times.nearest_node(b)
        access = (sa + sb) * self.times.detour_factor
        if na == nb:
            return float(haversine_m(a.lat, a.lon, b.lat, b.lon)) * self.times.detour_factor / 1000
        key = (vehicle, na)
        if key not in self._paths:
            self._paths[key] = nx.single_source_dijkstra_path(self._graph(vehicle), na, weight="seconds")
        path, g = self._paths[key][nb], self._graph(vehicle)
        return (access + sum(g[u][v]["length"] for u, v in zip(path, path[1:]))) / 1000


def make_orders(roads: Roads, hours: float, seed: int) -> list[SimOrder]:
    demo = json.loads(DEMO.read_text())
    merchants = {m["merchant"]["id"]: m["merchant"] for m in demo["merchants"]}
    rng = random.Random(seed)
    g = roads.times.graph
    main = sorted(max(nx.strongly_connected_components(g), key=len))
    top = BASE_PER_H + PEAK_PER_H
    orders, t = [], 0.0
    while True:
        t += rng.expovariate(top / 3600)  # thinning: candidates at the top rate, kept with rate(t)/top
        if t >= hours * 3600:
            return orders
        h = t / 3600
        if rng.random() > (BASE_PER_H + PEAK_PER_H * math.exp(-0.5 * ((h - PEAK_H) / PEAK_SD_H) ** 2)) / top:
            continue
        merchant_id = rng.choices(list(MERCHANT_SHARE), weights=list(MERCHANT_SHARE.values()))[0]
        m = merchants[merchant_id]
        pickup = Location(m["location"]["lat"], m["location"]["lon"])
        while True:  # a random road point (a node, nudged off it) within 4 km of the kitchen, reachable both ways
            node = g.nodes[rng.choice(main)]
            spot = Location(node["y"] + rng.uniform(-3e-4, 3e-4), node["x"] + rng.uniform(-4e-4, 4e-4))
            km = float(haversine_m(pickup.lat, pickup.lon, spot.lat, spot.lon)) / 1000
            if 0.3 < km < 4 and math.isfinite(roads.seconds(pickup, spot, VehicleType.CAR)):
                break
        quoted = m["prep_minutes_default"] * 60.0
        promised = t + quoted + travel_minutes(Decimal(f"{km:.3f}")) * 60
        orders.append(SimOrder(f"o{len(orders) + 1:03d}", merchant_id, pickup, spot, t, t + quoted,
                               t + quoted * rng.uniform(0.8, 1.5), promised))


def make_drivers(orders: list[SimOrder], count: int) -> list[SimDriver]:
    kitchens = sorted({(o.merchant, o.pickup) for o in orders}, key=lambda x: x[0])
    return [SimDriver(f"d{i + 1}", *FLEET[i % len(FLEET)], at=kitchens[i % len(kitchens)][1]) for i in range(count)]


class Simulation:
    """The shared event loop: orders arrive, food gets ready, drivers drive and serve stops."""

    def __init__(self, roads: Roads, orders: list[SimOrder], drivers: list[SimDriver], seed: int) -> None:
        self.roads, self.rng = roads, random.Random(seed * 7919 + 1)
        self.orders = {o.id: replace(o) for o in orders}
        self.drivers = {d.id: replace(d, itinerary=[], on_board=set()) for d in drivers}
        self.events: list[tuple[float, int, str, str]] = []
        self.seq = 0
        self.now = 0.0
        for o in self.orders.values():
            self.push(o.placed, "order", o.id)
            self.push(o.actual_ready, "ready", o.id)

    def push(self, at: float, kind: str, ref: str) -> None:
        self.seq += 1
        heapq.heappush(self.events, (at, self.seq, kind, ref))

    def run(self) -> None:
        while self.events:
            self.now, _, kind, ref = heapq.heappop(self.events)
            getattr(self, f"on_{kind}")(ref)

    def drive(self, driver: SimDriver, kind: StopKind, order_id: str) -> None:
        """Start the leg to a stop; it is committed from now on."""
        order = self.orders[order_id]
        target = order.pickup if kind is StopKind.PICKUP else order.dropoff
        planned = self.roads.seconds(driver.at, target, driver.vehicle)
        actual = planned * min(1.35, max(0.9, self.rng.lognormvariate(math.log(1.07), 0.1)))
        driver.km += self.roads.km(driver.at, target, driver.vehicle) if driver.at != target else 0.0
        driver.at, driver.busy, driver.committed = target, True, (kind, order_id)
        # What the planner may assume: at the kitchen on arrival (the locked pickup is still planned), at the
        # door once the hand-over is done (that drop-off is no longer planned).
        driver.free_at = self.now + planned + (0.0 if kind is StopKind.PICKUP else POLICY.dropoff_service_s)
        self.push(self.now + actual, "arrive", driver.id)

    def on_arrive(self, driver_id: str) -> None:
        driver = self.drivers[driver_id]
        kind, order_id = driver.committed  # type: ignore[misc]
        order = self.orders[order_id]
        self.arrived(driver, kind, order)
        if kind is StopKind.PICKUP:
            driver.free_at = self.now
            self.push(max(self.now, order.actual_ready), "handover", driver_id)  # waits for the food if need be
        else:
            order.delivered = self.now
            driver.free_at = self.now + POLICY.dropoff_service_s
            self.push(driver.free_at, "served", driver_id)

    def on_handover(self, driver_id: str) -> None:
        driver = self.drivers[driver_id]
        self.orders[driver.committed[1]].picked = self.now  # type: ignore[index]
        driver.free_at = self.now + POLICY.pickup_service_s
        self.push(driver.free_at, "served", driver_id)

    def on_served(self, driver_id: str) -> None:
        driver = self.drivers[driver_id]
        kind, order_id = driver.committed  # type: ignore[misc]
        if kind is StopKind.PICKUP:
            driver.on_board.add(order_id)
        else:
            driver.on_board.discard(order_id)
        driver.busy, driver.committed = False, None
        self.next_stop(driver)

    def arrived(self, driver: SimDriver, kind: StopKind, order: SimOrder) -> None: ...

    def next_stop(self, driver: SimDriver) -> None: ...

    def results(self) -> dict[str, float]:
        done = [o for o in self.orders.values() if o.delivered is not None]
        on_time = [o for o in done if o.delivered <= o.promised + ON_TIME_GRACE_S]
        late = [max(0.0, o.delivered - o.promised) / 60 for o in done]
        return {"orders": len(self.orders), "delivered": len(done), "on_time_share": len(on_time) / len(self.orders),
                "km": sum(d.km for d in self.drivers.values()),
                "mean_minutes_to_door": statistics.fmean(o.delivered - o.placed for o in done) / 60,
                "mean_minutes_late": statistics.fmean(late), "p90_minutes_late": sorted(late)[int(0.9 * len(late))]}


class NearestFreeDriver(Simulation):
    def __init__(self, *args) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args)
        self.queue: list[str] = []

    def on_order(self, order_id: str) -> None:
        order = self.orders[order_id]
        free = [d for d in self.drivers.values() if not d.busy and not d.on_board]
        if not free:
            self.queue.append(order_id)
            return
        best = min(free, key=lambda d: self.roads.seconds(d.at, order.pickup, d.vehicle))
        order.driver = best.id
        self.drive(best, StopKind.PICKUP, order_id)

    def on_ready(self, order_id: str) -> None:
        pass

    def next_stop(self, driver: SimDriver) -> None:
        if driver.on_board:
            self.drive(driver, StopKind.DROPOFF, next(iter(driver.on_board)))
        elif self.queue:
            order_id = self.queue.pop(0)
            self.orders[order_id].driver = driver.id
            self.drive(driver, StopKind.PICKUP, order_id)


class AutomaticDispatch(Simulation):
    def __init__(self, *args, options: SolverOptions) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args)
        self.options = options
        self.plan: Plan | None = None
        self.accepted: set[str] = set()
        self.ready: set[str] = set()
        self.replans = 0
        self.last_replan = -1.0
        self.solve_seconds: list[float] = []
        self.violations = 0

    def on_order(self, order_id: str) -> None:
        self.accepted.add(order_id)  # the demo kitchens accept at once
        self.push(self.orders[order_id].quoted_ready, "estimate", order_id)
        self.replan()

    def on_ready(self, order_id: str) -> None:
        self.ready.add(order_id)
        self.replan()

    def on_estimate(self, order_id: str) -> None:
        order = self.orders[order_id]
        if order_id not in self.ready and order.picked is None:
            self.replan()  # the kitchen's estimate passed and the food is not ready: food late

    def arrived(self, driver: SimDriver, kind: StopKind, order: SimOrder) -> None:
        if driver.planned_arrival is not None and self.now > driver.planned_arrival + DRIVER_LATE_S:
            self.replan()  # driver late

    def next_stop(self, driver: SimDriver) -> None:
        while driver.itinerary:
            kind, order_id = driver.itinerary.pop(0)
            order = self.orders[order_id]
            done = order.picked is not None if kind is StopKind.PICKUP else order.delivered is not None
            if done or (kind is StopKind.DROPOFF and order_id not in driver.on_board):
                continue
            if kind is StopKind.PICKUP and order.driver not in (None, driver.id):
                continue
            order.driver = driver.id
            self.drive(driver, kind, order_id)
            return
        if self.plan is not None and self.plan.unassigned and self.last_replan < self.now:
            self.replan()  # a driver came free while orders wait without one

    def replan(self) -> None:
        epoch = START + timedelta(seconds=self.now)
        open_orders, locks = [], {}
        for d in self.drivers.values():
            if d.committed and d.committed[0] is StopKind.PICKUP and self.orders[d.committed[1]].picked is None:
                locks[d.committed[1]] = d.id
        for o in self.orders.values():
            if o.id not in self.accepted or o.delivered is not None:
                continue
            carrier = next((d.id for d in self.drivers.values() if o.id in d.on_board or (
                o.picked is not None and d.committed == (StopKind.PICKUP, o.id))), None)
            if carrier is not None and self.drivers[carrier].committed == (StopKind.DROPOFF, o.id):
                continue  # being delivered right now
            stage = Stage.ON_BOARD if carrier else Stage.READY if o.id in self.ready else Stage.COOKING
            open_orders.append(DispatchOrder(
                o.id, o.pickup, o.dropoff, stage, START + timedelta(seconds=o.quoted_ready),
                START + timedelta(seconds=o.promised), carrier or o.driver, locks.get(o.id)))
        states = [DriverState(d.id, True, d.at, epoch, d.vehicle, d.capacity) for d in self.drivers.values()]
        problem = build_problem(open_orders, states, epoch, POLICY)
        busy = {d.id: max(0.0, d.free_at - self.now) for d in self.drivers.values() if d.busy}
        drivers = tuple(replace(d, shift=TimeWindow(busy.get(d.id, 0.0), d.shift.end)) for d in problem.main.drivers)
        problem = replace(problem, main=replace(problem.main, drivers=drivers))
        started = time.perf_counter()
        plan = solve(problem, self.roads.times, self.options, self.plan, POLICY)
        self.solve_seconds.append(time.perf_counter() - started)
        self.violations += len(check(problem, plan, self.roads.times))
        self.plan, self.replans, self.last_replan = plan, self.replans + 1, self.now
        for d in self.drivers.values():
            stops = plan.route_of(d.id).stops
            d.itinerary = [(s.kind, s.order_id) for s in stops if (s.kind, s.order_id) != d.committed]
            d.planned_arrival = None
            if stops and (stops[0].kind, stops[0].order_id) == d.committed:
                d.planned_arrival = self.now + stops[0].arrival
            for s in stops:
                if s.kind is StopKind.PICKUP and self.orders[s.order_id].picked is None:
                    self.orders[s.order_id].driver = d.id
        for u in plan.unassigned:
            if self.orders[u.order_id].picked is None:
                self.orders[u.order_id].driver = None
        for d in self.drivers.values():
            if not d.busy:
                self.next_stop(d)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--osm", type=Path, default=ROOT / "assets" / "osm" / "krems_drive.osm.bz2")
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--drivers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=1.0, help="solver seconds per re-plan")
    parser.add_argument("--late-penalty", type=float, default=None,
                        help="planner: driving seconds one minute late costs (DispatchPolicy default 300)")
    parser.add_argument("--plan-grace", type=float, default=None,
                        help="planner: price lateness only from promise + this many seconds (default 0)")
    args = parser.parse_args(argv)
    global POLICY
    if args.late_penalty is not None:
        POLICY = replace(POLICY, late_penalty_per_minute=args.late_penalty)
    if args.plan_grace is not None:
        POLICY = replace(POLICY, late_after_promise_s=args.plan_grace)
    roads = Roads(args.osm)
    orders = make_orders(roads, args.hours, args.seed)
    drivers = make_drivers(orders, args.drivers)
    print(f"{len(orders)} orders over {args.hours:g} h ({len(orders) / args.hours:.1f}/h), {len(drivers)} drivers "
          f"({', '.join(sorted({d.vehicle.value for d in drivers}))}), road graph {args.osm.name}, seed {args.seed}")
    started = time.perf_counter()
    ours = AutomaticDispatch(roads, orders, drivers, args.seed, options=SolverOptions(time_limit_s=args.time_limit))
    ours.run()
    ours_wall = time.perf_counter() - started
    baseline = NearestFreeDriver(roads, orders, drivers, args.seed)
    baseline.run()
    a, b = ours.results(), baseline.results()
    print(f"{'':24}{'ours':>10}{'nearest-free':>14}")
    for key in ("delivered", "on_time_share", "km", "mean_minutes_to_door", "mean_minutes_late", "p90_minutes_late"):
        print(f"{key:24}{a[key]:>10.3f}{b[key]:>14.3f}")
    print(f"ours: {ours.replans} re-plans, solve {statistics.fmean(ours.solve_seconds):.2f} s mean, "
          f"checker violations {ours.violations}, wall {ours_wall:.0f} s")
    print(f"dispatch_on_time_share: {a['on_time_share']:.3f} baseline={b['on_time_share']:.3f} "
          f"km={a['km']:.1f}/{b['km']:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
