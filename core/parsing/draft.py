"""From line builds to DraftLines: resolve references against the item, score confidence, keep
instructions verbatim, and ask about whatever is missing or uncertain."""
from __future__ import annotations

from core.menu import MenuItem, ModifierKind, Portion
from core.orders.cart import LineModifier
from core.parsing.lexicon import Lexicon
from core.parsing.menu_index import MenuIndex, MenuRef, RefKind
from core.parsing.menu_names import counted_variant, ranked_variant
from core.parsing.model import DraftLine, Question, QuestionKind, QuestionOption, UnknownMention
from core.parsing.builds import Build, Mod
from core.parsing.tagger import Tag
from core.parsing.text import Token

LOW_CONFIDENCE = 0.7


def span_text(text: str, tokens: list[Token], start: int, end: int) -> str:
    """The message's text between tokens `start` and `end`, as the customer wrote it."""
    if start >= end or start >= len(tokens):
        return ""
    return text[tokens[start].start : tokens[min(end, len(tokens)) - 1].end]


def _modifier(item: MenuItem, index: MenuIndex, mod: Mod) -> LineModifier | None:
    """The option (or, for removals, the ingredient) this mention means on this item."""
    fitting = [r for r in mod.refs if index.item_has_option(item.id, r)]
    if mod.kind is ModifierKind.REMOVE and not mod.declined:
        # Removing prefers the item's own ingredient ("margherita without basil").
        fitting.sort(key=lambda r: r.kind is not RefKind.INGREDIENT)
    else:
        fitting = [r for r in fitting if r.kind is RefKind.OPTION]
    if not fitting:
        return None
    ref: MenuRef = fitting[0]
    return LineModifier(option_id=ref.target or "", kind=mod.kind, portion=mod.portion)


def _instructions(build: Build, tags: list[Tag], text: str, tokens: list[Token]) -> str:
    """Unmatched words on a line, with the modifier words and fillers around them, verbatim
    ("well done", "no onions please" when onions are not on the menu)."""
    spots = sorted(set(build.unknown) | set(build.cues))
    if not spots:
        return ""
    by_start = {t.start: i for i, t in enumerate(tags)}
    pieces: list[tuple[int, int]] = []
    for spot in spots:
        k = by_start.get(spot)
        if k is None or _in_order_clause(tags, k):
            continue
        lo = hi = k
        while lo > 0 and tags[lo - 1].kind in ("lex", "word") and not tags[lo - 1].has("separator") \
                and "intent" not in tags[lo - 1].roles and not tags[lo - 1].has("order_verb"):
            lo -= 1
        while hi + 1 < len(tags) and tags[hi + 1].kind in ("lex", "word") and not tags[hi + 1].has("separator") \
                and "intent" not in tags[hi + 1].roles:
            hi += 1
        if pieces and tags[lo].start <= pieces[-1][1]:
            pieces[-1] = (pieces[-1][0], max(pieces[-1][1], tags[hi].end))
        else:
            pieces.append((tags[lo].start, tags[hi].end))
    return "; ".join(span_text(text, tokens, a, b) for a, b in pieces)


def _clause_boundary(tag: Tag) -> bool:
    return tag.kind in ("break", "comma", "used") or tag.has("separator") or tag.has("contrast")


def _in_order_clause(tags: list[Tag], k: int) -> bool:
    """Is tag k in a clause about the order ("ring the bell"), which the order instructions keep?"""
    lo = k
    while lo > 0 and not _clause_boundary(tags[lo - 1]):
        lo -= 1
    hi = k
    while hi + 1 < len(tags) and not _clause_boundary(tags[hi + 1]):
        hi += 1
    clause = tags[lo : hi + 1]
    return any(t.has("instruction_cue") for t in clause) and not any(t.kind in ("menu", "num") for t in clause)


