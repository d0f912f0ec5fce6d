"""Voice notes to orders on the server: audio decoding (PyAV / ffmpeg), the speech engines (pocketsphinx
with per-merchant menu models; faster-whisper, optional) and `transcribe_order`, which the WhatsApp
channel calls. The engine port and the model-text generation are in core.voice."""
from server.voice.audio import decode_audio
from server.voice.transcribe import VoiceConfig, build_engines, transcribe_order

__all__ = ["VoiceConfig", "build_engines", "decode_audio", "transcribe_order"]
