"""Voice notes through the whole path: espeak-ng speech (WAV, OGG/Opus) -> decode -> engine -> parser."""
from __future__ import annotations

import numpy as np
import pytest

from core.errors import DomainError
from core.voice import SAMPLE_RATE, VoiceError
from server.voice import decode_audio, transcribe_order
from server.voice import audio as audio_module
from tests.server.voice.conftest import need_tools, whisper_engine

ORDER = "two large margherita pizzas and a coca cola please"


def _speak(text: str, language: str = "en") -> bytes:
    need_tools("espeak-ng")
    from benchmarks.voice_wer import speak

    return speak(text, language)


def _opus(wav: bytes) -> bytes:
    need_tools("ffmpeg")
    from benchmarks.voice_wer import to_opus

    return to_opus(wav)


def _lines(result) -> list[tuple[str, str | None, int]]:
    return sorted((line.item_id, line.variant_id, line.quantity) for line in result.lines)


def test_wav_and_opus_decode_to_16k_mono_of_the_same_length():
    wav = _speak(ORDER)
    from_wav = decode_audio(wav, "audio/wav")
    from_opus = decode_audio(_opus(wav), "audio/ogg; codecs=opus")
    assert from_wav.dtype == np.int16 and from_opus.dtype == np.int16
    seconds = from_wav.size / SAMPLE_RATE
    assert 1.5 < seconds < 6
    assert abs(from_opus.size - from_wav.size) < 0.1 * SAMPLE_RATE  # Opus pre-skip and padding only
    assert np.abs(from_opus.astype(np.int32)).max() > 1000


def test_ffmpeg_program_decodes_when_pyav_is_missing(monkeypatch):
    need_tools("ffmpeg")
    wav = _speak("one calzone")
    expected = decode_audio(wav, "audio/wav")

    def no_pyav(*_args, **_kwargs):
        raise ImportError("av")

    monkeypatch.setattr(audio_module, "_decode_pyav", no_pyav)
    got = decode_audio(_opus(wav), "audio/ogg")
    assert abs(got.size - expected.size) < 0.1 * SAMPLE_RATE


@pytest.mark.parametrize("data", [b"", b"this is not audio at all" * 10, b"OggS" + bytes(200)])
def test_what_is_not_audio_is_undecodable(data):
    with pytest.raises(DomainError) as caught:
        decode_audio(data, "audio/ogg")
    assert caught.value.code is VoiceError.UNDECODABLE_AUDIO


def test_too_long_a_note_is_refused():
    wav = _speak("one calzone and one tiramisu please")
    with pytest.raises(DomainError) as caught:
        decode_audio(wav, "audio/wav", max_seconds=0.5)
    assert caught.value.code is VoiceError.AUDIO_TOO_LONG


@pytest.mark.parametrize("as_opus", [False, True], ids=["wav", "ogg-opus"])
def test_english_voice_note_becomes_the_order(as_opus, pizzeria, sphinx):
    data = _speak(ORDER)
    data, mime = (_opus(data), "audio/ogg") if as_opus else (data, "audio/wav")
    transcript, result = transcribe_order(data, mime, pizzeria, "en", [sphinx])
    assert transcript.engine == "pocketsphinx" and transcript.language == "en"
    assert result.language == "en"
    assert _lines(result) == [("coke", None, 1), ("margherita", "large", 2)], transcript.text


def test_removal_said_in_a_voice_note_reaches_the_line(pizzeria, sphinx):
    transcript, result = transcribe_order(_opus(_speak("i'd like a calzone without ham")), "audio/ogg",
                                          pizzeria, "en", [sphinx])
    assert [line.item_id for line in result.lines] == ["calzone"], transcript.text
    assert [(m.option_id, m.kind.value) for m in result.lines[0].modifiers] == [("ham", "remove")]


def test_menu_model_is_generated_once_per_menu_and_cached_on_disk(pizzeria, sphinx, voice_cache):
    first = sphinx.menu_model(pizzeria)
    assert first.dictionary.is_file() and first.language_model.is_file()
    assert first.directory.parent == voice_cache / "pocketsphinx"
    assert first.directory.name.startswith("pizzeria-donau-")
    assert "calzone" in first.guessed_words  # not in CMUdict: guessed by rule
    stamp = first.language_model.stat().st_mtime_ns
    assert sphinx.menu_model(pizzeria) == first and first.language_model.stat().st_mtime_ns == stamp
    changed = pizzeria.model_copy(update={"items": pizzeria.items[:3]})
    assert sphinx.menu_model(changed).directory != first.directory


def test_spanish_without_a_spanish_model_says_so(pizzeria, sphinx):
    data = _opus(_speak("quiero dos margaritas grandes", "es"))
    with pytest.raises(DomainError) as caught:
        transcribe_order(data, "audio/ogg", pizzeria, "es", [sphinx])
    assert caught.value.code is VoiceError.NO_MODEL_FOR_LANGUAGE
    assert caught.value.code.value == "no_model_for_language"


def test_spanish_voice_note_with_whisper_base(pizzeria, sphinx, voice_cache):
    whisper = whisper_engine("whisper-base", voice_cache)
    data = _opus(_speak("un calzone y un tiramisú por favor", "es"))
    transcript, result = transcribe_order(data, "audio/ogg", pizzeria, "es", [sphinx, whisper])
    assert transcript.engine == "faster-whisper" and result.language == "es"
    assert sorted(line.item_id for line in result.lines) == ["calzone", "tiramisu"], transcript.text


def test_english_voice_note_with_whisper_tiny_en(pizzeria, voice_cache):
    whisper = whisper_engine("whisper-tiny.en", voice_cache)
    assert not whisper.supports("es")
    data = _opus(_speak("a large margherita with ham and pineapple"))
    transcript, result = transcribe_order(data, "audio/ogg", pizzeria, "en", [whisper])
    assert _lines(result) == [("margherita", "large", 1)], transcript.text


def test_whisper_gives_its_n_best_with_their_scores(pizzeria, voice_cache):
    whisper = whisper_engine("whisper-tiny.en", voice_cache)
    samples = decode_audio(_opus(_speak("two tiramisu for dessert")), "audio/ogg")
    transcript = whisper.transcribe(samples, menu=pizzeria, language="en")
    assert len(transcript.alternatives) >= 2 and transcript.text == transcript.alternatives[0][0]
    scores = [score for _, score in transcript.alternatives]
    assert all(score <= 0.0 for score in scores) and scores == sorted(scores, reverse=True)
    assert len({text for text, _ in transcript.alternatives}) == len(transcript.alternatives)


def test_whisper_window_is_the_note_rounded_up_never_past_30_seconds(voice_cache):
    whisper = whisper_engine("whisper-tiny.en", voice_cache)
    assert whisper.window_frames(3.2) == 1000
    assert whisper.window_frames(9.6) == 2000  # half a second of silence at least
    assert whisper.window_frames(45.0) == 3000


def test_multilingual_whisper_detects_the_language_when_not_told(pizzeria, voice_cache):
    whisper = whisper_engine("whisper-base", voice_cache)
    samples = decode_audio(_opus(_speak("un calzone y un tiramisú por favor", "es")), "audio/ogg")
    transcript = whisper.transcribe(samples, menu=pizzeria, language=None)
    assert transcript.language == "es", transcript.text
