"""Geodesic distances, delivery zones (radius and polygon) and fee bands."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from geopy.distance import geodesic
from pydantic import ValidationError

from core.geo import DeliveryZone, GeoPoint, point_in_polygon
from core.merchants import Merchant

PIZZERIA = GeoPoint(lat=48.41035, lon=15.59975)
ANNA = GeoPoint(lat=48.40985, lon=15.6079)


def test_distance_is_wgs84_geodesic_rounded_to_metres():
    # One degree of latitude at the equator is 110.574 km on the WGS-84 ellipsoid (a sphere would say 111.195).
    assert GeoPoint(lat=0, lon=0).distance_km(GeoPoint(lat=1, lon=0)) == D("110.574")
    assert GeoPoint(lat=0, lon=0).distance_km(GeoPoint(lat=0, lon=1)) == D("111.319")
    assert PIZZERIA.distance_km(ANNA) == D("0.606")
    vienna = GeoPoint(lat=48.2082, lon=16.3738)
    assert vienna.distance_km(PIZZERIA) == D(str(round(geodesic((48.2082, 16.3738), (48.41035, 15.59975)).km, 3)))
    assert PIZZERIA.distance_km(PIZZERIA) == D(0)
    assert PIZZERIA.distance_km(ANNA) == ANNA.distance_km(PIZZERIA)


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (-90.1, 0), (0, 180.5), (0, -181)])
def test_points_are_on_earth(lat, lon):
    with pytest.raises(ValidationError):
        GeoPoint(lat=lat, lon=lon)


SQUARE = [GeoPoint(lat=0, lon=0), GeoPoint(lat=0, lon=2), GeoPoint(lat=2, lon=2), GeoPoint(lat=2, lon=0)]
# An L: the square minus its top-right quarter.
ELL = [GeoPoint(lat=0, lon=0), GeoPoint(lat=0, lon=2), GeoPoint(lat=1, lon=2), GeoPoint(lat=1, lon=1),
       GeoPoint(lat=2, lon=1), GeoPoint(lat=2, lon=0)]


@pytest.mark.parametrize(("polygon", "lat", "lon", "inside"), [
    (SQUARE, 1, 1, True), (SQUARE, 0.01, 1.99, True), (SQUARE, 3, 1, False), (SQUARE, 1, -0.01, False),
    (ELL, 0.5, 1.5, True), (ELL, 1.5, 0.5, True), (ELL, 1.5, 1.5, False), (ELL, -1, -1, False),
])
def test_point_in_polygon(polygon, lat, lon, inside):
    assert point_in_polygon(GeoPoint(lat=lat, lon=lon), polygon) is inside


def test_a_zone_is_a_radius_or_a_polygon():
    with pytest.raises(ValidationError):
        DeliveryZone()
    with pytest.raises(ValidationError):
        DeliveryZone(radius_km=D(3), polygon=SQUARE)
    with pytest.raises(ValidationError):
        DeliveryZone(polygon=SQUARE[:2])
    with pytest.raises(ValidationError):
        DeliveryZone(radius_km=D(0))


def test_radius_zone_boundary_is_inclusive():
    zone = DeliveryZone(radius_km=D("0.606"))
    assert zone.contains(PIZZERIA, ANNA)
    assert not DeliveryZone(radius_km=D("0.605")).contains(PIZZERIA, ANNA)
    # A distance already measured is reused rather than recomputed.
    assert zone.contains(PIZZERIA, ANNA, distance_km=D("0.1"))
    assert not zone.contains(PIZZERIA, ANNA, distance_km=D("0.7"))


def test_polygon_zone_ignores_distance():
    zone = DeliveryZone(polygon=SQUARE)
    far_centre = GeoPoint(lat=50, lon=50)
    assert zone.contains(far_centre, GeoPoint(lat=1, lon=1), distance_km=D(9999))
    assert not zone.contains(far_centre, GeoPoint(lat=3, lon=3))


def merchant(bands):
    return Merchant(id="m", name="M", address={"line1": "x"}, location=PIZZERIA, delivery_fee_bands=bands)


def test_fee_bands_are_sorted_and_inclusive():
    m = merchant([{"up_to_km": "6", "fee": "3.90"}, {"up_to_km": "2", "fee": "1.90"}, {"up_to_km": "4", "fee": "2.90"}])
    assert [b.up_to_km for b in m.delivery_fee_bands] == [D(2), D(4), D(6)]
    assert m.delivery_fee(D("0")) == D("1.90")
    assert m.delivery_fee(D("2")) == D("1.90")
    assert m.delivery_fee(D("2.001")) == D("2.90")
    assert m.delivery_fee(D("6")) == D("3.90")
    assert m.delivery_fee(D("6.001")) is None


def test_no_bands_means_free_delivery():
    assert merchant([]).delivery_fee(D("42")) == D(0)
