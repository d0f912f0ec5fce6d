"""Misheard menu words put back: spans of a transcript that sound like a dish, option, size or number on
this menu are replaced by it ("one medium thyvola" -> "one medium diavola", "quattro for a maggie" ->
"quattro formaggi", "free garlic breads" -> "three garlic breads").

Only words that mean nothing to the parser on their own are rewritten as dishes (a lexicon or menu word is
left alone), and a word becomes a number only where a number belongs: right before a dish or a size.
Whether a rewritten reading is better than the recogniser's own is decided by `core.voice.reading`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.menu import Menu
from core.parsing.lexicon import raw_lexicon
from core.parsing.text import phrase_key
from core.voice.phonetic import readings, sound_distance
from core.voice.vocabulary import item_names, lexicon_code, name_forms, number_words

_WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*|\d+|[^\w\s]")
_MAX_SPAN = 4  # words of a transcript that may stand for one menu name ("quattro for a maggie")
_SHORT = 5  # names of fewer phones must sound proportionally closer (a short word sounds like many)
_ABSORBED = 0.1  # added distance per lexicon word a span swallows that is not part of the name
_MAX_THRESHOLD = 0.6  # no reading is snapped further than this, whatever the caller asks
_NUMBER_DISTANCE = 0.15  # numbers are short: only a near-homophone ("free" for "three") counts


@dataclass(frozen=True)
class MenuVocabulary:
    """The phrases a transcript is matched against, and the words that need no matching."""

    names: dict[str, str]  # folded phrase -> "dish" | "option" | "size"
    numbers: frozenset[str]
    known_words: frozenset[str]
    digits: dict[str, str]  # "4" -> "four", for names that start with a number word
    # span -> (closest name, its distance scaled for short names): the n best share most spans
    _closest: dict[str, tuple[str, float]] = field(default_factory=dict, compare=False, repr=False)

    def closest_name(self, span: str) -> tuple[str, float]:
        """The menu name that sounds most like `span`, and its distance (infinity past _MAX_THRESHOLD)."""
        found = self._closest.get(span)
        if found is None:
            found = self._closest[span] = _closest(span, self.names, _MAX_THRESHOLD)
        return found


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def menu_vocabulary(menu: Menu, language: str | None) -> MenuVocabulary:
    """What customers of `menu` name, in `language`: dishes (names, synonyms, plurals), options, sizes and
    number words; plus every word the language's lexicon knows."""
    code = lexicon_code(language)
    names: dict[str, str] = {}
    for item in menu.items:
        for name in item_names(item, menu, code, own_language_only=True):
            names.setdefault(name, "dish")
        for variant in item.variants:
            for form in name_forms(variant.name_in(code), code):
                names.setdefault(form, "size")
    for group in menu.modifier_groups:
        for option in group.options:
            for form in name_forms(option.name_in(code), code):
                names.setdefault(form, "option")
    names = {k: v for k, v in names.items() if k and any(c.isalpha() for c in k)}
    digits = number_words(code)
    numbers = frozenset(w for w in digits.values() if len(w) >= 3)
    lexicon = {w for s in _strings(raw_lexicon(code)) for w in phrase_key(s).split()}
    known = frozenset(lexicon | {w for n in names for w in n.split()} | numbers)
    return MenuVocabulary(names, numbers, known, digits)


def _closest(span: str, candidates: Iterable[str], threshold: float) -> tuple[str, float]:
    """The candidate that sounds most like `span` within `threshold`, with its distance. A short
    candidate's distance is scaled up (by _SHORT / its phones), since a short word sounds like many."""
    best, distance = "", float("inf")
    for candidate in candidates:
        scale = max(1.0, _SHORT / max(len(readings(candidate)[0]), 1))
        found = sound_distance(span, candidate, min(threshold, distance) / scale) * scale
        if found < distance:
            best, distance = candidate, found
    return best, distance


def folded_tokens(text: str) -> list[str]:
    """Words (folded as the parser folds them), numbers and punctuation marks of `text`."""
    return [phrase_key(t) or t if t[0].isalpha() else t for t in _WORD_RE.findall(text.lower())]


def snap_to_menu(text: str, vocabulary: MenuVocabulary, threshold: float) -> tuple[str, float]:
    """`text` with misheard menu names and numbers replaced, and the summed sound distance of the
    replacements (0.0 when nothing changed). Spans never cross punctuation."""
    words = _spell_digits_in_names(folded_tokens(text), vocabulary)
    out: list[str] = []
    cost = 0.0
    i = 0
    while i < len(words):
        best: tuple[float, int, str] | None = None
        for length in range(min(_MAX_SPAN, len(words) - i), 0, -1):
            span = words[i: i + length]
            if not all(w and w[0].isalpha() for w in span) or (
                    span[0] in vocabulary.known_words and span[-1] in vocabulary.known_words):
                continue  # a misheard name starts or ends with a word that means nothing here
            joined = " ".join(span)
            if joined in vocabulary.names:
                break
            name, distance = vocabulary.closest_name(joined)
            if span[0] in vocabulary.known_words and span[0] not in name.split():
                continue  # "a kelvoni": the article stays, the name starts after it
            # a word that already means something, swallowed into another name, must pay its way
            distance += _ABSORBED * sum(1 for w in span if w in vocabulary.known_words and w not in name.split())
            if distance <= threshold and (best is None or distance < best[0]):
                best = (distance, length, name)
        if best is None:
            out.append(words[i])
            i += 1
            continue
        out.append(best[2])
        cost += best[0]
        i += best[1]
    return _numbers_before_names(out, vocabulary, cost)


def _spell_digits_in_names(words: list[str], vocabulary: MenuVocabulary) -> list[str]:
    """Recognisers write numbers as digits, also inside names ("4 cheese pizza" for "four cheese pizza")."""
    out = list(words)
    for i, word in enumerate(words[:-1]):
        spelled = vocabulary.digits.get(word)
        if spelled and any(n.startswith(f"{spelled} {words[i + 1]}") for n in vocabulary.names):
            out[i] = spelled
    return out


def _numbers_before_names(words: list[str], vocabulary: MenuVocabulary, cost: float) -> tuple[str, float]:
    """A word that sounds like a number right before a dish or a size becomes that number."""
    starts = {n.split()[0] for n, kind in vocabulary.names.items() if kind in ("dish", "size")}
    for i, word in enumerate(words[:-1]):
        if word in vocabulary.numbers or not word[0].isalpha() or words[i + 1] not in starts:
            continue
        if i > 0 and (words[i - 1] in vocabulary.numbers or words[i - 1].isdigit()):
            continue
        number, distance = _closest(word, vocabulary.numbers, _NUMBER_DISTANCE)
        if distance <= _NUMBER_DISTANCE:
            words[i] = number
            cost += distance
    return " ".join(words), cost
