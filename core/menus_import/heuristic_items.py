"""Reading one menu line: name, prices, variant labels; scoring how sure we are; the finished item."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from core.menus_import.markers import diets_in_text, strip_sold_out
from core.menus_import.model import Availability, ScrapedItem, ScrapedOption
from core.menus_import.prices import PriceMatch

_LEADERS = re.compile(r"\s*[.·…_]{2,}\s*")
_DIET_CODES = re.compile(r"\s*\((?:v|vg|gf|veg|vegan|df)\)", re.IGNORECASE)
_DANGLING = re.compile(r"\b(?:of|from|for|at|de|desde|ab|von|für|only|just|minimum|min\.?|over|under)\s*$",
                       re.IGNORECASE)
_ITEM_CLASSES = re.compile(r"item|dish|product|menu|price|preis|precio|plato|gericht|speise|food")
# Words that may stand next to a price without naming a dish: sizes, servings, 'from'.
_LABEL_WORDS = {
    "small", "medium", "large", "regular", "half", "full", "glass", "bottle", "cup", "pint", "jug", "each",
    "per", "pp", "person", "from", "only", "price", "klein", "mittel", "groß", "gross", "glas", "flasche",
    "ab", "portion", "pequeña", "pequeño", "mediana", "mediano", "grande", "ración", "media", "tapa", "copa",
    "botella", "desde", "precio", "preis", "and", "or", "y", "o", "und", "oder", "small:", "large:", "add",
}


@dataclass
class Draft:
    """An item being read: name, the prices on its line, variant labels and description lines."""

    name: str
    prices: list[PriceMatch]
    base: float
    labels: list[str] = field(default_factory=list)
    description: list[str] = field(default_factory=list)
    sold_out: bool = False
    classes: str = ""
    snippet: str = ""


def clean(text: str) -> str:
    """Strip dot leaders, separators and stray punctuation around a name."""
    text = _LEADERS.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip(" -–—|/:·.,+")


def leftover(text: str, prices: list[PriceMatch]) -> str:
    """The text with its prices cut out."""
    parts, last = [], 0
    for p in prices:
        parts.append(text[last:p.start])
        last = p.end
    parts.append(text[last:])
    return clean(" ".join(parts))


def is_price_only(text: str, prices: list[PriceMatch]) -> bool:
    """True for '12,50 €' or 'Small 8.50 | Large 12.00': nothing left that could name a dish."""
    if not prices:
        return False
    words = re.findall(r"[^\W\d_]+", leftover(text, prices).lower())
    return all(w in _LABEL_WORDS or len(w) <= 2 for w in words)


def split_line(text: str, prices: list[PriceMatch]) -> tuple[str, list[str], str]:
    """Name, variant labels (text before each price), and trailing text (often the description)."""
    head = clean(text[: prices[0].start])
    labels = [clean(text[a.end:b.start]) for a, b in zip(prices, prices[1:])]
    tail = clean(text[prices[-1].end:])
    if not head and tail:
        head, tail = tail, ""
    return head, labels, tail


def tidy_name(name: str) -> str:
    """Name without a trailing sold-out marker or diet codes like '(V)'."""
    return _DIET_CODES.sub("", strip_sold_out(name)).strip() or name


def score(draft: Draft, page_marks_currency: bool) -> float:
    """Confidence for a draft: its layout's base, lowered for names that read like sentences."""
    value, name = draft.base, draft.name
    if len(name.split()) > 8:
        value -= 0.25
    if len(name) > 70:
        value -= 0.2
    if name[:1].islower():
        value -= 0.15
    if _DANGLING.search(name) or name.endswith(":"):
        value -= 0.2
    if all(p.currency is None for p in draft.prices) and page_marks_currency:
        value -= 0.1
    if any(p.amount <= 0 or p.amount > Decimal(1000) for p in draft.prices):
        value -= 0.2
    if _ITEM_CLASSES.search(draft.classes):
        value += 0.05
    return max(0.0, min(1.0, round(value, 2)))


def finish(draft: Draft, currency: str | None, marks: bool) -> ScrapedItem:
    """The ScrapedItem for a draft; several prices become variants named by their labels."""
    description = " ".join(d for d in draft.description if d)
    options: list[ScrapedOption] = []
    if len(draft.prices) > 1:
        labels = draft.labels + [""] * len(draft.prices)
        options = [ScrapedOption(name=labels[i] or f"Option {i + 1}", price=p.amount, currency=p.currency or currency)
                   for i, p in enumerate(draft.prices)]
    return ScrapedItem(
        name=draft.name,
        description=description,
        price=min(p.amount for p in draft.prices),
        currency=draft.prices[0].currency or currency,
        variants=options,
        diets=sorted(diets_in_text(f"{draft.snippet} {description}")),
        availability=Availability.SOLD_OUT if draft.sold_out else Availability.UNKNOWN,
        confidence=score(draft, marks),
        snippet=draft.snippet[:300],
    )
