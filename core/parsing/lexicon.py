"""Per-language lexicons: the words of ordering (numbers, modifier words, intents, fillers, time words).

Each language is one JSON file in `lexicons/` (schema in lexicons/README.md); adding a language is adding a
file. `lexicon_for(code)` merges a language with its `fallback` (usually English, because customers mix
English food words into every language); phrases the language defines itself, fillers included, shadow
the fallback's, so Spanish "a" stays a preposition and never becomes English "a" = 1.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from collections.abc import Iterable
from typing import Any

from core.parsing.text import Token, phrase_key

LEXICON_DIR = Path(__file__).parent / "lexicons"

#: Roles a phrase can play; the tagger turns them into tags, the rest of the pipeline reads them.
PHRASE_ROLES = (
    "add", "remove", "remove_after", "extra", "light", "half", "left", "right", "separator", "contrast",
    "correction", "drop", "drop_after", "instead_of", "filler", "order_verb", "instruction_cue", "dish_cue",
    "delivery", "pickup", "address_cue", "street", "time_at", "time_post", "am", "pm", "oclock", "asap",
    "in_time", "in_time_after", "minutes", "hours", "business", "merchant_cue", "question_word",
    "cuisine", "size", "subject_cue", "business_verb", "place_cue", "availability_question",
    "possessive", "order_noun", "own_order", "status_word", "subject_pronoun", "price_word", "request", "question_particle", "plain",
    "size_small", "size_medium", "size_large", "all_of_them",
)


@dataclass
class Lexicon:
    """A merged, folded lexicon for one language: phrase key -> {role: value}."""

    code: str
    phrases: dict[str, dict[str, Any]] = field(default_factory=dict)
    questions: dict[str, str] = field(default_factory=dict)
    plural_suffixes: list[tuple[str, str]] = field(default_factory=list)
    max_words: int = 1
    prefixes: frozenset[str] = frozenset()  # proper word-prefixes of multi-word phrases, to stop early

    def roles(self, key: str) -> dict[str, Any] | None:
        """The roles (and their data) of a phrase, if the lexicon knows it."""
        return self.phrases.get(key)

    def has(self, key: str, role: str) -> bool:
        """Whether the phrase plays this role in the language."""
        entry = self.phrases.get(key)
        return entry is not None and role in entry


@lru_cache(maxsize=1)
def available_languages() -> tuple[str, ...]:
    """Codes of the lexicon files present, e.g. ('en', 'es', 'fr', 'hi', 'pt')."""
    return tuple(sorted(p.stem for p in LEXICON_DIR.glob("*.json")))


@lru_cache(maxsize=None)
def raw_lexicon(code: str) -> dict[str, Any]:
    """The JSON document of one language, unmerged."""
    path = LEXICON_DIR / f"{code}.json"
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _own_phrases(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Fold every phrase of a document into key -> {role: value}."""
    table: dict[str, dict[str, Any]] = {}

    def put(phrase: str, role: str, value: Any = True) -> None:
        key = phrase_key(phrase)
        if key:
            table.setdefault(key, {})[role] = value

    for phrase, number in doc.get("numbers", {}).items():
        put(phrase, "number", number)
    for role, phrases in doc.get("phrases", {}).items():
        if role not in PHRASE_ROLES:
            raise ValueError(f"{doc.get('language')}: unknown role {role!r}")
        for phrase in phrases:
            put(phrase, role)
    for intent, phrases in doc.get("intents", {}).items():
        for phrase in phrases:
            put(phrase, "intent", intent)
    time = doc.get("time", {})
    for phrase, offset in time.get("days", {}).items():
        put(phrase, "day", offset)
    for phrase, weekday in time.get("weekdays", {}).items():
        put(phrase, "weekday", weekday)
    for phrase, window in time.get("meals", {}).items():
        put(phrase, "meal", tuple(window))
    for phrase, minutes in time.get("durations", {}).items():
        put(phrase, "duration", minutes)
    return table


@lru_cache(maxsize=None)
def lexicon_for(code: str) -> Lexicon:
    """The merged lexicon of a language (its own phrases over its fallback's); cached per process."""
    doc = raw_lexicon(code)
    phrases: dict[str, dict[str, Any]] = {}
    questions: dict[str, str] = {}
    fallback = doc.get("fallback")
    if fallback:
        base = lexicon_for(fallback)
        phrases.update(base.phrases)
        questions.update(base.questions)
    phrases.update(_own_phrases(doc))  # own entries replace the fallback's whole role set
    questions.update(doc.get("questions", {}))
    suffixes = [tuple(pair) for pair in doc.get("plural_suffixes", [])]
    max_words = max((k.count(" ") + 1 for k in phrases), default=1)
    return Lexicon(code, phrases, questions, suffixes, max_words, word_prefixes(phrases))  # type: ignore[arg-type]


