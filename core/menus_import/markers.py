"""Words on a page that mean 'sold out' or a diet, in the languages our merchants write menus in."""
from __future__ import annotations

import re

from core.menus_import.model import Availability

_SOLD_OUT = re.compile(
    r"\b(?:sold[\s-]?out|out\s+of\s+stock|currently\s+unavailable|not\s+available|unavailable"
    r"|agotado|agotada|no\s+disponible|ausverkauft|vergriffen|nicht\s+verf[üu]gbar"
    r"|[ée]puis[ée]e?|esaurit[oa])\b",
    re.IGNORECASE,
)
# A marker in brackets or after a dash is about the item; we strip it from the name so matching works.
_SOLD_OUT_DECORATION = re.compile(r"\s*[(\[–—-]?\s*" + _SOLD_OUT.pattern + r"\s*[)\]]?\s*$", re.IGNORECASE)

# schema.org RestrictedDiet members; anything else becomes snake_case of its name without 'Diet'.
_SCHEMA_DIETS = {
    "DiabeticDiet": "diabetic", "GlutenFreeDiet": "gluten_free", "HalalDiet": "halal", "HinduDiet": "hindu",
    "KosherDiet": "kosher", "LowCalorieDiet": "low_calorie", "LowFatDiet": "low_fat",
    "LowLactoseDiet": "low_lactose", "LowSaltDiet": "low_salt", "VeganDiet": "vegan",
    "VegetarianDiet": "vegetarian",
}
_TEXT_DIETS = [
    (re.compile(r"\((?:vg|vegan)\)|\bvegan[oa]?\b|\bvegane?s?\b", re.IGNORECASE), "vegan"),
    (re.compile(r"\((?:v|veg)\)|\bvegetarian\b|\bvegetarian[oa]\b|\bvegetarisch\w*\b", re.IGNORECASE), "vegetarian"),
    (re.compile(r"\(gf\)|\bgluten[\s-]?free\b|\bsin\s+gluten\b|\bglutenfrei\b|\bsans\s+gluten\b", re.IGNORECASE),
     "gluten_free"),
    (re.compile(r"\bhalal\b", re.IGNORECASE), "halal"),
    (re.compile(r"\bkosher\b", re.IGNORECASE), "kosher"),
]


def is_sold_out_text(text: str) -> bool:
    """True when the text carries a sold-out marker ('Sold out', 'Agotado', 'Ausverkauft')."""
    return bool(_SOLD_OUT.search(text))


def strip_sold_out(name: str) -> str:
    """'Paella (sold out)' -> 'Paella'; names without a trailing marker come back unchanged."""
    stripped = _SOLD_OUT_DECORATION.sub("", name).strip(" -–—:")
    return stripped or name


def availability_from_schema(value: str) -> Availability:
    """schema.org ItemAvailability (full IRI or short) to our three states."""
    short = value.rsplit("/", 1)[-1].rsplit("#", 1)[-1].strip().lower()
    if short in {"outofstock", "soldout", "discontinued"}:
        return Availability.SOLD_OUT
    if short in {"instock", "limitedavailability", "onlineonly", "instoreonly", "madetoorder"}:
        return Availability.IN_STOCK
    return Availability.UNKNOWN


def diet_tag(value: str) -> str:
    """'https://schema.org/GlutenFreeDiet' -> 'gluten_free'."""
    short = value.rsplit("/", 1)[-1].rsplit("#", 1)[-1].replace("schema:", "").strip()
    if short in _SCHEMA_DIETS:
        return _SCHEMA_DIETS[short]
    base = short[:-4] if short.endswith("Diet") else short
    return re.sub(r"(?<!^)(?=[A-Z])", "_", base).replace(" ", "_").replace("-", "_").lower()


def diets_in_text(text: str) -> set[str]:
    """Diet tags named in free text: '(V)', 'vegan', 'sin gluten', 'glutenfrei'."""
    return {tag for pattern, tag in _TEXT_DIETS if pattern.search(text)}
