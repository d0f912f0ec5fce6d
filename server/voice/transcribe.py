"""Voice note in, order draft out: decode, pick the engine for the language, transcribe, parse.

    transcript, result = transcribe_order(ogg_bytes, "audio/ogg; codecs=opus", menu, "en", engines)

CPU-bound and blocking: an async caller (the WhatsApp webhook worker) runs it in a thread.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from core.menu import Menu
from core.parsing import ParseResult, available_languages, parse_order
from core.voice.engine import SpeechEngine, Transcript, choose_engine
from core.voice.reading import choose_reading
from server.voice.audio import MAX_SECONDS, decode_audio


def transcribe_order(audio: bytes, mime: str | None, menu: Menu, language: str | None,
                     engines: Sequence[SpeechEngine], *, now: datetime | None = None, tz: str = "UTC",
                     max_seconds: float = MAX_SECONDS) -> tuple[Transcript, ParseResult]:
    """The transcript of a voice note and its parse against `menu`.

    The transcript's text is the reading that fits the menu best among the engine's n best and their
    menu-snapped versions (core.voice.reading); `alternatives` keeps what the engine heard.
    `language` is the customer's language if known (None: the engine's own or detected). Raises
    DomainError with VoiceError.NO_MODEL_FOR_LANGUAGE when no engine has a model for it (checked before
    decoding), UNDECODABLE_AUDIO or AUDIO_TOO_LONG for the audio itself.
    """
    engine = choose_engine(engines, language)
    samples = decode_audio(audio, mime, max_seconds=max_seconds)
    transcript = engine.transcribe(samples, menu=menu, language=language)
    parse_language = transcript.language if transcript.language in available_languages() else None
    reading = choose_reading(transcript.alternatives or [(transcript.text, 0.0)], menu, parse_language,
                             lambda text: parse_order(text, menu, language=parse_language, now=now, tz=tz))
    return replace(transcript, text=reading.text), reading.result


@dataclass(frozen=True)
class VoiceConfig:
    """Which engines to run, in order of preference. Paths only: nothing is fetched at run time.

    `whisper_models`: CTranslate2 Whisper directories with the languages each may serve (None: any),
    or names from server.voice.models.PACKAGED_MODELS (e.g. "whisper-tiny.en") for models installed as
    packages. pocketsphinx (en-US model in its wheel) is the light default and comes first unless
    `whisper_first`.
    """

    cache_dir: Path
    pocketsphinx: bool = True
    pocketsphinx_model_dir: Path | None = None
    pocketsphinx_language: str = "en"
    whisper_models: Sequence[tuple[str | Path, Sequence[str] | None]] = field(default_factory=tuple)
    whisper_first: bool = False


def build_engines(config: VoiceConfig) -> list[SpeechEngine]:
    """The configured engines; an optional engine that is not installed raises DomainError(engine_unavailable)."""
    from server.voice.models import PACKAGED_MODELS, packaged_languages, packaged_model_dir
    from server.voice.pocketsphinx_engine import PocketSphinxEngine

    light: list[SpeechEngine] = []
    if config.pocketsphinx:
        light.append(PocketSphinxEngine(config.cache_dir, language=config.pocketsphinx_language,
                                        model_dir=config.pocketsphinx_model_dir))
    heavy: list[SpeechEngine] = []
    for model, languages in config.whisper_models:
        from server.voice.whisper_engine import FasterWhisperEngine

        if isinstance(model, str) and model in PACKAGED_MODELS:
            directory = packaged_model_dir(model, config.cache_dir)
            languages = languages if languages is not None else packaged_languages(model)
        else:
            directory = Path(model)
        heavy.append(FasterWhisperEngine(directory, languages=languages))
    return heavy + light if config.whisper_first else light + heavy
