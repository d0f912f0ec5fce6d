"""The delivery city's streets from an OSM XML extract (plain or .bz2), for typed addresses in chats."""
from __future__ import annotations

import bz2
import logging
import threading
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

from core.geo import GeoPoint
from core.streets import StreetIndex

log = logging.getLogger(__name__)
_lock = threading.Lock()


def load_streets(path: Path) -> StreetIndex:
    """Every named way's nodes, by name. Read once per file (a city extract takes well under a second)."""
    opener = bz2.open if path.suffix == ".bz2" else open
    nodes: dict[str, GeoPoint] = {}
    streets: dict[str, list[GeoPoint]] = {}
    with opener(path, "rb") as handle:
        # B314 (bandit) accepted: the operator's own OSM file, not user input; expat loads no external entities.
        for _, element in ET.iterparse(handle, events=("end",)):  # nosec B314
            if element.tag == "node":
                nodes[element.get("id", "")] = GeoPoint(lat=float(element.get("lat", 0)),
                                                        lon=float(element.get("lon", 0)))
                element.clear()
            elif element.tag == "way":
                tags = {t.get("k"): t.get("v") for t in element.iter("tag")}
                name = tags.get("name")
                if name and tags.get("highway"):
                    refs = [n.get("ref", "") for n in element.iter("nd")]
                    streets.setdefault(name, []).extend(nodes[r] for r in refs if r in nodes)
                element.clear()
    return StreetIndex({name: points for name, points in streets.items() if points})


@lru_cache(maxsize=4)
def _cached(path: Path) -> StreetIndex:
    index = load_streets(path)
    log.info("%d streets from %s for typed addresses", len(index.streets), path)
    return index


def streets_for(path: Path | None) -> StreetIndex | None:
    if path is None or not path.exists():
        return None
    with _lock:
        return _cached(path.resolve())
