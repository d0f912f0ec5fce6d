"""The speech-engine port: 16 kHz mono samples plus the merchant's menu in, a transcript out.

Engines (pocketsphinx, faster-whisper, ...) live in server/voice; here is only the contract they share and
the choice of engine for a language, so the dialogue and the tests depend on nothing heavier than numpy.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from core.errors import DomainError
from core.menu import Menu
from core.voice.errors import VoiceError

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class Transcript:
    """What an engine heard. `language` is the language it transcribed in (detected or given).
    `alternatives`: the engine's n best readings with their scores (higher is likelier), best first, when
    it has them; `text` is the engine's own first choice until the menu picks another."""

    text: str
    language: str
    engine: str
    audio_seconds: float
    elapsed_seconds: float = 0.0
    alternatives: tuple[tuple[str, float], ...] = ()

    @property
    def real_time_factor(self) -> float:
        """Processing time / audio duration: below 1 is faster than real time."""
        return self.elapsed_seconds / self.audio_seconds if self.audio_seconds else 0.0


@runtime_checkable
class SpeechEngine(Protocol):
    """An offline speech recogniser. Implementations load their models from local paths only."""

    name: str

    def supports(self, language: str | None) -> bool:
        """Can this engine transcribe `language` (None: the engine picks or detects it)?"""
        ...

    def transcribe(self, samples: np.ndarray, *, menu: Menu, language: str | None) -> Transcript:
        """Transcribe int16 or float32 mono samples at SAMPLE_RATE; `menu` adapts the vocabulary."""
        ...


def choose_engine(engines: Sequence[SpeechEngine], language: str | None) -> SpeechEngine:
    """The first engine (in the configured order of preference) with a model for `language`.

    Raises DomainError(no_model_for_language) naming what is installed, so the channel can answer
    "please send text" instead of a wrong transcript.
    """
    for engine in engines:
        if engine.supports(language):
            return engine
    names = ", ".join(e.name for e in engines) or "none"
    raise DomainError(code=VoiceError.NO_MODEL_FOR_LANGUAGE,
                      detail=f"no speech model installed for language {language!r} (engines: {names})")


def as_float32(samples: np.ndarray) -> np.ndarray:
    """Samples in [-1, 1] as float32 (engines differ in what they take)."""
    if samples.dtype == np.int16:
        return samples.astype(np.float32) / 32768.0
    return samples.astype(np.float32, copy=False)


def as_int16(samples: np.ndarray) -> np.ndarray:
    """Samples as 16-bit integers (what pocketsphinx takes), converted from float if need be."""
    if samples.dtype == np.int16:
        return samples
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16)
