"""Points, delivery zones and distances (geodesic on WGS-84 via geopy)."""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from geopy.distance import geodesic
from pydantic import BaseModel, ConfigDict, Field, model_validator


class GeoPoint(BaseModel):
    """A WGS-84 position in decimal degrees."""

    model_config = ConfigDict(frozen=True)

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)

    def distance_km(self, other: "GeoPoint") -> Decimal:
        """Geodesic distance, rounded to metres so prices derived from it are reproducible."""
        return _geodesic_km(self.lat, self.lon, other.lat, other.lon)


@lru_cache(maxsize=65536)
def _geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> Decimal:
    # Karney's geodesic costs ~50 µs; customers order again and again from the same few addresses.
    return Decimal(str(round(geodesic((lat1, lon1), (lat2, lon2)).km, 3)))


def point_in_polygon(point: GeoPoint, polygon: list[GeoPoint]) -> bool:
    """Ray casting on lon/lat; fine for delivery zones a few km across."""
    inside = False
    x, y = point.lon, point.lat
    n = len(polygon)
    for i in range(n):
        a, b = polygon[i], polygon[(i + 1) % n]
        if (a.lat > y) != (b.lat > y):
            x_cross = a.lon + (y - a.lat) * (b.lon - a.lon) / (b.lat - a.lat)
            if x < x_cross:
                inside = not inside
    return inside


class DeliveryZone(BaseModel):
    """Where a merchant delivers: a radius around its location, or a polygon."""

    model_config = ConfigDict(frozen=True)

    radius_km: Decimal | None = Field(default=None, gt=0, le=1000)
    polygon: list[GeoPoint] | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> "DeliveryZone":
        if (self.radius_km is None) == (self.polygon is None):
            raise ValueError("a delivery zone is either a radius_km or a polygon")
        if self.polygon is not None and len(self.polygon) < 3:
            raise ValueError("a delivery polygon needs at least 3 points")
        return self

    def contains(self, centre: GeoPoint, point: GeoPoint, distance_km: Decimal | None = None) -> bool:
        """Whether the zone around `centre` reaches `point` (`distance_km`: a distance already measured)."""
        if self.radius_km is not None:
            km = distance_km if distance_km is not None else centre.distance_km(point)
            return km <= self.radius_km
        return point_in_polygon(point, self.polygon or [])
