"""The fixed split of a benchmark's rows into rows used for development and rows set aside (held out).

A row belongs to the held-out half when the first byte of the SHA-256 of its text is odd: deterministic,
independent of the row's position and of the parser, about half of any set. Benchmarks take
`--rows dev|holdout|all`; parser work looks only at `dev`.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

Row = TypeVar("Row")
HALVES = ("dev", "holdout", "all")


def is_held_out(text: str) -> bool:
    """True when the row with this text is set aside (never looked at while developing)."""
    return hashlib.sha256(text.strip().lower().encode("utf-8")).digest()[0] % 2 == 1


def select_rows(rows: Iterable[Row], text_of: Callable[[Row], str], half: str) -> list[Row]:
    """The rows of `half` ('dev', 'holdout' or 'all'), in their original order."""
    if half not in HALVES:
        raise ValueError(f"unknown half {half!r}; one of {', '.join(HALVES)}")
    if half == "all":
        return list(rows)
    wanted = half == "holdout"
    return [row for row in rows if is_held_out(text_of(row)) == wanted]
