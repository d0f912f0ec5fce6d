"""The dialogue's own sentences per language, as data (texts/<code>.json), English as the fallback.

Questions about the order itself come from the parser's lexicons; these are the rest: greetings, cart
summaries, checkout steps and status updates. A language with no file speaks English here while the parser
still understands it.
"""
from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from core.money import Money

TEXTS_DIR = Path(__file__).with_name("texts")
FALLBACK = "en"
# Short answers to yes/no questions, by language (lower case, accents kept and stripped).
YES = {"en": {"yes", "yeah", "yep", "y", "ok", "okay", "sure", "correct", "right"},
       "es": {"si", "sí", "vale", "claro", "correcto", "ok", "dale", "eso"},
       "fr": {"oui", "ouais", "ok", "d'accord", "dac", "exact", "exactement", "parfait", "volontiers",
              "absolument", "bien", "sûr", "sur", "voilà", "voila", "c'est", "ça", "ca"},
       "pt": {"sim", "s", "ok", "isso", "certo", "claro", "pode", "ser", "beleza", "blz", "exato",
              "correto", "uhum", "positivo", "mesmo", "fechado"}}
NO = {"en": {"no", "nope", "n", "wrong", "not"}, "es": {"no", "nada", "incorrecto"},
      "fr": {"non", "nan", "pas", "faux", "incorrect", "jamais"},
      "pt": {"não", "nao", "n", "errado", "incorreto", "negativo", "nada"}}


@lru_cache(maxsize=None)
def _load(code: str) -> dict[str, str]:
    path = TEXTS_DIR / f"{code}.json"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def available() -> list[str]:
    """The languages with a texts file."""
    return sorted(p.stem for p in TEXTS_DIR.glob("*.json"))


class Texts:
    """`texts.t("placed", number=12, merchant="Pizzeria Donau")` in the customer's language."""

    def __init__(self, language: str | None) -> None:
        self.language = language if language and _load(language) else FALLBACK
        self._own = _load(self.language)
        self._fallback = _load(FALLBACK)

    def t(self, key: str, **fields: object) -> str:
        """The text for `key` with its placeholders filled; English when this language lacks it."""
        template = self._own.get(key) or self._fallback[key]
        return template.format(**fields)

    def money(self, amount: Decimal, currency: str) -> str:
        """An amount as this language writes it ('€9.50', '9,50 €')."""
        return Money(amount, currency).format(locale=self.language)

    @staticmethod
    def clock(moment: datetime, tz: str) -> str:
        """24-hour local time, which reads the same in every language we speak."""
        return moment.astimezone(ZoneInfo(tz)).strftime("%H:%M")

    def is_yes(self, text: str) -> bool:
        """True when every word is a yes in this language or English ('yes', 'sí claro')."""
        return _words(text) <= YES.get(self.language, YES[FALLBACK]) | YES[FALLBACK] and bool(_words(text))

    def is_no(self, text: str) -> bool:
        """True when every word is a no in this language or English ('no', 'nope')."""
        return _words(text) <= NO.get(self.language, NO[FALLBACK]) | NO[FALLBACK] and bool(_words(text))


def _words(text: str) -> set[str]:
    return {w.strip(".,!?¡¿ ") for w in text.casefold().split()} - {""}


def clip(text: str, limit: int) -> str:
    """Shorten to `limit` characters with an ellipsis (WhatsApp refuses longer titles)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
