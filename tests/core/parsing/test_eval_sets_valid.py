"""The order-parser evaluation sets (tests/fixtures/parsing/eval) are well formed against their menus.

Only the data is checked here, never the parser: every id a row names exists in the menu it names, intents
and fulfilments come from the documented sets, ids are unique, each language has at least 200 rows, and the
dev/test split is the documented sha256 rule.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from functools import cache
from pathlib import Path

import pytest

from core.menu import Menu, MenuItem

EVAL_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "parsing" / "eval"
LANGUAGES = ("en", "es", "fr", "pt", "hi", "hi-latn")
INTENTS = {"order", "question", "status", "cancel", "greeting", "other"}
FULFILMENTS = {"delivery", "pickup", None}
AMBIGUITIES = {"size"}
LINE_KEYS = {"item_id", "variant_id", "quantity", "add", "remove"}
MIN_ROWS = 200
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
LATIN_LETTER = re.compile(r"[A-Za-z]")


def rows(language: str) -> list[dict]:
    text = (EVAL_DIR / f"{language}.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@cache
def menu(name: str) -> Menu:
    return Menu.model_validate_json((EVAL_DIR / "menus" / f"{name}.json").read_text("utf-8"))


def line_problems(line: dict, m: Menu) -> list[str]:
    """What is wrong with one expected order line against its menu (empty when nothing)."""
    if not LINE_KEYS <= line.keys() or not line.keys() <= LINE_KEYS | {"ambiguous"}:
        return [f"line keys {sorted(line)}"]
    item: MenuItem | None = m.item(line["item_id"])
    if item is None:
        return [f"unknown item {line['item_id']!r}"]
    problems = []
    if not isinstance(line["quantity"], int) or line["quantity"] < 1:
        problems.append(f"{item.id}: quantity {line['quantity']!r}")
    ambiguous = set(line.get("ambiguous", []))
    if not ambiguous <= AMBIGUITIES:
        problems.append(f"{item.id}: ambiguous {sorted(ambiguous)}")
    if line["variant_id"] is None:
        if item.variants and "size" not in ambiguous:
            problems.append(f"{item.id}: has variants, so a line names one or is marked ambiguous size")
    elif item.variant(line["variant_id"]) is None:
        problems.append(f"{item.id}: unknown variant {line['variant_id']!r}")
    if "size" in ambiguous and (line["variant_id"] is not None or not item.variants):
        problems.append(f"{item.id}: ambiguous size needs a null variant on an item with variants")
    for option_id in line["add"]:
        if m.find_option(item, option_id) is None:
            problems.append(f"{item.id}: cannot add {option_id!r}")
    for name in line["remove"]:
        if name not in item.ingredients and m.find_option(item, name) is None:
            problems.append(f"{item.id}: cannot remove {name!r}")
    return problems


def row_problems(row: dict) -> list[str]:
    """What is wrong with one row (empty when nothing)."""
    if set(row) != {"id", "menu", "text", "expect"} or not row["text"].strip():
        return [f"row keys {sorted(row)} or empty text"]
    if not (EVAL_DIR / "menus" / f"{row['menu']}.json").is_file():
        return [f"no menu file {row['menu']!r}"]
    m, expect = menu(row["menu"]), row["expect"]
    if not {"intent", "lines", "fulfilment", "asks_about"} <= expect.keys():
        return [f"expect keys {sorted(expect)}"]
    problems = []
    if expect["intent"] not in INTENTS:
        problems.append(f"intent {expect['intent']!r}")
    if expect["fulfilment"] not in FULFILMENTS:
        problems.append(f"fulfilment {expect['fulfilment']!r}")
    if (expect["intent"] == "order") != bool(expect["lines"]):
        problems.append("an order has lines and only an order has lines")
    for item_id in expect["asks_about"]:
        if m.item(item_id) is None:
            problems.append(f"asks about unknown item {item_id!r}")
    for line in expect["lines"]:
        problems.extend(line_problems(line, m))
    return [f"{row['id']}: {p}" for p in problems]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_row_names_ids_that_exist_in_its_menu(language):
    data = rows(language)
    assert len(data) >= MIN_ROWS
    assert [p for row in data for p in row_problems(row)] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_row_ids_are_numbered_per_language_and_texts_differ(language):
    data = rows(language)
    ids = [row["id"] for row in data]
    assert all(re.fullmatch(re.escape(language) + r"-\d{3}", i) for i in ids)
    assert len(set(ids)) == len(ids)
    texts = [row["text"].casefold() for row in data]
    assert len(set(texts)) == len(texts)


def test_ids_are_unique_across_languages():
    ids = [row["id"] for language in LANGUAGES for row in rows(language)]
    assert len(set(ids)) == len(ids)


def test_every_menu_file_validates():
    names = sorted(p.stem for p in (EVAL_DIR / "menus").glob("*.json"))
    assert names == ["burger_en", "cafe_fr", "indian_en", "indian_hi", "lanchonete_pt", "pizzeria_en", "tapas_es"]
    for name in names:
        assert menu(name).items


def test_the_two_indian_menus_differ_only_in_script():
    latin, devanagari = menu("indian_en"), menu("indian_hi")
    assert [i.id for i in latin.items] == [i.id for i in devanagari.items]
    assert [(i.id, [v.id for v in i.variants]) for i in latin.items] == \
        [(i.id, [v.id for v in i.variants]) for i in devanagari.items]
    assert all(not DEVANAGARI.search(i.name) and not i.names for i in latin.items)
    assert all(not LATIN_LETTER.search(i.name) and not i.names for i in devanagari.items)


def test_hindi_rows_use_their_script_and_cross_to_the_other_menu():
    devanagari_rows, romanised_rows = rows("hi"), rows("hi-latn")
    assert all(DEVANAGARI.search(row["text"]) for row in devanagari_rows)
    assert not any(DEVANAGARI.search(row["text"]) for row in romanised_rows)
    assert sum(row["menu"] == "indian_en" for row in devanagari_rows) >= 100
    assert sum(row["menu"] == "indian_hi" for row in romanised_rows) >= 100


def load_split_module():
    spec = importlib.util.spec_from_file_location("eval_split", EVAL_DIR / "split.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("language", LANGUAGES)
def test_split_follows_the_sha256_parity_rule_and_partitions_the_rows(language):
    split = load_split_module()
    dev, test = split.rows_of(language, "dev"), split.rows_of(language, "test")
    assert sorted(r["id"] for r in dev + test) == sorted(r["id"] for r in rows(language))
    assert all(int(hashlib.sha256(r["id"].encode()).hexdigest()[-1], 16) % 2 == 0 for r in dev)
    assert all(int(hashlib.sha256(r["id"].encode()).hexdigest()[-1], 16) % 2 == 1 for r in test)
    assert len(dev) >= 80 and len(test) >= 80
