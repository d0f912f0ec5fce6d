"""VRPTW entry point on the 25-customer C101 instance (Solomon's first 25 customers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.routing.vrptw import check_vrptw, parse_solomon, route_distance, solve_vrptw


FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "routing" / "C101_25.txt"


@pytest.fixture(scope="module")
def c101_25():
    return parse_solomon(FIXTURE.read_text())


def test_parse(c101_25):
    assert (c101_25.name, c101_25.vehicles, c101_25.capacity, len(c101_25.customers)) == ("C101_25", 25, 200, 25)
    assert (c101_25.depot.x, c101_25.depot.y, c101_25.depot.due) == (40, 50, 1236)
    assert c101_25.customers[0].service == 90


def test_solve_is_feasible_and_near_optimal(c101_25):
    solution = solve_vrptw(c101_25, time_limit_s=2.0)
    assert check_vrptw(c101_25, solution.routes) == []
    # Literature optimum for C101 with 25 customers: 3 vehicles, 191.3 (distances truncated to 0.1).
    assert solution.vehicles == 3
    assert solution.distance == pytest.approx(route_distance(c101_25, solution.routes))
    assert solution.distance < 191.3 * 1.02


def test_checker_rejects_broken_routes(c101_25):
    solution = solve_vrptw(c101_25, time_limit_s=1.0)
    routes = [list(r) for r in solution.routes]
    reversed_first = [list(reversed(routes[0]))] + routes[1:]
    assert any("after due" in p for p in check_vrptw(c101_25, reversed_first))
    assert any("exactly once" in p for p in check_vrptw(c101_25, routes[1:]))
    assert any("vehicles used" in p for p in check_vrptw(c101_25, [[c] for c in range(1, 26)], max_vehicles=3))
