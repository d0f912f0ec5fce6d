"""parse_order: any message to an order draft against the merchant's live menu, or questions back.

Pipeline: normalise/tokenise -> detect language -> take out time, fulfilment, address and location ->
tag against the compiled menu index and the lexicon -> segment into lines -> resolve each line ->
intent, order-level instructions, questions.
"""
from __future__ import annotations

import logging
from datetime import datetime

from core.menu import Menu
from core.orders.cart import FulfilmentType
from core.parsing.asking import asked_intent
from core.parsing.draft import ask, build_line, orphan_questions, span_text
from core.parsing.language import detect_language
from core.parsing.lexicon import Lexicon, Scan, available_languages, language_markers, lexicon_for
from core.parsing.logistics import find_address, find_business_types, find_fulfilment, find_location, find_merchant
from core.parsing.menu_index import MenuIndex, menu_index
from core.parsing.model import Intent, LastLineChange, ParseResult, Question, QuestionKind
from core.parsing.builds import Segmentation
from core.parsing.segmenter import Segmenter
from core.parsing.tagger import Tag, tag_tokens
from core.parsing.text import Token, tokenize
from core.parsing.when import find_time, resolve_time

log = logging.getLogger(__name__)

MAX_CHARS = 20_000  # longer messages are parsed up to here; nobody orders in a novel
MAX_LINES = 200  # Cart.lines limit

_INTENT_PRIORITY = ("opt_out", "human", "cancel", "status", "repeat", "menu", "question", "confirm_order", "greeting")


def parse_order(text: str, menu: Menu, *, language: str | None = None, now: datetime | None = None,
                tz: str = "UTC", strict: bool = False) -> ParseResult:
    """Parse one customer message against `menu`.

    `language` (e.g. from the customer's profile) skips detection; `now` and `tz` (the merchant's zone)
    resolve relative times, and without `now` relative times stay unresolved. Never raises on any input
    unless `strict` (tests use it to surface bugs); a failure then yields an UNKNOWN result with a question.
    """
    try:
        return _parse(text, menu, language, now, tz)
    except Exception:
        if strict:
            raise
        log.exception("order parser failed; answering with a generic question")
        lexicon = lexicon_for(language if language in available_languages() else "en")
        return ParseResult(language=lexicon.code, intent=Intent.UNKNOWN,
                           questions=[ask(QuestionKind.WHAT_TO_ORDER, lexicon, [])])


def _parse(text: str, menu: Menu, language: str | None, now: datetime | None, tz: str) -> ParseResult:
    text = text[:MAX_CHARS] if isinstance(text, str) else ""
    tokens = tokenize(text)
    code = language if language in available_languages() else detect_language(text, tokens)
    lexicon = lexicon_for(code)
    index = menu_index(menu)
    tokens, unsure = _towards_menu(tokens, code, lexicon, index)

    used: set[int] = set()
    location, location_span = find_location(text)
    if location_span:
        used |= {i for i, t in enumerate(tokens) if t.start < location_span[1] and t.end > location_span[0]}
    norms = [t.norm for t in tokens]
    scan = Scan(tokens, lexicon)
    time = find_time(scan, lambda start, end: index.covers(norms, start, end))
    used |= time.used
    fulfilment, fulfilment_text, fulfilment_used = find_fulfilment(scan, used)
    used |= fulfilment_used
    address, address_used = find_address(text, scan, used)
    used |= address_used
    merchant, merchant_used, merchant_is_subject = find_merchant(
        text, scan, used, lambda start, end: index.covers(norms, start, end))
    used |= merchant_used
    if fulfilment is None and (address or location):
        fulfilment = FulfilmentType.DELIVERY

    tags = tag_tokens(scan, index, used, unsure)
    seg = Segmenter(tags, index).run()

    result = ParseResult(language=code, fulfilment=fulfilment, fulfilment_text=fulfilment_text,
                         address_text=address, location=location, removed_item_ids=seg.removed_item_ids,
                         merchant_text=merchant,
                         business_types=find_business_types(text, scan, merchant_used, merchant),
                         cuisines=[span_text(text, tokens, t.start, t.end) for t in tags if t.kind == "lex" and t.has("cuisine")])
    questions: list[Question] = []
    for build in seg.lines[:MAX_LINES]:
        if build.item_id is not None:
            result.lines.append(build_line(build, index, lexicon, tags, text, tokens, len(result.lines), questions))
        else:
            orphan_questions(build, index, lexicon, text, tokens, questions)
    if seg.amend_last is not None and (seg.amend_last.qty or seg.amend_last.variant_refs):
        result.change_last_line = LastLineChange(
            quantity=seg.amend_last.qty,
            variant_ids=sorted({r.target for refs in seg.amend_last.variant_refs for r in refs if r.target}))
    for build in seg.orphans:
        mention = orphan_questions(build, index, lexicon, text, tokens, questions)
        if mention is not None:
            result.unknown.append(mention)

    if time.found:
        result.requested_time_text = span_text(text, tokens, time.first or 0, time.last or 0)
        result.requested_time = resolve_time(time, now, tz)
        if result.requested_time is None and now is not None:
            questions.append(ask(QuestionKind.CONFIRM_TIME, lexicon, [], text=result.requested_time_text))
    asked = asked_intent(scan, {i for t in tags if t.kind == "menu" for i in range(t.start, t.end)},
                         {t.start for t in tags if t.kind == "lex" and t.has("order_verb")}, merchant_is_subject,
                         counted=any(t.kind == "num" for t in tags))
    if asked is Intent.QUESTION and {name for name, _ in seg.intents} - {"question"}:
        asked = None  # a phrase of its own wins over the question form: "what's on the menu?", "olá, tudo bem?"
    if asked is not None:
        _as_question(result, asked, seg)
        questions = [q for q in questions if q.line is None and q.kind is not QuestionKind.CONFIRM_TIME]
    result.intent = asked or _intent(seg, result, tags, tokens, lexicon, merchant_is_subject)
    if result.intent is not Intent.ORDER and not (result.intent is Intent.MENU and seg.asks_menu):
        # "order cancel kar do": leftover words are not dishes (but "do you have calzones?" asks about one)
        result.unknown = []
        questions = [q for q in questions if q.kind is not QuestionKind.UNKNOWN_ITEM]
    if result.intent is Intent.ORDER and not result.lines and not questions and not result.removed_item_ids \
            and result.change_last_line is None:
        questions.append(ask(QuestionKind.WHAT_TO_ORDER, lexicon, []))
    result.instructions = _order_instructions(tags, text, tokens)[:1000]
    result.questions = questions
    return result


