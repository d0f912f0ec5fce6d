"""Shared factories for routing tests: small problems around Krems, solved with real OR-Tools."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.routing import (
    Driver, GeodesicTravelTimes, Location, Plan, Problem, SolverOptions, Task, TimeWindow, VehicleType,
    check_plan, plan_routes,
)

KREMS_OSM = Path(__file__).resolve().parents[3] / "assets" / "osm" / "krems_drive.osm.bz2"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "routing"
CENTRE = Location(48.4100, 15.6000)
FAST = SolverOptions(time_limit_s=0.5)


def offset(km_north: float, km_east: float, origin: Location = CENTRE) -> Location:
    """A point `km_north`/`km_east` kilometres away from `origin`."""
    return Location(
        origin.lat + km_north / 111.32,
        origin.lon + km_east / (111.32 * math.cos(math.radians(origin.lat))),
    )


def driver(id: str, at: Location = CENTRE, *, shift=(0, 4 * 3600), capacity: int = 4,
           vehicle: VehicleType = VehicleType.BIKE, on_board: tuple[str, ...] = (), fixed_cost: float = 0.0) -> Driver:
    return Driver(id, at, TimeWindow(*shift), capacity, vehicle, on_board, fixed_cost)


def task(order_id: str, pickup: Location, dropoff: Location, *, ready: float = 0.0,
         window=(0, 3 * 3600), hard: bool = True, penalty: float = 0.0, size: int = 1,
         locked_to: str | None = None) -> Task:
    return Task(order_id, pickup, dropoff, ready, TimeWindow(window[0], window[1], hard, penalty),
                size=size, locked_to=locked_to)


def solve_and_check(problem: Problem, travel=None, options: SolverOptions = FAST, previous: Plan | None = None) -> Plan:
    """Solve, then insist the independent checker finds nothing wrong."""
    travel = travel or GeodesicTravelTimes()
    plan = plan_routes(problem, travel, options, previous)
    violations = check_plan(problem, plan, travel)
    assert violations == [], violations
    return plan


@pytest.fixture
def geodesic() -> GeodesicTravelTimes:
    return GeodesicTravelTimes()


@pytest.fixture
def kit() -> SimpleNamespace:
    """The factories above as one fixture (test modules cannot import conftest reliably)."""
    return SimpleNamespace(
        CENTRE=CENTRE, FAST=FAST, FIXTURES=FIXTURES, offset=offset, driver=driver, task=task,
        solve_and_check=solve_and_check,
    )
