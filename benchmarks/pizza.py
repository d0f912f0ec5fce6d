"""PIZZA benchmark: unordered exact match of the parser's drafts against PIZZA's EXR meaning.

    python -m benchmarks.pizza [--rows dev|holdout|all] [PATH]   # PATH: PIZZA JSON Lines (default: the dev split)
    python -m benchmarks.pizza --build-menu      # regenerate assets/menus/pizza/menu.json from catalogs

The menu comes from the PIZZA entity catalogs (CC BY-NC 4.0, see assets/menus/pizza/LICENSE.md): one
pizza item with size variants and topping and style groups, one item per drink type with sizes,
container and volume groups. Each draft line is written back as PIZZAORDER / DRINKORDER; the score is
exact match after sorting every node's children, as in the PIZZA paper. `--rows` picks the half of the rows
(benchmarks/heldout.py): `dev` rows may be looked at while working on the parser, `holdout` rows never. Last line:
`pizza_exact_match: <fraction> n=<count>`.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script too: python benchmarks/pizza.py PATH
    sys.path.insert(0, str(ROOT))

from benchmarks.heldout import HALVES, select_rows  # noqa: E402
from core.menu import Menu, ModifierKind  # noqa: E402
from core.parsing import DraftLine, parse_order  # noqa: E402

DATA = Path("/work/shared/data/pizza")
MENU_PATH = ROOT / "assets" / "menus" / "pizza" / "menu.json"
SIZES = ["small", "medium", "large", "extra_large", "regularsize", "party_size", "lunch_size", "personal_size"]
SIZE_PRICES = [9, 12, 15, 18, 12, 24, 8, 7]


def _catalog(path: Path) -> "OrderedDict[str, list[str]]":
    """entity value -> surface forms, in file order ('topping(HAM)' -> ['ham', 'hams'])."""
    entries: OrderedDict[str, list[str]] = OrderedDict()
    for line in path.read_text().splitlines():
        if "\t" not in line:
            continue
        surface, value = line.split("\t", 1)
        entries.setdefault(value.strip(), []).append(surface.strip())
    return entries


def _entity_id(value: str) -> str:
    """'topping(BANANA_PEPPERS)' -> 'banana_peppers'; 'volume(7.5, FLOZ)' -> '7.5_floz'."""
    inner = value[value.index("(") + 1 : value.rindex(")")]
    return "_".join(p.strip() for p in inner.split(",")).lower()


def _options(path: Path) -> list[dict]:
    return [{"id": _entity_id(v), "name": forms[0], "synonyms": forms[1:], "price": "1.50"}
            for v, forms in _catalog(path).items()]


def build_menu(catalogs: Path = DATA / "catalogs") -> Menu:
    """A core Menu from the PIZZA catalogs."""
    sizes = _catalog(catalogs / "size.txt")
    variants = [{"id": _entity_id(v), "name": forms[0], "synonyms": forms[1:], "price": str(p)}
                for (v, forms), p in zip(sizes.items(), SIZE_PRICES)]
    drink_variants = [{**v, "price": str(Decimal(v["price"]) / 4)} for v in variants]
    drinks = [{"id": _entity_id(v), "category_id": "drinks", "name": forms[0], "synonyms": forms[1:],
               "price": "2.50", "variants": drink_variants, "modifier_group_ids": ["container", "volume"]}
              for v, forms in _catalog(catalogs / "drinks.txt").items()]
    pizza = {"id": "pizza", "category_id": "pizzas", "name": "pizza", "synonyms": ["pie", "pizza pie"],
             "variants": variants, "modifier_group_ids": ["topping", "style"], "allows_halves": True}
    return Menu.model_validate({
        "merchant_id": "pizza-benchmark", "currency": "USD", "version": 1,
        "categories": [{"id": "pizzas", "name": "Pizzas"}, {"id": "drinks", "name": "Drinks"}],
        "items": [pizza, *drinks],
        "modifier_groups": [
            {"id": "topping", "name": "Toppings", "options": _options(catalogs / "topping.txt")},
            {"id": "style", "name": "Styles", "options": _options(catalogs / "style.txt")},
            {"id": "container", "name": "Container", "max_choices": 1, "options": _options(catalogs / "container.txt")},
            {"id": "volume", "name": "Volume", "max_choices": 1, "options": _options(catalogs / "drink_volume.txt")},
        ],
    })


def load_menu() -> Menu:
    return Menu.model_validate_json(MENU_PATH.read_text())


# --- EXR ---------------------------------------------------------------------------------------------
def _node(label: str, *children: str) -> str:
    return f"({label} {' '.join(children)} )"


def line_to_exr(line: DraftLine, menu: Menu) -> str:
    """One draft line in PIZZA's executable notation."""
    item = menu.item(line.item_id)
    assert item is not None
    parts = [_node("NUMBER", str(line.quantity))]
    if line.variant_id:
        parts.append(_node("SIZE", line.variant_id.upper()))
    if item.id != "pizza":
        parts.append(_node("DRINKTYPE", item.id.upper()))
    for modifier in line.modifiers:
        found = menu.find_option(item, modifier.option_id)
        group = found[0].id if found else "topping"
        value = modifier.option_id.upper()
        if group == "volume":
            amount, _, unit = modifier.option_id.partition("_")
            leaf = _node("VOLUME", amount, unit.upper())
        else:
            leaf = _node({"container": "CONTAINERTYPE"}.get(group, group.upper()), value)
        if modifier.kind in (ModifierKind.EXTRA, ModifierKind.LIGHT):
            leaf = _node("COMPLEX_TOPPING", _node("QUANTITY", modifier.kind.value.upper()), leaf)
        parts.append(_node("NOT", leaf) if modifier.kind is ModifierKind.REMOVE else leaf)
    for modifier in line.declined:
        leaf = _node("TOPPING", modifier.option_id.upper())
        parts.append(_node("NOT", _node("COMPLEX_TOPPING", _node("QUANTITY", "EXTRA"), leaf)))
    return _node("PIZZAORDER" if item.id == "pizza" else "DRINKORDER", *parts)


