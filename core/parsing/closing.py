"""Closing a line: splits ("2 margherita, one without basil"), items inferred from their options ("two
large with tuna"), quantities after the name ("margherita x2"), groups ("both medium") and corrections."""
from __future__ import annotations

from dataclasses import replace

from core.menu import ModifierKind
from core.parsing.builds import Build, Mod, Segmentation
from core.parsing.menu_index import MenuIndex, MenuRef
from core.parsing.tagger import Tag


class LineCloser:
    """Mixed into the Segmenter: the decisions taken when a line under construction ends."""

    index: MenuIndex
    out: Segmentation
    cur: Build | None
    correcting: Build | None
    correction: Build | None
    group: Build | None
    tags: list[Tag]
    sentence_start: int
    for_all: list[Build]

    def _close(self) -> None:
        if self.correction is not None:
            self._apply_correction()
        b, self.cur = self.cur, None
        if b is None:
            return
        lines = self.out.lines
        previous = lines[-1] if lines else None
        if b.item_id is None and b.qty is not None and previous is not None and previous.item_id is not None:
            sibling = self.index.sibling(previous.item_id, self._words_of(b))
            if sibling is not None:  # "2 pastéis de carne, 1 de queijo"
                b.item_id, b.mods, b.unknown, b.candidates = sibling, [], [], []
        if b.item_id is None and not b.candidates and not b.variant_refs and not b.mods:
            if b.qty is not None and not b.unknown and previous is not None and previous.qty is None:
                previous.qty = b.qty  # "margherita x2"
            elif b.unknown and (b.qty is not None or b.asked):
                self.out.orphans.append(b)
            return
        if b.item_id is None and not b.variant_refs and b.mods and previous is not None:
            source = previous.split_source or previous
            if previous.split_source is not None and self._fits(source.item_id, b.mods) and b.qty == (source.qty or 1):
                source.mods.extend(b.mods)  # "2 steak frites, un bleu et un bien cuit": the last one is the rest
                source.end = max(source.end, b.end)
                return
            if self._fits(source.item_id, b.mods) and (b.qty is None or (source.qty or 1) > b.qty):
                if b.qty is None:  # "... margherita. Extra cheese please": more for the last line
                    previous.mods.extend(b.mods)
                    previous.end = max(previous.end, b.end)
                    return
                source.qty = (source.qty or 1) - b.qty  # "2 margherita, one without basil"
                b.item_id, b.variant_refs = source.item_id, list(source.variant_refs)
                b.mods = [m for m in source.mods] + b.mods
                b.split_source = source
        if b.item_id is None and not b.mods and b.variant_refs and previous is not None and previous.item_id and any(
                r.item_id == previous.item_id for refs in b.variant_refs for r in refs):
            b.item_id = previous.item_id  # "two sparkling waters and one still"
            source = previous.split_source or previous
            if b.qty is not None and not source.variant_refs:  # "deux cafés crème, un grand et un petit"
                if previous.split_source is not None and b.qty == (source.qty or 1):
                    source.variant_refs = list(b.variant_refs)
                    return
                if (source.qty or 1) > b.qty:
                    source.qty = (source.qty or 1) - b.qty
                    b.split_source = source
        if b.item_id is None:
            self._infer_item(b)
        if b.item_id is None and not b.candidates:
            if b.unknown or b.qty is not None:
                self.out.orphans.append(b)
            return
        if self._in_group(b):
            return
        lines.extend(self._spread(b))

    def _spread(self, b: Build) -> list[Build]:
        """'2 kulfi, kesar pista and mango': as many choices of a one-choice group as the count is one
        dish each, not one dish with both."""
        count = b.qty or 1
        if b.item_id is None or count < 2:
            return [b]
        by_group: dict[str, list[Mod]] = {}
        for mod in b.mods:
            ref = next((r for r in mod.refs if r.group_id and self.index.item_has_option(b.item_id, r)), None)
            if ref is not None and mod.kind is not ModifierKind.REMOVE:
                by_group.setdefault(ref.group_id, []).append(mod)  # type: ignore[arg-type]
        for group_id, mods in by_group.items():
            group = self.index.menu.group(group_id)
            if group is not None and group.max_choices == 1 and len(mods) == count:
                rest = [m for m in b.mods if m not in mods]
                return [replace(b, qty=1, mods=[*rest, mod]) for mod in mods]
        return [b]

    def _in_group(self, b: Build) -> bool:
        """'3 large pizzas: 1 diavola, 1 hawaiian, 1 pepperoni': a counted category with a size heads the
        lines that follow; they take its size, and the head goes once they add up to its count. True when
        `b` is such a head (kept aside, not a line)."""
        head = self.group
        if b.item_id is None and b.candidates and (b.qty or 1) > 1:
            self.group = b
            self.out.lines.append(b)
            return True
        if head is None or b.item_id not in head.candidates:
            self.group = None
            return False
        b.variant_refs = b.variant_refs or list(head.variant_refs)
        head.qty = (head.qty or 1) - (b.qty or 1)
        if head.qty <= 0 and head in self.out.lines:
            self.out.lines.remove(head)
            self.group = None
        return False

    def _named_by(self, item_id: str, words: list[str]) -> bool:
        """Is one of `words` a word of the item's names?"""
        names = self.index.item_words(item_id)
        return any(word in names for word in words)

    def _words_of(self, b: Build) -> list[str]:
        """The words of a line under construction that named no item: its unmatched words and options."""
        words = [t.key for t in self.tags if t.kind == "word" and t.start in b.unknown]
        return words + [m.tag.key for m in b.mods if m.tag is not None]

    def _fits(self, item_id: str | None, mods: list[Mod]) -> bool:
        return item_id is not None and all(any(self.index.item_has_option(item_id, r) for r in m.refs) for m in mods)

    def _infer_item(self, b: Build) -> None:
        """'two large with tuna': the one item whose sizes and options cover what was said."""
        pool = b.candidates or [item.id for item in self.index.menu.items]
        fitting = [i for i in pool if self._fits(i, b.mods)
                   and all(any(r.item_id == i for r in refs) for refs in b.variant_refs)]
        if len(fitting) == 1 and (b.mods or b.candidates):
            b.item_id, b.inferred = fitting[0], not b.candidates
            b.candidates = []
        elif len(fitting) == 1 and b.variant_refs and self._named_by(fitting[0], self._words_of(b)):
            b.item_id, b.unknown = fitting[0], []  # "large fries": of the dishes named fries, only one is large
        elif b.candidates:
            b.candidates = fitting or b.candidates

    def _apply_correction(self) -> None:
        target, fix = self.correcting, self.correction
        self.correcting = self.correction = None
        if fix is None:
            return
        if target is None:  # "make that three": about a line of an earlier message
            if fix.item_id or fix.candidates:
                self.out.lines.append(fix)
            else:
                self.out.amend_last = fix
            return
        if fix.item_id and target.item_id and fix.item_id != target.item_id:
            same_kind = self.index.menu.item(fix.item_id).category_id == self.index.menu.item(target.item_id).category_id  # type: ignore[union-attr]
            if not same_kind:  # "actually, also a coke": a new line, not a correction
                self.out.lines.append(fix) if fix.item_id else None
                return
            target.item_id, target.variant_refs, target.mods = fix.item_id, [], []
        if fix.qty is not None:
            target.qty = fix.qty
        if fix.variant_refs:
            target.variant_refs = fix.variant_refs
        target.mods.extend(fix.mods)
        target.end = max(target.end, fix.end)

    def _for_all(self) -> None:
        """'both' / 'all' / 'los dos' / 'dono': what follows is for every line of the sentence so far
        ("1 pepperoni and 1 margherita, both medium"), or for the whole of a single line ("2 cokes, both
        in cans")."""
        if self.cur is not None and self.cur.item_id is not None:
            self._close()
        group = self.out.lines[self.sentence_start :]
        if len(group) >= 2:
            self.for_all = list(group)
        elif group and self.cur is None:
            self.cur = self.out.lines.pop()

    def _to_all(self, refs: tuple[MenuRef, ...], mod: Mod | None) -> bool:
        """Give a size (or, with `mod`, an option) to every line of a 'both' group that takes it."""
        taken = False
        for line in self.for_all:
            if line.item_id is None:
                continue
            if mod is None and not line.variant_refs and any(r.item_id == line.item_id for r in refs):
                line.variant_refs.append(refs)
                taken = True
            elif mod is not None and any(self.index.item_has_option(line.item_id, r) for r in refs):
                line.mods.append(mod)
                taken = True
        return taken
