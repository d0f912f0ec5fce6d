"""The order parser: any text message to the standard order format (core.orders.cart), or questions.

    result = parse_order("2 large margherita, one without basil, and a coke - deliver at 7:30",
                         menu, now=now, tz="Europe/Madrid")
    result.lines, result.questions, result.to_cart_lines()
"""
from core.parsing.lexicon import available_languages, lexicon_for
from core.parsing.menu_index import MenuIndex, menu_index
from core.parsing.model import DraftLine, Intent, ParseResult, Question, QuestionKind, QuestionOption, UnknownMention
from core.parsing.parser import parse_order

__all__ = [
    "DraftLine", "Intent", "MenuIndex", "ParseResult", "Question", "QuestionKind", "QuestionOption",
    "UnknownMention", "available_languages", "lexicon_for", "menu_index", "parse_order",
]
