"""Pronunciations for a recogniser's dictionary: the engine's own lexicon where it knows the word, rules
(English letter-to-sound, ARPAbet as CMUdict spells it) for the dish names it does not ("kasespatzle")."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# Longest grapheme first; each maps to ARPAbet phones. Rough on purpose: with a menu-sized vocabulary the
# decoder only has to tell the menu's words apart, not spell English.
_GRAPHEMES: tuple[tuple[str, str], ...] = (
    ("tch", "CH"), ("sch", "SH"), ("igh", "AY"), ("eau", "OW"), ("ough", "AO"), ("tion", "SH AH N"),
    ("ch", "CH"), ("sh", "SH"), ("th", "TH"), ("ph", "F"), ("ck", "K"), ("ng", "NG"), ("qu", "K W"),
    ("gh", "G"), ("wh", "W"), ("kn", "N"), ("gn", "N Y"), ("wr", "R"), ("zz", "T S"), ("ll", "L"),
    ("ss", "S"), ("tt", "T"), ("pp", "P"), ("cc", "K"), ("mm", "M"), ("nn", "N"), ("rr", "R"), ("ff", "F"),
    ("dd", "D"), ("bb", "B"), ("gg", "G"), ("ee", "IY"), ("ea", "IY"), ("oo", "UW"), ("ou", "AW"),
    ("ow", "OW"), ("ai", "EY"), ("ay", "EY"), ("ei", "AY"), ("ie", "IY"), ("oa", "OW"), ("au", "AO"),
    ("aw", "AO"), ("oi", "OY"), ("oy", "OY"), ("ue", "UW"), ("ui", "UW"), ("er", "ER"), ("ir", "ER"),
    ("ur", "ER"), ("ar", "AA R"), ("or", "AO R"), ("x", "K S"), ("j", "JH"), ("y", "IY"),
    ("a", "AE"), ("b", "B"), ("d", "D"), ("e", "EH"), ("f", "F"), ("h", "HH"), ("i", "IH"), ("k", "K"),
    ("l", "L"), ("m", "M"), ("n", "N"), ("o", "AA"), ("p", "P"), ("q", "K"), ("r", "R"), ("s", "S"),
    ("t", "T"), ("u", "AH"), ("v", "V"), ("w", "W"), ("z", "Z"), ("g", "G"),
)
_VOWEL_PAIRS = frozenset(g for g, _ in _GRAPHEMES if len(g) == 2 and g[0] in "aeiou")
_FINAL_VOWELS = {"a": "AH", "i": "IY", "o": "OW", "e": "", "y": "IY"}


_LONG = {"a": "EY", "e": "IY", "i": "AY", "o": "OW", "u": "UW"}
_ROMANCE = {"a": "AA", "e": "EH", "i": "IY", "o": "OW", "u": "UW"}
_MAGIC_E = re.compile(r"([aeiou])([bcdfgklmnprstvz])e$")


def guess_pronunciations(word: str) -> list[list[str]]:
    """Two readings of a word no dictionary has: English spelling rules and Italian/Spanish-style vowels
    (menus are full of "calzone", "funghi", "tacos al pastor")."""
    english = guess_pronunciation(word)
    romance = guess_pronunciation(word, vowels=_ROMANCE)
    return [english] if romance == english else [english, romance]


def guess_pronunciation(word: str, vowels: dict[str, str] | None = None) -> list[str]:
    """ARPAbet phones for a spelling of `word` (letters only; others are skipped): English rules, or
    with `vowels` every single vowel letter read as given (and a final e spoken)."""
    letters = "".join(c for c in word.lower() if "a" <= c <= "z")
    if vowels is None:
        magic = _MAGIC_E.search(letters)
        if magic and len(letters) > 3:  # "calzone", "caprese": the final e lengthens the vowel before it
            head = letters[: magic.start()]
            return guess_pronunciation(head) + [_LONG[magic.group(1)]] + guess_pronunciation(magic.group(2))
    elif letters.endswith("e"):
        return guess_pronunciation(letters[:-1], vowels) + ["EY"]
    phones: list[str] = []
    i = 0
    while i < len(letters):
        rest = letters[i:]
        if len(rest) == 1 and rest in _FINAL_VOWELS and i > 0 and vowels is None:
            phones += _FINAL_VOWELS[rest].split()
            break
        if rest[0] == "c":
            phones.append("S" if len(rest) > 1 and rest[1] in "eiy" else "K")
            i += 1
            continue
        if rest[0] == "g" and len(rest) > 1 and rest[1] in "ei" and not rest.startswith("gh"):
            phones.append("JH")
            i += 1
            continue
        if rest[0] == "y" and i == 0:
            phones.append("Y")
            i += 1
            continue
        if vowels is not None and rest[0] in vowels and (len(rest) == 1 or rest[:2] not in _VOWEL_PAIRS):
            phones.append(vowels[rest[0]])
            i += 1
            continue
        for graph, phone in _GRAPHEMES:
            if rest.startswith(graph):
                phones += phone.split()
                i += len(graph)
                break
        else:
            i += 1
    return phones or ["AH"]


def parse_dictionary(text: str) -> dict[str, list[list[str]]]:
    """CMUdict / Sphinx dictionary text ("word PH ...", alternates as "word(2) PH ...") to word -> variants."""
    table: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) < 2:
            continue
        word = parts[0].split("(", 1)[0].lower()
        table.setdefault(word, []).append(parts[1:])
    return table


def dictionary_text(words: Iterable[str], known: Mapping[str, list[list[str]]]) -> tuple[str, list[str]]:
    """A Sphinx dictionary for `words`: known pronunciations (every variant) or guessed ones.
    Returns the text and the words that were guessed (worth a look when a name is misheard)."""
    lines: list[str] = []
    guessed: list[str] = []
    for word in sorted(set(words)):
        variants = known.get(word)
        if not variants and "'" in word:
            variants = known.get(word.replace("'", ""))
        if not variants:
            variants = guess_pronunciations(word)
            guessed.append(word)
        for n, phones in enumerate(variants):
            lines.append(f"{word if n == 0 else f'{word}({n + 1})'} {' '.join(phones)}")
    return "\n".join(lines) + "\n", guessed
