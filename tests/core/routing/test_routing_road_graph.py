"""Road-graph travel times on the shipped Krems extract (real osmnx), and the solver on top of them.

The graph is loaded once for the whole module: it is the slow part.
"""

from __future__ import annotations

import itertools
import math
import socket
from pathlib import Path

import networkx as nx
import pytest

from core.routing import (
    GeodesicTravelTimes, Location, Problem, RoadGraphTravelTimes, TravelTimeProvider, UnassignedReason,
    VehicleType, load_road_graph, travel_time,
)

KREMS_OSM = Path(__file__).resolve().parents[3] / "assets" / "osm" / "krems_drive.osm.bz2"


@pytest.fixture(scope="module")
def krems() -> RoadGraphTravelTimes:
    real_connect = socket.socket.connect

    def refuse(*args, **kwargs):
        raise AssertionError("routing tried to use the network")

    socket.socket.connect = refuse  # loading must work offline
    try:
        return RoadGraphTravelTimes(load_road_graph(KREMS_OSM))
    finally:
        socket.socket.connect = real_connect


@pytest.fixture(scope="module")
def main_points(krems) -> list[Location]:
    """Eight points exactly on nodes of the main strongly connected component, spread over the map."""
    main = sorted(max(nx.strongly_connected_components(krems.graph), key=len))
    picks = main[:: len(main) // 8][:8]
    return [Location(krems.graph.nodes[n]["y"], krems.graph.nodes[n]["x"]) for n in picks]


@pytest.fixture(scope="module")
def cut_off_point(krems) -> Location:
    """A node that cannot be reached from the main network (a one-way/cut-off street end)."""
    graph = krems.graph
    main = max(nx.strongly_connected_components(graph), key=len)
    reachable = nx.descendants(graph, next(iter(main))) | set(main)
    node = next(n for n in graph.nodes if n not in reachable)
    return Location(graph.nodes[node]["y"], graph.nodes[node]["x"])


def test_graph_has_travel_times_and_is_a_provider(krems):
    assert isinstance(krems, TravelTimeProvider)
    assert len(krems.graph) > 300
    assert all("travel_time" in d and d["travel_time"] > 0 for _, _, d in krems.graph.edges(data=True))


def test_nearest_node_of_a_node_is_itself(krems):
    node = next(iter(krems.graph.nodes))
    data = krems.graph.nodes[node]
    assert krems.nearest_node(Location(data["y"], data["x"])) == (node, pytest.approx(0.0, abs=1e-6))


def test_matrix_diagonal_zero_and_triangle_inequality(krems, main_points):
    m = krems.matrix(main_points, main_points, VehicleType.CAR)
    n = len(main_points)
    assert all(m.time(i, i) == 0 for i in range(n))
    assert all(math.isfinite(m.time(i, j)) for i in range(n) for j in range(n))
    for i, j, k in itertools.permutations(range(n), 3):
        assert m.time(i, k) <= m.time(i, j) + m.time(j, k) + 1e-6


def test_matrix_roughly_symmetric_and_slower_than_crow_flies(krems, main_points):
    m = krems.matrix(main_points, main_points, VehicleType.CAR)
    crow = GeodesicTravelTimes(detour_factor=1.0)
    for i, j in itertools.combinations(range(len(main_points)), 2):
        there, back = m.time(i, j), m.time(j, i)
        assert max(there, back) <= 2.5 * min(there, back)  # one-way streets, not a different city
        fastest = crow.distance_m(main_points[i], main_points[j]) / (130 / 3.6)
        assert there >= fastest


def test_bike_is_slower_than_car_on_roads(krems, main_points):
    car = krems.matrix(main_points[:3], main_points[3:6], VehicleType.CAR)
    bike = krems.matrix(main_points[:3], main_points[3:6], VehicleType.BIKE)
    assert all(bike.time(i, j) > car.time(i, j) for i in range(3) for j in range(3))


def test_address_off_the_map_is_unreachable_with_reason(krems, main_points):
    vienna = Location(48.2082, 16.3738)
    seconds, reason = travel_time(krems, main_points[0], vienna, VehicleType.CAR)
    assert math.isinf(seconds)
    assert "outside the routing area" in reason and "m from the nearest road" in reason


def test_cut_off_component_is_unreachable_with_reason(krems, main_points, cut_off_point):
    seconds, reason = travel_time(krems, main_points[0], cut_off_point, VehicleType.CAR)
    assert math.isinf(seconds)
    assert "cut off from the main network" in reason


def test_solver_on_road_graph_gives_feasible_plan_and_clear_reasons(kit, krems, main_points, cut_off_point):
    p = main_points
    tasks = (
        kit.task("a", p[1], p[2]), kit.task("b", p[3], p[4]), kit.task("c", p[5], p[6]),
        kit.task("island", p[1], cut_off_point),
        kit.task("vienna", p[2], Location(48.2082, 16.3738)),
    )
    drivers = (kit.driver("car", p[0], vehicle=VehicleType.CAR), kit.driver("bike", p[7]))
    plan = kit.solve_and_check(Problem(drivers, tasks), travel=krems)
    reasons = {u.order_id: u for u in plan.unassigned}
    assert set(reasons) == {"island", "vienna"}
    assert all(u.reason is UnassignedReason.UNREACHABLE for u in reasons.values())
    assert "cut off" in reasons["island"].detail
    assert "outside the routing area" in reasons["vienna"].detail
    assert {plan.driver_of(o) for o in "abc"} <= {"car", "bike"}
