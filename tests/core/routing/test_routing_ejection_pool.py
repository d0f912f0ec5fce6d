"""Ejection pool: fitting left-out customers into a fleet without adding routes."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from core.routing.ejection_pool import Network, Route, insertion_spots, work_in
from core.routing.engine import ticks
from core.routing.vrptw import check_vrptw, parse_solomon, solve_vrptw

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "routing" / "C101_25.txt"
SCALE = 1000


@pytest.fixture(scope="module")
def c101_25():
    return parse_solomon(FIXTURE.read_text())


def network_of(instance) -> Network:
    """The instance in ticks, rounded the way the VRPTW solver rounds (travel up, due dates down)."""
    sites = [instance.depot, *instance.customers]
    return Network(
        travel=[[ticks(math.hypot(a.x - b.x, a.y - b.y), SCALE) for b in sites] for a in sites],
        service=[ticks(s.service, SCALE) for s in sites],
        ready=[ticks(s.ready, SCALE) for s in sites],
        due=[math.floor(s.due * SCALE) for s in sites],
        demand=[s.demand for s in sites],
        capacity=instance.capacity,
    )


def line_network(due_of_middle: int) -> Network:
    """Depot 0 and customers 1..3 on a line at 1, 2, 3 ticks out; no service time, wide windows but
    customer 2's due date, capacity for two customers."""
    position = [0, 1, 2, 3]
    return Network(
        travel=[[abs(a - b) for b in position] for a in position],
        service=[0] * 4,
        ready=[0] * 4,
        due=[100, 100, due_of_middle, 100],
        demand=[0, 1, 1, 1],
        capacity=2,
    )


def test_insertion_spots_respect_windows_and_capacity():
    net = line_network(due_of_middle=3)
    beyond, empty = Route(net, [3]), Route(net, [])
    # Customer 2 is due at 3: on the way out to customer 3, not on the way back.
    assert [(r.nodes, i) for r, i in insertion_spots(net, [beyond, empty], 2)] == [([0, 3, 0], 1), ([0, 0], 1)]
    assert insertion_spots(net, [Route(net, [1, 3])], 2) == []  # capacity 2 is used up


def test_a_customer_that_fits_nowhere_goes_in_by_ejecting_another():
    # On a line: customer 4 at 1 is due at 1, so it must come first from the depot at 0; customer 3
    # sits at -3 and is due at 3, so route [3] cannot take 4; route [1, 2] could, but it is full.
    position = [0, 1, 2, -3, 1]
    net = Network(
        travel=[[abs(a - b) for b in position] for a in position],
        service=[0] * 5,
        ready=[0] * 5,
        due=[100, 100, 100, 3, 1],
        demand=[0, 1, 1, 1, 1],
        capacity=2,
    )
    assert insertion_spots(net, [Route(net, [1, 2]), Route(net, [3])], 4) == []
    plan = work_in(net, [[1, 2], [3]], [4], time.monotonic() + 5.0)
    assert plan is not None
    assert sorted(c for r in plan for c in r) == [1, 2, 3, 4]
    for customers in plan:
        route = Route(net, customers)
        assert route.load <= net.capacity
        assert all(start <= net.due[c] for c, start in zip(route.nodes, route.start))


def test_pool_fits_a_removed_route_back_into_the_others(c101_25):
    net = network_of(c101_25)
    optimum = [list(r) for r in solve_vrptw(c101_25, time_limit_s=1.0).routes]
    assert len(optimum) == 3
    # Four routes: split the longest in two (still feasible), then take the smallest away.
    longest = max(optimum, key=len)
    four = [r for r in optimum if r is not longest] + [longest[: len(longest) // 2], longest[len(longest) // 2 :]]
    smallest = min(four, key=len)
    rest = [r for r in four if r is not smallest]
    plan = work_in(net, rest, smallest, time.monotonic() + 5.0)
    assert plan is not None
    assert len([r for r in plan if r]) == 3
    assert check_vrptw(c101_25, plan) == []


def test_pool_gives_up_by_the_deadline(c101_25):
    net = network_of(c101_25)
    # Everyone into one vehicle is impossible (capacity 200, demand 460): the pool must stop, not loop.
    assert work_in(net, [[]], list(range(1, 26)), time.monotonic() + 0.5) is None
