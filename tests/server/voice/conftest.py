"""Speech for the voice tests: espeak-ng (Debian package) says the orders, ffmpeg makes OGG/Opus voice notes."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.menu import Menu


def need_tools(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian packages; .ci/run installs them)")


@pytest.fixture(scope="session")
def pizzeria() -> Menu:
    from benchmarks.voice_wer import demo_menu

    return demo_menu()


@pytest.fixture(scope="session")
def voice_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("voice-cache")


@pytest.fixture(scope="session")
def sphinx(voice_cache: Path):
    from server.voice.pocketsphinx_engine import PocketSphinxEngine

    return PocketSphinxEngine(voice_cache)


def whisper_engine(name: str, cache: Path):
    """A packaged Whisper model through faster-whisper, or a skip saying what is missing. Installed files
    that fail their pinned hash are an error (DomainError model_hash_mismatch), never a skip."""
    pytest.importorskip("faster_whisper", reason="faster-whisper is an optional extra and is not installed")
    from core.errors import DomainError
    from core.voice import VoiceError
    from server.voice.models import packaged_languages, packaged_model_dir
    from server.voice.whisper_engine import FasterWhisperEngine

    try:
        return FasterWhisperEngine(packaged_model_dir(name, cache), languages=packaged_languages(name))
    except DomainError as exc:
        if exc.code is not VoiceError.ENGINE_UNAVAILABLE:
            raise
        pytest.skip(f"{name}: {exc.detail}")
