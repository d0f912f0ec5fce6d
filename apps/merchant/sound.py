"""The new-order alert sound, made here (no binary asset to ship): three rising beeps, loud and short."""
from __future__ import annotations

import io
import math
import struct
import wave

RATE = 16_000


def alert_wav(tones: tuple[int, ...] = (880, 1175, 1568), beep_seconds: float = 0.18, gap_seconds: float = 0.07,
              volume: float = 0.8) -> bytes:
    """A WAV file (16-bit mono PCM) of rising beeps."""
    frames = bytearray()
    for tone in tones:
        n = int(RATE * beep_seconds)
        for i in range(n):
            fade = min(1.0, i / 160, (n - i) / 160)  # no clicks at the edges
            frames += struct.pack("<h", int(32767 * volume * fade * math.sin(2 * math.pi * tone * i / RATE)))
        frames += b"\x00\x00" * int(RATE * gap_seconds)
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(bytes(frames))
    return out.getvalue()
