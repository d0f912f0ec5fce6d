"""Parser evaluation on the independent sets: orders exactly right and intent accuracy, per language.

    python -m benchmarks.parser_eval [--half dev|test|all] [PATH]   # PATH: the eval folder or one <lang>.jsonl

The sets (tests/fixtures/parsing/eval/, README there) were written by someone who saw only the menus. Each
row: `id`, `menu` (a file in menus/), `text`, `expect` = {intent, lines [{item_id, variant_id, quantity,
add, remove, ambiguous?}], fulfilment, asks_about}. The parser detects the language itself, as in
production. Its output is mapped here, not in the parser:

- intent: ORDER -> order, but cancel when it only removes dishes ("cancel the garlic bread"); STATUS ->
  status; QUESTION and MENU -> question; CANCEL -> cancel; GREETING -> greeting; anything else -> other.
- lines: each DraftLine as (item_id, variant_id, quantity, options added (ADD, EXTRA, LIGHT), options or
  ingredients removed); an expected `ambiguous` line has variant_id null, as the parser's line does when
  it asks which size.
- asks_about: ParseResult.asked_item_ids.
- fulfilment: ParseResult.fulfilment, except for questions: the parser reports what "do you deliver?"
  asks about, the sets record only a choice.
A row is exactly right when intent, the multiset of lines and fulfilment match, and for questions
asks_about as a set (the README's rule).
Rows of the test half are never printed. Last line: `parser_eval_exact: <fraction over all languages>`.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.menu import Menu, ModifierKind  # noqa: E402
from core.parsing import Intent, ParseResult, parse_order  # noqa: E402

EVAL_DIR = ROOT / "tests" / "fixtures" / "parsing" / "eval"
_INTENTS = {Intent.ORDER: "order", Intent.STATUS: "status", Intent.QUESTION: "question", Intent.MENU: "question",
            Intent.CANCEL: "cancel", Intent.GREETING: "greeting"}


def half_of(row: dict) -> str:
    """'dev' or 'test' by the sets' own rule (tests/fixtures/parsing/eval/split.py: parity of sha256(id))."""
    return "dev" if int(hashlib.sha256(row["id"].encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


def _line_key(item_id: str, variant_id: str | None, quantity: int, add: list[str], remove: list[str]) -> tuple:
    return item_id, variant_id or None, quantity, tuple(sorted(add)), tuple(sorted(remove))


def predicted(result: ParseResult) -> dict:
    """The parser's output in the sets' expected format (see the module docstring)."""
    lines = []
    for line in result.lines:
        add = [m.option_id for m in line.modifiers if m.kind is not ModifierKind.REMOVE]
        remove = [m.option_id for m in line.modifiers if m.kind is ModifierKind.REMOVE]
        lines.append(_line_key(line.item_id, line.variant_id, line.quantity, add, remove))
    intent = _INTENTS.get(result.intent, "other")
    if result.intent is Intent.ORDER and not result.lines and result.removed_item_ids:
        intent = "cancel"  # "cancel the garlic bread": the parser drops a line the sets call a cancellation
    chosen = result.fulfilment.value if result.fulfilment and intent != "question" else None
    return {"intent": intent, "lines": lines, "asks_about": set(result.asked_item_ids), "fulfilment": chosen}


def _merged(lines: list[tuple]) -> Counter:
    """Identical dishes are one line with a quantity (the README's rule): line key without quantity -> count."""
    merged: Counter = Counter()
    for item_id, variant_id, quantity, add, remove in lines:
        merged[(item_id, variant_id, add, remove)] += quantity
    return merged


def exactly_right(expect: dict, got: dict) -> bool:
    """The README's rule: intent, line multiset and fulfilment; for questions also asks_about as a set."""
    if expect["intent"] != got["intent"] or (expect.get("fulfilment") or None) != got["fulfilment"]:
        return False
    if expect["intent"] == "question" and set(expect.get("asks_about") or []) != got["asks_about"]:
        return False
    wanted = [_line_key(line["item_id"], line.get("variant_id"), line.get("quantity") or 1,
                        line.get("add") or [], line.get("remove") or []) for line in expect["lines"]]
    return _merged(wanted) == _merged(got["lines"])


def _sets(path: Path) -> list[Path]:
    return sorted(path.glob("*.jsonl")) if path.is_dir() else [path]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=str(EVAL_DIR))
    parser.add_argument("--half", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--errors", action="store_true", help="print the dev rows that are wrong (dev half only)")
    args = parser.parse_args(argv)
    if args.errors and args.half != "dev":
        parser.error("--errors shows rows: only with --half dev")
    menus: dict[str, Menu] = {}
    total = hits_all = 0
    texts: list[tuple[str, Menu]] = []
    for path in _sets(Path(args.path)):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        rows = [r for r in rows if args.half == "all" or half_of(r) == args.half]
        hits = intents = 0
        for row in rows:
            menu = menus.get(row["menu"])
            if menu is None:
                menu = menus[row["menu"]] = Menu.model_validate_json(
                    (path.parent / "menus" / f"{row['menu']}.json").read_text(encoding="utf-8"))
            got = predicted(parse_order(row["text"], menu))
            texts.append((row["text"], menu))
            ok = exactly_right(row["expect"], got)
            hits += ok
            intents += got["intent"] == row["expect"]["intent"]
            if args.errors and not ok:
                print(f"- [{row['id']}] {row['text']}\n  want {json.dumps(row['expect'], ensure_ascii=False)}\n"
                      f"  got  {got['intent']} {got['lines']} asks={sorted(got['asks_about'])} ful={got['fulfilment']}")
        if rows:
            print(f"{path.stem:8} {args.half:4} n={len(rows):3}  exact {hits / len(rows):.3f}  intent {intents / len(rows):.3f}")
        total, hits_all = total + len(rows), hits_all + hits
    started = time.process_time()
    for text, menu in texts:
        parse_order(text, menu)
    rate = len(texts) / max(time.process_time() - started, 1e-9)
    print(f"throughput on one core (CPU time, language detected): {rate:,.0f} utterances/s over {len(texts)} messages")
    print(f"parser_eval_exact: {hits_all / max(total, 1):.4f} n={total} half={args.half}")


if __name__ == "__main__":
    main()