def word_prefixes(keys: "Iterable[str]") -> frozenset[str]:
    """Every proper word-prefix of the multi-word keys: 'can i get' gives 'can' and 'can i'."""
    out: set[str] = set()
    for key in keys:
        words = key.split(" ")
        for n in range(1, len(words)):
            out.add(" ".join(words[:n]))
    return frozenset(out)


def matches_at(norms: list[str], i: int, table: dict, prefixes: frozenset[str], stop: int | None = None) -> list[tuple[int, Any]]:
    """All (end, value) of `table` keys starting at token i, shortest first; stops as soon as the words so
    far are no phrase's prefix, so most positions cost one dictionary look-up."""
    found: list[tuple[int, Any]] = []
    stop = len(norms) if stop is None else stop
    key = ""
    for j in range(i, stop):
        key = norms[j] if j == i else f"{key} {norms[j]}"
        value = table.get(key)
        if value is not None:
            found.append((j + 1, value))
        if key not in prefixes:
            break
    return found


@lru_cache(maxsize=None)
def language_markers() -> dict[str, dict[str, float]]:
    """Single-word evidence for language detection: word -> {language: weight}.

    Only one-word phrases of a language's own document count, and a language marked `mixes_english`
    (romanised Hindi is written with English food and ordering words) gets no credit for English words. A word that is only a filler
    weighs half, and a word shared by k languages is split k ways.
    """
    english = set(_own_phrases(raw_lexicon("en"))) if "en" in available_languages() else set()
    raw: dict[str, dict[str, float]] = {}
    for code in available_languages():
        doc = raw_lexicon(code)
        for key, roles in _own_phrases(doc).items():
            if " " in key or key.isdecimal() or (doc.get("mixes_english") and key in english):
                continue
            raw.setdefault(key, {})[code] = 0.5 if set(roles) == {"filler"} else 1.0
    return {word: {code: w / len(weights) for code, w in weights.items()} for word, weights in raw.items()}


@lru_cache(maxsize=None)
def all_plural_suffixes() -> tuple[tuple[str, str], ...]:
    """Plural rules of every language: menu names are indexed with all of them, since a Spanish
    speaker may pluralise an English dish name."""
    rules: list[tuple[str, str]] = []
    for code in available_languages():
        for pair in raw_lexicon(code).get("plural_suffixes", []):
            if tuple(pair) not in rules:
                rules.append(tuple(pair))
    return tuple(rules)  # type: ignore[arg-type]


@lru_cache(maxsize=None)
def kind_words() -> frozenset[str]:
    """Words that only name a kind of business or food in every lexicon ('cafe', 'pizzeria', 'thai'): on a
    menu they may still be part of a dish's name ('Café solo')."""
    roles: dict[str, set[str]] = {}
    for code in available_languages():
        for key, found in _own_phrases(raw_lexicon(code)).items():
            roles.setdefault(key, set()).update(found)
    return frozenset(k for k, r in roles.items() if r and r <= {"business", "cuisine"})


@lru_cache(maxsize=None)
def plain_words() -> frozenset[str]:
    """Words of every language saying an item is the plain one of its kind ('solo', 'mineral', 'classic')."""
    words: set[str] = set()
    for code in available_languages():
        for phrase in raw_lexicon(code).get("phrases", {}).get("plain", []):
            words.add(phrase_key(phrase))
    return frozenset(words)


@lru_cache(maxsize=None)
def all_fillers() -> frozenset[str]:
    """Filler words of every language ("size", "tamano", "taille"): dropped from size names so that
    "lunch size" is also just "lunch"."""
    words: set[str] = set()
    for code in available_languages():
        for phrase in raw_lexicon(code).get("phrases", {}).get("filler", []):
            words.update(phrase_key(phrase).split())
    return frozenset(words)


class Scan:
    """One message's tokens against one lexicon, with phrase matches computed once per position."""

    def __init__(self, tokens: "list[Token]", lexicon: Lexicon) -> None:
        self.tokens, self.lexicon = tokens, lexicon
        self.norms = [t.norm if t.kind in ("word", "num") else "\x00" for t in tokens]
        self._cache: dict[int, list[tuple[int, dict[str, Any]]]] = {}

    def at(self, i: int) -> list[tuple[int, dict[str, Any]]]:
        """Lexicon phrases starting at token i as (end, roles), longest first."""
        found = self._cache.get(i)
        if found is None:
            found = matches_at(self.norms, i, self.lexicon.phrases, self.lexicon.prefixes) if i < len(self.norms) else []
            found.reverse()
            self._cache[i] = found
        return found

    def phrase(self, i: int, role: str) -> int:
        """End of the longest phrase at i having `role`, or i."""
        for end, roles in self.at(i):
            if role in roles:
                return end
        return i

    def any_role(self, i: int, roles: tuple[str, ...]) -> tuple[int, dict[str, Any]]:
        """Longest phrase at i having any of `roles`: (end, its roles) or (i, {})."""
        for end, found in self.at(i):
            if any(r in found for r in roles):
                return end, found
        return i, {}
