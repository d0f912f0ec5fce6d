"""core.voice: WER, the bigram model text, pronunciations, the menu vocabulary and the engine port."""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from core.errors import DomainError
from core.menu import Menu
from core.voice import (
    SpeechEngine, Transcript, VoiceError, bigram_arpa, choose_engine, dictionary_text, edit_distance,
    guess_pronunciations, lm_words, number_words, order_sentences, parse_dictionary,
    spoken_words, word_error_rate,
)

ROOT = Path(__file__).resolve().parents[3]
ARPABET = {"AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH", "IY",
           "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y",
           "Z", "ZH"}


@pytest.fixture(scope="module")
def menu() -> Menu:
    data = json.loads((ROOT / "assets" / "demo" / "krems.json").read_text(encoding="utf-8"))
    return Menu.model_validate(data["merchants"][0]["menu"])


def test_word_error_rate_counts_substitutions_deletions_insertions():
    assert edit_distance("a b c".split(), "a x c d".split()) == 2
    assert word_error_rate([("two large pizzas", "two large pizzas")]) == 0.0
    assert word_error_rate([("two large pizzas", "to large")]) == pytest.approx(2 / 3)
    assert word_error_rate([("one two", "one two"), ("a b c d", "")]) == pytest.approx(4 / 6)


def test_digits_and_case_and_punctuation_are_not_errors():
    en = number_words("en")
    assert en["2"] == "two" and number_words("es")["2"] == "dos"
    assert spoken_words("2 Large Pizzas, please!", en) == ["two", "large", "pizzas", "please"]
    assert word_error_rate([("two coca colas please", "2 Coca-Colas, please.")], en) == 0.0


def _arpa_tables(text: str) -> tuple[dict[str, tuple[float, float]], dict[tuple[str, str], float]]:
    uni: dict[str, tuple[float, float]] = {}
    bi: dict[tuple[str, str], float] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("\\"):
            section = line
            continue
        parts = line.split("\t")
        if section == "\\1-grams:" and len(parts) >= 2:
            uni[parts[1]] = (float(parts[0]), float(parts[2]) if len(parts) > 2 else 0.0)
        elif section == "\\2-grams:" and len(parts) == 2:
            w1, w2 = parts[1].split(" ")
            bi[(w1, w2)] = float(parts[0])
    return uni, bi


def test_bigram_model_is_a_proper_distribution():
    text = bigram_arpa([["two", "large", "pizzas"], ["one", "large", "coke"], ["two", "cokes"]])
    assert text.startswith("\\data\\\nngram 1=") and text.rstrip().endswith("\\end\\")
    uni, bi = _arpa_tables(text)
    assert math.isclose(sum(10 ** p for w, (p, _) in uni.items() if w != "<s>"), 1.0, rel_tol=1e-3)
    for history in ("<s>", "large", "two"):  # seen bigrams + backed-off mass of the rest sum to one
        seen = {w2 for (w1, w2) in bi if w1 == history}
        mass = sum(10 ** bi[(history, w)] for w in seen)
        mass += 10 ** uni[history][1] * sum(10 ** uni[w][0] for w in uni if w not in seen and w != "<s>")
        assert math.isclose(mass, 1.0, rel_tol=1e-3), history
    with pytest.raises(ValueError):
        bigram_arpa([])


def test_dictionary_keeps_known_variants_and_guesses_the_rest():
    known = parse_dictionary("coke K OW K\ntomato T AH M EY T OW\ntomato(2) T AH M AA T OW\n")
    assert known["tomato"] == [["T", "AH", "M", "EY", "T", "OW"], ["T", "AH", "M", "AA", "T", "OW"]]
    text, guessed = dictionary_text(["coke", "tomato", "calzone"], known)
    assert guessed == ["calzone"]
    lines = text.splitlines()
    assert "tomato(2) T AH M AA T OW" in lines and "coke K OW K" in lines
    for line in lines:
        assert set(line.split()[1:]) <= ARPABET, line
    for word in ("funghi", "quattro", "formaggi", "jalapenos", "gyoza", "xyz", "a"):
        for phones in guess_pronunciations(word):
            assert phones and set(phones) <= ARPABET, (word, phones)


def test_menu_vocabulary_has_every_item_in_ordering_phrases(menu):
    sentences = order_sentences(menu, "en")
    vocabulary = {w for s in sentences for w in lm_words(s, "en")}
    for item in menu.items:
        assert set(lm_words(item.name, "en")) <= vocabulary, item.name
    assert {"pizzas", "margheritas", "large", "without", "please", "delivery"} <= vocabulary
    assert all(re.fullmatch(r"[a-z' ]+", " ".join(lm_words(s, "en"))) for s in sentences)
    assert order_sentences(menu, "en") == sentences  # deterministic, so the cache key is stable
    spanish = {w for s in order_sentences(menu, "es") for w in lm_words(s, "es")}
    assert {"margarita", "quiero", "sin"} <= spanish



class FixedEngine:
    """A memory engine: the port's second backend, for the contract and the choice of engine."""

    def __init__(self, name: str, languages: set[str], text: str = "") -> None:
        self.name, self.languages, self.text = name, languages, text

    def supports(self, language: str | None) -> bool:
        return language is None or language in self.languages

    def transcribe(self, samples: np.ndarray, *, menu: Menu, language: str | None) -> Transcript:
        return Transcript(self.text, language or sorted(self.languages)[0], self.name, samples.size / 16000)


def test_engine_choice_follows_preference_and_names_missing_languages():
    light, heavy = FixedEngine("light", {"en"}), FixedEngine("heavy", {"en", "es"})
    assert isinstance(light, SpeechEngine)
    assert choose_engine([light, heavy], "en") is light
    assert choose_engine([light, heavy], "es") is heavy
    with pytest.raises(DomainError) as caught:
        choose_engine([light], "es")
    assert caught.value.code is VoiceError.NO_MODEL_FOR_LANGUAGE and "'es'" in caught.value.detail
    with pytest.raises(DomainError):
        choose_engine([], "en")


def test_transcript_real_time_factor():
    assert Transcript("x", "en", "e", audio_seconds=4.0, elapsed_seconds=1.0).real_time_factor == 0.25
    assert Transcript("x", "en", "e", audio_seconds=0.0).real_time_factor == 0.0
