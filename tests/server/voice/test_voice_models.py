"""Packaged Whisper models against their pinned sha256, on small fake model packages: every branch of
server.voice.models.packaged_model_dir. A model that is not installed may be skipped; installed files that
fail the pin are an error naming the files and both hashes."""
from __future__ import annotations

import hashlib
import importlib
import itertools
from pathlib import Path

import pytest

from core.errors import DomainError
from core.voice import VoiceError
from server.voice import models
from server.voice.models import PackagedModel, packaged_model_dir

_names = itertools.count()


def _package(site: Path, files: dict[str, bytes]) -> str:
    """A fresh importable package under `site` holding `files`; returns its name."""
    name = f"fake_voice_model_{next(_names)}"
    root = site / name
    root.mkdir(parents=True)
    (root / "__init__.py").write_text("")
    for relative, data in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    importlib.invalidate_caches()
    return name


def _sha(*chunks: bytes) -> str:
    return hashlib.sha256(b"".join(chunks)).hexdigest()


COMPANIONS = {"config.json": b"{}", "tokenizer.json": b"{}", "vocabulary.txt": b"a\nb\n"}


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    return root


def _register(monkeypatch, name: str, model: PackagedModel) -> None:
    monkeypatch.setitem(models.PACKAGED_MODELS, name, model)


def _single(site: Path, monkeypatch, weights: bytes, pin: str) -> Path:
    package = _package(site, {"model/model.bin": weights, **{f"model/{k}": v for k, v in COMPANIONS.items()}})
    _register(monkeypatch, "fake-single", PackagedModel("fake-single", ((package, "model/model.bin"),),
                                                        (package, "model"), ("en",), pin))
    return site / package / "model"


def _split(site: Path, monkeypatch, first: bytes, second: bytes, pin: str) -> tuple[Path, Path]:
    one = _package(site, {"data/model.bin.part1": first})
    two = _package(site, {"data/model.bin.part2": second, **{f"data/{k}": v for k, v in COMPANIONS.items()}})
    _register(monkeypatch, "fake-split", PackagedModel(
        "fake-split", ((one, "data/model.bin.part1"), (two, "data/model.bin.part2")), (two, "data"), None, pin))
    return site / one / "data" / "model.bin.part1", site / two / "data" / "model.bin.part2"


def _mismatch(name: str, cache: Path) -> str:
    with pytest.raises(DomainError) as caught:
        packaged_model_dir(name, cache)
    assert caught.value.code is VoiceError.MODEL_HASH_MISMATCH
    return caught.value.detail


def test_single_file_model_matching_its_pin_is_used_in_place(site, monkeypatch, tmp_path):
    folder = _single(site, monkeypatch, b"tiny weights", _sha(b"tiny weights"))
    assert packaged_model_dir("fake-single", tmp_path / "cache") == folder


def test_single_file_model_failing_its_pin_names_the_file_and_both_hashes(site, monkeypatch, tmp_path):
    pin = _sha(b"the published weights")
    folder = _single(site, monkeypatch, b"tampered weights", pin)
    detail = _mismatch("fake-single", tmp_path / "cache")
    assert str(folder / "model.bin") in detail
    assert pin in detail and _sha(b"tampered weights") in detail


def test_split_model_is_joined_once_with_its_companions(site, monkeypatch, tmp_path):
    first, second = _split(site, monkeypatch, b"first half|", b"second half", _sha(b"first half|", b"second half"))
    cache = tmp_path / "cache"
    target = packaged_model_dir("fake-split", cache)
    assert (target / "model.bin").read_bytes() == b"first half|second half"
    assert sorted(p.name for p in target.iterdir() if not p.name.startswith(".")) == sorted(["model.bin", *COMPANIONS])
    second.write_bytes(b"changed on disk")  # the joined copy was verified: it is reused without re-hashing
    assert packaged_model_dir("fake-split", cache) == target
    assert (target / "model.bin").read_bytes() == b"first half|second half"


