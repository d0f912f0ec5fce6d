"""faster-whisper (CTranslate2 Whisper) as a SpeechEngine: more accurate, heavier, an optional extra.

The model is a CTranslate2 Whisper directory given by path (model.bin, config.json, tokenizer.json,
vocabulary.*); nothing is downloaded at run time. faster-whisper loads the model, its tokenizer and its
feature extractor; decoding calls CTranslate2 directly because a voice note is one short segment and
two things matter that faster-whisper's `transcribe` does not offer:

- the n best hypotheses of the beam (with their scores), so the reading that fits the menu can be chosen
  (core.voice.reading) instead of trusting the first;
- a shorter encoder window. Whisper encodes 30 s however short the note; a 3 s order then costs as much as
  30 s of speech. The window is the note rounded up to `window_step` seconds, and the number of tokens is
  bounded by the note's length and no six tokens may repeat, so a short window cannot loop ("2-3-3-3-4-3-3").

No temperature fallback: sampling at higher temperatures only ever replaced a wrong reading with a random
one on the benchmark, and the menu choice needs the beam's alternatives, not samples.
"""
from __future__ import annotations

import math
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

_FULL_WINDOW_FRAMES = 3000  # 30 s of 10 ms frames: what Whisper was trained on
_MAX_PROMPT_TOKENS = 223  # half of Whisper's 448-token context, as Whisper itself clips previous text
_TOKENS_PER_SECOND = 8  # generous for speech (about 3 words a second); a bound against loops, not a budget
_NO_REPEAT_TOKENS = 6  # "two large Quattro Formaggi with ..., two large Quattro Formaggi with ..." is a loop


class FasterWhisperEngine:
    """`languages`: what this model may be used for (an English-only model such as tiny.en: ("en",));
    None means multilingual, with the language detected when the caller does not know it.
    `window_step`: seconds the encoder window is rounded up to (None: always 30 s)."""

    name = "faster-whisper"

    def __init__(self, model_dir: Path, *, languages: Iterable[str] | None = None, device: str = "cpu",
                 compute_type: str = "int8", cpu_threads: int = 0, beam_size: int = 5, hypotheses: int = 5,
                 window_step: float | None = 10.0) -> None:
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
        self.hypotheses = min(hypotheses, beam_size)
        self.window_step = window_step
        self._whisper = WhisperModel(str(model_dir), device=device, compute_type=compute_type,
                                     cpu_threads=cpu_threads, local_files_only=True)
        self._lock = threading.Lock()  # one decode at a time per model; run several engines to scale

    def supports(self, language: str | None) -> bool:
        if self.languages is None:
            return True
        return language is None or language in self.languages or language.split("-")[0] in self.languages

    def transcribe(self, samples: np.ndarray, *, menu: Menu, language: str | None) -> Transcript:
        """The best hypothesis as `text`, the beam's n best (text, mean log-probability) as `alternatives`."""
        import ctranslate2
        from faster_whisper.tokenizer import Tokenizer

        started = time.perf_counter()
        audio = as_float32(samples)
        seconds = audio.size / SAMPLE_RATE
        if language is None and self.languages is not None and len(self.languages) == 1:
            language = next(iter(self.languages))
        model = self._whisper.model
        with self._lock:
            features = self._features(audio)
            encoded = model.encode(ctranslate2.StorageView.from_array(features[np.newaxis]))
            if language is None and model.is_multilingual:
                language = model.detect_language(encoded)[0][0][0].strip("<|>")
            tokenizer = Tokenizer(self._whisper.hf_tokenizer, model.is_multilingual, task="transcribe",
                                  language=language if model.is_multilingual else None)
            prompt = self._prompt(tokenizer, menu_prompt(menu, language))
            result = model.generate(
                encoded, [prompt], beam_size=self.beam_size, num_hypotheses=self.hypotheses, return_scores=True,
                max_length=len(prompt) + math.ceil(4 + _TOKENS_PER_SECOND * seconds),
                no_repeat_ngram_size=_NO_REPEAT_TOKENS, suppress_blank=True, suppress_tokens=[-1])[0]
        alternatives = tuple((" ".join(tokenizer.decode(ids).split()), float(score))
                             for ids, score in zip(result.sequences_ids, result.scores))
        return Transcript(text=alternatives[0][0] if alternatives else "", language=language or "en",
                          engine=self.name, audio_seconds=seconds, elapsed_seconds=time.perf_counter() - started,
                          alternatives=alternatives)

    def window_frames(self, seconds: float) -> int:
        """Encoder frames for a note of `seconds`: rounded up to `window_step` (with half a second of
        silence at least), never over Whisper's 30 s."""
        if self.window_step is None:
            return _FULL_WINDOW_FRAMES
        step = self.window_step
        return min(_FULL_WINDOW_FRAMES, int(math.ceil((seconds + 0.5) / step) * step * 100))

    def _features(self, audio: np.ndarray) -> np.ndarray:
        """Log-mel features of the note padded with silence to the window (as Whisper pads to 30 s)."""
        frames = self.window_frames(audio.size / SAMPLE_RATE)
        hop = self._whisper.feature_extractor.hop_length
        padded = np.pad(audio, (0, max(0, frames * hop - audio.size)))[: frames * hop]
        return np.ascontiguousarray(self._whisper.feature_extractor(padded, padding=0)[:, :frames], np.float32)

    @staticmethod
    def _prompt(tokenizer, text: str) -> list[int]:
        previous = tokenizer.encode(" " + text.strip())[-_MAX_PROMPT_TOKENS:] if text.strip() else []
        head = [tokenizer.sot_prev, *previous] if previous else []
        return [*head, *tokenizer.sot_sequence, tokenizer.no_timestamps]
