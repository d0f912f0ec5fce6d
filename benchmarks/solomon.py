"""Solomon VRPTW benchmark: our OR-Tools solver (core.routing.vrptw) against best-known solutions,
with VROOM (pyvroom) on the same instances as a reference.

    python -m benchmarks.solomon DIR --bks CSV --time-limit S [--instances 'R1*,RC101'] [--no-vroom] [--jobs N]

`--instances` takes names or shell-style patterns, comma-separated (default: every instance in DIR with a
best-known solution).

`--jobs N` runs N instances at a time in separate processes (each solver stays single-threaded); it is for
quicker iteration only: reported figures use the default of 1, one instance at a time on one core.

Objective is hierarchical (vehicles, then unrounded Euclidean distance). `sec` is our wall time per
instance (the budget is wall time), `cpu` the CPU time our solver got in it: far below `sec` means the
machine was busy and the figures understate the solver. Gap % is over instances
solved with the best-known vehicle count. Last line:
    solomon_mean_gap_pct: <value> above_bks_vehicles=<k>/<n>
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from fnmatch import fnmatch
from pathlib import Path

from core.routing.vrptw import VrptwInstance, VrptwSolution, check_vrptw, parse_solomon, route_distance, solve_vrptw

VROOM_SCALE = 1000  # VROOM takes integer durations; round up like our solver so plans stay feasible


def load_bks(path: Path) -> dict[str, tuple[int, float]]:
    """Best-known (vehicles, distance) per instance name."""
    with path.open(newline="") as f:
        return {row["instance"]: (int(row["vehicles"]), float(row["distance"])) for row in csv.DictReader(f)}


def solve_with_vroom(instance: VrptwInstance, time_limit_s: float) -> VrptwSolution:
    """VROOM on one thread, a high fixed cost per vehicle to mirror the hierarchical objective."""
    import vroom

    sites = [instance.depot, *instance.customers]
    matrix = [[math.ceil(math.hypot(a.x - b.x, a.y - b.y) * VROOM_SCALE) for b in sites] for a in sites]
    problem = vroom.Input()
    problem.set_durations_matrix("car", matrix)
    due = math.floor(instance.depot.due * VROOM_SCALE)
    for v in range(instance.vehicles):
        problem.add_vehicle(vroom.Vehicle(
            v, start=0, end=0, capacity=[instance.capacity], time_window=vroom.TimeWindow(0, due),
            costs=vroom.VehicleCosts(fixed=10**8),
        ))
    for i, c in enumerate(instance.customers, start=1):
        problem.add_job(vroom.Job(
            i, location=i, default_service=round(c.service * VROOM_SCALE), delivery=[c.demand],
            time_windows=[vroom.TimeWindow(math.ceil(c.ready * VROOM_SCALE), math.floor(c.due * VROOM_SCALE))],
        ))
    solution = problem.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=time_limit_s))
    routes: dict[int, list[int]] = {}
    for row in solution.routes.itertuples():
        if str(row.type) == "job":
            routes.setdefault(int(row.vehicle_id), []).append(int(row.id))
    return VrptwSolution(tuple(tuple(r) for r in routes.values()), route_distance(instance, routes.values()))


def gap_pct(distance: float, bks_distance: float) -> float:
    return 100.0 * (distance - bks_distance) / bks_distance


def summarise(label: str, rows: list[tuple[int, float, int, float]]) -> tuple[float, int, int]:
    """(mean gap % at BKS vehicle count, count above BKS vehicles, count) for (veh, dist, bks_veh, bks_dist) rows."""
    gaps = [gap_pct(d, bd) for v, d, bv, bd in rows if v <= bv]
    above = sum(1 for v, _, bv, _ in rows if v > bv)
    mean = sum(gaps) / len(gaps) if gaps else float("nan")
    print(f"{label}: mean gap {mean:.2f}% over {len(gaps)} at BKS vehicles; above BKS vehicles {above}/{len(rows)}")
    return mean, above, len(rows)


@dataclass
class InstanceResult:
    name: str
    ours: VrptwSolution
    ours_seconds: float
    ours_cpu_seconds: float
    ours_violations: list[str]
    vroom: VrptwSolution | None
    vroom_violations: list[str]


def run_instance(path: Path, name: str, time_limit_s: float, with_vroom: bool) -> InstanceResult:
    """Solve one instance with our solver (and VROOM unless disabled), checking both plans."""
    instance = parse_solomon(path.read_text(), name)
    started, cpu_started = time.monotonic(), time.process_time()
    sol = solve_vrptw(instance, time_limit_s)
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu_started
    ref = solve_with_vroom(instance, time_limit_s) if with_vroom else None
    ref_violations = check_vrptw(instance, ref.routes) if ref else []
    return InstanceResult(name, sol, elapsed, cpu, check_vrptw(instance, sol.routes), ref, ref_violations)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--bks", type=Path, required=True)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--instances", default="", help="names or patterns, comma-separated (e.g. 'R1*,RC101')")
    parser.add_argument("--no-vroom", action="store_true")
    parser.add_argument("--jobs", type=int, default=1, help="instances solved in parallel processes (default 1)")
    args = parser.parse_args(argv)

    bks = load_bks(args.bks)
    available = sorted(p.stem for p in args.dir.glob("*.txt") if p.stem in bks)
    patterns = [pattern for pattern in args.instances.split(",") if pattern]
    names = [n for n in available if any(fnmatch(n, pattern) for pattern in patterns)] if patterns else available
    ours: list[tuple[int, float, int, float]] = []
    theirs: list[tuple[int, float, int, float]] = []
    header = (f"{'instance':8} {'veh':>4} {'distance':>9} {'bks_veh':>7} {'bks_dist':>9} {'gap%':>6} "
              f"{'sec':>5} {'cpu':>5}")
    print(header + ("" if args.no_vroom else f" | {'vroom_veh':>9} {'vroom_dist':>10} {'vroom_gap%':>10}"))
    tasks = [(args.dir / f"{name}.txt", name, args.time_limit, not args.no_vroom) for name in names]
    if args.jobs > 1:
        pool = ProcessPoolExecutor(max_workers=args.jobs)
        results = pool.map(run_instance, *zip(*tasks)) if tasks else iter(())
    else:
        pool, results = None, (run_instance(*t) for t in tasks)
    try:
        for res in results:  # in instance order, as they complete
            name, sol = res.name, res.ours
            bks_veh, bks_dist = bks[name]
            if res.ours_violations:
                print(f"{name}: INFEASIBLE: {res.ours_violations[:3]}", file=sys.stderr)
                return 1
            ours.append((sol.vehicles, sol.distance, bks_veh, bks_dist))
            line = (f"{name:8} {sol.vehicles:4d} {sol.distance:9.2f} {bks_veh:7d} {bks_dist:9.2f} "
                    f"{gap_pct(sol.distance, bks_dist):6.2f} {res.ours_seconds:5.1f} {res.ours_cpu_seconds:5.1f}")
            if res.vroom is not None:
                ref = res.vroom
                theirs.append((ref.vehicles, ref.distance, bks_veh, bks_dist))
                line += (f" | {ref.vehicles:9d} {ref.distance:10.2f} {gap_pct(ref.distance, bks_dist):10.2f}"
                         + (" INFEASIBLE" if res.vroom_violations else ""))
            print(line, flush=True)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if theirs:
        summarise("vroom", theirs)
    mean, above, n = summarise("ours", ours)
    print(f"solomon_mean_gap_pct: {mean:.2f} above_bks_vehicles={above}/{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
