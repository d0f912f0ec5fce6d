"""The spoken orders of the voice benchmark and their deterministic split into a dev and a held-out part.

Each order is (what the customer says, {item_id: quantity} it must come out as) against the demo pizzeria
(assets/demo/krems.json). The first 20 English and 6 Spanish orders are the benchmark's original ones; the
rest were written (from the menu only, before any tuning) so that the held-out part is large enough to
mean something. The split hashes the text, so adding an order never moves another one between parts.
Tune on `dev` only; `held_out` is for reporting.
"""
from __future__ import annotations

import hashlib

Order = tuple[str, dict[str, int]]

ORDERS_EN: list[Order] = [
    ("two large margherita pizzas and a coca cola please", {"margherita": 2, "coke": 1}),
    ("i'd like a calzone without ham", {"calzone": 1}),
    ("one medium hawaii with extra pineapple for delivery", {"hawaii": 1}),
    ("can i get a small funghi with extra cheese and a sprite", {"funghi": 1, "sprite": 1}),
    ("three garlic breads and a tiramisu", {"garlic_bread": 3, "tiramisu": 1}),
    ("a large diavola with mushrooms", {"diavola": 1}),
    ("two caprese salads please", {"caprese": 2}),
    ("one medium quattro formaggi and two beers", {"quattro_formaggi": 1, "beer": 2}),
    ("a small pepperoni pizza for pickup", {"pepperoni_pizza": 1}),
    ("i want a medium vegetariana without onions", {"veggie": 1}),
    ("four sprites please", {"sprite": 4}),
    ("one still water and one coca cola", {"water": 1, "coke": 1}),
    ("a large margherita with ham and pineapple", {"margherita": 1}),
    ("two tiramisu for dessert", {"tiramisu": 2}),
    ("can i have a calzone and a garlic bread", {"calzone": 1, "garlic_bread": 1}),
    ("a medium pepperoni pizza with thin crust", {"pepperoni_pizza": 1}),
    ("i'd like two small hawaii pizzas", {"hawaii": 2}),
    ("one large funghi without mozzarella", {"funghi": 1}),
    ("three coca colas for delivery", {"coke": 3}),
    ("a large diavola and a small quattro formaggi", {"diavola": 1, "quattro_formaggi": 1}),
    # written for the split
    ("hi could i get two medium funghi pizzas and three sprites", {"funghi": 2, "sprite": 3}),
    ("one calzone one tiramisu and one still water", {"calzone": 1, "tiramisu": 1, "water": 1}),
    ("i'll have a small diavola with black olives", {"diavola": 1}),
    ("five beers and two garlic breads please", {"beer": 5, "garlic_bread": 2}),
    ("a large vegetariana with peppers and no onions", {"veggie": 1}),
    ("two hawaiian pizzas and a caprese salad", {"hawaii": 2, "caprese": 1}),
    ("can we get one large four cheese pizza", {"quattro_formaggi": 1}),
    ("a medium margherita with anchovies and a beer", {"margherita": 1, "beer": 1}),
    ("three small pepperoni pizzas for delivery please", {"pepperoni_pizza": 3}),
    ("i would like a garlic bread and two cokes", {"garlic_bread": 1, "coke": 2}),
    ("one funghi with jalapenos and one calzone", {"funghi": 1, "calzone": 1}),
    ("six waters please", {"water": 6}),
    ("two large quattro formaggi with gluten free base", {"quattro_formaggi": 2}),
    ("a tiramisu and a sprite for pickup", {"tiramisu": 1, "sprite": 1}),
    ("one medium diavola without pepperoni and one caprese salad", {"diavola": 1, "caprese": 1}),
    ("i want three margherita pizzas", {"margherita": 3}),
    ("a small hawaii and a large vegetariana please", {"hawaii": 1, "veggie": 1}),
    ("two calzones and four beers", {"calzone": 2, "beer": 4}),
    ("could i have a pepperoni pizza with extra cheese", {"pepperoni_pizza": 1}),
    ("one garlic bread one caprese salad and two tiramisu", {"garlic_bread": 1, "caprese": 1, "tiramisu": 2}),
]

ORDERS_ES: list[Order] = [
    ("quiero dos margaritas grandes y una coca cola", {"margherita": 2, "coke": 1}),
    ("una hawaiana mediana sin jamón para llevar", {"hawaii": 1}),
    ("un calzone y un tiramisú por favor", {"calzone": 1, "tiramisu": 1}),
    ("dos cervezas y un pan de ajo", {"beer": 2, "garlic_bread": 1}),
    ("una ensalada caprese y un agua", {"caprese": 1, "water": 1}),
    ("me pones una diávola pequeña con champiñones", {"diavola": 1}),
    # written for the split
    ("hola quiero una pizza de pepperoni grande", {"pepperoni_pizza": 1}),
    ("tres cervezas por favor", {"beer": 3}),
    ("dos cuatro quesos medianas y dos aguas", {"quattro_formaggi": 2, "water": 2}),
    ("una vegetariana sin cebolla y una sprite", {"veggie": 1, "sprite": 1}),
    ("me gustaría un calzone y dos coca colas", {"calzone": 1, "coke": 2}),
    ("una pizza de champiñones pequeña con queso extra", {"funghi": 1}),
    ("cuatro tiramisús para llevar", {"tiramisu": 4}),
    ("una margarita mediana con aceitunas negras", {"margherita": 1}),
    ("dos panes de ajo y una ensalada caprese", {"garlic_bread": 2, "caprese": 1}),
    ("quiero tres hawaianas grandes a domicilio", {"hawaii": 3}),
    ("una diávola grande y una cerveza", {"diavola": 1, "beer": 1}),
    ("ponme dos pizzas de pepperoni con masa fina", {"pepperoni_pizza": 2}),
    ("un agua y un tiramisú", {"water": 1, "tiramisu": 1}),
    ("una cuatro quesos pequeña sin gluten", {"quattro_formaggi": 1}),
    ("cinco coca colas y un pan de ajo por favor", {"coke": 5, "garlic_bread": 1}),
    ("quisiera una margarita grande con piña", {"margherita": 1}),
    ("dos calzones y dos sprites", {"calzone": 2, "sprite": 2}),
    ("una vegetariana mediana con pimientos", {"veggie": 1}),
    ("para llevar una hawaiana y una pizza de champiñones", {"hawaii": 1, "funghi": 1}),
    ("seis cervezas y tres aguas", {"beer": 6, "water": 3}),
    ("una ensalada caprese y una diávola mediana por favor", {"caprese": 1, "diavola": 1}),
    ("me pones dos margaritas pequeñas sin albahaca", {"margherita": 2}),
    ("un tiramisú una sprite y un calzone", {"tiramisu": 1, "sprite": 1, "calzone": 1}),
    ("quiero una pizza de pepperoni mediana con jalapeños", {"pepperoni_pizza": 1}),
]

SETS = {"en": ORDERS_EN, "es": ORDERS_ES}
PARTS = ("dev", "held_out")


def part_of(text: str) -> str:
    """'dev' or 'held_out' for an order, from a hash of its text (about half each, stable under additions)."""
    return "dev" if hashlib.sha256(text.encode("utf-8")).digest()[0] % 2 == 0 else "held_out"


def orders(language: str, part: str | None = None) -> list[Order]:
    """The orders of `language`, all of them or one part ('dev', 'held_out')."""
    every = SETS[language]
    return every if part is None else [o for o in every if part_of(o[0]) == part]
