"""Typed addresses to a street of the city, offline and forgiving, but never a guess."""
from __future__ import annotations

from pathlib import Path

import pytest

from core.streets import StreetIndex, normalise
from server.streets import load_streets

KREMS = Path(__file__).resolve().parents[2] / "assets" / "osm" / "krems_drive.osm.bz2"


@pytest.fixture(scope="module")
def krems() -> StreetIndex:
    return load_streets(KREMS)


def test_normalise_folds_case_accents_numbers_and_abbreviations() -> None:
    assert normalise("Ringstraße 45, 3500") == "ringstrasse"
    assert normalise("Utzstr. 3") == "utzstrasse"
    assert normalise("Calle de Alcalá 12B") == "calle de alcala"


@pytest.mark.parametrize("typed", ["Ringstraße 45", "ringstrasse 45, 3500 Krems", "Ringstrase 45", "RINGSTR. 45"])
def test_the_ways_people_type_a_street_find_it(krems: StreetIndex, typed: str) -> None:
    found = krems.locate(typed)
    assert found is not None and found[0] == "Ringstraße"
    assert 48.40 < found[1].lat < 48.42 and 15.59 < found[1].lon < 15.62  # on Krems' ring, not elsewhere


@pytest.mark.parametrize("typed", ["Hauptplatz", "my house", "Calle Mayor 5", "", "45"])
def test_a_partial_or_unknown_name_is_not_guessed(krems: StreetIndex, typed: str) -> None:
    assert krems.locate(typed) is None


def test_the_point_given_lies_on_the_street(krems: StreetIndex) -> None:
    name, point = krems.locate("Ringstraße 1")  # type: ignore[misc]
    assert point in krems.streets[name]
