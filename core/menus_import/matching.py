"""Which scraped item is which menu item: normalised names, fuzzy-matched one to one."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

from rapidfuzz import fuzz

A = TypeVar("A")
B = TypeVar("B")

DEFAULT_THRESHOLD = 85.0


def normalise_name(name: str) -> str:
    """Lower case, no accents, no punctuation or leading numbering: '12. Crème Brûlée!' -> 'creme brulee'."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"^\s*(?:no\.?\s*|#)?\d+[.)]?\s+", "", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def slug(name: str, taken: set[str] | None = None, max_length: int = 60) -> str:
    """An id from a name, unique against `taken` (which it updates): 'Fish & Chips' -> 'fish-chips'."""
    base = normalise_name(name).replace(" ", "-")[:max_length].strip("-") or "item"
    candidate, n = base, 2
    while taken is not None and candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    if taken is not None:
        taken.add(candidate)
    return candidate


def name_score(a: str, b: str) -> float:
    """0-100 similarity of two names; word order does not matter ('Pizza Margherita' = 'Margherita Pizza')."""
    na, nb = normalise_name(a), normalise_name(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 100.0
    return float(fuzz.token_sort_ratio(na, nb))


def best_pairs(
    left: Sequence[A],
    right: Sequence[B],
    left_names: Sequence[Sequence[str]],
    right_names: Sequence[Sequence[str]],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[tuple[int, int, float]]:
    """One-to-one pairs (left index, right index, score), best scores first, each at least `threshold`.

    Every element may have several names (a name, translations, synonyms); the best of them counts.
    """
    scored = []
    for i, names_a in enumerate(left_names):
        for j, names_b in enumerate(right_names):
            score = max((name_score(a, b) for a in names_a for b in names_b), default=0.0)
            if score >= threshold:
                scored.append((score, i, j))
    # Greedy by score is enough here: menus are small and near-ties are rare after normalisation.
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs = []
    for score, i, j in scored:
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        pairs.append((i, j, score))
    return pairs
