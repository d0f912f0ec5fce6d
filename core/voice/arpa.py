"""A bigram language model in ARPA text form from example sentences (absolute discounting with back-off).

Small and deterministic: a merchant's menu gives a few hundred sentences and a few hundred words, so the
model is built per menu version in milliseconds and a recogniser limited to it hears dish names, not
the whole of English.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

BOS, EOS = "<s>", "</s>"
_DISCOUNT = 0.5
_FLOOR = -99.0


def _log10(p: float) -> float:
    return math.log10(p) if p > 0 else _FLOOR


def bigram_arpa(sentences: Iterable[list[str]]) -> str:
    """The ARPA text of a back-off bigram model over tokenised `sentences` (lists of words)."""
    unigrams: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    for words in sentences:
        if not words:
            continue
        padded = [BOS, *words, EOS]
        unigrams.update(padded)
        bigrams.update(zip(padded, padded[1:]))
    if not bigrams:
        raise ValueError("no sentences to build a language model from")
    vocab = sorted(unigrams)
    # Unigrams: add-one over the words that can be predicted (<s> never is).
    predictable = [w for w in vocab if w != BOS]
    total = sum(unigrams[w] for w in predictable) + len(predictable)
    p_uni = {w: (unigrams[w] + 1) / total for w in predictable}
    followers: dict[str, list[str]] = {}
    for (w1, w2) in bigrams:
        followers.setdefault(w1, []).append(w2)
    history: Counter[str] = Counter()
    for (w1, _), n in bigrams.items():
        history[w1] += n
    p_bi: dict[tuple[str, str], float] = {}
    backoff: dict[str, float] = {}
    for w1, nexts in followers.items():
        seen = 0.0
        for w2 in nexts:
            p = (bigrams[(w1, w2)] - _DISCOUNT) / history[w1]
            p_bi[(w1, w2)] = p
            seen += p
        left = 1.0 - seen
        seen_uni = sum(p_uni[w2] for w2 in nexts)
        backoff[w1] = left / (1.0 - seen_uni) if seen_uni < 1.0 else 1e-9
    lines = ["\\data\\", f"ngram 1={len(vocab)}", f"ngram 2={len(p_bi)}", "", "\\1-grams:"]
    for w in vocab:
        prob = _FLOOR if w == BOS else _log10(p_uni[w])
        bo = backoff.get(w)
        lines.append(f"{prob:.4f}\t{w}" + (f"\t{_log10(bo):.4f}" if bo is not None and w != EOS else ""))
    lines += ["", "\\2-grams:"]
    for (w1, w2), p in sorted(p_bi.items()):
        lines.append(f"{_log10(p):.4f}\t{w1} {w2}")
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)
