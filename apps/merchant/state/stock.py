"""Stock and menu: counts, 86 flags, low-stock warnings and availability hours, per item and modifier."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

LOW_STOCK_AT = 5
DAY_NAMES = {1: "mon", 2: "tue", 3: "wed", 4: "thu", 5: "fri", 6: "sat", 7: "sun"}


@dataclass(frozen=True)
class StockLine:
    key: str            # item:ID or option:ID, the key the server's stock API takes
    kind: str           # item / option
    name: str
    group: str          # category name, or the modifier group's name
    count: int | None   # None: not counted
    available: bool
    hours: str          # "" when always available
    pending: int = 0
    sync_error: dict[str, Any] | None = None
    hours_pending: int = 0

    @property
    def has_hours(self) -> bool:
        """Items have availability windows (edited here, by owners); modifier options do not."""
        return self.kind == "item"

    @property
    def low(self) -> bool:
        return self.count is not None and self.count <= LOW_STOCK_AT

    @property
    def sold_out(self) -> bool:
        return not self.available or self.count == 0


@dataclass(frozen=True)
class HoursLine:
    """Availability hours of something that is not a stock line: the merchant (opening hours), a category."""

    target: str         # 'merchant' or 'category:ID', the target the server's hours operation takes
    name: str
    hours: str
    pending: int = 0


DAY_NUMBERS = {name: number for number, name in DAY_NAMES.items()}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _days(text: str) -> list[int]:
    days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if first not in DAY_NUMBERS or (last and last not in DAY_NUMBERS):
            raise ValueError(f"{part.strip()!r} is not a day (mon, tue, wed, thu, fri, sat, sun)")
        start, end = DAY_NUMBERS[first], DAY_NUMBERS[last or first]
        days.update(range(start, end + 1) if start <= end else [*range(start, 8), *range(1, end + 1)])
    return sorted(days)


def parse_hours(text: str) -> list[dict[str, Any]]:
    """Windows from what a person types, the way hours_text shows them: 'mon-fri 11:00-14:30; sat,sun
    12:00-22:00' (no days: every day; empty: always available). ValueError says what is not understood."""
    windows = []
    for part in filter(None, (p.strip().lower() for p in text.split(";"))):
        words = part.split()
        if len(words) > 2 or not words:
            raise ValueError(f"{part!r}: write days then hours, like 'mon-fri 11:00-14:30'")
        span = words[-1].split("-")
        if len(span) != 2 or not all(_TIME.match(t) for t in span):
            raise ValueError(f"{words[-1]!r} is not a time span like 11:00-14:30")
        start, end = (f"{int(h):02d}:{m}" for h, m in (_TIME.match(t).groups()  # type: ignore[union-attr]
                                                           for t in span))
        if start == end:
            raise ValueError(f"{words[-1]!r} starts and ends at the same time")
        windows.append({"days": _days(words[0]) if len(words) == 2 else list(range(1, 8)), "start": start,
                        "end": end})
    return windows


def hours_lines(menu: dict[str, Any] | None, merchant: dict[str, Any]) -> list[HoursLine]:
    """The merchant's opening hours first, then each category's hours."""
    lines = [HoursLine("merchant", str(merchant.get("name") or ""), hours_text(merchant.get("opening_hours") or []),
                       int((merchant.get("_hours_sync") or {}).get("pending") or 0))]
    for category in (menu or {}).get("categories", []):
        lines.append(HoursLine(f"category:{category.get('id')}", str(category.get("name") or category.get("id")),
                               hours_text(category.get("availability") or []),
                               int((category.get("_sync") or {}).get("pending") or 0)))
    return lines


def hours_text(windows: list[dict[str, Any]]) -> str:
    """'mon-fri 11:00-14:30' style, from the menu's availability windows."""
    parts = []
    for window in windows:
        days = sorted(window.get("days") or range(1, 8))
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 1:
            day_text = "" if len(days) == 7 else f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]} "
        else:
            day_text = ",".join(DAY_NAMES[d] for d in days) + " "
        parts.append(f"{day_text}{str(window.get('start', '00:00'))[:5]}-{str(window.get('end', '23:59'))[:5]}")
    return "; ".join(parts)


def stock_lines(menu: dict[str, Any] | None, rows: list[dict[str, Any]]) -> list[StockLine]:
    """Menu things joined with their live stock rows (rows the menu does not name are listed by key)."""
    by_key = {row.get("key"): row for row in rows}
    lines: list[StockLine] = []
    seen: set[str] = set()
    categories = {c.get("id"): c.get("name", "") for c in (menu or {}).get("categories", [])}
    for item in (menu or {}).get("items", []):
        key = f"item:{item.get('id')}"
        lines.append(_line(key, "item", item.get("name", key), categories.get(item.get("category_id"), ""),
                           item, by_key.get(key), hours_text(item.get("availability") or [])))
        seen.add(key)
    for group in (menu or {}).get("modifier_groups", []):
        for option in group.get("options", []):
            key = f"option:{option.get('id')}"
            lines.append(_line(key, "option", option.get("name", key), group.get("name", ""), option,
                               by_key.get(key), ""))
            seen.add(key)
    for key, row in by_key.items():
        if key not in seen and isinstance(key, str):
            lines.append(_line(key, key.split(":")[0], key.split(":", 1)[-1], "", {}, row, ""))
    return lines


def _line(key: str, kind: str, name: str, group: str, thing: dict[str, Any], row: dict[str, Any] | None,
          hours: str) -> StockLine:
    source = row if row is not None else thing
    sync = (row or {}).get("_sync") or {}
    return StockLine(key=key, kind=kind, name=str(name), group=str(group), count=source.get("count", thing.get("stock")),
                     available=bool(source.get("available", True)), hours=hours, pending=int(sync.get("pending") or 0),
                     sync_error=sync.get("error"), hours_pending=int((thing.get("_sync") or {}).get("pending") or 0))


def filter_lines(lines: list[StockLine], query: str) -> list[StockLine]:
    q = query.strip().lower()
    return [line for line in lines if not q or q in line.name.lower() or q in line.group.lower()]


def warnings(lines: list[StockLine]) -> list[StockLine]:
    """What needs attention first: 86'd, sold out, running low."""
    return [line for line in lines if line.sold_out or line.low]
