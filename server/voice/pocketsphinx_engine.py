"""pocketsphinx (CMU Sphinx) as a SpeechEngine: light, offline, en-US model inside the wheel.

Its stock language model knows general English and mishears dish names; per merchant and menu version a
pronunciation dictionary and a bigram model of what customers say to this merchant are generated
(core.voice) and cached on disk, so the decoder mostly hears menu words. Another acoustic model,
dictionary or language (e.g. a French model) is configured by path.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import DomainError
from core.menu import Menu
from core.voice.arpa import bigram_arpa
from core.voice.engine import SAMPLE_RATE, Transcript, as_int16
from core.voice.errors import VoiceError
from core.voice.pronounce import dictionary_text, parse_dictionary
from core.voice.vocabulary import lm_words, order_sentences

_GENERATOR_VERSION = "1"  # bump when the generated files change for the same menu


@dataclass(frozen=True)
class MenuModel:
    """The generated files for one menu version."""

    directory: Path
    dictionary: Path
    language_model: Path
    guessed_words: tuple[str, ...]


def _default_model_dir() -> Path:
    try:
        from pocketsphinx import get_model_path
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        raise DomainError(code=VoiceError.ENGINE_UNAVAILABLE, detail="pocketsphinx is not installed") from exc
    return Path(get_model_path()) / "en-us"


class PocketSphinxEngine:
    """`cache_dir` holds the per-menu files; `model_dir` has the acoustic model folder (`hmm`), the base
    dictionary and the stock language model (defaults: the en-US model in the pocketsphinx wheel).
    `menu_adapted=False` decodes with the stock model (for comparison)."""

    name = "pocketsphinx"

    def __init__(self, cache_dir: Path, *, language: str = "en", model_dir: Path | None = None,
                 hmm: Path | None = None, dictionary: Path | None = None, language_model: Path | None = None,
                 menu_adapted: bool = True, max_decoders: int = 8) -> None:
        base = model_dir or _default_model_dir()
        self.language = language
        self.hmm = hmm or base / "en-us"
        self.base_dictionary = dictionary or base / "cmudict-en-us.dict"
        self.stock_lm = language_model or base / "en-us.lm.bin"
        for path in (self.hmm, self.base_dictionary):
            if not path.exists():
                raise DomainError(code=VoiceError.ENGINE_UNAVAILABLE, detail=f"pocketsphinx model file missing: {path}")
        self.cache_dir = Path(cache_dir) / "pocketsphinx"
        self.menu_adapted = menu_adapted
        self.max_decoders = max_decoders
        self._known: dict[str, list[list[str]]] | None = None
        self._decoders: OrderedDict[str, tuple[object, threading.Lock]] = OrderedDict()
        self._lock = threading.Lock()

    def supports(self, language: str | None) -> bool:
        return language is None or language == self.language or language.split("-")[0] == self.language

    def transcribe(self, samples: np.ndarray, *, menu: Menu, language: str | None) -> Transcript:
        started = time.perf_counter()
        key, paths = ("stock", None)
        if self.menu_adapted and menu.items:
            model = self.menu_model(menu)
            key, paths = model.directory.name, model
        decoder, lock = self._decoder(key, paths)
        pcm = _noise_floor(as_int16(samples))
        with lock:
            decoder.start_utt()  # type: ignore[attr-defined]
            decoder.process_raw(pcm.tobytes(), no_search=False, full_utt=True)  # type: ignore[attr-defined]
            decoder.end_utt()  # type: ignore[attr-defined]
            hyp = decoder.hyp()  # type: ignore[attr-defined]
        text = hyp.hypstr if hyp is not None else ""
        text = re.sub(r"\(\d+\)|<[^>]*>|\[[^\]]*\]", "", text)  # alternates and fillers are not words
        return Transcript(text=" ".join(text.split()), language=self.language, engine=self.name,
                          audio_seconds=pcm.size / SAMPLE_RATE, elapsed_seconds=time.perf_counter() - started)

    # --- per-menu model -------------------------------------------------------------------------------
    def menu_model(self, menu: Menu) -> MenuModel:
        """The dictionary and bigram model of `menu`, generated once and kept under cache_dir."""
        sentences = [lm_words(s, self.language) for s in order_sentences(menu, self.language)]
        vocabulary = {w for words in sentences for w in words}
        dict_text, guessed = dictionary_text(vocabulary, self._known_words())
        lm_text = bigram_arpa(sentences)
        digest = hashlib.sha256(f"{_GENERATOR_VERSION}\n{self.hmm}\n{dict_text}\n{lm_text}".encode()).hexdigest()[:16]
        merchant = re.sub(r"[^A-Za-z0-9_.-]", "_", menu.merchant_id)[:60] or "menu"
        directory = self.cache_dir / f"{merchant}-{digest}"
        model = MenuModel(directory, directory / "menu.dict", directory / "menu.lm", tuple(guessed))
        if not (model.dictionary.exists() and model.language_model.exists()):
            directory.mkdir(parents=True, exist_ok=True)
            _write_atomic(model.dictionary, dict_text)
            _write_atomic(model.language_model, lm_text)
        return model

    def _known_words(self) -> dict[str, list[list[str]]]:
        if self._known is None:
            self._known = parse_dictionary(self.base_dictionary.read_text(encoding="utf-8", errors="replace"))
        return self._known

    def _decoder(self, key: str, model: MenuModel | None) -> tuple[object, threading.Lock]:
        with self._lock:
            found = self._decoders.get(key)
            if found is not None:
                self._decoders.move_to_end(key)
                return found
        from pocketsphinx import Decoder

        if model is None:
            decoder = Decoder(hmm=str(self.hmm), dict=str(self.base_dictionary), lm=str(self.stock_lm),
                              samprate=SAMPLE_RATE, loglevel="FATAL")
        else:
            decoder = Decoder(hmm=str(self.hmm), dict=str(model.dictionary), lm=str(model.language_model),
                              samprate=SAMPLE_RATE, loglevel="FATAL")
        entry = (decoder, threading.Lock())
        with self._lock:
            self._decoders[key] = entry
            while len(self._decoders) > self.max_decoders:
                self._decoders.popitem(last=False)
        return entry


_NOISE_RMS = 30.0  # about -60 dBFS


def _noise_floor(pcm: np.ndarray) -> np.ndarray:
    """The samples with a faint, fixed noise added. Stretches of digital silence (synthesised speech,
    some phones' noise suppression) give the Sphinx front end log(0) energies and throw off its cepstral
    mean normalisation: measured on espeak-ng orders, words at the start were lost without it."""
    noise = np.random.default_rng(0).normal(0.0, _NOISE_RMS, pcm.size)
    return np.clip(pcm.astype(np.float64) + noise, -32768, 32767).astype(np.int16)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
