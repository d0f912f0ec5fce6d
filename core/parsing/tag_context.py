"""What surrounds a tag: pure look-arounds over the tag list that segmentation decisions rest on."""
from __future__ import annotations

from core.parsing.menu_index import RefKind
from core.parsing.tagger import Tag

#: Lexicon roles that shape lines (modifier words, halves, corrections, drops): they end a look-ahead.
STRUCTURAL = ("remove", "remove_after", "add", "extra", "light", "half", "left", "right", "correction", "drop",
              "drop_after", "instead_of", "contrast")
FILLERS = frozenset({"filler"})
PREPOSITIONS = frozenset({"filler", "in_time", "time_at"})  # "jamón en una mitad", "ham on half"


def past_fillers(tags: list[Tag], k: int, step: int = 1, skipped: frozenset[str] = FILLERS) -> int:
    """The first tag from k on (or back, step -1) that is not a word of only `skipped` roles."""
    while 0 <= k < len(tags) and tags[k].kind == "lex" and set(tags[k].roles) <= skipped:
        k += step
    return k


def ends_clause(tags: list[Tag], k: int) -> bool:
    """Is tag k the last of its clause (the message ends, or a break, comma or 'and' follows), fillers
    aside ("pani puri ki do plate")?"""
    j = past_fillers(tags, k + 1)
    nxt = tags[j] if j < len(tags) else None
    return nxt is None or nxt.kind in ("break", "comma") or (nxt.kind == "lex" and nxt.has("separator"))


def other_half_ahead(tags: list[Tag], k: int) -> bool:
    """Does 'the other half' follow soon ("pepperoni on half and mushrooms on the other half")?"""
    return any(t.kind == "lex" and t.has("right") for t in tags[k + 1 : k + 8])


def item_ahead(tags: list[Tag], k: int) -> bool:
    """Does an item name follow before the next quantity, boundary or modifier word?"""
    for tag in tags[k + 1 : k + 8]:
        if tag.kind in ("break", "num", "used"):
            return False
        if tag.kind == "menu" and any(r.kind in (RefKind.ITEM, RefKind.CATEGORY) for r in tag.refs):
            return True
        if tag.kind == "lex" and any(tag.has(r) for r in STRUCTURAL):
            return False
    return False
