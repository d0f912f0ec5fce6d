"""Which language a message is in: lexicon evidence first, lingua for the undecided.

Short orders ("2 pizzas y una coca") defeat statistical detectors, while their function words are
decisive; long free text is the reverse. So lexicon hits decide when they clearly can, and lingua
(built once, lazily, restricted to the supported languages) is blended in otherwise.
"""
from __future__ import annotations

from threading import Lock

from core.parsing.lexicon import available_languages, language_markers
from core.parsing.text import Token

_DETECTOR = None
_DETECTOR_LOCK = Lock()
_LINGUA_NAMES = {"en": "ENGLISH", "es": "SPANISH", "fr": "FRENCH", "pt": "PORTUGUESE", "hi": "HINDI"}


def _detector():  # noqa: ANN202 - lingua's type is only known once imported
    """The lingua detector for the languages we have lexicons for; loading its models takes ~1 s."""
    global _DETECTOR
    if _DETECTOR is None:
        with _DETECTOR_LOCK:
            if _DETECTOR is None:
                from lingua import Language, LanguageDetectorBuilder

                languages = [getattr(Language, _LINGUA_NAMES[c]) for c in available_languages() if c in _LINGUA_NAMES]
                _DETECTOR = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    return _DETECTOR


def _lingua_scores(text: str) -> dict[str, float]:
    codes = {v: k for k, v in _LINGUA_NAMES.items()}
    values = _detector().compute_language_confidence_values(text)
    return {codes[v.language.name]: v.value for v in values if v.language.name in codes}


def lexicon_scores(tokens: list[Token]) -> dict[str, float]:
    """Sum of per-word language evidence (a word in k lexicons counts 1/k for each)."""
    markers = language_markers()
    scores: dict[str, float] = {}
    for token in tokens:
        if token.kind != "word":
            continue
        for code, weight in markers.get(token.norm, {}).items():
            scores[code] = scores.get(code, 0.0) + weight
    return scores


def detect_language(text: str, tokens: list[Token], default: str = "en") -> str:
    """The message's language code among the available lexicons."""
    if any("\u0900" <= ch <= "\u097f" for ch in text):
        return "hi" if "hi" in available_languages() else default
    scores = lexicon_scores(tokens)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if ranked:
        best, best_score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        # English words are mixed into every language, so a non-English lexicon that has real
        # evidence wins even when English words are as many.
        non_english = [(c, s) for c, s in ranked if c != "en" and s >= 0.99]
        if non_english and non_english[0][1] >= 0.5 * scores.get("en", 0.0):
            others = [s for c, s in ranked if c not in (non_english[0][0], "en")]
            if not others or non_english[0][1] >= 1.5 * max(others):
                return non_english[0][0]
        if best_score >= 1.5 and best_score >= 2 * runner_up:
            return best
    words = [t for t in tokens if t.kind == "word" and len(t.norm) > 1]
    if len(words) < 2:
        return ranked[0][0] if ranked else default
    blended = dict(scores)
    for code, confidence in _lingua_scores(text[:2000]).items():
        blended[code] = blended.get(code, 0.0) + confidence
    return max(blended.items(), key=lambda kv: kv[1])[0] if blended else default
