"""Typed answers to the choices the chat offered: one matching rule for every list, button and question.

A customer may type instead of tapping: the title ("Pizzeria Donau"), the row's number ("2"), a distinctive
part of it ("donau"), the title with a typo or without accents ("pizeria donau", "si" for "Sí"), or the title
inside a short sentence ("la pizzeria donau por favor"). `match_choice` names the one choice meant, or None
when none or several fit; the same function serves kitchens, menu rows, the parser's questions,
delivery/pickup, time and confirmation, and Instagram text equal to a quick reply's title.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum

# Words a customer may wrap around a title ("the second one please") without meaning another choice.
MAX_EXTRA_WORDS = 3
# Short words prove nothing on their own ("a", "de", "la"): a partial match needs one at least this long.
MIN_EVIDENCE_CHARS = 3


class Certainty(IntEnum):
    """How surely typed text names a choice: weak matches are only taken when the text is no order."""

    NONE = 0
    WEAK = 1  # a part of the title, a typo, the title inside a sentence
    STRONG = 2  # the title itself (case, accents, spaces aside) or the choice's number


@dataclass(frozen=True)
class Match:
    """The choice typed text names, and how surely."""

    choice_id: str
    certainty: Certainty


def plain(text: str) -> str:
    """Lower case, accents stripped, anything but letters and digits as single spaces: 'sí, ¡recoger!' →
    'si recoger'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", bare).replace("_", " ").split())


def _close(typed: str, word: str) -> bool:
    """The same word, give or take a typo, a plural ending or a cut-off end ('pizeria', 'pizzas', 'marg')."""
    if typed == word:
        return True
    if len(typed) >= 4 and word.startswith(typed):
        return True
    if min(len(typed), len(word)) < 4:
        return False
    return _edits(typed, word, limit=1 if len(word) < 6 else 2) is not None


def _edits(a: str, b: str, limit: int) -> int | None:
    """Levenshtein distance (with adjacent swaps) when at most `limit`, else None."""
    if abs(len(a) - len(b)) > limit:
        return None
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return None
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= limit else None


def _certainty(said: list[str], title: list[str]) -> tuple[Certainty, int]:
    """How surely the typed words name this title, and how many words matched (to prefer the fuller match)."""
    if not said or not title:
        return Certainty.NONE, 0
    if "".join(said) == "".join(title):
        return Certainty.STRONG, len(title)
    typed_in_title = [w for w in said if any(_close(w, t) for t in title)]
    if len(typed_in_title) == len(said) and any(len(w) >= MIN_EVIDENCE_CHARS for w in said):
        return Certainty.WEAK, len(said)  # a part of the title: 'donau', 'pizeria donau'
    title_in_typed = [t for t in title if any(_close(w, t) for w in said)]
    extra = len(said) - len(typed_in_title)
    if len(title_in_typed) == len(title) and extra <= MAX_EXTRA_WORDS \
            and any(len(t) >= MIN_EVIDENCE_CHARS for t in title):
        return Certainty.WEAK, len(title)  # the title in a sentence: 'la pizzeria donau por favor'
    if extra < len(typed_in_title) and any(len(w) >= MIN_EVIDENCE_CHARS for w in typed_in_title):
        return Certainty.WEAK, len(typed_in_title)  # mostly the title's words: 'the burger kitchen'
    return Certainty.NONE, 0


def match_choice(text: str, choices: list[tuple[str, str]]) -> Match | None:
    """The one (id, title) choice that `text` names, with how surely; None when none or several fit.

    A number alone picks the choice at that position (1-based), as the numbered fallback shows them.
    """
    said = plain(text).split()
    if not said or not choices:
        return None
    if len(said) == 1 and said[0].isdecimal() and 1 <= int(said[0]) <= len(choices):
        return Match(choices[int(said[0]) - 1][0], Certainty.STRONG)
    scored = [(_certainty(said, plain(title).split()), choice_id) for choice_id, title in choices]
    best = max(scored, key=lambda s: s[0])[0] if scored else (Certainty.NONE, 0)
    if best[0] is Certainty.NONE:
        return None
    winners = {choice_id for score, choice_id in scored if score == best}
    return Match(winners.pop(), best[0]) if len(winners) == 1 else None


def numbered(titles: list[str]) -> str:
    """'1. Pizzeria Donau · 2. Krems Burger Kitchen': what may be typed, shown as text instead of a widget."""
    return " · ".join(f"{n}. {title}" for n, title in enumerate(titles, 1))
