"""The dialogue's texts per language: same keys and placeholders as English, labels that fit WhatsApp."""
from __future__ import annotations

import json
import string
from pathlib import Path

import pytest

from core.conversation.texts import NO, TEXTS_DIR, YES, Texts
from core.merchants import Customer
from core.orders.memory import MemoryState
from tests.core.conversation.conftest import NOW, Chat

# WhatsApp refuses button titles (and list button labels) longer than 20 characters.
LABEL_LIMIT = 20
LIST_LABELS = {"categories", "dishes", "kitchens", "choose", "options", "more", "saved_address"}
FILES = sorted(TEXTS_DIR.glob("*.json"))


def load(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


ENGLISH = load(TEXTS_DIR / "en.json")


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def test_the_languages_we_translate_are_there() -> None:
    assert {"en", "es", "fr", "pt"} <= {path.stem for path in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_same_keys_as_english(path: Path) -> None:
    texts = load(path)
    assert set(texts) == set(ENGLISH), {"missing": set(ENGLISH) - set(texts), "extra": set(texts) - set(ENGLISH)}
    assert texts["language"] == path.stem
    assert texts["template_order_update"] == ENGLISH["template_order_update"]
    assert all(isinstance(value, str) and value.strip() for value in texts.values())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_same_placeholders_as_english(path: Path) -> None:
    texts = load(path)
    wrong = {key: (placeholders(texts[key]), placeholders(ENGLISH[key]))
             for key in ENGLISH if key in texts and placeholders(texts[key]) != placeholders(ENGLISH[key])}
    assert not wrong


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_button_labels_fit_whatsapp(path: Path) -> None:
    texts = load(path)
    labels = {key: value for key, value in texts.items() if key.startswith("btn_") or key in LIST_LABELS}
    assert len(labels) == len([k for k in ENGLISH if k.startswith("btn_") or k in LIST_LABELS])
    too_long = {key: len(value) for key, value in labels.items() if len(value) > LABEL_LIMIT}
    assert not too_long


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_template_formats(path: Path) -> None:
    texts = Texts(path.stem)
    assert texts.language == path.stem
    for key, template in load(path).items():
        fields = {name: f"<{name}>" for name in placeholders(template)}
        text = texts.t(key, **fields)
        assert "{" not in text and "}" not in text, key
        assert all(f"<{name}>" in text for name in fields), key


@pytest.mark.parametrize("language", ["fr", "pt"])
def test_yes_and_no_words_do_not_overlap(language: str) -> None:
    assert YES[language] and NO[language] and not YES[language] & NO[language]


@pytest.mark.parametrize(("language", "yes", "no"), [("fr", "Oui, d'accord !", "non"), ("pt", "Sim, pode ser", "Não")])
def test_short_answers_are_understood(language: str, yes: str, no: str) -> None:
    texts = Texts(language)
    assert texts.is_yes(yes) and not texts.is_no(yes)
    assert texts.is_no(no) and not texts.is_yes(no)


def test_a_french_customer_is_answered_in_french(db: MemoryState) -> None:
    claire = Customer(id="wa:33612345678", name="Claire Martin", phone="+33612345678", language="fr")
    chat = Chat(db, claire, ["pizzeria-donau"], NOW)
    chat.send("bonjour")
    assert "Bienvenue chez Pizzeria Donau" in chat.last_text
    chat.send("deux margherita grandes")
    assert [(line.item_id, line.variant_id, line.quantity) for line in chat.state.lines] == [("margherita", "large", 2)]
    text = "\n".join(reply.text for reply in chat.received[1:])
    assert "C'est noté" in text and "Votre commande chez Pizzeria Donau" in text
    assert "Passer commande" in [b.title for b in chat.received[-1].buttons]
    chat.tap("checkout")
    assert chat.last_text == "En livraison ou à emporter ?"
    assert [b.title for b in chat.received[-1].buttons] == ["Livraison", "À emporter"]
