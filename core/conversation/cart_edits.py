"""Changing the cart a conversation is building: parsed messages, taps, answers to questions.

Questions point at cart lines by index, so every insertion and removal keeps them pointing right.
"""
from __future__ import annotations

from core.conversation.choices import Match, match_choice
from core.conversation.model import ConversationState
from core.menu import Menu, ModifierKind
from core.orders.cart import LineModifier
from core.parsing import DraftLine, ParseResult, Question, QuestionKind, QuestionOption, lexicon_for
from core.parsing.draft import ask
from core.parsing.lexicon import available_languages

NO_OPTION = "__no__"
YES_OPTION = "__yes__"
# Questions answered by adding a new line with the chosen item.
ITEM_CHOICES = (QuestionKind.UNKNOWN_ITEM, QuestionKind.CHOOSE_ITEM)
# Questions answered with yes or no (reply buttons), whatever their options.
YES_NO = (QuestionKind.CONFIRM_LINE, QuestionKind.HALF_NOT_ALLOWED, QuestionKind.CONFIRM_TIME)


def _lexicon(language: str | None):  # type: ignore[no-untyped-def]
    return lexicon_for(language if language in available_languages() else "en")


def line_questions(line: DraftLine, line_no: int, menu: Menu, language: str | None) -> list[Question]:
    """What must still be chosen for a line: its size, then each required modifier group."""
    item = menu.item(line.item_id)
    if item is None:
        return []
    lexicon, lang = _lexicon(language), language or "en"
    questions = []
    if item.variants and line.variant_id is None:
        options = [QuestionOption(id=v.id, label=v.name_in(lang)) for v in item.variants]
        questions.append(ask(QuestionKind.CHOOSE_VARIANT, lexicon, options, item=item.name_in(lang), line=line_no))
    chosen = {m.option_id for m in line.modifiers if m.kind is not ModifierKind.REMOVE}
    for group in menu.groups_of(item):
        if group.min_choices > 0 and len({o.id for o in group.options} & chosen) < group.min_choices:
            options = [QuestionOption(id=o.id, label=o.name_in(lang)) for o in group.options if o.sellable]
            questions.append(ask(QuestionKind.CHOOSE_OPTION, lexicon, options, item=item.name_in(lang),
                                 group=group.name_in(lang), group_id=group.id, line=line_no))
    return questions


def new_line(menu: Menu, item_id: str, quantity: int, language: str | None) -> DraftLine | None:
    """A cart line for a tapped or referred item (quantity kept within 1–999); None if not on the menu."""
    item = menu.item(item_id)
    if item is None:
        return None
    return DraftLine(item_id=item.id, quantity=max(1, min(quantity, 999)), display_name=item.name_in(language or "en"))


def add_line(state: ConversationState, line: DraftLine, menu: Menu) -> None:
    """Append a line and ask what it still needs."""
    state.lines.append(line)
    state.questions.extend(line_questions(line, len(state.lines) - 1, menu, state.language))


def remove_line(state: ConversationState, index: int) -> None:
    """Drop a line and its questions; later questions are re-pointed at the shifted lines."""
    del state.lines[index]
    kept = []
    for q in state.questions:
        if q.line == index:
            continue
        if q.line is not None and q.line > index:
            q = q.model_copy(update={"line": q.line - 1})
        kept.append(q)
    state.questions = kept


def apply_parse(state: ConversationState, result: ParseResult, menu: Menu) -> tuple[list[DraftLine], list[str]]:
    """Fold one parsed message into the cart; returns the lines it added and notes to tell the customer.

    Unavailable items are not added (the caller says so). Questions with options are queued behind any
    already pending, re-pointed at the cart's line numbers; those without ("not on the menu, want to see
    it?") are notes, said once and not waited for.
    """
    for item_id in result.removed_item_ids:
        for index in reversed([i for i, line in enumerate(state.lines) if line.item_id == item_id]):
            remove_line(state, index)
    if result.change_last_line and state.lines and not result.lines:
        change = result.change_last_line
        last = state.lines[-1]
        if change.quantity:
            last.quantity = change.quantity
        item = menu.item(last.item_id)
        if change.variant_ids and item is not None:
            last.variant_id = next((v for v in change.variant_ids if item.variant(v)), last.variant_id)
    unavailable = {q.line for q in result.questions if q.kind is QuestionKind.UNAVAILABLE}
    offset = len(state.lines)
    kept_index: dict[int, int] = {}
    added = []
    for index, line in enumerate(result.lines):
        if index in unavailable:
            continue
        kept_index[index] = offset + len(added)
        added.append(line)
    state.lines.extend(added)
    notes = []
    for question in result.questions:
        if question.kind is QuestionKind.UNAVAILABLE:
            continue
        if not question.options and question.kind not in YES_NO:
            notes.append(question.text)
            continue
        if question.line is not None:
            if question.line not in kept_index:
                continue
            question = question.model_copy(update={"line": kept_index[question.line]})
        state.questions.append(question)
    if result.instructions:
        state.instructions = (state.instructions + " " + result.instructions).strip()[:1000]
    return added, notes


def unavailable_names(result: ParseResult) -> list[str]:
    """The names of the parsed dishes that are 86'd right now."""
    return [result.lines[q.line].display_name for q in result.questions
            if q.kind is QuestionKind.UNAVAILABLE and q.line is not None and q.line < len(result.lines)]


def apply_answer(state: ConversationState, option_id: str, menu: Menu) -> bool:
    """Answer the first pending question with one of its options (or NO_OPTION). False if it doesn't fit."""
    if not state.questions:
        return False
    question = state.questions[0]
    known = {o.id for o in question.options} | {NO_OPTION} | ({YES_OPTION} if question.kind in YES_NO else set())
    if option_id not in known:
        return False
    state.questions.pop(0)
    if question.kind is QuestionKind.CONFIRM_TIME and option_id == NO_OPTION:
        state.requested_time = None
    line = state.lines[question.line] if question.line is not None and question.line < len(state.lines) else None
    if question.kind in ITEM_CHOICES:
        if option_id != NO_OPTION:
            added = new_line(menu, option_id, 1, state.language)
            if added is not None:
                add_line(state, added, menu)
    elif line is None:
        return True
    elif question.kind is QuestionKind.CHOOSE_VARIANT and option_id != NO_OPTION:
        line.variant_id = option_id
    elif question.kind is QuestionKind.CHOOSE_OPTION and option_id != NO_OPTION:
        line.modifiers.append(LineModifier(option_id=option_id))
    elif question.kind is QuestionKind.CONFIRM_LINE and option_id == NO_OPTION:
        remove_line(state, question.line)  # type: ignore[arg-type]
    elif question.kind is QuestionKind.HALF_NOT_ALLOWED and option_id == NO_OPTION:
        line.modifiers = [m for m in line.modifiers if m.kind is ModifierKind.REMOVE]
    return True


def match_option(question: Question, text: str) -> Match | None:
    """A typed answer to a pending question: the option the text names ('large', 'grande', '2'), by the
    same rule as every other typed choice (choices.match_choice)."""
    return match_choice(text, [(o.id, o.label) for o in question.options])


def lines_text(lines: list[DraftLine], menu: Menu, language: str | None) -> str:
    """'2× Margherita (large), 1× Coke' for confirmations."""
    parts = []
    for line in lines:
        item = menu.item(line.item_id)
        name = item.name_in(language or "en") if item else line.display_name
        variant = item.variant(line.variant_id) if item and line.variant_id else None
        parts.append(f"{line.quantity}× {name}" + (f" ({variant.name_in(language or 'en')})" if variant else ""))
    return ", ".join(parts)
