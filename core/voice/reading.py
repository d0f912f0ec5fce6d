"""Which reading of a voice note to trust: the one that makes the most sense as an order on this menu.

A recogniser's first hypothesis is only its first guess at words it may never have seen ("a small fun
height"); its n best list, and each of those with misheard menu words put back (core.voice.menu_match),
are parsed against the menu, and the reading the menu explains best wins:

    score = - UNKNOWN * dish-like mentions the menu lacks - QUESTION * questions the parser would ask
            - UNEXPLAINED * words neither lexicon nor menu knows - REWRITE * sound distance of replacements
            + RECOGNISER * the recogniser's mean log-probability per token

Order lines earn nothing by themselves: rewarding them made garbage words into extra dishes. The weights
were chosen on the voice benchmark's dev orders only (a grid around these values gives the same choices).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.menu import Menu
from core.parsing import ParseResult
from core.voice.menu_match import MenuVocabulary, folded_tokens, menu_vocabulary, snap_to_menu

UNKNOWN = 1.0  # a dish-like mention the menu does not have
QUESTION = 0.5  # something the parser would have to ask about
UNEXPLAINED = 0.6  # a word neither the lexicon nor the menu knows: likely a misheard name
REWRITE = 2.0  # per unit of sound distance of the replacements made
RECOGNISER = 3.0  # weight of the recogniser's mean log-probability per token
SNAP_THRESHOLD = 0.25  # sound distance per phone under which a span may stand for a menu name


@dataclass(frozen=True)
class Reading:
    """A candidate text, its parse and its score (higher is better)."""

    text: str
    result: ParseResult
    score: float


def _unexplained(text: str, vocabulary: MenuVocabulary) -> int:
    return sum(1 for w in folded_tokens(text) if w[0].isalpha() and w not in vocabulary.known_words)


def menu_fit(result: ParseResult, text: str, vocabulary: MenuVocabulary) -> float:
    """How well a parse explains its text as an order on the menu (see the module docstring)."""
    return (- UNKNOWN * len(result.unknown) - QUESTION * len(result.questions)
            - UNEXPLAINED * _unexplained(text, vocabulary))


def choose_reading(hypotheses: Sequence[tuple[str, float]], menu: Menu, language: str | None,
                   parse: Callable[[str], ParseResult]) -> Reading:
    """The best reading among `hypotheses` ((text, recogniser score), best first) and their menu-snapped
    versions; a snapped text keeps the score of the hypothesis it came from. On a tie the earlier
    candidate wins; a snapped text comes before its original."""
    vocabulary = menu_vocabulary(menu, language)
    candidates: dict[str, tuple[float, float]] = {}  # text -> (recogniser score, sound distance of rewrites)
    for text, recogniser_score in hypotheses or [("", 0.0)]:
        snapped, distance = snap_to_menu(text, vocabulary, SNAP_THRESHOLD)
        candidates.setdefault(snapped, (recogniser_score, distance))
        candidates.setdefault(text, (recogniser_score, 0.0))
    best: Reading | None = None
    for text, (recogniser_score, rewrite) in candidates.items():
        result = parse(text)
        score = menu_fit(result, text, vocabulary) - REWRITE * rewrite + RECOGNISER * recogniser_score
        if best is None or score > best.score:
            best = Reading(text, result, score)
    assert best is not None
    return best
