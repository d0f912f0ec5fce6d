"""Typed addresses to a place, offline: the streets of the delivery city by name, matched forgivingly.

Street level only (the city's OSM extract has no house numbers): enough to check the delivery zone and
price the distance, while the driver reads the address as typed.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from core.geo import GeoPoint

MIN_SCORE = 88  # below this a street name is a guess, and a wrong street is worse than asking for a pin
# Abbreviations people type, spelled out as the map spells them ("Utzstr. 3" is Utzstraße).
ABBREVIATIONS = ((re.compile(r"str$"), "strasse"), (re.compile(r"^str$"), "strasse"), (re.compile(r"^g$"), "gasse"),
                 (re.compile(r"^pl$"), "platz"))


def normalise(text: str) -> str:
    """Lower case, accents and ß folded, house numbers and punctuation dropped."""
    text = text.casefold().replace("ß", "ss")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"\b\d+[a-z]?\b", " ", text)  # house numbers, postcodes
    words = re.sub(r"[^\w\s]", " ", text).split()
    for pattern, full in ABBREVIATIONS:
        words = [pattern.sub(full, w) for w in words]
    return " ".join(words)


@dataclass
class StreetIndex:
    """Street name → the points along it; `locate` answers the one that names a street, or None."""

    streets: dict[str, list[GeoPoint]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_key = {normalise(name): name for name in self.streets if normalise(name)}

    def locate(self, text: str) -> tuple[str, GeoPoint] | None:
        """The street the address names. Only its first part counts ("Ringstraße 45, 3500 Krems"), and the
        whole name must match: "Hauptplatz" is not "Lerchenfelder Hauptplatz"."""
        said = normalise(text.split(",")[0])
        if not said or not self._by_key:
            return None
        found = process.extractOne(said, list(self._by_key), scorer=fuzz.ratio, score_cutoff=MIN_SCORE)
        if found is None:
            return None
        name = self._by_key[found[0]]
        return name, self.middle(name)

    def middle(self, name: str) -> GeoPoint:
        """The point along the street nearest its centre: on the street, not in a block beside a bend."""
        points = self.streets[name]
        lat = sum(p.lat for p in points) / len(points)
        lon = sum(p.lon for p in points) / len(points)
        return min(points, key=lambda p: (p.lat - lat) ** 2 + (p.lon - lon) ** 2)