def test_split_model_failing_its_pin_names_both_parts_and_both_hashes(site, monkeypatch, tmp_path):
    pin = _sha(b"first half|", b"second half")
    first, second = _split(site, monkeypatch, b"first half|", b"another half", pin)
    detail = _mismatch("fake-split", tmp_path / "cache")
    assert str(first) in detail and str(second) in detail
    assert pin in detail and _sha(b"first half|", b"another half") in detail
    assert not (tmp_path / "cache" / "models" / "fake-split" / "model.bin").exists()


def test_joined_model_from_an_older_pin_is_checked_again(site, monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    _split(site, monkeypatch, b"old|", b"model", _sha(b"old|", b"model"))
    packaged_model_dir("fake-split", cache)
    new_pin = _sha(b"new|", b"model")  # the pin moved on, the installed parts did not
    model = models.PACKAGED_MODELS["fake-split"]
    _register(monkeypatch, "fake-split", PackagedModel(model.name, model.parts, model.companions, None, new_pin))
    detail = _mismatch("fake-split", cache)
    assert new_pin in detail and _sha(b"old|", b"model") in detail


def test_joined_model_of_the_wrong_size_is_rebuilt_from_verified_parts(site, monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    _split(site, monkeypatch, b"first half|", b"second half", _sha(b"first half|", b"second half"))
    target = packaged_model_dir("fake-split", cache)
    (target / "model.bin").write_bytes(b"first half|")  # an interrupted copy, a full disk
    assert packaged_model_dir("fake-split", cache) == target
    assert (target / "model.bin").read_bytes() == b"first half|second half"


def test_joined_model_of_the_wrong_size_with_bad_parts_is_a_mismatch(site, monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    first, _ = _split(site, monkeypatch, b"first half|", b"second half", _sha(b"first half|", b"second half"))
    target = packaged_model_dir("fake-split", cache)
    (target / "model.bin").write_bytes(b"short")
    first.write_bytes(b"corrupted |")
    assert str(first) in _mismatch("fake-split", cache)


def test_missing_packages_are_unavailable_not_mismatched(site, monkeypatch, tmp_path):
    _register(monkeypatch, "fake-absent", PackagedModel("fake-absent", (("no_such_voice_pkg", "model.bin"),),
                                                        ("no_such_voice_pkg", "model"), None, "0" * 64))
    weights_only = _package(site, {"data/model.bin.part1": b"x"})
    _register(monkeypatch, "fake-no-companions", PackagedModel(
        "fake-no-companions", ((weights_only, "data/model.bin.part1"),), ("no_such_voice_pkg", "data"), None,
        _sha(b"x")))
    for name in ("fake-absent", "fake-no-companions", "not-a-model"):
        with pytest.raises(DomainError) as caught:
            packaged_model_dir(name, tmp_path / "cache")
        assert caught.value.code is VoiceError.ENGINE_UNAVAILABLE, name


def test_the_test_helper_and_the_benchmark_fail_on_a_mismatch_instead_of_skipping(site, monkeypatch, tmp_path):
    pytest.importorskip("faster_whisper", reason="faster-whisper is an optional extra and is not installed")
    from benchmarks.voice_wer import make_engines
    from tests.server.voice.conftest import whisper_engine

    _single(site, monkeypatch, b"tampered weights", _sha(b"the published weights"))
    with pytest.raises(DomainError) as caught:
        whisper_engine("fake-single", tmp_path / "cache")
    assert caught.value.code is VoiceError.MODEL_HASH_MISMATCH
    with pytest.raises(DomainError) as caught:
        make_engines(["fake-single"], tmp_path / "cache")
    assert caught.value.code is VoiceError.MODEL_HASH_MISMATCH
    assert make_engines(["not-a-model"], tmp_path / "cache") == {"not-a-model": "unknown packaged model 'not-a-model'"}
