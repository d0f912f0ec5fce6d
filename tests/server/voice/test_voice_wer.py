"""Word error rate of the default engine on ~20 synthesised orders (printed: run with -s to see it).

Quality gates are loose (synthetic speech, shared machine); the figures to compare come from
`python -m benchmarks.voice_wer`.
"""
from __future__ import annotations

from core.voice import number_words, word_error_rate
from tests.server.voice.conftest import need_tools


def test_menu_adapted_model_beats_the_stock_one(pizzeria, sphinx, voice_cache):
    need_tools("espeak-ng", "ffmpeg")
    from benchmarks.voice_orders import orders
    from benchmarks.voice_wer import run_engine, speak, to_opus
    from server.voice.pocketsphinx_engine import PocketSphinxEngine

    spoken = orders("en", "dev")
    audio = [to_opus(speak(text, "en")) for text, _ in spoken]
    wer, rtf, accuracy, pairs = run_engine(sphinx, pizzeria, "en", audio, "audio/ogg", spoken)
    stock = PocketSphinxEngine(voice_cache, menu_adapted=False)
    few = spoken[:5]
    stock_wer, *_ = run_engine(stock, pizzeria, "en", audio[:5], "audio/ogg", few)
    adapted_few = word_error_rate(pairs[:5], number_words("en"))
    print(f"\npocketsphinx menu-adapted: WER {wer:.3f} RTF {rtf:.3f} orders right {accuracy:.2f} (n={len(pairs)})")
    print(f"pocketsphinx stock model, first {len(few)}: WER {stock_wer:.3f} (menu-adapted {adapted_few:.3f})")
    for reference, heard in pairs:
        print(f"  {reference!r} -> {heard!r}")
    assert wer < 0.35
    assert accuracy >= 0.5
    assert adapted_few < stock_wer
