"""Word error rate: (substitutions + deletions + insertions) / reference words, after normalisation."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.parsing.text import tokenize


def spoken_words(text: str, number_words: Mapping[str, str] | None = None) -> list[str]:
    """Folded words of `text`; digits become words through `number_words` ("2" -> "two") so an engine that
    writes digits is not charged for it."""
    out: list[str] = []
    for token in tokenize(text):
        if token.kind == "word":
            out.append(token.norm)
        elif token.kind == "num":
            spoken = (number_words or {}).get(token.norm)
            out.extend(spoken.split() if spoken else [token.norm])
    return out


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance over words."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp in enumerate(hypothesis, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp))
        previous = current
    return previous[-1]


def word_error_rate(pairs: Iterable[tuple[str, str]], number_words: Mapping[str, str] | None = None) -> float:
    """Corpus WER over (reference, hypothesis) pairs: total edits / total reference words."""
    edits = words = 0
    for reference, hypothesis in pairs:
        ref, hyp = spoken_words(reference, number_words), spoken_words(hypothesis, number_words)
        edits += edit_distance(ref, hyp)
        words += len(ref)
    return edits / words if words else 0.0
