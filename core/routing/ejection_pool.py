"""Fitting the last few customers into a smaller fleet: an ejection pool, after Nagata and Bräysy
("A powerful route minimization heuristic for the vehicle routing problem with time windows", 2009).

OR-Tools' searches with droppable customers often end a route elimination one to three customers short.
Starting from such a partial plan, the customers left out go into a pool and are worked in one at a time:
where one fits, it goes to the cheapest such place (Nagata and Bräysy pick one at random; the plan goes
on to distance polishing here, and in A/B runs on R1/RC1 the cheapest place did as well for the fleet);
where it fits nowhere, it goes in anyway at the position where ejecting at most two other customers
repairs the route, choosing those ejected least often so far. Each failure to fit raises the customer's
counter, so customers that are hard to place are ejected less and less (the counters are the measure of
insertion difficulty); random feasible moves after each ejection shift the slack around so the next
attempt meets a different plan.

Times and distances are the solver's integer ticks (`RoutingSpec`), so a plan found here is feasible for
OR-Tools and with exact distances.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from core.routing.engine import RoutingSpec

SHAKE_MOVES = 50  # random feasible moves tried after each ejection
NEIGHBOURS = 10  # nearest customers a shaking move pairs a customer with


@dataclass(frozen=True)
class Network:
    """The part of a single-depot `RoutingSpec` the pool needs; node 0 is the depot."""

    travel: list[list[int]]
    service: list[int]
    ready: list[int]
    due: list[int]
    demand: list[int]
    capacity: int

    @classmethod
    def from_spec(cls, spec: RoutingSpec) -> Network:
        """The pool's view of a routing problem (one travel matrix, one capacity)."""
        return cls(spec.travel[0], spec.service, [lo for lo, _ in spec.windows], [hi for _, hi in spec.windows],
                   spec.demands, spec.capacities[0])


class Route:
    """Customers between two depot visits, with the schedule arrays that make checks O(1):
    `start[i]` the earliest service start at position i, `latest[i]` the latest one that keeps the rest
    of the route on time (position 0 and the last are the depot)."""

    __slots__ = ("nodes", "start", "latest", "load")

    def __init__(self, net: Network, customers: list[int]) -> None:
        self.nodes = [0, *customers, 0]
        self.refresh(net)

    def refresh(self, net: Network) -> None:
        """Recompute the route's arrival times and slack after a change."""
        nodes, travel, service = self.nodes, net.travel, net.service
        start = [net.ready[0]]
        for prev, node in zip(nodes, nodes[1:]):
            start.append(max(start[-1] + service[prev] + travel[prev][node], net.ready[node]))
        latest = [0] * len(nodes)
        latest[-1] = net.due[0]
        for i in range(len(nodes) - 2, -1, -1):
            node = nodes[i]
            latest[i] = min(net.due[node], latest[i + 1] - service[node] - travel[node][nodes[i + 1]])
        self.start, self.latest = start, latest
        self.load = sum(net.demand[c] for c in nodes)

    def detour(self, net: Network, node: int, i: int) -> int:
        """Extra travel for visiting `node` before position i."""
        prev, after = self.nodes[i - 1], self.nodes[i]
        return net.travel[prev][node] + net.travel[node][after] - net.travel[prev][after]

    def fits(self, net: Network, node: int, i: int, skip: int = 0) -> bool:
        """Whether `node` can go before position i, in place of the `skip` positions from i on."""
        prev, after = self.nodes[i - 1], self.nodes[i + skip]
        begin = max(self.start[i - 1] + net.service[prev] + net.travel[prev][node], net.ready[node])
        if begin > net.due[node]:
            return False
        return max(begin + net.service[node] + net.travel[node][after], net.ready[after]) <= self.latest[i + skip]


def insertion_spots(net: Network, routes: list[Route], node: int) -> list[tuple[Route, int]]:
    """Every (route, position) where `node` fits without breaking a window or the capacity."""
    return [
        (route, i)
        for route in routes
        if route.load + net.demand[node] <= net.capacity
        for i in range(1, len(route.nodes))
        if route.fits(net, node, i)
    ]


def _best_ejection(net: Network, route: Route, i: int, inserted: int, counters: list[int], bound: int):
    """With `inserted` put before position i of `route`, the cheapest set of at most two other customers
    whose ejection makes the route feasible, as (sum of their counters, their positions in the new
    sequence, the new sequence); None if no set is cheaper than `bound`."""
    travel, service, ready, due = net.travel, net.service, net.ready, net.due
    seq = route.nodes[:i] + [inserted] + route.nodes[i:]
    last = len(seq) - 1
    # The route is feasible: before the insertion its start times hold, after it its latest times do.
    start = route.start[:i]
    for k in range(i, last + 1):
        prev, node = seq[k - 1], seq[k]
        start.append(max(start[-1] + service[prev] + travel[prev][node], ready[node]))
    latest = [0] * i + [0] + route.latest[i:]
    suffix_ok = [True] * (last + 2)
    for k in range(i, -1, -1):
        node = seq[k]
        latest[k] = min(due[node], latest[k + 1] - service[node] - travel[node][seq[k + 1]])
        suffix_ok[k] = suffix_ok[k + 1] and latest[k] >= ready[node]
    load = route.load + net.demand[inserted]
    best = None

    def joins(prev: int, at: int, after: int) -> bool:
        return (suffix_ok[after]
                and max(at + service[prev] + travel[prev][seq[after]], ready[seq[after]]) <= latest[after])

    for q1 in range(1, last):
        if start[q1 - 1] > due[seq[q1 - 1]]:
            break  # the prefix before q1 is already late: no later ejection helps
        first = seq[q1]
        if first == inserted or counters[first] >= bound:
            continue
        if load - net.demand[first] <= net.capacity and joins(seq[q1 - 1], start[q1 - 1], q1 + 1):
            bound, best = counters[first], (q1,)
            continue
        prev, at = seq[q1 - 1], start[q1 - 1]
        for q2 in range(q1 + 1, last):
            second = seq[q2]
            cost = counters[first] + counters[second]
            if (second != inserted and cost < bound
                    and load - net.demand[first] - net.demand[second] <= net.capacity
                    and joins(prev, at, q2 + 1)):
                bound, best = cost, (q1, q2)
            at = max(at + service[prev] + travel[prev][second], ready[second])
            if at > due[second]:
                break
            prev = second
    return None if best is None else (bound, best, seq)


