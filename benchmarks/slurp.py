"""SLURP takeaway benchmark: intent accuracy and slot F1 of the order parser on SLURP's gold text.

    python -m benchmarks.slurp [--rows dev|holdout|all] [PATH]   # PATH: SLURP JSON Lines (default: takeaway rows)

`--rows` picks the half of the rows (benchmarks/heldout.py): `dev` rows may be looked at while working on the
parser, `holdout` rows never.

SLURP has no menu, so the parser runs against an EMPTY menu and every dish is open vocabulary. What is
measured, and how the parser's output is mapped (nothing here looks at the gold while predicting):

- intent: STATUS, QUESTION and MENU -> takeaway_query; everything else (ORDER, UNKNOWN, ...) -> takeaway_order.
- food_type: the text of each ParseResult.unknown mention (what the customer asked for that is not on
  the menu: the words after an order verb or a quantity, cut at merchant / time / fulfilment words), and
  each of ParseResult.cuisines ("chinese" in "chinese food").
- order_type: ParseResult.fulfilment_text (the delivery / pickup words as written, e.g. "takeout").
- business_name: ParseResult.merchant_text; business_type: each of ParseResult.business_types
  ("restaurant", "takeaway"), as the parser read them.
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
from benchmarks.heldout import HALVES, select_rows  # noqa: E402
from core.parsing import Intent, ParseResult, parse_order  # noqa: E402

DATA = Path("/work/shared/data/slurp/slurp_devel_takeaway.jsonl")
NOW = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)  # resolves relative times; the value does not matter
QUERY_INTENTS = {Intent.STATUS, Intent.QUESTION, Intent.MENU}
_SLOT = re.compile(r"\[(\w+) : ([^\]]+)\]")


def gold_slots(annotation: str) -> Counter:
    return Counter((kind, value.strip().lower()) for kind, value in _SLOT.findall(annotation))


def predicted_slots(result: ParseResult) -> Counter:
    """The parser's output as SLURP slots (see the module docstring for the mapping)."""
    slots: Counter = Counter()
    for mention in result.unknown:
        slots[("food_type", mention.text.lower())] += 1
    for cuisine in result.cuisines:
        slots[("food_type", cuisine.lower())] += 1
    if result.fulfilment_text:
        slots[("order_type", result.fulfilment_text.lower())] += 1
    if result.requested_time_text and not (result.requested_time and result.requested_time.asap):
        slots[("timeofday", result.requested_time_text.lower())] += 1
    for kind in result.business_types:
        slots[("business_type", kind.lower())] += 1
    if result.merchant_text:
        slots[("business_name", result.merchant_text.lower())] += 1
    return slots


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=str(DATA))
    parser.add_argument("--rows", choices=HALVES, default="all", help="which half of the rows (default: all)")
    parser.add_argument("--errors", action="store_true", help="print every utterance with a mistake (dev rows only)")
    args = parser.parse_args(argv)
    if args.errors and args.rows != "dev":
        parser.error("--errors shows rows: only with --rows dev")
    rows = [json.loads(line) for line in Path(args.path).read_text().splitlines() if line.strip()]
    rows = select_rows(rows, lambda row: row["sentence"], args.rows)
    menu = Menu(merchant_id="slurp-no-menu", currency="EUR")
    intent_hits = 0
    tp = fp = fn = 0
    per_type: dict[str, list[int]] = {}
    for row in rows:
        result = parse_order(row["sentence"], menu, language="en", now=NOW)
        intent = "takeaway_query" if result.intent in QUERY_INTENTS else "takeaway_order"
        intent_hits += intent == row["intent"]
        gold, got = gold_slots(row["sentence_annotation"]), predicted_slots(result)
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
    print(f"rows: {len(rows)} ({args.rows})  slot precision: {precision:.3f}  slot recall: {recall:.3f}  (empty menu, gold text)")
    print(f"slurp_intent_accuracy: {intent_hits / len(rows):.3f}")
    print(f"slurp_slot_f1: {f1:.3f}")


if __name__ == "__main__":
    main()