_NAMING_ROLES = frozenset({"filler", "size", "dish_cue", "half", "cuisine"})


def _towards_menu(tokens: list[Token], code: str, lexicon: Lexicon, index: MenuIndex) -> tuple[list[Token], set[int]]:
    """Words no lexicon knows and the menu does not have, rewritten to the one menu word with the same stem,
    clipped ('choc'), or, across scripts, the same phonetic key ("aguas" -> "agua", "पनीर" -> "paneer");
    see word_forms. Failing those, a typo of one menu word ('bred') is rewritten too, and its index is
    returned as unsure: the line it makes is confirmed with the customer."""
    markers = language_markers()
    out = tokens
    unsure: set[int] = set()
    for k, token in enumerate(tokens):
        if token.kind != "word":
            continue
        roles = lexicon.roles(token.norm)
        ordinary = token.norm in markers or roles is not None or token.norm in lexicon.prefixes
        if ordinary and not (index.forms.other_script(token.norm) and set(roles or {"filler"}) <= _NAMING_ROLES):
            continue  # "leave" of "leave off" is no "leaves"; on a Devanagari menu "cold" may be "कोल्ड"
        word = index.forms.menu_word_for(token.norm, code)
        if word is None and not ordinary:
            word = index.forms.misspelt(token.norm)
            if word is not None:
                unsure.add(k)
        if word is not None:
            if out is tokens:
                out = list(tokens)
            out[k] = Token(word, token.start, token.end, token.kind)
    return out, unsure


_SURE = 0.9  # below: a line inferred or fuzzy-matched


def _as_question(result: ParseResult, asked: Intent, seg: Segmentation) -> None:
    """A question names dishes without ordering them ("do you have tiramisu?", "how long until my pizza
    gets here?"): they become `asked_item_ids` (not a line only inferred from an ingredient). A status
    question requests no time nor fulfilment."""
    named = [line.item_id for line in result.lines if line.confidence >= _SURE]
    named += [i for b in [*seg.lines, *seg.orphans] if b.item_id is None and not b.by_category for i in b.candidates]
    result.asked_item_ids = list(dict.fromkeys(named))  # "las croquetas llevan huevo?": both croquetas
    result.lines = []
    if asked is Intent.STATUS:
        result.requested_time, result.requested_time_text = None, ""
        result.fulfilment, result.fulfilment_text = None, ""


def _intent(seg: Segmentation, result: ParseResult, tags: list[Tag], tokens: list[Token], lexicon: Lexicon,
            merchant_is_subject: bool = False) -> Intent:
    said = {name for name, _ in seg.intents}
    if result.lines or result.removed_item_ids or seg.lines or result.change_last_line:
        return Intent.ORDER
    for name in _INTENT_PRIORITY:
        if name in said and not (name == "greeting" and result.unknown):
            return Intent.CONFIRM if name == "confirm_order" else Intent(name)
    if seg.asks_menu and result.unknown:
        return Intent.MENU  # "do you have calzones?"
    if result.unknown:
        return Intent.ORDER
    words = [t for t in tokens if t.kind == "word"]
    asking = bool(words) and (lexicon.has(words[0].norm, "question_word") or tokens[-1].norm == "?"
                              or merchant_is_subject)  # "domino's has takeaway right": about a business
    if asking and not seg.orphans and (result.fulfilment or not seg.order_verbs):
        return Intent.QUESTION  # "can I get delivery from here?": about the service, nothing to order yet
    if seg.order_verbs:
        return Intent.ORDER
    if result.fulfilment or result.requested_time_text or result.address_text:
        return Intent.ORDER
    return Intent.UNKNOWN


def _order_instructions(tags: list[Tag], text: str, tokens: list[Token]) -> str:
    """Clauses about the order rather than a dish ("ring the bell", "leave it at the door"), verbatim."""
    clauses: list[list[Tag]] = [[]]
    for tag in tags:
        if tag.kind in ("break", "comma", "used") or (tag.kind == "lex" and (tag.has("separator") or tag.has("contrast"))):
            clauses.append([])
        else:
            clauses[-1].append(tag)
    kept: list[str] = []
    for clause in clauses:
        if not clause or any(t.kind in ("menu", "num") for t in clause):
            continue
        if any(t.has("instruction_cue") for t in clause):
            kept.append(span_text(text, tokens, clause[0].start, clause[-1].end))
    return "; ".join(kept)
