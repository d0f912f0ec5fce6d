"""faster-whisper (CTranslate2 Whisper) as a SpeechEngine: more accurate, heavier, an optional extra.

The model is a CTranslate2 Whisper directory given by path (model.bin, config.json, tokenizer.json,
vocabulary.*); nothing is downloaded at run time. The menu goes in as the initial prompt, which biases
the spelling of dish names; the parser then maps the words onto the menu.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from core.errors import DomainError
from core.menu import Menu
from core.voice.engine import SAMPLE_RATE, Transcript, as_float32
from core.voice.errors import VoiceError
from core.voice.vocabulary import menu_prompt


class FasterWhisperEngine:
    """`languages`: what this model may be used for (an English-only model such as tiny.en: ("en",));
    None means multilingual, with the language detected when the caller does not know it."""

    name = "faster-whisper"

    def __init__(self, model_dir: Path, *, languages: Iterable[str] | None = None, device: str = "cpu",
                 compute_type: str = "int8", cpu_threads: int = 0, beam_size: int = 5) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise DomainError(code=VoiceError.ENGINE_UNAVAILABLE,
                              detail="faster-whisper is not installed (the optional 'voice-whisper' extra)") from exc
        model_dir = Path(model_dir)
        if not (model_dir / "model.bin").is_file():
            raise DomainError(code=VoiceError.ENGINE_UNAVAILABLE, detail=f"no Whisper model.bin in {model_dir}")
        self.model_dir = model_dir
        self.languages = frozenset(languages) if languages is not None else None
        self.beam_size = beam_size
        self._model = WhisperModel(str(model_dir), device=device, compute_type=compute_type,
                                   cpu_threads=cpu_threads, local_files_only=True)
        self._lock = threading.Lock()  # one decode at a time per model; run several engines to scale

    def supports(self, language: str | None) -> bool:
        if self.languages is None:
            return True
        return language is None or language in self.languages or language.split("-")[0] in self.languages

    def transcribe(self, samples: np.ndarray, *, menu: Menu, language: str | None) -> Transcript:
        started = time.perf_counter()
        audio = as_float32(samples)
        if language is None and self.languages is not None and len(self.languages) == 1:
            language = next(iter(self.languages))
        with self._lock:
            segments, info = self._model.transcribe(
                audio, language=language, beam_size=self.beam_size, initial_prompt=menu_prompt(menu, language),
                condition_on_previous_text=False, vad_filter=False, without_timestamps=True)
            text = " ".join(segment.text.strip() for segment in segments)
        return Transcript(text=" ".join(text.split()), language=language or info.language, engine=self.name,
                          audio_seconds=audio.size / SAMPLE_RATE, elapsed_seconds=time.perf_counter() - started)
