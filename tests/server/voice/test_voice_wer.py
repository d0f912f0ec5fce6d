"""Word error rate of the default engine on ~20 synthesised orders (printed: run with -s to see it).

Quality gates are loose (synthetic speech, shared machine); the figures to compare come from
`python -m benchmarks.voice_wer`.
"""
from __future__ import annotations

from tests.server.voice.conftest import need_tools


def test_menu_adapted_model_beats_the_stock_one(pizzeria, sphinx, voice_cache):
    need_tools("espeak-ng", "ffmpeg")
    from benchmarks.voice_orders import orders
    from benchmarks.voice_wer import run_engine, speak, summarise, to_opus
    from server.voice.pocketsphinx_engine import PocketSphinxEngine

    spoken = orders("en", "dev")
    audio = [to_opus(speak(text, "en")) for text, _ in spoken]
    adapted = summarise(runs := run_engine(sphinx, pizzeria, "en", audio, "audio/ogg", spoken), "en")
    stock = PocketSphinxEngine(voice_cache, menu_adapted=False)
    stock_few = summarise(run_engine(stock, pizzeria, "en", audio[:5], "audio/ogg", spoken[:5]), "en")
    adapted_few = summarise(runs[:5], "en")
    print(f"\npocketsphinx menu-adapted: WER {adapted.wer:.3f} RTF {adapted.rtf:.3f} orders right "
          f"{adapted.accuracy:.2f} (n={adapted.n})")
    print(f"pocketsphinx stock model, first 5: WER {stock_few.wer:.3f} (menu-adapted {adapted_few.wer:.3f})")
    for run in runs:
        print(f"  {run.said!r} -> {run.heard!r}")
    assert adapted.wer < 0.35
    assert adapted.accuracy >= 0.5
    assert adapted_few.wer < stock_few.wer
