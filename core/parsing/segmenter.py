"""Segmentation: tags become line builds, attached by position.

One left-to-right pass keeps a current line. A quantity after a complete line, or a second item name,
starts a new line; sizes and options before an item name wait for it ("a large onion and pepper pizza");
options after it attach to it while they fit its modifier groups. Modifier words set a polarity (with /
without) and a one-shot intensity (extra / light) for the options that follow. Corrections, drops
("forget the coke") and splits ("2 margherita, one without basil") rewrite earlier lines.
"""
from __future__ import annotations

from core.menu import ModifierKind, Portion
from core.parsing.menu_index import MenuIndex, MenuRef, RefKind
from core.parsing.menu_names import counted_variant
from core.parsing.builds import Build, Mod, Segmentation
from core.parsing.closing import LineCloser
from core.parsing.tag_context import PREPOSITIONS, STRUCTURAL, ends_clause, item_ahead, other_half_ahead, past_fillers
from core.parsing.tagger import Tag

_SIZE_RANKS = ("size_small", "size_medium", "size_large")
_SEGMENTING = (*STRUCTURAL, "order_verb", "intent", "separator")


class Segmenter(LineCloser):
    """The state of one pass over the tags; `run()` returns the Segmentation."""

    def __init__(self, tags: list[Tag], index: MenuIndex) -> None:
        self.tags, self.index = tags, index
        self.out = Segmentation()
        self.cur: Build | None = None
        self.polarity = ModifierKind.ADD
        self.intensity: ModifierKind | None = None
        self.portion = Portion.WHOLE
        self.after_sep = False
        self.mark_run = 0  # first mod of the current run, for post-positive "ke bina"
        self.correcting: Build | None = None  # target line of "actually make that ..."
        self.correction: Build | None = None
        self.dropping = False
        self.replacing = False
        self.group: Build | None = None
        self.sentence_start = 0  # first line of the current sentence
        self.for_all: list[Build] = []  # lines a 'both' / 'all' applies to  # "3 large pizzas: 1 diavola, 1 hawaiian": the head of a group

    def run(self) -> Segmentation:
        """Walk the tags in order and group them into draft lines, times and intents."""
        for k, tag in enumerate(self.tags):
            handler = getattr(self, f"_on_{tag.kind}", None)
            if handler is not None:
                handler(k, tag)
            if tag.kind not in ("comma", "sym") and not (tag.kind == "lex" and (
                    tag.has("separator") or not any(tag.has(r) for r in _SEGMENTING))):  # ", make one of them"
                self.after_sep = tag.kind == "used" and self.after_sep
        self._close()
        return self.out

    # --- tag handlers -------------------------------------------------------------------------------
    def _on_break(self, k: int, tag: Tag) -> None:
        self._close()
        self._reset_marks()
        self.sentence_start, self.for_all = len(self.out.lines), []

    def _on_comma(self, k: int, tag: Tag) -> None:
        if tag.key == "(":
            return  # "Butter Chicken (full)": what the brackets hold belongs to the dish before them
        self.after_sep = True
        self.portion = Portion.WHOLE  # "half ham half olives, no basil": the basil is for the whole pizza

    def _on_used(self, k: int, tag: Tag) -> None:
        self.after_sep = True

    def _on_num(self, k: int, tag: Tag) -> None:
        if self.correction is not None:
            self.correction.qty = tag.value
            return
        cur = self.cur
        if cur is not None and cur.item_id is not None and not cur.variant_refs and tag.key.isdecimal() \
                and (variant := counted_variant(self.index.menu.item(cur.item_id), tag.value)) is not None:  # type: ignore[arg-type]
            cur.variant_refs.append((MenuRef(RefKind.VARIANT, item_id=cur.item_id, target=variant),))
            cur.extend(tag)  # "nashville wings 10", "suco de maracujá 500": the portion or measure after the dish
            return
        if cur is not None and cur.item_id is not None and cur.qty is None and ends_clause(self.tags, k):
            cur.qty = tag.value  # "थम्स अप दो", "chicken biryani full 2": the count after the dish
            cur.extend(tag)
            return
        if tag.has("times_after") and cur is not None and (cur.item_id is not None or cur.unknown) and cur.qty is None:
            cur.qty = tag.value  # "coke x2"
            cur.extend(tag)
            return
        if cur is not None and cur.item_id is not None and self._is_article(k, tag):
            return
        if cur is None or (cur.item_id is None and not cur.has_attrs() and not cur.unknown):
            if cur is None:
                self.cur = Build(tag.start, tag.end)
            self.cur.qty = tag.value  # type: ignore[union-attr]
            self.cur.extend(tag)  # type: ignore[union-attr]
        else:
            self._close()
            self.cur = Build(tag.start, tag.end, qty=tag.value)
        self._reset_marks()

    def _after_option(self, k: int) -> bool:
        """'pepperoni on the left half', 'jamón en una mitad': a half marker after an option (fillers
        aside), with no other option following."""
        cur = self.cur
        before = past_fillers(self.tags, k - 1, -1, PREPOSITIONS)
        if cur is None or not cur.mods or cur.mods[-1].tag is None or before < 0 or self.tags[before] is not cur.mods[-1].tag:
            return False
        j = past_fillers(self.tags, k + 1)
        nxt = self.tags[j] if j < len(self.tags) else None
        return nxt is None or nxt.kind != "menu"

    def _is_article(self, k: int, tag: Tag) -> bool:
        """'a' before something that is not a new dish is an article: "with mushrooms and a thin crust",
        "do me a favor". 'one' before a modifier word stays a count ("one without basil")."""
        if tag.value != 1 or tag.key.isdecimal():
            return False
        if (self.cur.qty or 1) > 1 and (self.after_sep or (k > 0 and self.tags[k - 1].has("times_after"))):  # type: ignore[union-attr]
            return False  # "3 crêpes: une sucre, une nutella", "popcorn chicken x2 one ranch": one of them
        j = past_fillers(self.tags, k + 1)
        if j >= len(self.tags):
            return j > k + 1
        nxt = self.tags[j]
        if nxt.kind == "menu":
            if any(r.kind in (RefKind.ITEM, RefKind.CATEGORY, RefKind.VARIANT) for r in nxt.refs):
                return False  # "and a bottle of water", "y una sin gas": a new line
            item_id = self.cur.item_id  # type: ignore[union-attr]
            return any(self.index.item_has_option(item_id, r) for r in nxt.refs) and not item_ahead(self.tags, j)
        if nxt.kind in ("word", "num"):
            return False
        return j > k + 1  # "do me a favor and ...": only fillers followed

    def _on_word(self, k: int, tag: Tag) -> None:
        target = self.correction or self.cur
        if target is None:
            target = self.cur = Build(tag.start, tag.end, asked=self.out.order_verbs > 0 or self.out.asks_menu)
        target.unknown.append(tag.start)
        target.extend(tag)

    def _on_menu(self, k: int, tag: Tag) -> None:
        items = tuple(r for r in tag.refs if r.kind in (RefKind.ITEM, RefKind.CATEGORY))
        variants = tuple(r for r in tag.refs if r.kind is RefKind.VARIANT)
        options = tuple(r for r in tag.refs if r.kind in (RefKind.OPTION, RefKind.INGREDIENT))
        if options and items and self._option_context(options):
            items = ()
        if items and variants and all(r.kind is RefKind.CATEGORY for r in items) and self.cur is not None \
                and self.cur.item_id is not None and any(r.item_id == self.cur.item_id for r in variants):
            items = ()  # "queso manchego ración": the size of the dish, not the category "Raciones"
        if items and all(r.partial for r in items) and not options and not variants and self.cur is not None \
                and self.cur.item_id is not None and not self.after_sep \
                and (self.cur.saw_add or self.polarity is ModifierKind.REMOVE):
            self._on_word(k, tag)  # "garlic bread with cheese": a part of another dish's name is no new dish here
            return
        if self.dropping or self.replacing:
            if items:
                self._drop_item(items, replace=self.replacing)
                return
            if self.dropping:  # "enlevez le jambon": an option, so it is a removal
                self.polarity, self.intensity = ModifierKind.REMOVE, None
            self.dropping = self.replacing = False
        if variants and options and not items:  # "med": medium, or the Mediterranean style?
            holder = self.correction or self.cur
            if holder is not None and holder.variant_refs:
                variants = ()
            elif holder is not None and holder.item_id is not None:
                if any(self.index.item_has_option(holder.item_id, r) for r in options) and not any(
                        r.item_id == holder.item_id for r in variants):
                    variants = ()
        if items:
            self._item(k, tag, items)
        elif variants:
            self._variant(k, tag, variants)
        elif options:
            self._option(k, tag, options)
        if tag.has("dish_cue") and self.cur is not None:
            self.cur.cues.append(tag.start)
        rank = next((n for n, role in enumerate(_SIZE_RANKS) if tag.has(role)), None)
        if rank is not None:
            if self.cur is None:
                self.cur = Build(tag.start, tag.end)
            self.cur.size_rank = rank  # "açaí pequeno" on a menu whose sizes are "300 ml", "500 ml", "700 ml"

    def _on_lex(self, k: int, tag: Tag) -> None:
        if tag.has("order_verb") and self.cur is not None and self.cur.item_id is None and self.cur.unknown:
            self._close()  # "one coke order it fast": the verb ends the dish's name
        if tag.has("all_of_them"):
            self._for_all()
            return
        if "intent" in tag.roles:
            self.out.intents.append((tag.roles["intent"], tag))
        if tag.has("order_verb"):
            self.out.order_verbs += 1
        if tag.has("availability_question"):
            self.out.asks_menu = True
        if tag.has("correction"):
            target = self.cur if self.cur is not None and self.cur.item_id else (self.out.lines[-1] if self.out.lines else None)
            self._close()
            self.correcting, self.correction = target, Build(tag.start, tag.end)
            self.polarity, self.intensity = ModifierKind.ADD, None  # "no pickles, make it a meal": a new clause
            return
        if tag.has("drop"):
            self.dropping = True
            return
        if tag.has("instead_of"):
            self.replacing = True
            return
        if tag.has("drop_after") and self.cur is not None and self.cur.item_id and not self.cur.mods:
            self.out.removed_item_ids.append(self.cur.item_id)
            self.cur = None
            return
        if tag.has("remove_after") and self.cur is not None:
            for mod in self.cur.mods[self.mark_run :]:
                mod.kind, mod.declined = ModifierKind.REMOVE, mod.kind is ModifierKind.EXTRA
            self.mark_run = len(self.cur.mods)
            return
        if tag.has("remove"):
            self.polarity, self.intensity = ModifierKind.REMOVE, None
        if tag.has("add"):
            self.polarity, self.intensity = ModifierKind.ADD, None
            if self.cur is not None:
                self.cur.saw_add = True
        if tag.has("contrast"):
            self.polarity, self.intensity = ModifierKind.ADD, None
            self.after_sep = True
        if (tag.has("extra") or tag.has("light")) and not tag.has("add") and self._after_option(k) \
                and self.cur.mods[-1].kind is ModifierKind.ADD:  # type: ignore[union-attr]
            # Post-positive: "pineapple zyada", "cebolla poca": the option just named.
            self.cur.mods[-1].kind = ModifierKind.EXTRA if tag.has("extra") else ModifierKind.LIGHT  # type: ignore[union-attr]
        elif tag.has("extra") or tag.has("light"):
            if self.polarity is ModifierKind.REMOVE and self.cur is not None and len(self.cur.mods) > self.mark_run:
                self.polarity = ModifierKind.ADD  # "no ham and extra cheese": the extra is wanted
            self.intensity = ModifierKind.EXTRA if tag.has("extra") else ModifierKind.LIGHT
        if (tag.has("left") or tag.has("right")) and self._after_option(k):
            self.cur.mods[-1].portion = Portion.LEFT if tag.has("left") else Portion.RIGHT  # type: ignore[union-attr]
        elif tag.has("half") and self._after_option(k) and self.portion is Portion.WHOLE and other_half_ahead(self.tags, k):
            self.cur.mods[-1].portion = Portion.LEFT  # type: ignore[union-attr]  # "pepperoni on half and ... the other half"
        elif tag.has("half") or tag.has("left") or tag.has("right"):
            # The second half marker of a line is the other half: "mitad piña mitad champiñones".
            right = tag.has("right") or self.portion is Portion.LEFT
            self.portion = Portion.RIGHT if right else Portion.LEFT
        if tag.has("separator"):
            self.after_sep = True
        if any(tag.has(r) for r in ("remove", "add", "extra", "light", "contrast")) and self.cur is not None:
            self.mark_run = len(self.cur.mods)
        if tag.has("dish_cue") and self.cur is not None:
            self.cur.cues.append(tag.start)
        rank = next((n for n, role in enumerate(_SIZE_RANKS) if tag.has(role)), None)
        if rank is not None:
            if self.cur is None:
                self.cur = Build(tag.start, tag.end)
            self.cur.size_rank = rank  # "açaí pequeno" on a menu whose sizes are "300 ml", "500 ml", "700 ml"

    # --- mentions -----------------------------------------------------------------------------------
    def _option_context(self, options: tuple[MenuRef, ...]) -> bool:
        """A name that is both a dish and an option ("pepperoni") is an option right after 'with' /
        'without' / 'extra' on a line whose item takes it."""
        cur = self.cur
        if cur is not None and cur.item_id is None and self.portion is not Portion.WHOLE:
            return True  # "half pepperoni half mushrooms": toppings of a pizza still to be named
        if cur is not None and cur.item_id is None and cur.qty and self.out.lines and self.polarity is ModifierKind.REMOVE:
            previous = self.out.lines[-1].split_source or self.out.lines[-1]  # "dos bocadillos, uno sin limón"
            return previous.item_id is not None and any(self.index.item_has_option(previous.item_id, r) for r in options)
        if cur is None or cur.item_id is None:
            return False
        fits = any(self.index.item_has_option(cur.item_id, r) for r in options)
        return fits and (cur.saw_add or self.polarity is ModifierKind.REMOVE or self.intensity is not None
                         or self.portion is not Portion.WHOLE)

    def _item(self, k: int, tag: Tag, refs: tuple[MenuRef, ...]) -> None:
        ids = [r.item_id for r in refs if r.kind is RefKind.ITEM]
        members = [i for r in refs if r.kind is RefKind.CATEGORY for i in self.index.category_items.get(r.target, [])]
        if self.correction is not None:
            self.correction.item_id = ids[0] if len(ids) == 1 else None
            self.correction.candidates = [] if len(ids) == 1 else (ids or members)
            return
        cur = self.cur
        if cur is not None and cur.item_id is not None and self.portion is not Portion.WHOLE and (
                cur.item_id in members or self._same_category(cur.item_id, ids)):
            cur.cues.append(tag.start)  # "meia calabresa meia marguerita": one pizza of two halves,
            cur.half_items = True  # which a cart line cannot hold: kept verbatim, and confirmed
            cur.extend(tag)
            return
        if cur is not None and cur.item_id is not None:
            if (cur.item_id in ids or (not ids and cur.item_id in members)) and not (
                    k > 0 and self.tags[k - 1].kind == "comma"):
                # "large pie with pesto and ham pizza", "pepperoni pizza": the head noun again (but
                # "omelette jambon, omelette fromage" is two)
                cur.extend(tag)
                return
            self._close()
            cur = None
        if cur is None:
            cur = self.cur = Build(tag.start, tag.end)
        cur.extend(tag)
        if len(ids) == 1:
            cur.item_id, cur.candidates = ids[0], []
        elif cur.candidates and (ids or members):  # "margherita ... pizza": keep the narrower reading
            narrowed = [c for c in cur.candidates if c in set(ids or members)]
            cur.candidates = narrowed or cur.candidates
        else:
            cur.candidates, cur.by_category = ids or members, not ids
        cur.fuzzy = cur.fuzzy or tag.fuzzy
        cur.unavailable = cur.item_id is not None and not self.index.menu.item(cur.item_id).available  # type: ignore[union-attr]
        self.polarity, self.intensity, cur.saw_add = ModifierKind.ADD, None, False
        self.mark_run = len(cur.mods)

    def _same_category(self, item_id: str, ids: list[str]) -> bool:
        menu = self.index.menu
        return bool(ids) and all(menu.item(i).category_id == menu.item(item_id).category_id for i in ids)  # type: ignore[union-attr]

    def _variant(self, k: int, tag: Tag, refs: tuple[MenuRef, ...]) -> None:
        if self.correction is not None:
            self.correction.variant_refs.append(refs)
            return
        if self.for_all and self.cur is None and self._to_all(refs, None):
            return
        cur = self.cur
        if cur is not None and cur.item_id is not None:
            fits = any(r.item_id == cur.item_id for r in refs)
            if not fits or cur.variant_refs or (self.after_sep and item_ahead(self.tags, k)):
                self._close()
                cur = None
        elif cur is not None and cur.variant_refs:
            self._close()
            cur = None
        if cur is None:
            cur = self.cur = Build(tag.start, tag.end)
        cur.variant_refs.append(refs)
        cur.extend(tag)

    def _option(self, k: int, tag: Tag, refs: tuple[MenuRef, ...]) -> None:
        cur = self.cur
        if self.polarity is ModifierKind.REMOVE and cur is not None and cur.mods and k > 0 \
                and self.tags[k - 1] is cur.mods[-1].tag and cur.mods[-1].kind is ModifierKind.REMOVE:
            self.polarity = ModifierKind.ADD  # "no pickles make it a meal": a second option without 'and' is not negated
        if self.polarity is ModifierKind.REMOVE:
            kind = ModifierKind.REMOVE
        else:
            kind = self.intensity or ModifierKind.ADD
        mod = Mod(refs, kind, self.portion, declined=self.polarity is ModifierKind.REMOVE
                  and self.intensity is ModifierKind.EXTRA, tag=tag)
        self.intensity = None
        if self.correction is not None:
            self.correction.mods.append(mod)
            return
        if self.for_all and self.cur is None and self._to_all(refs, mod):
            return  # "2 biryanis, all with extra raita"
        cur = self.cur
        if cur is not None and cur.item_id is not None:
            fits = any(self.index.item_has_option(cur.item_id, r) for r in refs)
            if not fits or (self.after_sep and not cur.saw_add and item_ahead(self.tags, k)):
                self._close()
                cur = None
        if cur is None:
            cur = self.cur = Build(tag.start, tag.end)
        cur.mods.append(mod)
        cur.extend(tag)

    def _drop_item(self, refs: tuple[MenuRef, ...], replace: bool) -> None:
        """'forget the coke' / 'a coke instead of the sprite': remove the latest line with that item."""
        ids = {r.item_id for r in refs if r.kind is RefKind.ITEM}
        self.dropping = self.replacing = False
        for line in reversed(self.out.lines):
            if line.item_id in ids:
                self.out.lines.remove(line)
                if replace and self.cur is not None and self.cur.qty is None:
                    self.cur.qty = line.qty
                return
        if self.cur is not None and self.cur.item_id in ids and not replace:
            self.cur = None
            return
        self.out.removed_item_ids.extend(sorted(i for i in ids if i))

    def _reset_marks(self) -> None:
        self.polarity, self.intensity, self.portion = ModifierKind.ADD, None, Portion.WHOLE
        self.mark_run = 0
