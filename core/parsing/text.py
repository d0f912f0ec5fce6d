"""Normalisation and tokenisation shared by the menu index, the lexicons and the parser.

Every phrase (menu names, lexicon entries, customer text) goes through `fold` so they meet in one form:
case-folded, Latin accents stripped ("jalapeño" = "jalapeno"), hyphens and typographic quotes unified.
Devanagari keeps its combining marks: they are letters there, not accents.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex

# Longest first: clock times ("7:30", "19h30"), decimals, numbers, words with inner apostrophes
# ("don't", "domino's"), then any single other symbol (punctuation, emoji).
_TOKEN_RE = regex.compile(
    r"\n|w/o\b|w/(?=[\s\p{L}])|\d{1,2}h\d{2}(?!\p{L})|\d+(?:[:.,]\d+)?|[\p{L}\p{M}]+(?:'[\p{L}\p{M}]+)*|[^\s\p{L}\p{M}\d]"
)
_SENTENCE_BREAKS = frozenset(".!?;\n।|")
_COMMA_LIKE = frozenset(",:+&()[]{}\"")


def _latin_fold_table() -> dict[int, str]:
    """Accented Latin letters (U+00C0..U+024F) to their base letters, plus quote and dash variants."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        base = "".join(c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c))
        if base and base != chr(code) and base.isascii():
            table[code] = base
    table.update({ord("ß"): "ss", ord("æ"): "ae", ord("œ"): "oe", ord("ø"): "o"})
    for quote in "’‘`´ʼ":
        table[ord(quote)] = "'"
    for hyphen in "‐‑-":  # joins words ("7-up", "coca-cola"): a space, so names match either way
        table[ord(hyphen)] = " "
    for dash in "‒–—―":  # a dash between clauses separates like a comma
        table[ord(dash)] = " , "
    return table


_FOLD = _latin_fold_table()


def fold(text: str) -> str:
    """Case-fold, strip Latin accents, unify quotes and dashes; NFC first so composed forms fold alike."""
    return unicodedata.normalize("NFC", text).casefold().translate(_FOLD)


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its folded form, its character span in the original text and a coarse kind."""

    norm: str
    start: int
    end: int
    kind: str  # "word", "num", "break" (sentence end), "comma" (soft separator), "sym"

    @property
    def is_word(self) -> bool:
        """A word (not a number or punctuation)."""
        return self.kind == "word"


def _kind(piece: str) -> str:
    if piece[0].isdecimal():
        return "num"
    if piece[0].isalpha() or unicodedata.category(piece[0]).startswith("M"):
        return "word"
    if piece in _SENTENCE_BREAKS:
        return "break"
    if piece in _COMMA_LIKE:
        return "comma"
    return "sym"


def tokenize(text: str) -> list[Token]:
    """Tokens of `text` with spans into the original string (folding keeps lengths except for a few
    ligatures, so spans are taken on a per-character folded copy)."""
    if text.isascii():  # the common case: folding keeps every character in place
        folded_text = text.lower().translate(_FOLD)
        origin: list[int] | range = range(len(text) + 1)
    else:
        folded_chars: list[str] = []
        positions: list[int] = []
        for index, char in enumerate(text):
            folded = fold(char)
            folded_chars.append(folded)
            positions.extend([index] * len(folded))
        folded_text = "".join(folded_chars)
        positions.append(len(text))
        origin = positions
    tokens: list[Token] = []
    for match in _TOKEN_RE.finditer(folded_text):
        piece = match.group()
        if piece.isspace() and piece != "\n":
            continue
        if piece == "." and _is_abbreviation_dot(folded_text, match.start()):
            continue  # "p.m.", "st." read as the bare letters
        kind = "word" if piece.startswith("w/") else _kind(piece)
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        elided = _elision(piece) if kind == "word" and "'" in piece else 0
        if elided:  # French "d'oignons" -> "d'" + "oignons", so the noun matches the menu
            tokens.append(Token(piece[:elided], start, origin[match.start() + elided - 1] + 1, kind))
            piece, start = piece[elided:], origin[match.start() + elided]
        tokens.append(Token(piece, start, end, kind))
    return tokens


_ELISIONS = ("l'", "d'", "j'", "n'", "c'", "m'", "s'", "t'", "qu'")


def _elision(word: str) -> int:
    """Length of a leading French elided article or pronoun, or 0."""
    for prefix in _ELISIONS:
        if word.startswith(prefix) and len(word) > len(prefix):
            return len(prefix)
    return 0


def _is_abbreviation_dot(text: str, at: int) -> bool:
    """'p.m.', 'st.', 'no.' are not sentence ends: a dot followed by a letter or preceded by one letter."""
    before = text[at - 1] if at > 0 else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    two_before = text[at - 2] if at > 1 else " "
    return after.isalpha() or (before.isalpha() and not two_before.isalpha())


@lru_cache(maxsize=65536)
def phrase_key(text: str) -> str:
    """The lookup key of a phrase: its folded word and number tokens joined by single spaces."""
    words: list[str] = []
    previous: Token | None = None
    for token in tokenize(text):
        if token.norm == "'" and previous is not None and previous.kind == "word" and previous.end == token.start:
            words[-1] += "'"  # lexicon entries such as French "d'" match the elided token of a message
        elif token.kind in ("word", "num"):
            words.append(token.norm)
        previous = token
    return " ".join(words)
