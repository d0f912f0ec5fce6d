"""Travel-time port and the geodesic fallback backend.

A `TravelTimeProvider` answers many-to-many travel-time questions for one vehicle type. Pairs that
cannot be travelled are not silently given a large number: they come back as `math.inf` with a
human-readable reason, so the solver can tell a dispatcher *why* an address cannot be served.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol, Sequence, runtime_checkable

from geopy.distance import geodesic

from core.routing.model import Location, VehicleType

# Average door-to-door urban speeds (km/h) used when no road graph is configured; the detour
# factor turns crow-flies distance into street distance (~1.3 in European city centres).
DEFAULT_SPEEDS_KPH: dict[VehicleType, float] = {
    VehicleType.BIKE: 15.0,
    VehicleType.SCOOTER: 25.0,
    VehicleType.CAR: 30.0,
}
# Road-graph edge speeds are car speed limits; two-wheelers cannot exceed these caps.
MAX_SPEEDS_KPH: dict[VehicleType, float] = {
    VehicleType.BIKE: 18.0,
    VehicleType.SCOOTER: 45.0,
    VehicleType.CAR: 130.0,
}
DEFAULT_DETOUR_FACTOR = 1.3


@dataclass(frozen=True)
class TravelMatrix:
    """Travel times in seconds, `seconds[i][j]` from origin i to destination j.

    Unreachable pairs hold `math.inf` and have an entry in `reasons`.
    """

    seconds: tuple[tuple[float, ...], ...]
    reasons: dict[tuple[int, int], str] = field(default_factory=dict)

    def time(self, i: int, j: int) -> float:
        """Seconds from origin i to destination j (inf when unreachable)."""
        return self.seconds[i][j]

    def reason(self, i: int, j: int) -> str | None:
        """Why j cannot be reached from i, or None when it can."""
        return self.reasons.get((i, j))


@runtime_checkable
class TravelTimeProvider(Protocol):
    """Port: travel times between points for one vehicle type."""

    def matrix(
        self, origins: Sequence[Location], destinations: Sequence[Location], vehicle: VehicleType
    ) -> TravelMatrix:
        """Many-to-many travel times (seconds) with reasons for unreachable pairs."""
        ...


def travel_time(
    provider: TravelTimeProvider, a: Location, b: Location, vehicle: VehicleType
) -> tuple[float, str | None]:
    """One travel time and, when unreachable, the reason (convenience over `matrix`)."""
    m = provider.matrix([a], [b], vehicle)
    return m.time(0, 0), m.reason(0, 0)


class GeodesicTravelTimes:
    """Fallback backend: geodesic distance x detour factor at a per-vehicle average speed.

    Always reachable, exactly symmetric. Used when the city has no configured road graph.
    """

    def __init__(
        self,
        speeds_kph: dict[VehicleType, float] | None = None,
        detour_factor: float = DEFAULT_DETOUR_FACTOR,
    ) -> None:
        self.speeds_kph = dict(DEFAULT_SPEEDS_KPH if speeds_kph is None else speeds_kph)
        self.detour_factor = detour_factor
        self._cache: dict[tuple[Location, Location], float] = {}

    def distance_m(self, a: Location, b: Location) -> float:
        """Geodesic (WGS84 ellipsoid) distance in metres, cached per unordered pair."""
        if a == b:
            return 0.0
        key = (a, b) if (a.lat, a.lon) <= (b.lat, b.lon) else (b, a)
        if key not in self._cache:
            self._cache[key] = geodesic((a.lat, a.lon), (b.lat, b.lon)).meters
        return self._cache[key]

    def seconds(self, a: Location, b: Location, vehicle: VehicleType) -> float:
        """Estimated travel seconds from a to b."""
        speed_ms = self.speeds_kph[vehicle] / 3.6
        return self.distance_m(a, b) * self.detour_factor / speed_ms

    def matrix(
        self, origins: Sequence[Location], destinations: Sequence[Location], vehicle: VehicleType
    ) -> TravelMatrix:
        """Many-to-many matrix; every pair is reachable."""
        rows = tuple(tuple(self.seconds(a, b, vehicle) for b in destinations) for a in origins)
        return TravelMatrix(rows)


def is_reachable(seconds: float) -> bool:
    """True for a finite travel time."""
    return not math.isinf(seconds)
