"""A menu compiled for parsing: every way a customer may name an item, size, option or ingredient.

Built once per menu version (`menu_index(menu)` caches it) so parsing an utterance is dictionary look-ups;
rapidfuzz is only asked about words that match nothing exactly.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum
from threading import Lock

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from core.menu import Menu, MenuItem
from core.parsing.lexicon import all_fillers, language_markers, matches_at, word_prefixes
from core.parsing.menu_names import derived_item_names, name_forms, shared_heads, sibling_table, standing_names
from core.parsing.text import phrase_key
from core.parsing.word_forms import WordForms


class RefKind(StrEnum):
    ITEM = "item"
    VARIANT = "variant"
    OPTION = "option"
    INGREDIENT = "ingredient"
    CATEGORY = "category"


@dataclass(frozen=True, slots=True)
class MenuRef:
    """What a phrase may mean on this menu. `target` is the variant/option id or the ingredient name."""

    kind: RefKind
    item_id: str | None = None
    group_id: str | None = None
    target: str | None = None
    partial: bool = False  # a part of the name that stands for it on this menu ('bravas'): weaker evidence


@dataclass
class MenuIndex:
    """Phrase look-up tables for one menu version."""

    menu: Menu
    phrases: dict[str, tuple[MenuRef, ...]] = field(default_factory=dict)
    max_words: int = 1
    prefixes: frozenset[str] = frozenset()
    item_groups: dict[str, frozenset[str]] = field(default_factory=dict)
    category_items: dict[str, list[str]] = field(default_factory=dict)
    _fuzzy_keys: list[str] = field(default_factory=list)
    _item_keys: dict[str, set[str]] = field(default_factory=dict)
    _fuzzy_cache: dict[str, tuple[str, int] | None] = field(default_factory=dict)
    forms: WordForms = field(default_factory=lambda: WordForms(frozenset()))
    siblings: dict[tuple[str, str], str] = field(default_factory=dict)
    heads: dict[str, frozenset[str]] = field(default_factory=dict)  # item id -> first and last content words

    @classmethod
    def build(cls, menu: Menu) -> "MenuIndex":
        """Compile `menu`; prefer `menu_index(menu)`, which caches per menu version."""
        index = cls(menu)
        table: dict[str, list[MenuRef]] = {}

        words: set[str] = set()

        def add(names: list[str], ref: MenuRef) -> None:
            for name in names:
                words.update(phrase_key(name).split())
                for form in name_forms(name):
                    refs = table.setdefault(form, [])
                    if ref not in refs:
                        refs.append(ref)

        category_words: dict[str, set[str]] = {}
        for category in menu.categories:
            names = [category.name, *category.names.values()]
            add(names, MenuRef(RefKind.CATEGORY, target=category.id))
            category_words[category.id] = set().union(*(name_forms(n) for n in names))
        for group in menu.modifier_groups:
            for option in group.options:
                add([option.name, *option.names.values(), *option.synonyms],
                    MenuRef(RefKind.OPTION, group_id=group.id, target=option.id))
        item_names = derived_item_names(menu, category_words)
        own_names = {item.id: [item.name, *item.names.values(), *item.synonyms] for item in menu.items}
        for item in menu.items:
            index.item_groups[item.id] = frozenset(item.modifier_group_ids)
            index.category_items.setdefault(item.category_id, []).append(item.id)
            names = item_names[item.id]
            ref = MenuRef(RefKind.ITEM, item_id=item.id)
            add(names, ref)
            index._item_keys[item.id] = set().union(*(name_forms(n) for n in names))
            for variant in item.variants:
                names = [variant.name, *variant.names.values(), *variant.synonyms]
                add(names + _variant_shorthands(names), MenuRef(RefKind.VARIANT, item_id=item.id, target=variant.id))
            for ingredient in item.ingredients:
                add([ingredient], MenuRef(RefKind.INGREDIENT, item_id=item.id, target=ingredient))
        exact_keys = set(table)  # fuzzy matching only reaches whole names: a typo of a part is too weak
        for word, item_id in standing_names(item_names, table, set().union(*category_words.values()), own_names).items():
            add([word], MenuRef(RefKind.ITEM, item_id=item_id, partial=True))
            index._item_keys[item_id] |= name_forms(word)
        for head, item_ids in shared_heads(own_names, table, set().union(*category_words.values())).items():
            for item_id in item_ids:  # "the calzone": one of two calzones, to be asked
                add([head], MenuRef(RefKind.ITEM, item_id=item_id, partial=True))
        option_names = {f"{group.id}\x00{option.id}": [option.name, *option.names.values(), *option.synonyms]
                        for group in menu.modifier_groups for option in group.options}
        item_words = {w for names in item_names.values() for n in names for w in phrase_key(n).split()}
        for phrase, key in standing_names(option_names, table, item_words, min_word=_MIN_OPTION_WORD).items():
            group_id, option_id = key.split("\x00")  # "chipotle" for "Chipotle Mayo", "blue cheese" for "Blue cheese dip"
            add([phrase], MenuRef(RefKind.OPTION, group_id=group_id, target=option_id))
        index.siblings = sibling_table(item_names)
        index.heads = {item_id: frozenset(h for (h, _), i in index.siblings.items() if i == item_id)
                       for item_id in item_names}
        index.phrases = {key: tuple(refs) for key, refs in table.items()}
        index.forms = WordForms(frozenset(words), frozenset(language_markers()) | all_fillers())
        index.max_words = max((k.count(" ") + 1 for k in table), default=1)
        index.prefixes = word_prefixes(table)
        index._fuzzy_keys = sorted(k for k in exact_keys if len(k) >= 4 and not k.isdecimal())
        return index

    def lookup(self, key: str) -> tuple[MenuRef, ...] | None:
        """The menu things a normalised phrase names, if any."""
        return self.phrases.get(key)

    def covers(self, norms: list[str], start: int, end: int) -> bool:
        """Is any token in [start, end) part of a menu phrase (of the folded words `norms`)?"""
        for s in range(max(0, start - self.max_words + 1), end):
            if any(e > start for e, _ in matches_at(norms, s, self.phrases, self.prefixes)):
                return True
        return False

    def fuzzy(self, text: str) -> tuple[str, int] | None:
        """The closest indexed phrase to a misspelt `text` and its edit distance, within a length-scaled
        budget (1 edit for 4 to 6 letters, 2 up to 9, then 3); same first letter, since typos rarely hit
        it. Two edits on a six-letter word turn ordinary words into dishes ("cheers" -> "cheese",
        "waited" -> "water"), so short words get one."""
        if text in self._fuzzy_cache:
            return self._fuzzy_cache[text]
        budget = 0 if len(text) < 4 else 1 if len(text) <= 6 else 2 if len(text) <= 9 else 3
        found = None
        if budget:
            candidates = [k for k in self._fuzzy_keys if k[0] == text[0] and abs(len(k) - len(text)) <= budget]
            match = process.extractOne(text, candidates, scorer=OSA.distance, score_cutoff=budget)
            if match is not None:
                found = (match[0], int(match[1]))
        if len(self._fuzzy_cache) < 20000:
            self._fuzzy_cache[text] = found
        return found

    def closest_items(self, text: str, limit: int = 3) -> list[MenuItem]:
        """Menu items whose names look most like `text` (for 'did you mean' questions)."""
        query = phrase_key(text)
        if not query:
            return []
        scored: list[tuple[float, str]] = []
        for item_id, keys in self._item_keys.items():
            best = process.extractOne(query, list(keys), scorer=fuzz.WRatio)
            if best is not None:
                scored.append((best[1], item_id))
        scored.sort(key=lambda pair: -pair[0])
        return [self.menu.item(item_id) for score, item_id in scored[:limit] if score >= 60]  # type: ignore[misc]

    def item_words(self, item_id: str) -> set[str]:
        """Every word of every name form of the item."""
        return {w for key in self._item_keys.get(item_id, ()) for w in key.split()}

    def sibling(self, item_id: str, words: list[str]) -> str | None:
        """The item that shares `item_id`'s head and has one of `words` ('queijo' beside 'pastel de carne')."""
        for head in self.heads.get(item_id, ()):
            for word in words:
                found = self.siblings.get((head, word))
                if found is not None and found != item_id:
                    return found
        return None

    def item_has_option(self, item_id: str, ref: MenuRef) -> bool:
        """Whether `item_id` offers the option (or ingredient) `ref` names."""
        if ref.kind is RefKind.OPTION:
            return ref.group_id in self.item_groups.get(item_id, frozenset())
        if ref.kind in (RefKind.INGREDIENT, RefKind.VARIANT):
            return ref.item_id == item_id
        return False


