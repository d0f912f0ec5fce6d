"""Error codes of voice ordering (mapped to HTTP, if ever, only in server/errors.py)."""
from __future__ import annotations

from core.errors import ErrorCode


class VoiceError(ErrorCode):
    NO_MODEL_FOR_LANGUAGE = "no_model_for_language"  # no configured engine has a model for the language
    UNDECODABLE_AUDIO = "undecodable_audio"  # not audio, or a codec nothing here can decode
    AUDIO_TOO_LONG = "audio_too_long"
    ENGINE_UNAVAILABLE = "engine_unavailable"  # an optional engine whose package or model is not installed
    MODEL_HASH_MISMATCH = "model_hash_mismatch"  # installed model files that are not the pinned ones