def build_line(build: Build, index: MenuIndex, lexicon: Lexicon, tags: list[Tag], text: str,
               tokens: list[Token], line_no: int, questions: list[Question]) -> DraftLine:
    """A DraftLine for a build whose item is known; appends its questions."""
    item = index.menu.item(build.item_id)  # type: ignore[arg-type]
    assert item is not None
    confidence = 1.0
    variant_id = None
    for refs in reversed(build.variant_refs):
        match = next((r.target for r in refs if r.item_id == item.id), None)
        if match:
            variant_id = match
            break
    if variant_id is None and build.size_rank is not None:
        variant_id = ranked_variant(item, build.size_rank)
    quantity = build.qty or 1
    if variant_id is None and build.qty:
        counted = counted_variant(item, build.qty)
        if counted is not None:  # "6 chicken wings" on a menu selling wings by 6 and 12: one portion of 6
            variant_id, quantity = counted, 1
    modifiers: list[LineModifier] = []
    declined: list[LineModifier] = []
    halves_refused = False
    for mod in build.mods:
        modifier = _modifier(item, index, mod)
        if modifier is None:
            confidence *= 0.9
            continue
        if modifier.portion is not Portion.WHOLE and not item.allows_halves:
            modifier = modifier.model_copy(update={"portion": Portion.WHOLE})
            halves_refused = True
        if mod.tag is not None and mod.tag.fuzzy:
            confidence *= 0.9
        bucket = declined if mod.declined else modifiers
        if modifier not in bucket:
            bucket.append(modifier)
    if build.fuzzy:
        confidence *= 0.75
    if build.inferred:
        confidence *= 0.85
    if build.half_items:
        confidence *= 0.6
    name = item.name_in(lexicon.code)
    line = DraftLine(
        item_id=item.id, variant_id=variant_id, quantity=min(quantity, 999), modifiers=modifiers,
        declined=declined, instructions=_instructions(build, tags, text, tokens)[:500], display_name=name,
        confidence=round(confidence, 3), matched_text=span_text(text, tokens, build.start, build.end),
    )
    _line_questions(line, item, index, lexicon, line_no, questions, build, halves_refused)
    return line


def _options_text(labels: list[str], lexicon: Lexicon) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + f" {lexicon.questions.get('or', 'or')} " + labels[-1]


def ask(kind: QuestionKind, lexicon: Lexicon, options: list[QuestionOption], **fields: object) -> Question:
    """A question in the message's language from the lexicon's templates."""
    template = lexicon.questions.get(kind.value, "{text}")
    values = {"text": "", "item": "", "group": "", "quantity": "", "option": "", **fields}
    values["options"] = _options_text([o.label for o in options], lexicon)
    return Question(kind=kind, text=template.format(**values), options=options,
                    line=fields.get("line"), group_id=fields.get("group_id"),  # type: ignore[arg-type]
                    matched_text=str(fields.get("text", "")))


def _line_questions(line: DraftLine, item: MenuItem, index: MenuIndex, lexicon: Lexicon, line_no: int,
                    questions: list[Question], build: Build, halves_refused: bool) -> None:
    lang = lexicon.code
    if build.unavailable:
        questions.append(Question(kind=QuestionKind.UNAVAILABLE, text=f"{line.display_name}: unavailable",
                                  line=line_no, matched_text=line.matched_text))
    if item.variants and line.variant_id is None:
        options = [QuestionOption(id=v.id, label=v.name_in(lang)) for v in item.variants]
        questions.append(ask(QuestionKind.CHOOSE_VARIANT, lexicon, options, item=line.display_name, line=line_no))
    chosen = {m.option_id for m in line.modifiers if m.kind is not ModifierKind.REMOVE}
    for group in index.menu.groups_of(item):
        if group.min_choices > 0 and len({o.id for o in group.options} & chosen) < group.min_choices:
            options = [QuestionOption(id=o.id, label=o.name_in(lang)) for o in group.options if o.sellable]
            questions.append(ask(QuestionKind.CHOOSE_OPTION, lexicon, options, item=line.display_name,
                                 group=group.name_in(lang), group_id=group.id, line=line_no))
    if halves_refused:
        questions.append(ask(QuestionKind.HALF_NOT_ALLOWED, lexicon, [], item=line.display_name, line=line_no,
                             option=", ".join(m.option_id for m in line.modifiers)))
    if line.confidence < LOW_CONFIDENCE or build.fuzzy:
        questions.append(ask(QuestionKind.CONFIRM_LINE, lexicon, [QuestionOption(id=item.id, label=line.display_name)],
                             item=line.display_name, quantity=line.quantity, line=line_no))


def orphan_questions(build: Build, index: MenuIndex, lexicon: Lexicon, text: str, tokens: list[Token],
                     questions: list[Question]) -> UnknownMention | None:
    """Ambiguous names become 'which one?'; unknown dishes become 'not on the menu, did you mean?'."""
    lang = lexicon.code
    if build.candidates:
        options = [QuestionOption(id=i, label=index.menu.item(i).name_in(lang)) for i in build.candidates[:8]]  # type: ignore[union-attr]
        said = span_text(text, tokens, build.start, build.end)
        questions.append(ask(QuestionKind.CHOOSE_ITEM, lexicon, options, text=said))
        return None
    if not build.unknown:
        return None
    said = span_text(text, tokens, min(build.unknown), max(build.unknown) + 1)
    near = index.closest_items(said)
    options = [QuestionOption(id=i.id, label=i.name_in(lang)) for i in near]
    kind = QuestionKind.UNKNOWN_ITEM
    question = ask(kind, lexicon, options, text=said)
    if not options:
        question.text = lexicon.questions.get("unknown_item_none", "{text}").format(text=said)
    questions.append(question)
    return UnknownMention(text=said, quantity=build.qty, suggestions=[i.id for i in near])