def _variant_shorthands(names: list[str]) -> list[str]:
    """'lunch size' -> 'lunch'; 'medium' -> 'med', 'medi': size words are often clipped. Clippings that
    are words of some lexicon ('par') are left out."""
    fillers, known = all_fillers(), language_markers()
    shorthands: list[str] = []
    for name in names:
        words = phrase_key(name).split()
        measured = next((k for k, w in enumerate(words) if any(c.isdecimal() for c in w)), 0)
        if measured:  # 'Medium 12"', 'Can 330ml', 'Jarra 1L': the words before the measure
            lead = " ".join(words[:measured])
            shorthands += [f for f in name_forms(lead) if f not in known]
        kept = [w for w in words if w not in fillers]
        if kept and len(kept) < len(words):
            shorthands.append(" ".join(kept))
        if len(words) == 1 and len(words[0]) >= 5 and words[0].isalpha():
            word = words[0]
            skeleton = word[0] + "".join(c for c in word[1:] if c not in "aeiouy")  # "lrg", "sml"
            shorthands += [c for c in (word[:3], word[:4], skeleton) if len(c) >= 3 and c not in known]
    return shorthands


_MIN_OPTION_WORD = 6  # options are often an adjective and a noun: "black" of "black olives" is no olive

_CACHE: OrderedDict[tuple[str, int, int], MenuIndex] = OrderedDict()
_CACHE_LOCK = Lock()
_CACHE_SIZE = 32


def menu_index(menu: Menu) -> MenuIndex:
    """The compiled index of `menu`, built once per (merchant, version, menu object) and reused.

    The entry holds the menu itself, so the object id in the key cannot be recycled while cached.
    """
    key = (menu.merchant_id, menu.version, id(menu))
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    built = MenuIndex.build(menu)
    with _CACHE_LOCK:
        _CACHE[key] = built
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return built
