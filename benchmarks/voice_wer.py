"""Voice ordering benchmark: word error rate, real-time factor and order accuracy on synthesised orders.

    python -m benchmarks.voice_wer [--opus] [--engines pocketsphinx-stock,pocketsphinx,whisper-tiny.en,whisper-base]

Short food orders against the demo pizzeria's menu (assets/demo/krems.json; the orders and their dev /
held-out split are in benchmarks/voice_orders.py) are spoken by espeak-ng (Debian package; English voice
en-us, Spanish voice es), optionally re-encoded as OGG/Opus voice notes (ffmpeg -c:a libopus, as WhatsApp
sends them), and go through `transcribe_order` as a channel's voice note does: decoding to 16 kHz mono,
the engine, the choice of the reading that fits the menu, the parser. Per engine, language and part: WER
(digits spoken as words), RTF (wall-clock time of the whole call / audio time, after one warm-up), CPU
(this process's CPU seconds / audio time: steadier on a shared machine) and the share of orders whose
parsed items and quantities are exactly the expected ones. Engines whose package or model is not
installed are skipped with the reason; installed model files that fail their pinned hash stop the run.
Last line (the default engine, pocketsphinx with the menu-adapted model, English):
`voice_wer: <wer> rtf=<rtf>`.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.errors import DomainError  # noqa: E402
from core.menu import Menu  # noqa: E402
from core.parsing import ParseResult  # noqa: E402
from core.voice import SpeechEngine, VoiceError, number_words, word_error_rate  # noqa: E402
from benchmarks.voice_orders import PARTS, Order, orders, part_of  # noqa: E402

DEMO = ROOT / "assets" / "demo" / "krems.json"

VOICES = {"en": "en-us", "es": "es"}


def demo_menu(merchant_id: str = "pizzeria-donau") -> Menu:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    return next(Menu.model_validate(m["menu"]) for m in data["merchants"] if m["menu"]["merchant_id"] == merchant_id)


def speak(text: str, language: str, *, words_per_minute: int = 160) -> bytes:
    """WAV bytes of espeak-ng saying `text` (22.05 kHz mono)."""
    done = subprocess.run(["espeak-ng", "-v", VOICES.get(language, language), "-s", str(words_per_minute),
                           "--stdout", text], capture_output=True, check=True, timeout=60)
    return done.stdout


def to_opus(wav: bytes) -> bytes:
    """An OGG/Opus voice note of the WAV, as WhatsApp sends (mono, 16 kHz, 24 kbit/s)."""
    done = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "pipe:0", "-ac", "1",
                           "-ar", "16000", "-c:a", "libopus", "-b:a", "24k", "-f", "ogg", "pipe:1"],
                          input=wav, capture_output=True, check=True, timeout=60)
    return done.stdout


def ordered_items(result: ParseResult) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for line in result.lines:
        counts[line.item_id] += line.quantity
    return dict(counts)


def make_engines(names: list[str], cache_dir: Path) -> dict[str, SpeechEngine | str]:
    """Engine name -> engine, or the reason it is not available."""
    from server.voice.models import packaged_languages, packaged_model_dir
    from server.voice.pocketsphinx_engine import PocketSphinxEngine

    out: dict[str, SpeechEngine | str] = {}
    for name in names:
        try:
            if name == "pocketsphinx-stock":
                out[name] = PocketSphinxEngine(cache_dir, menu_adapted=False)
            elif name == "pocketsphinx":
                out[name] = PocketSphinxEngine(cache_dir)
            else:
                from server.voice.whisper_engine import FasterWhisperEngine

                out[name] = FasterWhisperEngine(packaged_model_dir(name, cache_dir), languages=packaged_languages(name))
        except DomainError as exc:
            if exc.code is not VoiceError.ENGINE_UNAVAILABLE:
                raise  # installed files that fail their pinned hash: an error, not a skip
            out[name] = exc.detail or name
    return out


@dataclass(frozen=True)
class OrderRun:
    """One voice order through one engine: what was said and heard, whether the order came out exactly
    right, the audio length and the wall-clock and CPU seconds spent on it."""

    said: str
    heard: str
    right: bool
    audio_seconds: float
    wall_seconds: float
    cpu_seconds: float


@dataclass(frozen=True)
class Summary:
    wer: float
    rtf: float  # wall clock / audio (the machine is shared: compare within a run)
    cpu_rtf: float  # CPU seconds of this process (all its threads) / audio: steadier under load
    accuracy: float
    n: int


def run_engine(engine: SpeechEngine, menu: Menu, language: str, audio: list[bytes], mime: str,
               spoken: list[Order]) -> list[OrderRun]:
    """Every order of `spoken` through `transcribe_order` with `engine`, after one warm-up."""
    from server.voice.audio import decode_audio
    from server.voice.transcribe import transcribe_order

    engine.transcribe(decode_audio(audio[0], mime), menu=menu, language=language)  # warm-up: load models
    runs: list[OrderRun] = []
    for data, (text, expected) in zip(audio, spoken):
        wall, cpu = time.perf_counter(), time.process_time()  # decoding, recognition and the choice of reading
        transcript, result = transcribe_order(data, mime, menu, language, [engine])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        runs.append(OrderRun(text, transcript.text, ordered_items(result) == expected, transcript.audio_seconds,
                             wall, cpu))
    return runs


def summarise(runs: list[OrderRun], language: str) -> Summary:
    heard = sum(r.audio_seconds for r in runs) or 1.0
    return Summary(word_error_rate([(r.said, r.heard) for r in runs], number_words(language)),
                   sum(r.wall_seconds for r in runs) / heard, sum(r.cpu_seconds for r in runs) / heard,
                   sum(r.right for r in runs) / max(len(runs), 1), len(runs))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="pocketsphinx-stock,pocketsphinx,whisper-tiny.en,whisper-base")
    parser.add_argument("--opus", action="store_true", help="send OGG/Opus voice notes instead of WAV")
    parser.add_argument("--part", choices=[*PARTS, "all"], default="all",
                        help="dev (tune on it), held_out (report on it) or all orders (figures per part)")
    parser.add_argument("--verbose", action="store_true", help="print every order that came out wrong")
    args = parser.parse_args(argv)
    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng is not installed (apt-get install espeak-ng)")
    menu = demo_menu()
    mime = "audio/ogg" if args.opus else "audio/wav"
    sets = {lang: orders(lang, None if args.part == "all" else args.part) for lang in ("en", "es")}
    audio = {lang: [to_opus(speak(t, lang)) if args.opus else speak(t, lang) for t, _ in spoken]
             for lang, spoken in sets.items()}
    headline: Summary | None = None
    with tempfile.TemporaryDirectory() as cache:
        engines = make_engines(args.engines.split(","), Path(cache))
        for name, engine in engines.items():
            if isinstance(engine, str):
                print(f"{name}: skipped ({engine})")
                continue
            for lang, spoken in sets.items():
                if not engine.supports(lang):
                    print(f"{name} [{lang}]: no model for this language")
                    continue
                runs = run_engine(engine, menu, lang, audio[lang], mime, spoken)
                parts = [(p, [r for r in runs if part_of(r.said) == p]) for p in PARTS]
                parts += [("all", runs)] if args.part == "all" else []
                for part, subset in parts:
                    if subset:
                        got = summarise(subset, lang)
                        print(f"{name} [{lang}] {part:8s} n={got.n:2d}: WER {got.wer:.3f}  RTF {got.rtf:.3f}  "
                              f"CPU {got.cpu_rtf:.3f}  orders exactly right {got.accuracy:.2f}")
                if args.verbose:
                    for run in runs:
                        if not run.right:
                            print(f"    [{part_of(run.said)}] {run.said!r} -> {run.heard!r}")
                if name == "pocketsphinx" and lang == "en":
                    headline = summarise(runs, lang)
    if headline is None:
        sys.exit("the default engine (pocketsphinx, English) did not run")
    print(f"voice_wer: {headline.wer:.3f} rtf={headline.rtf:.3f}")

if __name__ == "__main__":
    main()
