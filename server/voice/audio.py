"""Voice notes to 16 kHz mono samples: PyAV (FFmpeg's libraries in the wheel), else the ffmpeg program.

WhatsApp sends OGG/Opus; other channels send AAC/M4A, MP3, AMR, WAV or WebM. The container is probed from
the bytes; the MIME type only helps when probing fails.
"""
from __future__ import annotations

import io
import logging
import shutil
import subprocess

import numpy as np

from core.errors import DomainError
from core.voice.engine import SAMPLE_RATE
from core.voice.errors import VoiceError

log = logging.getLogger(__name__)

MAX_SECONDS = 300  # a food order, not a podcast
_FORMATS = {"audio/ogg": "ogg", "audio/opus": "ogg", "audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/wav": "wav",
            "audio/x-wav": "wav", "audio/wave": "wav", "audio/webm": "webm", "audio/mp4": "mp4", "audio/m4a": "mp4",
            "audio/x-m4a": "mp4", "audio/aac": "aac", "audio/amr": "amr", "audio/flac": "flac"}


def decode_audio(data: bytes, mime: str | None = None, *, max_seconds: float = MAX_SECONDS) -> np.ndarray:
    """int16 mono samples at SAMPLE_RATE. Raises DomainError(undecodable_audio) for anything that is not
    audio and DomainError(audio_too_long) past `max_seconds`."""
    if not data:
        raise DomainError(code=VoiceError.UNDECODABLE_AUDIO, detail="empty audio")
    fmt = _FORMATS.get((mime or "").split(";")[0].strip().lower())
    try:
        samples = _decode_pyav(data, fmt, max_seconds)
    except ImportError:
        samples = _decode_ffmpeg(data, max_seconds)
    if samples.size > max_seconds * SAMPLE_RATE:
        raise DomainError(code=VoiceError.AUDIO_TOO_LONG, detail=f"audio longer than {max_seconds:.0f} s")
    if samples.size == 0:
        raise DomainError(code=VoiceError.UNDECODABLE_AUDIO, detail=f"no audio samples in the {mime or 'file'}")
    return samples


def _decode_pyav(data: bytes, fmt: str | None, max_seconds: float) -> np.ndarray:
    import av  # optional at import time: the ffmpeg program is the fallback

    last: Exception | None = None
    for attempt in (None, fmt) if fmt else (None,):
        try:
            with av.open(io.BytesIO(data), mode="r", format=attempt) as container:
                if not container.streams.audio:
                    raise DomainError(code=VoiceError.UNDECODABLE_AUDIO, detail="no audio stream")
                resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
                chunks: list[np.ndarray] = []
                total, limit = 0, int((max_seconds + 1) * SAMPLE_RATE)
                for frame in container.decode(audio=0):
                    for out in resampler.resample(frame):
                        chunk = out.to_ndarray().reshape(-1)
                        chunks.append(chunk)
                        total += chunk.size
                    if total > limit:
                        break
                for out in resampler.resample(None):
                    chunks.append(out.to_ndarray().reshape(-1))
                return np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, np.int16)
        except DomainError:
            raise
        except (av.error.FFmpegError, ValueError, OSError) as exc:
            last = exc
    raise DomainError(code=VoiceError.UNDECODABLE_AUDIO, detail=f"cannot decode the audio: {last}")


def _decode_ffmpeg(data: bytes, max_seconds: float) -> np.ndarray:
    program = shutil.which("ffmpeg")
    if program is None:
        raise DomainError(code=VoiceError.UNDECODABLE_AUDIO, detail="neither PyAV nor ffmpeg is installed")
    command = [program, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "pipe:0", "-t", str(max_seconds + 1),
               "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1"]
    done = subprocess.run(command, input=data, capture_output=True, timeout=120, check=False)
    if done.returncode != 0:
        raise DomainError(code=VoiceError.UNDECODABLE_AUDIO,
                          detail=f"cannot decode the audio: {done.stderr.decode(errors='replace')[-300:]}")
    return np.frombuffer(done.stdout, dtype="<i2").astype(np.int16)