def canonical(exr: str) -> str:
    """EXR with every node's children sorted (unordered exact match)."""
    tokens = re.findall(r"\(|\)|[^\s()]+", exr)
    position = 0

    def parse() -> str:
        nonlocal position
        position += 1  # "("
        label = tokens[position]
        position += 1
        children: list[str] = []
        while tokens[position] != ")":
            if tokens[position] == "(":
                children.append(parse())
            else:
                children.append(tokens[position])
                position += 1
        position += 1
        return f"({label} {' '.join(sorted(children))})"

    return parse() if tokens else ""


def throughput(texts: list[str], menu: Menu, passes: int = 3) -> tuple[float, float]:
    """(utterances per CPU-second, per wall-second), best of `passes` passes over `texts`."""
    cpu = wall = float("inf")
    for _ in range(passes):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        for text in texts:
            parse_order(text, menu)
        cpu = min(cpu, time.process_time() - started_cpu)
        wall = min(wall, time.perf_counter() - started_wall)
    return len(texts) / max(cpu, 1e-9), len(texts) / max(wall, 1e-9)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=str(DATA / "PIZZA_dev.json"))
    parser.add_argument("--build-menu", action="store_true", help="regenerate the menu JSON from the catalogs")
    parser.add_argument("--rows", choices=HALVES, default="all", help="which half of the rows (default: all)")
    parser.add_argument("--errors", type=int, default=0, help="print up to N mismatches (refused on held-out rows)")
    args = parser.parse_args(argv)
    if args.build_menu:
        MENU_PATH.write_text(build_menu().model_dump_json(indent=1, exclude_defaults=True) + "\n")
        print(f"wrote {MENU_PATH}")
        return
    menu = load_menu()
    rows = [json.loads(line) for line in Path(args.path).read_text().splitlines() if line.strip()]
    keys = ("dev.SRC", "dev.EXR") if "dev.SRC" in rows[0] else ("test.SRC", "test.EXR")
    rows = select_rows(rows, lambda row: row[keys[0]], args.rows)
    if args.errors and args.rows != "dev":
        parser.error("--errors shows rows: only with --rows dev")
    results = [parse_order(row[keys[0]], menu) for row in rows]  # language detected, as in production
    rates = throughput([row[keys[0]] for row in rows], menu)
    hits = 0
    shown = 0
    for row, result in zip(rows, results):
        predicted = canonical(_node("ORDER", *(line_to_exr(line, menu) for line in result.lines)))
        if predicted == canonical(row[keys[1]]):
            hits += 1
        elif shown < args.errors:
            shown += 1
            print(f"- {row[keys[0]]}\n  gold {canonical(row[keys[1]])}\n  got  {predicted}")
    print(f"records: {len(rows)}  throughput on one core (CPU time, best of 3 passes, language detected): "
          f"{rates[0]:,.0f} utterances/s; wall clock: {rates[1]:,.0f} utterances/s (shared machine)")
    print(f"pizza_exact_match: {hits / len(rows):.4f} n={len(rows)} rows={args.rows}")


if __name__ == "__main__":
    main()
