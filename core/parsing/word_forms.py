"""Word forms that meet a menu's words: stems per language and a cross-script phonetic key.

A customer writes "aguas", "eaux gazeuses", "cafés" or "पनीर टिक्का" while the menu says "Agua", "Eau
gazeuse", "Café" or "Paneer Tikka". Before tagging, a message word that is neither a lexicon word nor a
menu word is rewritten to the menu word it stands for, when exactly one menu word has:

- the same Snowball stem in the message's language (PyStemmer: C speed, the standard stemmers of
  English, Spanish, French and Portuguese; a lemmatiser would need per-language data files), or
- written in the other script (Devanagari <-> Latin), the same consonant skeleton: "paneer" and "पनीर"
  are both "pnr", "tikka" and "टिक्का" both "tk". Vowels are dropped because romanisation spells them in
  many ways (ee/i, oo/u, a/aa); aspiration and doubled consonants are dropped for the same reason.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

_STEMMER_NAMES = {"en": "english", "es": "spanish", "fr": "french", "pt": "portuguese", "hi": "english"}
_MIN_STEM = 3

# Devanagari consonants to one Latin consonant class; vowels, matras, virama, nukta and visarga are dropped.
# "y" is dropped on both sides: it is a vowel glide in romanisation ("raita" = "रायता").
_DEVANAGARI = {
    "क": "k", "ख": "k", "ग": "g", "घ": "g", "ङ": "n", "च": "c", "छ": "c", "ज": "g", "झ": "g", "ञ": "n",
    "ट": "t", "ठ": "t", "ड": "d", "ढ": "d", "ण": "n", "त": "t", "थ": "t", "द": "d", "ध": "d", "न": "n",
    "प": "p", "फ": "f", "ब": "b", "भ": "b", "म": "m", "र": "r", "ल": "l", "व": "v", "श": "s", "ष": "s",
    "स": "s", "ह": "h",
}
# Nukta letters: the flapped ड़/ढ़ is an r ("पकौड़ा" = "pakora"), ज़ a z (read s, like English "cheese").
_NUKTA = {"\u0921\u093c": "र", "\u0922\u093c": "र", "\u095c": "र", "\u095d": "र", "\u095e": "फ", "\u095b": "स",
          "\u091c\u093c": "स", "\u092b\u093c": "फ", "\u0915\u093c": "क", "\u0916\u093c": "क", "\u0917\u093c": "ग",
          "\u093c": ""}
_LATIN_VOWELS = frozenset("aeiouy")
# g and j are one class: English "veg" is written "वेज", and romanisation mixes them.
_LATIN_MAP = {"w": "v", "q": "k", "z": "s", "x": "ks", "c": "k", "j": "g"}


def _is_word(word: str) -> bool:
    """Letters only (Devanagari vowel signs and virama are marks, not letters, for str.isalpha)."""
    return all(ch.isalpha() or unicodedata.category(ch).startswith("M") for ch in word)


def is_devanagari(word: str) -> bool:
    """Whether the word has Devanagari letters."""
    return any("\u0900" <= ch <= "\u097f" for ch in word)


@lru_cache(maxsize=8)
def _stemmer(language: str) -> "Stemmer.Stemmer | None":
    name = _STEMMER_NAMES.get(language)
    return Stemmer.Stemmer(name) if name else None


def stem(word: str, language: str) -> str:
    """The Snowball stem of a folded word in `language` (the word itself when there is no stemmer)."""
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer is not None else word


@lru_cache(maxsize=65536)
def phonetic_key(word: str) -> str:
    """Consonant skeleton shared by a word's Devanagari and romanised spellings ('pnr' for both), with the
    class of its first vowel when it starts with one and of its final vowel. Doubled consonants ('tt',
    'क्क') count once; consonants parted by a vowel ('naan', 'नान') count twice."""
    letters = _letters(word)
    initial = letters[0] if letters and letters[0] in _VOWEL_CLASSES else ""
    return initial + "".join(k for k in _collapsed(letters) if k not in _VOWEL_CLASSES and k != ".") + _final_vowel(word)


@lru_cache(maxsize=65536)
def vowel_key(word: str) -> str:
    """The skeleton with vowel classes and aspiration in it ('cis' for 'cheese' and 'चीज़', 'cas' for
    'chaas', 'tika' for 'tikka' but 'tikha' for 'तीखा'): used only to part menu words whose keys clash."""
    out: list[str] = []
    for letter in _collapsed(_letters(word, aspirated=True)):
        if letter == "." or (out and out[-1] == letter):
            continue
        out.append(letter)
    return "".join(out)


def _letters(word: str, aspirated: bool = False) -> list[str]:
    return _devanagari_letters(word, aspirated) if is_devanagari(word) else _latin_letters(word, aspirated)


def _collapsed(letters: list[str]) -> list[str]:
    key: list[str] = []
    for letter in letters:
        if letter not in _VOWEL_CLASSES and letter != "." and key and key[-1] == letter:
            continue
        key.append(letter)
    return key


_VOWEL_CLASSES = frozenset("aiu")
_ASPIRATES = frozenset("खघछझठढथधफभ")
_DEVANAGARI_VOWELS = {**dict.fromkeys("अआा", "a"), **dict.fromkeys("इईएऐिीेैय", "i"), **dict.fromkeys("उऊओऔुूोौ", "u")}
_LATIN_VOWEL_CLASS = {"a": "a", "e": "i", "i": "i", "y": "i", "o": "u", "u": "u"}


def _devanagari_letters(word: str, aspirated: bool = False) -> list[str]:
    """Consonant classes and vowel classes, written or inherent (none after a virama)."""
    for nukta, plain in _NUKTA.items():
        word = word.replace(nukta, plain)
    letters: list[str] = []
    previous_consonant = False
    for ch in word:
        consonant = _DEVANAGARI.get(ch)
        if ch == "\u093c":
            continue
        if consonant is not None:
            if previous_consonant:
                letters.append("a")  # the inherent vowel between two consonants
            letters.append(consonant + ("h" if aspirated and ch in _ASPIRATES else ""))
            previous_consonant = True
        elif ch == "\u094d":  # virama: the next consonant follows directly
            previous_consonant = False
        elif ch == "ं":  # anusvara: a nasal ("मैंगो" = "mango")
            letters.append("n")
            previous_consonant = False
        else:
            letters.append(_DEVANAGARI_VOWELS.get(ch, "."))
            previous_consonant = False
    return letters


def _latin_letters(word: str, aspirated: bool = False) -> list[str]:
    text = word.replace("cch", "ch").replace("ck", "k").replace("ch", "C").replace("sh", "s").replace("ph", "f")
    text = text.replace("ce", "se").replace("ci", "si")  # a soft c: "rice" = "राइस"
    text = text.replace("alf", "af").replace("alk", "ak")  # a silent l: "half" = "हाफ"
    if len(text) > 3 and text.endswith("e") and text[-2] not in _LATIN_VOWELS:
        text = text[:-1]  # a silent final e: "cheese", "rice"
    letters: list[str] = []
    for k, ch in enumerate(text):
        if ch == "h" and k > 0 and text[k - 1] not in _LATIN_VOWELS:
            if aspirated and letters:
                letters[-1] += "h"
            continue  # aspiration: "bh", "dh", "kh"
        if ch in _LATIN_VOWELS:
            letters.append(_LATIN_VOWEL_CLASS[ch])
        elif not ch.isalpha():
            letters.append(".")
        else:
            letters.extend("c" if ch == "C" else _LATIN_MAP.get(ch, ch))
    return letters


# A final e is left out on both sides: silent in English loanwords ("rice" = "राइस").
_DEVANAGARI_FINAL = {"ा": "a", "ि": "i", "ी": "i", "य": "i", "ु": "u", "ू": "u", "ो": "o", "ौ": "o",
                     "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ओ": "o", "औ": "o"}
_LATIN_FINAL = (("ee", "i"), ("oo", "u"), ("aa", "a"), ("a", "a"), ("i", "i"), ("y", "i"), ("u", "u"), ("o", "o"))


def _final_vowel(word: str) -> str:
    """The class of a final vowel: 'tikka' (tka) and 'tikki' (tki) differ there, in both scripts."""
    if is_devanagari(word):
        return _DEVANAGARI_FINAL.get(word[-1], "")
    return next((cls for ending, cls in _LATIN_FINAL if word.endswith(ending)), "")


class WordForms:
    """Stems and phonetic keys of one menu's words, per message language; built lazily, cached by the index."""

    def __init__(self, menu_words: frozenset[str], common_words: frozenset[str] = frozenset()) -> None:
        self.menu_words = menu_words
        self._targets = menu_words - common_words  # never rewrite into an ordinary word ("bottles" -> "bottle")
        latin = sum(1 for w in menu_words if w.isascii() and w.isalpha() and len(w) > 2)
        self.devanagari_menu = latin * 10 < sum(1 for w in menu_words if is_devanagari(w))
        self._stems: dict[str, dict[str, str]] = {}
        self._keys: dict[bool, dict[str, str]] | None = None

    def stem_table(self, language: str) -> dict[str, str]:
        """Word → Snowball stem for a language, built once per language."""
        table = self._stems.get(language)
        if table is None:
            table = _unique([(stem(w, language), w) for w in self._targets if len(w) >= _MIN_STEM and w.isalpha()])
            self._stems[language] = table
        return table

    def key_table(self, devanagari: bool) -> dict[str, str]:
        """Phonetic key -> menu word, for menu words in (True) or out of (False) Devanagari."""
        if self._keys is None:
            self._keys = {}
            for script in (True, False):
                words = [w for w in self.menu_words if is_devanagari(w) == script and _is_word(w)]
                pairs = [(phonetic_key(w), w) for w in words]
                pairs += [(phonetic_key(_flap_as_d(w)), w) for w in words if _flap_as_d(w) != w]  # "तड़का" = "tadka"
                pairs = [(k, w) for k, w in pairs if len(k) >= 2 and any(c not in "aeiou" for c in k)]
                unique = _unique(pairs)
                clashing = [(vowel_key(w), w) for k, w in pairs if k not in unique]
                self._keys[script] = {**unique, **{"~" + k: w for k, w in _unique(clashing).items()}}
        return self._keys[devanagari]

    def menu_word_for(self, word: str, language: str) -> str | None:
        """The one menu word that `word` (not itself a menu word) stands for, or None. A stem match also
        needs one word to begin with the other's first four letters or the whole shorter word ("aguas" -
        "agua"), since short Snowball stems join unrelated words ("cocida" and "coca" are both "coc").
        Latin words are read as romanised Hindi only in a Hindi message."""
        if word in self.menu_words or len(word) < (2 if is_devanagari(word) else _MIN_STEM):
            return None  # Devanagari spells a syllable in one or two characters: "दम" is "dum"
        found = self.stem_table(language).get(stem(word, language)) if word.isascii() else None
        if found is not None and _same_beginning(word, found):
            return found
        devanagari = is_devanagari(word)
        if not devanagari and (found := self._clipped(word)) is not None:
            return found
        if not devanagari and language != "hi" and not self.devanagari_menu:
            return None  # "peperoni" on a menu with Latin names is a typo, not romanised Hindi
        table = self.key_table(not devanagari)
        found = table.get(phonetic_key(word)) or table.get("~" + vowel_key(word))
        if found is None and devanagari and ("\u093c" in word or "\u095c" in word or "\u095d" in word):
            found = table.get(phonetic_key(_flap_as_d(word)))  # "कड़ाही" is also romanised "kadai"
        return found

    def other_script(self, word: str) -> bool:
        """Is `word` written in the other script than most of the menu ('हाफ' on a Latin menu)?"""
        return is_devanagari(word) != self.devanagari_menu

    def misspelt(self, word: str) -> str | None:
        """The one menu word within a typo of `word` ('bred' -> 'bread', 'pepperroni' -> 'pepperoni'):
        same first letter, one edit for 5 to 6 letters, two from 7. Callers treat the match as unsure."""
        if len(word) < 5 or not word.isascii() or word in self.menu_words:
            return None  # four-letter words are too often other words a letter away ("nada" / "nata")
        budget = 1 if len(word) <= 6 else 2
        candidates = [t for t in self._targets if t[0] == word[0] and abs(len(t) - len(word)) <= budget]
        found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=budget, limit=2)
        if not found or (len(found) == 2 and found[1][1] == found[0][1]):
            return None
        return found[0][0]

    def _clipped(self, word: str) -> str | None:
        """'choc' for 'chocolat', 'deca' for 'decafeine', 'margs' for 'margherita': the one menu word that
        begins with the word (or its singular) and is at least two letters longer."""
        found = None
        if len(word) > 4 and word.endswith("s"):
            word = word[:-1]
        for target in self._targets:
            if len(target) >= len(word) + 2 and target.startswith(word):
                if found is not None and found != target:
                    return None
                found = target
        return found


def _flap_as_d(word: str) -> str:
    return word.replace("\u0921\u093c", "\u0921").replace("\u0922\u093c", "\u0922").replace("\u095c", "\u0921") \
        .replace("\u095d", "\u0922")


def _same_beginning(a: str, b: str) -> bool:
    shorter, longer = sorted((a, b), key=len)
    return longer.startswith(shorter) or (len(shorter) >= 5 and longer[:4] == shorter[:4])


def _unique(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """key -> word for keys that only one distinct word has."""
    table: dict[str, str] = {}
    clashing: set[str] = set()
    for key, word in pairs:
        if key in table and table[key] != word:
            clashing.add(key)
        table.setdefault(key, word)
    return {k: w for k, w in table.items() if k not in clashing}
