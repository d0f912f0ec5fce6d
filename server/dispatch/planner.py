"""The background planner: re-plans off the request path, debounced, and writes what changed.

Order events (after commit), driver shift/GPS changes and dispatcher actions call `request_replan`; a burst
of requests within `debounce_s` becomes one run, and no request waits longer than `max_delay_s`. Each run
reads a snapshot, solves with the previous plan as warm start (time limit ~1-2 s), checks the plan with
the independent checker, then in one writer job stores driver assignments and ETA changes as order events
(skipping orders that changed while it solved: their own event has already asked for another run) and
the plan document. Customers, drivers and dispatchers hear about it through the live channels.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from core.errors import DomainError
from core.orders.lifecycle import Role
from core.orders.model import Actor, Order
from core.routing import GeodesicTravelTimes, Plan, RoadGraphTravelTimes, SolverOptions, TravelTimeProvider
from core.routing.dispatch import (
    DispatchPolicy, DispatchProblem, OrderChange, available_reason, build_problem, check, next_stop_overdue,
    plan_changes, route_signature, solve,
)
from server.db.uow import SqlUnitOfWork
from server.events import OrderChanged
from server.dispatch import store
from server.dispatch.snapshot import DISPATCH_STATUSES, Snapshot, read_snapshot
from server.dispatch.views import empty_doc, plan_doc, plan_from_doc
from server.services import Services

log = logging.getLogger(__name__)
SYSTEM = Actor(role=Role.SYSTEM, id="dispatch")
# Order events that can change the plan; the planner's own events (order.assigned, order.eta) do not.
REPLAN_EVENTS = frozenset({"order.placed", "order.status"})
# The shipped extract is a simplified drive graph (intersections only): addresses can be several hundred
# metres from the nearest node, covered as an access leg at the vehicle's access speed.
MAX_SNAP_M = 1000.0
# Reasons kept per run (they go into the plan document); a rush of orders would otherwise store thousands.
MAX_REASONS = 50
_graphs: dict[Path, RoadGraphTravelTimes] = {}
_graphs_lock = threading.Lock()


def travel_provider(road_graph: Path | None) -> TravelTimeProvider:
    """The Krems (or any) road graph when configured, loaded once per process; geodesic otherwise."""
    if road_graph is None:
        return GeodesicTravelTimes()
    path = road_graph.resolve()
    with _graphs_lock:
        if path not in _graphs:
            _graphs[path] = RoadGraphTravelTimes.from_osm_file(path, max_snap_m=MAX_SNAP_M, snap_to_main_component=True)
        return _graphs[path]


class Dispatcher:
    def __init__(self, services: Services, *, policy: DispatchPolicy = DispatchPolicy(),
                 max_delay_s: float = 3.0, late_threshold_s: float = 180.0, eta_threshold_s: float = 120.0) -> None:
        settings = services.settings
        self.services = services
        self.policy = policy
        self.options = SolverOptions(time_limit_s=settings.dispatch_time_limit_s)
        self.debounce_s = settings.dispatch_debounce_s
        self.max_delay_s = max(max_delay_s, self.debounce_s)
        self.refresh_s = settings.dispatch_refresh_s
        self.late_threshold_s = late_threshold_s
        self.eta_threshold_s = eta_threshold_s
        self._travel: TravelTimeProvider | None = None
        self._cond = threading.Condition()
        self._run_lock = threading.Lock()
        self._reasons: list[str] = []
        self._reasons_dropped = 0
        self._first: float | None = None
        self._due: float | None = None
        self._refresh_due: float | None = None
        self._requested = 0
        self._done = 0
        self._running = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.plan: Plan | None = None
        self.problem: DispatchProblem | None = None
        self.epoch: datetime | None = None
        self.doc: dict[str, Any] | None = None
        self.runs = 0
        self.violations: list[str] = []

    # --- wiring -----------------------------------------------------------------------------------------------

    def attach(self) -> None:
        self.services.bus.after_commit(OrderChanged, lambda event: self.on_order_event(event.order, event.live))

    def start(self) -> None:
        if self._thread is None:
            self._stopping = False
            self._thread = threading.Thread(target=self._loop, name="mealkitz-dispatch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    @property
    def travel(self) -> TravelTimeProvider:
        if self._travel is None:
            self._travel = travel_provider(self.services.settings.road_graph)
        return self._travel

    # --- triggers ---------------------------------------------------------------------------------------------

    def on_order_event(self, order: Order, event: dict[str, object]) -> None:
        """After-commit listener: orders accepted, ready, picked up, cancelled... re-plan (debounced).

        A placed order the kitchen has not accepted yet is not in the plan's snapshot, so it asks for nothing
        (a burst of placements used to keep the planner re-solving an unchanged problem)."""
        kind = event.get("type")
        if kind not in REPLAN_EVENTS or not order.is_delivery:
            return
        if kind == "order.placed" and order.status not in DISPATCH_STATUSES:
            return
        self.request_replan(f"{kind} {order.id} {order.status}")

    def request_replan(self, reason: str, *, immediately: bool = False) -> int:
        """Schedule a run; returns a ticket `wait_for` accepts."""
        with self._cond:
            now = time.monotonic()
            if len(self._reasons) < MAX_REASONS:
                self._reasons.append(reason)
            else:
                self._reasons_dropped += 1
            if self._first is None:
                self._first = now
            due = now if immediately else min(now + self.debounce_s, self._first + self.max_delay_s)
            # Trailing debounce: a later request pushes the run back (never past first + max_delay_s);
            # an immediate one pulls it forward.
            previous = self._due
            self._due = due if previous is None or immediately else max(previous, due)
            self._requested += 1
            # The planner sleeps until the earliest due time: wake it only when that moved earlier. Waking it
            # for every order of a burst made it fight the event loop for the GIL thousands of times a second.
            if previous is None or self._due < previous:
                self._cond.notify_all()
            return self._requested

    def wait_for(self, ticket: int, timeout: float = 30.0) -> bool:
        """Block until a run that started after request `ticket` has finished."""
        with self._cond:
            return self._cond.wait_for(lambda: self._done >= ticket, timeout)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until nothing is pending or running (tests, shutdown)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._running and self._due is None, timeout)

    def replan_now(self, reason: str, timeout: float = 30.0) -> dict[str, Any]:
        """Re-plan at once and return the new plan document (runs inline when the thread is not started)."""
        if self._thread is None:
            with self._cond:
                self._requested += 1
                ticket = self._requested
            self._run([reason], ticket)
        else:
            self.wait_for(self.request_replan(reason, immediately=True), timeout)
        return self.current_doc()

    def note_position(self, driver_id: str, became_available: bool) -> None:
        """A GPS fix arrived: re-plan if the driver just became usable, or is late for their next stop."""
        if became_available:
            self.request_replan(f"driver {driver_id} has a position")
            return
        plan, epoch = self.plan, self.epoch
        if plan is None or epoch is None:
            return
        elapsed = (self.services.clock() - epoch).total_seconds()
        stop = next_stop_overdue(plan.route_of(driver_id), elapsed, self.late_threshold_s)
        if stop is not None:
            self.request_replan(f"driver {driver_id} is late for the {stop.kind.value} of {stop.order_id}")

    # --- the loop ---------------------------------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._stopping:
                        return
                    now = time.monotonic()
                    if self._due is not None and now >= self._due:
                        break
                    if self._due is None and self._refresh_due is not None and now >= self._refresh_due:
                        self._reasons.append("periodic refresh")
                        break
                    waits = [t - now for t in (self._due, self._refresh_due) if t is not None]
                    self._cond.wait(min(waits) if waits else None)
                reasons, self._reasons = self._reasons, []
                if self._reasons_dropped:
                    reasons.append(f"and {self._reasons_dropped} more")
                    self._reasons_dropped = 0
                self._due = self._first = None
                ticket = self._requested
                self._running = True
            self._run(reasons, ticket)

    def _run(self, reasons: list[str], ticket: int) -> None:
        has_open = False
        try:
            with self._run_lock:
                has_open = self.run_once(reasons)
        except Exception:
            log.exception("dispatch run failed (%s)", "; ".join(reasons))
        finally:
            with self._cond:
                self._running = False
                self._done = max(self._done, ticket)
                self._refresh_due = time.monotonic() + self.refresh_s if has_open and self.refresh_s > 0 else None
                self._cond.notify_all()

    def current_doc(self) -> dict[str, Any]:
        """The last plan: this process's, else the stored one (another process or before a restart)."""
        if self.doc is not None:
            return self.doc
        with self.services.connection() as conn:
            return store.load_plan(conn) or empty_doc(self.services.clock())

    def _previous(self) -> Plan | None:
        if self.plan is not None:
            return self.plan
        with self.services.connection() as conn:
            stored = store.load_plan(conn)
        return plan_from_doc(stored) if stored else None

    def run_once(self, reasons: list[str]) -> bool:
        """One planning run; True when there are open orders (so a periodic refresh is worth it)."""
        now = self.services.clock()
        with self.services.read() as uow:
            snap = read_snapshot(uow, now)
        problem = build_problem(snap.orders, snap.drivers, now, self.policy)
        self.problem = problem
        started = time.perf_counter()
        plan = solve(problem, self.travel, self.options, self._previous(), self.policy)
        elapsed = time.perf_counter() - started
        violations = [f"{v.kind.value}: {v.detail} ({v.driver_id}, {v.order_id})"
                      for v in check(problem, plan, self.travel)]
        if violations:
            log.warning("dispatch plan breaks rules: %s", violations)
        changes = plan_changes(snap.orders, plan, now, self.eta_threshold_s)
        drivers = [{"driver_id": d.driver_id, "on_shift": d.on_shift,
                    "position": {"lat": d.position.lat, "lon": d.position.lon} if d.position else None,
                    "position_at": d.position_at.isoformat() if d.position_at else None,
                    "takes_orders": available_reason(d, now, self.policy) is None,
                    "why_not": available_reason(d, now, self.policy)} for d in snap.drivers]
        doc = plan_doc(plan, now, snap.info, drivers, violations, reasons, elapsed)
        before = self.plan
        self.services.writer.call(lambda uow: self._apply(uow, changes, snap, doc, now, before, plan))
        self.plan, self.epoch, self.doc, self.violations = plan, now, doc, violations
        self.runs += 1
        log.info("dispatch run: %s orders, %s assigned, %s unassigned, %.2f s (%s)", doc["stats"]["orders"],
                 doc["stats"]["assigned"], doc["stats"]["unassigned"], elapsed, "; ".join(reasons)[:200])
        return bool(snap.orders)

    def _apply(self, uow: SqlUnitOfWork, changes: list[OrderChange], snap: Snapshot, doc: dict[str, Any],
               now: datetime, before: Plan | None, plan: Plan) -> int:
        applied = 0
        for change in changes:
            order = uow.orders.get(change.order_id)
            if order is None or order.version != snap.versions.get(change.order_id):
                continue  # it moved while we solved; its own event has already asked for a new run
            previous_driver = order.driver_id
            try:
                events = []
                if change.driver_changed:
                    events.append(order.assign(change.driver_id, by=SYSTEM, now=now, reason="automatic dispatch"))
                if change.eta_changed and order.driver_id is not None:
                    events.append(order.set_eta(change.eta, by=SYSTEM, now=now))
            except DomainError as exc:
                log.warning("dispatch could not update order %s: %s", change.order_id, exc.detail)
                continue
            if not events:
                continue
            uow.orders.save(order, events)
            applied += 1
            kind = "order.assigned" if change.driver_changed else "order.eta"
            uow.emit(OrderChanged(order, {
                "type": kind, "order_id": order.id, "driver_id": order.driver_id,
                "eta": order.eta.isoformat() if order.eta else None, "seq": events[-1].seq},
                previous_driver_id=previous_driver if change.driver_changed else None))
        store.save_plan(uow.conn, doc, now)
        self._publish_plan(uow, doc, before, plan)
        return applied

    def _publish_plan(self, uow: SqlUnitOfWork, doc: dict[str, Any], before: Plan | None, plan: Plan) -> None:
        publish = self.services.publish
        stats = doc["stats"]
        uow.after_commit.append(lambda: publish("dispatch", {"type": "dispatch.plan", "computed_at": doc["computed_at"],
                                                             **stats}))
        drivers = {r.driver_id for r in plan.routes} | ({r.driver_id for r in before.routes} if before else set())
        for driver_id in sorted(drivers):
            new = route_signature(plan.route_of(driver_id))
            old = route_signature(before.route_of(driver_id)) if before else ()
            if new != old:
                uow.after_commit.append(lambda d=driver_id, n=len(new): publish(
                    f"driver:{d}", {"type": "driver.stops", "stops": n}))