def _eject_and_insert(net: Network, routes: list[Route], node: int, counters: list[int], rng: random.Random
                      ) -> list[int] | None:
    """Insert `node` where ejecting the customers with the lowest counters repairs the route, and return
    those customers; None when no route can be repaired by ejecting two or fewer.

    Routes are scanned in random order and the scan stops at the first ejection of a single customer
    with the lowest possible counter (1): among equals the choice is random, and early in a search,
    when every counter is 1, this is what keeps the pool fast."""
    best = None
    bound = 2 ** 62
    for route in rng.sample(routes, len(routes)):
        if min((counters[c] for c in route.nodes[1:-1]), default=bound) >= bound:
            continue  # even ejecting its easiest customer alone costs more than the best found
        for i in range(1, len(route.nodes)):
            found = _best_ejection(net, route, i, node, counters, bound)
            if found is not None:
                bound = found[0]
                best = (route, found[2], found[1])
        if bound <= 1:
            break
    if best is None:
        return None
    route, seq, positions = best
    ejected = [seq[q] for q in positions]
    route.nodes = [c for q, c in enumerate(seq) if q not in positions]
    route.refresh(net)
    return ejected


def _relocate(net: Network, u: int, a: Route, i: int, b: Route, j: int) -> bool:
    """Move customer u (position i of route a) after position j of route b, if b can take it."""
    if b.load + net.demand[u] > net.capacity or not b.fits(net, u, j + 1):
        return False
    del a.nodes[i]
    b.nodes.insert(j + 1, u)
    return True


def _swap(net: Network, u: int, a: Route, i: int, w: int, b: Route, j: int) -> bool:
    """Exchange customer u (position i of route a) and customer w (position j of route b), if both fit."""
    swing = net.demand[w] - net.demand[u]
    if (a.load + swing > net.capacity or b.load - swing > net.capacity
            or not a.fits(net, w, i, skip=1) or not b.fits(net, u, j, skip=1)):
        return False
    a.nodes[i], b.nodes[j] = w, u
    return True


def _shake(net: Network, routes: list[Route], neighbours: list[list[int]], rng: random.Random) -> None:
    """Random feasible relocations and swaps between routes: the plan changes, its fleet does not."""
    route_of = {c: route for route in routes for c in route.nodes[1:-1]}
    customers = list(route_of)
    for _ in range(SHAKE_MOVES):
        u = rng.choice(customers)
        w = rng.choice(neighbours[u])
        a, b = route_of[u], route_of.get(w)
        if b is None or a is b:
            continue
        i, j = a.nodes.index(u), b.nodes.index(w)
        if rng.random() < 0.5:
            if not _relocate(net, u, a, i, b, j):
                continue
            route_of[u] = b
        else:
            if not _swap(net, u, a, i, w, b, j):
                continue
            route_of[u], route_of[w] = b, a
        a.refresh(net)
        b.refresh(net)


def nearest_customers(net: Network, count: int = NEIGHBOURS) -> list[list[int]]:
    """Per node, the `count` nearest other customers (node 0, the depot, excluded)."""
    n = len(net.service)
    return [sorted((c for c in range(1, n) if c != i), key=lambda c: net.travel[i][c])[:count] for i in range(n)]


def work_in(net: Network, routes: list[list[int]], left_out: list[int], deadline: float, seed: int = 0
            ) -> list[list[int]] | None:
    """Serve `left_out` too without adding a route, by `deadline` (time.monotonic()); None if not done.

    `routes` must be feasible; empty ones count as available vehicles.
    """
    rng = random.Random(seed)
    plan = [Route(net, r) for r in routes]
    counters = [1] * len(net.service)
    neighbours = nearest_customers(net)
    pool = list(left_out)
    while pool:
        if time.monotonic() > deadline:
            return None
        node = pool.pop()
        spots = insertion_spots(net, plan, node)
        if spots:
            route, i = min(spots, key=lambda spot: spot[0].detour(net, node, spot[1]))
            route.nodes.insert(i, node)
            route.refresh(net)
            continue
        counters[node] += 1
        ejected = _eject_and_insert(net, plan, node, counters, rng)
        if ejected is None:
            pool.insert(0, node)  # no repair within two ejections anywhere: retry it last, on a shaken plan
        else:
            pool.extend(ejected)
        _shake(net, plan, neighbours, rng)
    return [r.nodes[1:-1] for r in plan]
