"""The merchant's language: strings from i18n/<lang>.json, English as the fallback for missing keys."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGUAGES = {"en": "English", "es": "Español"}


@lru_cache(maxsize=None)
def _strings(language: str) -> dict[str, str]:
    path = HERE / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


class Translator:
    def __init__(self, language: str = "en") -> None:
        self.language = language if language in LANGUAGES else "en"

    def __call__(self, message_id: str, /, **values: object) -> str:
        text = _strings(self.language).get(message_id) or _strings("en").get(message_id) or message_id
        return text.format(**values) if values else text


def keys(language: str) -> set[str]:
    return set(_strings(language))
