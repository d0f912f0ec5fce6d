"""Live dispatch on top of the solver: orders and driver states -> problems -> plans -> changes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from core.routing import (
    DriverRoute, GeodesicTravelTimes, Location, Plan, RoadGraphTravelTimes, SolverOptions, Stop, StopKind,
    UnassignedReason, VehicleType,
)
from core.routing.dispatch import (
    DispatchOrder, DispatchPolicy, DriverState, Stage, available_reason, build_problem, check, next_stop_overdue,
    order_task, plan_changes, solve,
)

KREMS_OSM = Path(__file__).resolve().parents[3] / "assets" / "osm" / "krems_drive.osm.bz2"
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)
KITCHEN = Location(48.41035, 15.59975)  # Pizzeria Donau
BOWLS = Location(48.40755, 15.6137)
ANNA = Location(48.40985, 15.6079)
NEAR_ANNA = Location(48.41040, 15.6090)
TOM = Location(48.4021, 15.604)
FAST = SolverOptions(time_limit_s=0.3)
POLICY = DispatchPolicy()


def minutes(n: float) -> datetime:
    return NOW + timedelta(minutes=n)


def order(order_id: str, *, stage: Stage = Stage.READY, pickup: Location = KITCHEN, dropoff: Location | None = ANNA,
          ready: float = 0, promised: float = 30, driver: str | None = None, locked: str | None = None,
          eta: datetime | None = None) -> DispatchOrder:
    return DispatchOrder(order_id, pickup, dropoff, stage, minutes(ready), minutes(promised), driver, locked, 1, 1.0,
                         eta)


def driver(driver_id: str, at: Location = KITCHEN, *, on_shift: bool = True, fix_age_min: float = 1,
           capacity: int = 4) -> DriverState:
    return DriverState(driver_id, on_shift, at, minutes(-fix_age_min), VehicleType.SCOOTER, capacity)


def solve_checked(orders, drivers, travel=None, previous: Plan | None = None):
    travel = travel or GeodesicTravelTimes()
    problem = build_problem(orders, drivers, NOW, POLICY)
    plan = solve(problem, travel, FAST, previous, POLICY)
    assert check(problem, plan, travel) == []
    return problem, plan


def test_stages_become_tasks_with_the_right_ready_times():
    cooking = order_task(order("a", stage=Stage.COOKING, ready=12), NOW, POLICY)
    late_food = order_task(order("b", stage=Stage.COOKING, ready=-5), NOW, POLICY)
    ready = order_task(order("c", stage=Stage.READY, ready=-5), NOW, POLICY)
    assert cooking.ready_from == 12 * 60
    assert late_food.ready_from == POLICY.food_late_grace_s  # the kitchen is late: expect it shortly, not "now"
    assert ready.ready_from == 0
    assert not cooking.dropoff_window.hard  # late food is still delivered
    assert cooking.dropoff_window.end == 30 * 60 + POLICY.late_after_promise_s


def test_on_board_orders_ride_with_their_carrier():
    problem, plan = solve_checked([order("a", stage=Stage.ON_BOARD, driver="max"), order("b")],
                                  [driver("max", TOM), driver("sofia", KITCHEN)])
    assert problem.main.carrier_of("a").id == "max"
    assert plan.driver_of("a") == "max"
    assert [s.kind for s in plan.route_of("max").stops if s.order_id == "a"] == [StopKind.DROPOFF]


def test_two_nearby_orders_from_one_kitchen_share_a_driver():
    _, plan = solve_checked([order("a", dropoff=ANNA), order("b", dropoff=NEAR_ANNA)],
                            [driver("max"), driver("sofia")])
    assert plan.driver_of("a") == plan.driver_of("b") is not None
    assert plan.unassigned == ()


def test_a_driver_off_shift_keeps_what_is_on_board_and_takes_nothing_new():
    orders = [order("carried", stage=Stage.ON_BOARD, driver="max"), order("waiting", driver="max")]
    problem, plan = solve_checked(orders, [driver("max", on_shift=False), driver("sofia", BOWLS)])
    assert [d.id for d in problem.main.drivers] == ["sofia"]
    assert [p.drivers[0].id for p in problem.wind_down] == ["max"]
    assert plan.driver_of("carried") == "max"
    assert plan.driver_of("waiting") == "sofia"
    assert any("max takes no new orders" in w for w in plan.warnings)


def test_silent_gps_counts_as_unavailable():
    stale = driver("max", fix_age_min=POLICY.stale_position_s / 60 + 1)
    assert "no GPS position" in available_reason(stale, NOW, POLICY)
    assert available_reason(driver("max"), NOW, POLICY) is None
    _, plan = solve_checked([order("a")], [stale, driver("sofia", BOWLS)])
    assert plan.driver_of("a") == "sofia"


def test_locks_are_kept_and_a_lock_to_an_absent_driver_says_so():
    _, plan = solve_checked([order("a", locked="sofia")], [driver("max"), driver("sofia", TOM)])
    assert plan.driver_of("a") == "sofia"  # farther away, but locked
    _, plan = solve_checked([order("a", locked="jan")], [driver("max"), driver("jan", on_shift=False)])
    (why,) = plan.unassigned
    assert why.reason is UnassignedReason.LOCKED_DRIVER_UNKNOWN and "jan" in why.detail and "off shift" in why.detail


def test_orders_that_cannot_be_planned_come_back_with_reasons():
    _, plan = solve_checked([order("nowhere", dropoff=None), order("orphan", stage=Stage.ON_BOARD, driver="ghost"),
                             order("a")], [])
    reasons = {u.order_id: u.reason for u in plan.unassigned}
    assert reasons == {"nowhere": UnassignedReason.UNREACHABLE, "orphan": UnassignedReason.NO_DRIVER_ON_SHIFT,
                       "a": UnassignedReason.NO_DRIVER_ON_SHIFT}


def test_a_broken_promise_is_delivered_late_rather_than_dropped():
    _, plan = solve_checked([order("a", promised=-20)], [driver("max")])
    assert plan.driver_of("a") == "max"
    assert plan.route_of("max").stops[-1].lateness > 0


def test_warm_start_from_the_previous_plan_keeps_a_stable_assignment():
    orders = [order("a"), order("b", pickup=BOWLS, dropoff=TOM)]
    drivers = [driver("max"), driver("sofia", BOWLS)]
    _, first = solve_checked(orders, drivers)
    _, again = solve_checked(orders, drivers, previous=first)
    assert {o: again.driver_of(o) for o in "ab"} == {o: first.driver_of(o) for o in "ab"}


def test_plan_changes_report_new_drivers_and_eta_moves_past_the_threshold():
    _, plan = solve_checked([order("a"), order("b", stage=Stage.ON_BOARD, driver="max")], [driver("max")])
    eta_a = NOW + timedelta(seconds=round(plan.order_etas["a"]))
    eta_b = NOW + timedelta(seconds=round(plan.order_etas["b"]))
    fresh = plan_changes([order("a"), order("b", stage=Stage.ON_BOARD, driver="max")], plan, NOW)
    assert {(c.order_id, c.driver_id, c.driver_changed, c.eta_changed) for c in fresh} == {
        ("a", "max", True, True), ("b", "max", False, True)}
    settled = [order("a", driver="max", eta=eta_a + timedelta(seconds=30)),
               order("b", stage=Stage.ON_BOARD, driver="max", eta=eta_b - timedelta(minutes=5))]
    (moved,) = plan_changes(settled, plan, NOW, eta_threshold_s=120)
    assert moved.order_id == "b" and moved.eta == eta_b and not moved.driver_changed
    dropped = plan_changes([order("gone", driver="sofia", eta=NOW)], plan, NOW)
    assert [(c.driver_id, c.eta, c.driver_changed) for c in dropped] == [(None, None, True)]


def test_the_next_stop_is_overdue_only_past_the_threshold():
    stop = Stop(StopKind.PICKUP, "a", KITCHEN, arrival=300, service_start=300, departure=360)
    route = DriverRoute("max", (stop,))
    assert next_stop_overdue(route, elapsed_s=400, threshold_s=180) is None
    assert next_stop_overdue(route, elapsed_s=500, threshold_s=180) == stop
    assert next_stop_overdue(DriverRoute("max", ()), elapsed_s=9999, threshold_s=0) is None


@pytest.fixture(scope="module")
def krems() -> RoadGraphTravelTimes:
    return RoadGraphTravelTimes.from_osm_file(KREMS_OSM, max_snap_m=1000, snap_to_main_component=True)


def test_on_the_krems_road_graph_an_address_off_the_map_is_unreachable_with_the_reason(krems):
    far = Location(48.455, 15.600)  # 5 km north, inside the pizzeria's zone but off the shipped map
    _, plan = solve_checked([order("far", dropoff=far), order("a"), order("b", pickup=BOWLS, dropoff=TOM)],
                            [driver("max"), driver("sofia", BOWLS)], travel=krems)
    (why,) = plan.unassigned
    assert why.order_id == "far" and why.reason is UnassignedReason.UNREACHABLE
    assert "outside the routing area" in why.detail
    assert plan.driver_of("a") and plan.driver_of("b")


def test_main_component_snapping_reaches_the_demo_kitchens(krems):
    # Pizzeria Donau's nearest node lies on a clipped one-way stub; snapping to the main network fixes that.
    raw = RoadGraphTravelTimes(krems.graph)
    assert raw.matrix([KITCHEN], [ANNA], VehicleType.SCOOTER).reason(0, 0) is not None
    assert krems.matrix([KITCHEN], [ANNA], VehicleType.SCOOTER).reason(0, 0) is None
