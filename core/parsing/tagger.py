"""Tagging: the token stream becomes menu mentions, lexicon roles, numbers and unknown words.

Longest match wins over the union of the menu's phrases and the language's lexicon ("extra large" is a
size, not "extra" + "large"; "can i get" is an order verb, not a can of something). Words that match
nothing are tried against the menu with rapidfuzz, unless some lexicon knows them as ordinary words.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.parsing.lexicon import Scan, language_markers, matches_at
from core.parsing.menu_index import MenuIndex, MenuRef, RefKind
from core.parsing.text import Token


@dataclass(slots=True)
class Tag:
    """One tagged span of tokens [start, end)."""

    kind: str  # "menu", "lex", "num", "word", "break", "comma", "sym", "used"
    start: int
    end: int
    key: str = ""
    refs: tuple[MenuRef, ...] = ()
    roles: dict[str, Any] = field(default_factory=dict)
    value: int | None = None
    fuzzy: bool = False

    def has(self, role: str) -> bool:
        """Whether the tag plays this role."""
        return role in self.roles


_MAX_QUANTITY = 999
_HALF_WORDS = frozenset({"filler", "half", "left", "right", "add"})


def tag_tokens(scan: Scan, index: MenuIndex, used: set[int], unsure: set[int] = frozenset()) -> list[Tag]:  # type: ignore[assignment]
    """Tag the scan's tokens; indices in `used` (time, address) become one 'used' tag per run. A menu
    mention over a token in `unsure` (a typo rewritten to a menu word) is fuzzy."""
    tokens = scan.tokens
    tags: list[Tag] = []
    markers = language_markers()
    i, n = 0, len(tokens)
    while i < n:
        token = tokens[i]
        if i in used:
            j = i
            while j < n and j in used:
                j += 1
            tags.append(Tag("used", i, j))
            i = j
            continue
        if token.kind in ("break", "comma", "sym"):
            tags.append(Tag(token.kind, i, i + 1, token.norm))
            i += 1
            continue
        stop = i
        while stop < n and tokens[stop].kind in ("word", "num") and stop not in used:
            stop += 1
        tag = _longest_match(scan, i, stop, index)
        if tag is None:
            tag = _single(token, i, index, markers)
        elif tag.kind == "menu" and unsure and any(k in unsure for k in range(tag.start, tag.end)):
            tag.fuzzy = True
        tags.append(tag)
        i = tag.end
    return _times_after(_cuisine_in_names(tags), tokens)


_TIMES = frozenset({"x", "×", "*"})


def _times_after(tags: list[Tag], tokens: list[Token]) -> list[Tag]:
    """'coke x2', 'naan ×3': a number right after a times sign counts the dish before it (chat notation);
    '2x coke' needs nothing, the x is a filler."""
    for k, tag in enumerate(tags):
        if tag.kind == "num" and k >= 2 and tokens[tags[k - 1].start].norm in _TIMES \
                and tags[k - 1].end - tags[k - 1].start == 1 and tags[k - 2].kind in ("menu", "word"):
            tag.roles = {**tag.roles, "times_after": True}
    return tags


def _cuisine_in_names(tags: list[Tag]) -> list[Tag]:
    """A cuisine word is part of a dish's name when an unknown word follows ("thai curry", "american
    cheese"); before "food", "restaurant" or nothing it names the kind of food."""
    for k, tag in enumerate(tags[:-1]):
        if tag.kind == "lex" and tag.has("cuisine") and tag.end - tag.start == 1 and tags[k + 1].kind == "word":
            tags[k] = Tag("word", tag.start, tag.end, tag.key)
    return tags


def _longest_match(scan: Scan, i: int, stop: int, index: MenuIndex) -> Tag | None:
    """The longest menu or lexicon phrase at i ending by `stop`; on a tie the menu wins, except that
    a one-word number stays a number; a menu phrase beats a longer lexicon phrase that is only filler."""
    menu = {end: refs for end, refs in matches_at(scan.norms, i, index.phrases, index.prefixes, stop)}
    lex = {end: roles for end, roles in scan.at(i) if end <= stop}
    if not menu and not lex:
        return None
    j = max(max(menu, default=0), max(lex, default=0))
    if menu and j not in menu and (set(lex[j]) <= {"filler"} or (
            set(lex[j]) <= _HALF_WORDS and any(r.kind is RefKind.VARIANT for r in menu[max(menu)]))):
        j = max(menu)  # "raciones de croquetas", "biryani half with salan": the menu's size beats the phrase
    key = " ".join(scan.norms[i:j])
    refs, roles = menu.get(j), lex.get(j)
    if roles is not None and "number" in roles and "all_of_them" not in roles and (refs is None or j - i == 1):
        return Tag("num", i, j, key, roles=roles, value=int(roles["number"]))
    if refs is not None:
        return Tag("menu", i, j, key, refs=refs, roles=roles or {})
    return Tag("lex", i, j, key, roles=roles)  # type: ignore[arg-type]


def _single(token: Token, i: int, index: MenuIndex, markers: dict) -> Tag:
    if token.kind == "num":
        if token.norm.isdecimal() and 0 < int(token.norm) <= _MAX_QUANTITY:
            return Tag("num", i, i + 1, token.norm, value=int(token.norm))
        return Tag("sym", i, i + 1, token.norm)
    if token.norm not in markers and not token.norm.isdecimal() and token.norm not in index.forms.menu_words:
        near = index.fuzzy(token.norm)
        if near is not None:
            refs = index.lookup(near[0])
            if refs is not None:
                return Tag("menu", i, i + 1, near[0], refs=refs, fuzzy=True)
    return Tag("word", i, i + 1, token.norm)
