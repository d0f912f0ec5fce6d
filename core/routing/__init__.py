"""Routing engine: travel times (road graph or geodesic), dispatch solver, VRPTW entry point.

Pure Python + OR-Tools/osmnx/geopy; no web, DB or UI imports. Times are seconds since the plan
epoch (see core.routing.model).
"""

from core.routing.feasibility import Violation, ViolationKind, check_plan
from core.routing.model import (
    Driver, DriverRoute, Location, Plan, Problem, Stop, StopKind, Task, TimeWindow,
    UnassignedReason, UnassignedTask, VehicleType,
)
from core.routing.road_graph import RoadGraphTravelTimes, load_road_graph
from core.routing.solver import SolverOptions, plan_routes
from core.routing.travel import GeodesicTravelTimes, TravelMatrix, TravelTimeProvider, travel_time

__all__ = [
    "Driver", "DriverRoute", "GeodesicTravelTimes", "Location", "Plan", "Problem", "RoadGraphTravelTimes",
    "SolverOptions", "Stop", "StopKind", "Task", "TimeWindow", "TravelMatrix", "TravelTimeProvider",
    "UnassignedReason", "UnassignedTask", "VehicleType", "Violation", "ViolationKind", "check_plan",
    "load_road_graph", "plan_routes", "travel_time",
]
