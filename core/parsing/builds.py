"""What segmentation builds: modifier mentions, lines under construction and the pass's output."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.menu import ModifierKind, Portion
from core.parsing.menu_index import MenuRef
from core.parsing.tagger import Tag


@dataclass
class Mod:
    refs: tuple[MenuRef, ...]
    kind: ModifierKind
    portion: Portion
    declined: bool = False  # "no extra cheese": the customer declines an EXTRA, nothing is removed
    tag: Tag | None = None


@dataclass
class Build:
    """A line under construction; token span [start, end)."""

    start: int
    end: int
    qty: int | None = None
    item_id: str | None = None
    candidates: list[str] = field(default_factory=list)  # ambiguous items / category members
    variant_refs: list[tuple[MenuRef, ...]] = field(default_factory=list)
    mods: list[Mod] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)  # token indices of unmatched words
    cues: list[int] = field(default_factory=list)  # token indices of instruction cues
    fuzzy: bool = False
    inferred: bool = False
    saw_add: bool = False
    unavailable: bool = False
    split_source: "Build | None" = None
    half_items: bool = False
    asked: bool = False  # an order verb came before: unmatched words are probably a dish
    by_category: bool = False  # the candidates are a category's items ("a pizza"), not one shared name
    size_rank: int | None = None  # a generic size word ("pequeno" = 0, "médio" = 1, "grande" = 2)

    def has_attrs(self) -> bool:
        """Whether the line being built has a size, a modifier or candidate dishes yet."""
        return bool(self.variant_refs or self.mods or self.candidates)

    def extend(self, tag: Tag) -> None:
        """Widen the line's span of the message to cover `tag`."""
        self.start, self.end = min(self.start, tag.start), max(self.end, tag.end)


@dataclass
class Segmentation:
    lines: list[Build] = field(default_factory=list)
    orphans: list[Build] = field(default_factory=list)  # unresolved: unknown items, ambiguous names
    removed_item_ids: list[str] = field(default_factory=list)
    intents: list[tuple[str, Tag]] = field(default_factory=list)
    order_verbs: int = 0
    asks_menu: bool = False  # "do you have ...": unmatched words after it are a dish asked about
    amend_last: Build | None = None  # a correction with nothing to correct in this message
