"""Road-graph travel-time backend: osmnx graphs built from local OSM XML files.

Nothing here touches the network: graphs come from files shipped in assets/osm (OSM XML, optionally
bz2-compressed), never from Overpass. Shortest paths are Dijkstra runs from each source node,
cached per (vehicle type, source) for the lifetime of the provider.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import networkx as nx
import numpy as np
import osmnx as ox

from core.routing.model import Location, VehicleType
from core.routing.travel import DEFAULT_DETOUR_FACTOR, DEFAULT_SPEEDS_KPH, MAX_SPEEDS_KPH, TravelMatrix

EARTH_RADIUS_M = 6_371_008.8
# Speed (km/h) for edges whose highway type osmnx cannot infer a speed for.
FALLBACK_EDGE_KPH = 30.0

# Never let osmnx reach for the network or write caches during a dispatch run.
ox.settings.use_cache = False
ox.settings.log_console = False


def load_road_graph(path: str | Path) -> nx.MultiDiGraph:
    """Load an OSM XML file (.osm, .osm.bz2, .osm.gz) into a drivable graph with travel times.

    Edges get `speed_kph` (from maxspeed tags, else per-highway-type means) and `travel_time` (s).
    """
    graph = ox.graph_from_xml(Path(path), simplify=True)
    graph = ox.add_edge_speeds(graph, fallback=FALLBACK_EDGE_KPH)
    return ox.add_edge_travel_times(graph)


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres (works on floats and numpy arrays)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


class RoadGraphTravelTimes:
    """TravelTimeProvider over an osmnx road graph.

    A point is snapped to its nearest graph node; the walk/ride between point and node costs
    crow-flies distance x detour factor at the vehicle's average speed. Points farther than
    `max_snap_m` from any node are outside the map and reported unreachable, as are pairs whose
    nodes have no directed path between them (one-way dead ends, cut-off parts of the network).
    With `snap_to_main_component`, points snap only to nodes of the largest strongly connected component.
    """

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        max_snap_m: float = 500.0,
        detour_factor: float = DEFAULT_DETOUR_FACTOR,
        access_speeds_kph: dict[VehicleType, float] | None = None,
        max_speeds_kph: dict[VehicleType, float] | None = None,
        snap_to_main_component: bool = False,
    ) -> None:
        self.graph = graph
        self.max_snap_m = max_snap_m
        self.detour_factor = detour_factor
        self.access_speeds_kph = dict(access_speeds_kph or DEFAULT_SPEEDS_KPH)
        self.max_speeds_kph = dict(max_speeds_kph or MAX_SPEEDS_KPH)
        components = sorted(nx.strongly_connected_components(graph), key=len, reverse=True)
        self._component_of = {n: i for i, comp in enumerate(components) for n in comp}
        self._component_sizes = [len(c) for c in components]
        # Live dispatch snaps only to the main component: an address next to a clipped one-way stub is still
        # reachable on foot/by bike from the main network, and should not be refused for the map's edges.
        self._nodes = [n for n in graph.nodes if not snap_to_main_component or self._component_of[n] == 0]
        self._lats = np.array([graph.nodes[n]["y"] for n in self._nodes])
        self._lons = np.array([graph.nodes[n]["x"] for n in self._nodes])
        self._weighted: dict[VehicleType, nx.DiGraph] = {}
        self._sssp: dict[tuple[VehicleType, int], dict[int, float]] = {}

    @classmethod
    def from_osm_file(cls, path: str | Path, **kwargs) -> "RoadGraphTravelTimes":
        """Build a provider straight from an OSM XML file."""
        return cls(load_road_graph(path), **kwargs)

    def nearest_node(self, point: Location) -> tuple[int, float]:
        """(node id, distance in metres) of the graph node closest to `point`."""
        dists = haversine_m(point.lat, point.lon, self._lats, self._lons)
        i = int(np.argmin(dists))
        return self._nodes[i], float(dists[i])

    def component_size(self, node: int) -> int:
        """Size of the strongly connected component holding `node`."""
        return self._component_sizes[self._component_of[node]]

    def is_in_main_component(self, node: int) -> bool:
        """True when `node` belongs to the largest strongly connected component."""
        return self._component_of[node] == 0

    def _vehicle_graph(self, vehicle: VehicleType) -> nx.DiGraph:
        # Collapse parallel edges to the fastest one and cap speeds per vehicle once per type.
        if vehicle not in self._weighted:
            cap = self.max_speeds_kph[vehicle]
            simple = nx.DiGraph()
            simple.add_nodes_from(self.graph.nodes)
            for u, v, data in self.graph.edges(data=True):
                seconds = data["length"] / (min(data["speed_kph"], cap) / 3.6)
                if not simple.has_edge(u, v) or simple[u][v]["seconds"] > seconds:
                    simple.add_edge(u, v, seconds=seconds)
            self._weighted[vehicle] = simple
        return self._weighted[vehicle]

    def node_seconds(self, source: int, vehicle: VehicleType) -> dict[int, float]:
        """Shortest travel seconds from `source` to every reachable node (cached Dijkstra)."""
        key = (vehicle, source)
        if key not in self._sssp:
            self._sssp[key] = nx.single_source_dijkstra_path_length(
                self._vehicle_graph(vehicle), source, weight="seconds"
            )
        return self._sssp[key]

    def _access_seconds(self, metres: float, vehicle: VehicleType) -> float:
        return metres * self.detour_factor / (self.access_speeds_kph[vehicle] / 3.6)

    def _no_path_reason(self, a: int, b: int) -> str:
        for node, role in ((a, "start"), (b, "destination")):
            if not self.is_in_main_component(node):
                return (
                    f"no road path from node {a} to node {b}: the {role} node {node} lies in a "
                    f"{self.component_size(node)}-node part of the road network cut off from the "
                    "main network (one-way or disconnected streets)"
                )
        return f"no road path from node {a} to node {b}"

    def matrix(
        self, origins: Sequence[Location], destinations: Sequence[Location], vehicle: VehicleType
    ) -> TravelMatrix:
        """Many-to-many travel seconds; inf plus a reason for pairs that cannot be travelled."""
        snapped = {p: self.nearest_node(p) for p in (*origins, *destinations)}
        rows: list[tuple[float, ...]] = []
        reasons: dict[tuple[int, int], str] = {}
        for i, a in enumerate(origins):
            node_a, snap_a = snapped[a]
            row = []
            for j, b in enumerate(destinations):
                node_b, snap_b = snapped[b]
                problem = self._snap_problem(a, snap_a) or self._snap_problem(b, snap_b)
                if problem:
                    row.append(math.inf)
                    reasons[(i, j)] = problem
                elif a == b:
                    row.append(0.0)
                elif node_a == node_b:
                    row.append(self._access_seconds(float(haversine_m(a.lat, a.lon, b.lat, b.lon)), vehicle))
                else:
                    core = self.node_seconds(node_a, vehicle).get(node_b)
                    if core is None:
                        row.append(math.inf)
                        reasons[(i, j)] = self._no_path_reason(node_a, node_b)
                    else:
                        access = self._access_seconds(snap_a, vehicle) + self._access_seconds(snap_b, vehicle)
                        row.append(core + access)
            rows.append(tuple(row))
        return TravelMatrix(tuple(rows), reasons)

    def _snap_problem(self, point: Location, snap_m: float) -> str | None:
        if snap_m <= self.max_snap_m:
            return None
        return (
            f"address ({point.lat:.5f}, {point.lon:.5f}) is {snap_m:.0f} m from the nearest road of the "
            f"map (limit {self.max_snap_m:.0f} m): outside the routing area"
        )
