"""How alike two spoken phrases sound: coarse phone strings from spelling and a weighted edit distance.

A recogniser that does not know "funghi" writes what it heard in words it knows ("fun height"); read both
spellings aloud by rule and they are close. Spelling rules are rough, so phones are folded into classes
that speech recognisers confuse anyway (voiced and voiceless pairs, "th" and "f", the vowels among
themselves), and each phrase gets an English and a Romance reading (menus mix both).
"""
from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from core.voice.pronounce import guess_pronunciations

_VOWELS = "AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split()
_CLASS = {"B": "P", "D": "T", "G": "K", "V": "F", "TH": "F", "DH": "F", "Z": "S", "ZH": "SH", "CH": "SH",
          "JH": "SH", "NG": "N", "HH": ""}
# One character per coarse phone: vowels lower case, consonant classes upper case.
_CHAR = {**{v: "aeiouybcdfg hjk"[i] for i, v in enumerate(_VOWELS)},
         **{c: c[0] for c in "K L M N P R S F T W Y".split()}, "SH": "X"}
_VOWEL_SUBSTITUTION = 0.4
_VOWEL_INDEL = 0.5
_CONSONANT_COST = 1.0
_CHEAPEST_EDIT = min(_VOWEL_SUBSTITUTION, _VOWEL_INDEL, _CONSONANT_COST)


def _coarse(phones: list[str]) -> str:
    out: list[str] = []
    for phone in phones:
        folded = _CHAR.get(_CLASS.get(phone, phone), "")
        if folded and not (out and out[-1] == folded):  # doubled letters read as one sound
            out.append(folded)
    return "".join(out)


@lru_cache(maxsize=20_000)
def readings(phrase: str) -> tuple[str, ...]:
    """Coarse phone strings (one character a phone) of a phrase of folded words: an English and a Romance
    reading, each word read alike in both."""
    english: list[str] = []
    romance: list[str] = []
    for word in phrase.split():
        found = guess_pronunciations(word)
        english += found[0]
        romance += found[-1]
    return tuple(dict.fromkeys((_coarse(english), _coarse(romance))))


def _skeleton(phones: str) -> str:
    return "".join(p for p in phones if p.isupper())


def _cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    return _VOWEL_SUBSTITUTION if a.islower() and b.islower() else _CONSONANT_COST


def _indel(phone: str) -> float:
    return _VOWEL_INDEL if phone.islower() else _CONSONANT_COST


@lru_cache(maxsize=200_000)
def phone_distance(a: str, b: str, limit: float = float("inf")) -> float:
    """Weighted edit distance between two coarse phone strings; infinity when above `limit`.

    Two lower bounds computed in C (rapidfuzz) rule out most pairs first: every edit costs at least
    _CHEAPEST_EDIT, and every consonant edit costs 1, so the plain distance of the consonant skeletons
    never exceeds the weighted one."""
    if limit != float("inf"):
        cutoff = int(limit) + 1
        if Levenshtein.distance(_skeleton(a), _skeleton(b), score_cutoff=cutoff) > limit:
            return float("inf")
        if Levenshtein.distance(a, b, score_cutoff=int(limit / _CHEAPEST_EDIT) + 1) * _CHEAPEST_EDIT > limit:
            return float("inf")
    previous = [0.0]
    for phone in b:
        previous.append(previous[-1] + _indel(phone))
    for x in a:
        current = [previous[0] + _indel(x)]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + _indel(x), current[j - 1] + _indel(y), previous[j - 1] + _cost(x, y)))
        previous = current
    return previous[-1] if previous[-1] <= limit else float("inf")


def sound_distance(heard: str, target: str, limit: float = float("inf")) -> float:
    """How far `heard` sounds from `target`, per phone of the target (0 = alike; about 1 = unrelated);
    infinity when above `limit`."""
    best = float("inf")
    for a in readings(heard):
        for b in readings(target):
            size = max(len(b), 1)
            best = min(best, phone_distance(a, b, limit * size) / size)
    return best
