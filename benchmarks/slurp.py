"""SLURP takeaway benchmark: intent accuracy and slot F1 of the order parser on SLURP's gold text.

    python -m benchmarks.slurp [PATH]     # PATH: SLURP JSON Lines (default: the takeaway dev rows)

SLURP has no menu, so the parser runs against an EMPTY menu and every dish is open vocabulary. What is
measured, and how the parser's output is mapped (nothing here looks at the gold while predicting):

- intent: STATUS, QUESTION and MENU -> takeaway_query; everything else (ORDER, UNKNOWN, ...) -> takeaway_order.
- food_type: the text of each ParseResult.unknown mention (what the customer asked for that is not on
  the menu: the words after an order verb or a quantity, cut at merchant / time / fulfilment words), and
  each of ParseResult.cuisines ("chinese" in "chinese food").
- order_type: ParseResult.fulfilment_text (the delivery / pickup words as written, e.g. "takeout").
- business_name: ParseResult.merchant_text without business-type words; business_type: words with the
  lexicon role `business` ("restaurant") in the message.
- timeofday: ParseResult.requested_time_text, unless the time is just ASAP ("right now").
- other slot types (place_name, ...) are not produced: they count as misses.
Slot F1 is micro-averaged over (type, value) pairs, values lower-cased, per utterance multiset match.
Last line: `slurp_slot_f1: <value>`.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.menu import Menu  # noqa: E402
from core.parsing import Intent, ParseResult, lexicon_for, parse_order  # noqa: E402
from core.parsing.text import tokenize  # noqa: E402

DATA = Path("/work/shared/data/slurp/slurp_devel_takeaway.jsonl")
NOW = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)  # resolves relative times; the value does not matter
QUERY_INTENTS = {Intent.STATUS, Intent.QUESTION, Intent.MENU}
_SLOT = re.compile(r"\[(\w+) : ([^\]]+)\]")


def gold_slots(annotation: str) -> Counter:
    return Counter((kind, value.strip().lower()) for kind, value in _SLOT.findall(annotation))


def predicted_slots(result: ParseResult, text: str) -> Counter:
    """The parser's output as SLURP slots (see the module docstring for the mapping)."""
    lexicon = lexicon_for(result.language)
    slots: Counter = Counter()
    for mention in result.unknown:
        slots[("food_type", mention.text.lower())] += 1
    for cuisine in result.cuisines:
        slots[("food_type", cuisine.lower())] += 1
    if result.fulfilment_text:
        slots[("order_type", result.fulfilment_text.lower())] += 1
    if result.requested_time_text and not (result.requested_time and result.requested_time.asap):
        slots[("timeofday", result.requested_time_text.lower())] += 1
    business = [t.norm for t in tokenize(text) if lexicon.has(t.norm, "business")]
    for word in business:
        slots[("business_type", word)] += 1
    if result.merchant_text:
        name = " ".join(w for w in result.merchant_text.lower().split() if w not in business)
        if name:
            slots[("business_name", name)] += 1
    return slots


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=str(DATA))
    parser.add_argument("--errors", action="store_true", help="print every utterance with a mistake")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in Path(args.path).read_text().splitlines() if line.strip()]
    menu = Menu(merchant_id="slurp-no-menu", currency="EUR")
    intent_hits = 0
    tp = fp = fn = 0
    per_type: dict[str, list[int]] = {}
    for row in rows:
        result = parse_order(row["sentence"], menu, language="en", now=NOW)
        intent = "takeaway_query" if result.intent in QUERY_INTENTS else "takeaway_order"
        intent_hits += intent == row["intent"]
        gold, got = gold_slots(row["sentence_annotation"]), predicted_slots(result, row["sentence"])
        both = gold & got
        tp, fp, fn = tp + sum(both.values()), fp + sum((got - gold).values()), fn + sum((gold - got).values())
        for (kind, _), n in gold.items():
            per_type.setdefault(kind, [0, 0])[1] += n
        for (kind, _), n in both.items():
            per_type[kind][0] += n
        if args.errors and (intent != row["intent"] or gold != got):
            print(f"- {row['sentence']}\n  gold {row['intent']} {dict(gold)}\n  got  {intent} {dict(got)}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print("recall by gold slot type: " + ", ".join(f"{k} {h}/{n}" for k, (h, n) in sorted(per_type.items())))
    print(f"rows: {len(rows)}  slot precision: {precision:.3f}  slot recall: {recall:.3f}  (empty menu, gold text)")
    print(f"slurp_intent_accuracy: {intent_hits / len(rows):.3f}")
    print(f"slurp_slot_f1: {f1:.3f}")


if __name__ == "__main__":
    main()
