"""Delivery or pickup, the delivery address as the customer wrote it, and shared locations.

The address is kept as text (geocoding is the caller's job); a shared location (WhatsApp pin, maps link,
geo: URI, "lat, lon") becomes a GeoPoint.
"""
from __future__ import annotations

from collections.abc import Callable

import regex

from core.geo import GeoPoint
from core.orders.cart import FulfilmentType
from core.parsing.lexicon import Lexicon, Scan
from core.parsing.text import Token

_COORDS = regex.compile(
    r"(?:geo:|[@=/]|q=|ll=|loc:|location:|📍\s*)?(?<![\d.])(-?\d{1,2}\.\d{3,})\s*,\s*(-?\d{1,3}\.\d{3,})(?![\d.])"
)


def find_location(text: str) -> tuple[GeoPoint | None, tuple[int, int] | None]:
    """A shared location in the text and its character span, if any."""
    for match in _COORDS.finditer(text):
        lat, lon = float(match.group(1)), float(match.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return GeoPoint(lat=lat, lon=lon), match.span()
    return None, None


def find_fulfilment(scan: Scan, used: set[int]) -> tuple[FulfilmentType | None, str, set[int]]:
    """Delivery or pickup as said in the message (the last mention wins), its words, and their tokens."""
    tokens = scan.tokens
    kind: FulfilmentType | None = None
    said = ""
    spans: set[int] = set()
    i = 0
    while i < len(tokens):
        if i in used:
            i += 1
            continue
        for role, value in (("delivery", FulfilmentType.DELIVERY), ("pickup", FulfilmentType.PICKUP)):
            end = scan.phrase(i, role)
            if end > i:
                kind, said = value, " ".join(t.norm for t in tokens[i:end])
                spans.update(range(i, end))
                i = end - 1
                break
        i += 1
    return kind, said, spans


def find_address(text: str, scan: Scan, used: set[int]) -> tuple[str | None, set[int]]:
    """The address text after a cue ("deliver to", "mi dirección es") or a street pattern
    ("12 Baker Street", "calle Mayor 5"), up to the end of its clause."""
    tokens, lexicon = scan.tokens, scan.lexicon
    n = len(tokens)
    for i in range(n):
        if i in used:
            continue
        end = scan.phrase(i, "address_cue")
        start = None
        if end > i and end < n and tokens[end].kind in ("word", "num") and _looks_like_address(tokens, end, lexicon):
            start = end - 1 if lexicon.has(tokens[end - 1].norm, "street") else end  # "na rua Augusta"
        elif tokens[i].kind == "num" and _street_after(tokens, i, lexicon):
            start = i
        elif lexicon.has(tokens[i].norm, "street") and _number_after(tokens, i):
            start = i
        if start is None:
            continue
        stop = start
        while stop < n and stop not in used and tokens[stop].kind != "break":
            if tokens[stop].kind == "comma" and not _address_continues(tokens, stop + 1, lexicon):
                break
            if stop > start and _ends_address(tokens[stop].norm, lexicon):
                break
            stop += 1
        if stop > start:
            covered = set(range(start, stop)) | (set(range(i, end)) if end > i else set())
            return text[tokens[start].start : tokens[stop - 1].end].strip(" ,"), covered
    return None, set()


def _looks_like_address(tokens: list[Token], i: int, lexicon: Lexicon) -> bool:
    window = tokens[i : i + 6]
    return any(t.kind == "num" for t in window) or any(lexicon.has(t.norm, "street") for t in window)


def _street_after(tokens: list[Token], i: int, lexicon: Lexicon) -> bool:
    """'12 Baker Street', '12 rue de la Paix': a number, up to four name words, then a street word."""
    for j in range(i + 1, min(len(tokens), i + 6)):
        if tokens[j].kind != "word":
            return False
        if lexicon.has(tokens[j].norm, "street"):
            return all(tokens[k].kind == "word" for k in range(i + 1, j))
    return False


def _number_after(tokens: list[Token], i: int) -> bool:
    """'calle Mayor 5', 'rue de la Paix 12': a street word, name words, then a number."""
    for j in range(i + 1, min(len(tokens), i + 7)):
        if tokens[j].kind == "num":
            return j > i + 1
        if tokens[j].kind != "word":
            return False
    return False


def _address_continues(tokens: list[Token], i: int, lexicon: Lexicon) -> bool:
    """After a comma an address goes on only with a street word or a flat number ("4", "3 B")."""
    if i >= len(tokens):
        return False
    if lexicon.has(tokens[i].norm, "street"):
        return True
    if tokens[i].kind != "num":
        return False
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return nxt is None or nxt.kind != "word" or len(nxt.norm) <= 2 or lexicon.has(nxt.norm, "street")


_STOP_ROLES = ("separator", "contrast", "order_verb", "instruction_cue", "delivery", "pickup", "asap", "intent")


def _ends_address(word: str, lexicon: Lexicon) -> bool:
    """Words that start another part of the message ("and ring the bell", "for pickup")."""
    roles = lexicon.roles(word)
    return bool(roles) and any(r in roles for r in _STOP_ROLES) and "street" not in roles


_MERCHANT_STOP = ("separator", "contrast", "order_verb", "intent", "question_word", "number", "delivery", "pickup",
                  "merchant_cue", "address_cue", "asap", "day", "meal", "place_cue", "cuisine")


def find_merchant(text: str, scan: Scan, used: set[int],
                  on_menu: Callable[[int, int], bool] | None = None) -> tuple[str | None, set[int], bool]:
    """A named business ("from Domino's", "call PF Chang's", "does Peking Garden deliver"): on a
    platform-wide channel the dialogue uses it to pick the merchant. The name runs over words no lexicon
    knows (and fillers between them). The flag says it was the subject of a question about the business."""
    tokens, lexicon = scan.tokens, scan.lexicon
    for i in range(len(tokens)):
        end = scan.phrase(i, "merchant_cue")
        if end == i or i in used:
            continue
        j = end
        indefinite = False
        while j < len(tokens) and not lexicon.has(tokens[j].norm, "business") and (
                lexicon.has(tokens[j].norm, "filler") or (lexicon.roles(tokens[j].norm) or {}).get("number") == 1):
            indefinite = indefinite or (lexicon.roles(tokens[j].norm) or {}).get("number") == 1
            j += 1  # "from the ...", "from a ..."
        start = stop = j
        while stop < len(tokens) and stop not in used and tokens[stop].kind in ("word", "num"):
            roles = lexicon.roles(tokens[stop].norm) or {}
            if any(r in roles for r in _MERCHANT_STOP):
                break
            if roles and "business" not in roles and not _unknown_follows(tokens, stop, lexicon):
                break
            stop += 1
        if stop > start and indefinite and lexicon.has(tokens[stop - 1].norm, "business"):
            return None, set(range(i, stop)), False  # "from a nice restaurant": a description, not a name
        while start < stop and lexicon.has(tokens[start].norm, "business"):
            start += 1  # "from restaurant Royale": the kind of business, then its name
        if start == stop and stop > j:
            return None, set(range(i, stop)), False  # "from this restaurant": no name
        if stop > start:
            return text[tokens[start].start : tokens[stop - 1].end], set(range(i, stop)), False
    return _subject_merchant(text, scan, used, on_menu)


_NAME_WORDS = {"instruction_cue", "dish_cue", "street"}


def _subject_merchant(text: str, scan: Scan, used: set[int],
                      on_menu: Callable[[int, int], bool] | None) -> tuple[str | None, set[int], bool]:
    """'does Peking Garden deliver', 'if the Olive Garden will ...', "Domino's has takeaway": words no
    lexicon or menu knows between a question cue (or the message start) and a business verb."""
    tokens, lexicon = scan.tokens, scan.lexicon
    starts = [0] + [scan.phrase(i, "subject_cue") for i in range(len(tokens))
                    if i not in used and scan.phrase(i, "subject_cue") > i]
    for start in starts:
        stop = start
        while stop < len(tokens) and stop not in used and tokens[stop].kind == "word":
            roles = lexicon.roles(tokens[stop].norm)
            if roles is not None and "business" not in roles and not (stop > start and set(roles) <= _NAME_WORDS):
                break  # a content word may go on a name begun by an unknown word: "Taco Bell"
            if on_menu is not None and on_menu(stop, stop + 1):
                break
            stop += 1
        if stop == start or all(lexicon.has(t.norm, "business") for t in tokens[start:stop]):
            continue
        verb = stop
        while verb < min(len(tokens), stop + 3) and verb not in used and set(lexicon.roles(tokens[verb].norm) or {"-"}) <= {"filler"}:
            verb += 1  # "Taco Bell going to arrive", "Royale will deliver"
        follows_verb = verb < len(tokens) and (verb in used or scan.phrase(verb, "business_verb") > verb)
        if follows_verb:
            name_start = start
            while name_start < stop - 1 and lexicon.has(tokens[name_start].norm, "business"):
                name_start += 1  # "does restaurant Royale deliver": the kind, then the name
            return text[tokens[name_start].start : tokens[stop - 1].end], set(range(start, stop)), True
    return None, set(), False


def _unknown_follows(tokens: list[Token], i: int, lexicon: Lexicon) -> bool:
    nxt = i + 1
    return nxt < len(tokens) and tokens[nxt].kind == "word" and lexicon.roles(tokens[nxt].norm) is None


def find_business_types(text: str, scan: Scan, merchant_used: set[int], merchant: str | None) -> list[str]:
    """Words naming a kind of business ("restaurant", "takeaway place"), as written. A business word inside
    a merchant's name after a name word ("Wang's Kitchen") is part of the name, not a kind of business."""
    tokens = scan.tokens
    kinds: list[str] = []
    i = 0
    while i < len(tokens):
        end = scan.phrase(i, "business")
        if end == i:
            i += 1
            continue
        in_name = merchant is not None and i in merchant_used and i > 0 and (i - 1) in merchant_used \
            and not scan.lexicon.roles(tokens[i - 1].norm)
        if not in_name:
            kinds.append(text[tokens[i].start : tokens[end - 1].end])
        i = end
    return kinds
