"""Golden tests: realistic messages per language against the demo menu.

Each line of tests/fixtures/parsing/golden/<lang>.jsonl is {"text", "lines", "intent", ...} in the
compact form of parsing_render.py; the message must also be detected as that language. An entry may
carry "xfail": "<reason>" for a known limitation.
"""
from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, NOW, TZ
from parsing_render import render_extras, render_lines

from core.parsing import parse_order

LANGUAGES = ("en", "es", "fr", "pt", "hi")


def _cases() -> list:
    cases = []
    for lang in LANGUAGES:
        path = FIXTURES / "golden" / f"{lang}.jsonl"
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip():
                continue
            case = json.loads(raw)
            marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
            cases.append(pytest.param(lang, case, id=f"{lang}-{number}", marks=marks))
    return cases


@pytest.mark.parametrize(("lang", "case"), _cases())
def test_golden(lang: str, case: dict, demo_menu) -> None:  # type: ignore[no-untyped-def]
    result = parse_order(case["text"], demo_menu, now=NOW, tz=TZ, strict=True)
    expected = {k: v for k, v in case.items() if k not in ("text", "lines", "xfail", "note", "lang")}
    got = render_extras(result, NOW)
    detected = got.pop("lang")
    assert case.get("lang", lang) in (detected, "any"), detected
    assert render_lines(result) == case["lines"]
    assert got == expected


def test_every_language_has_thirty_messages() -> None:
    for lang in LANGUAGES:
        lines = (FIXTURES / "golden" / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()
        assert len([line for line in lines if line.strip()]) >= 30, lang


def test_profile_language_skips_detection(demo_menu) -> None:  # type: ignore[no-untyped-def]
    result = parse_order("2 margherita grande", demo_menu, language="es", now=NOW, tz=TZ, strict=True)
    assert result.language == "es"
    assert render_lines(result) == "2 margherita/large"
