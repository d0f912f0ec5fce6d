"""Questions read as questions: about the customer's own order, a price, a business, or what is on the menu.

These are rules over word classes of each language's lexicon, not phrase lists, so a reworded question is
read the same way ("is my last order ready", "status on my dinner order", "¿dónde está mi pedido?"):

- STATUS: a reference to the customer's own order (a possessive before an order noun or a dish, within a
  few words: "my last order", "mi pedido", "my pizza") together with a status word ("ready", "arrive",
  "how long", "dónde") or the form of a question.
- MENU: an availability question at the start ("do you have tiramisu?").
- CANCEL: a drop phrase before the order noun, or a post-positive drop after it ("olvida el pedido",
  "order nahi chahiye").
- QUESTION: a price phrase ("how much is a large pizza?"), an auxiliary with a subject (a pronoun or a
  named business) followed by a business verb ("do they offer delivery", "does Wang's Kitchen deliver"),
  or any question form that counts nothing and is no polite request ("is the rogan josh spicy?",
  "les crêpes sont faites maison ?"; but "¿me pones dos cañas?" and "can you do the burger" order).

A menu word in such a message does not make it an order; an order verb does ("can I get ..." stays an order).
"""
from __future__ import annotations

from core.parsing.lexicon import Scan
from core.parsing.model import Intent

_REACH = 4  # words between a possessive and its noun: "my last dinner order"


def asked_intent(scan: Scan, menu_tokens: set[int], verb_tokens: set[int], merchant_is_subject: bool,
                 counted: bool = False) -> Intent | None:
    """The kind of question the message asks, or None when it is no question by these rules. An order
    verb (`verb_tokens`, where order-verb phrases start) makes it an order, unless the word is the noun
    of the customer's own order ("my dinner order"). `counted`: the message counts something ("dos
    cañas?"), so a question form alone is a request, not a question."""
    tokens, lexicon = scan.tokens, scan.lexicon
    words = [i for i, t in enumerate(tokens) if t.kind in ("word", "num")]
    if _cancels_order(scan, words):
        return Intent.CANCEL
    own = _own_order(scan, words, menu_tokens, counted)
    if not words or verb_tokens - own:
        return None
    first = words[0]
    question_form = lexicon.has(tokens[first].norm, "question_word") or tokens[-1].norm == "?" \
        or tokens[0].norm == "¿" or scan.phrase(first, "status_word") > first \
        or any(scan.phrase(i, "question_particle") > i for i in words)  # "biryani mein kaun sa chawal hai"
    status_said = any(scan.phrase(i, "status_word") > i for i in words)
    if own and (status_said or question_form):
        return Intent.STATUS
    if scan.phrase(first, "availability_question") > first or (first + 1 < len(tokens) and lexicon.has(
            tokens[first].norm, "filler") and scan.phrase(first + 1, "availability_question") > first + 1):
        return Intent.MENU
    if any(scan.phrase(i, "price_word") > i for i in words):  # "pizza kitne ka hai": no question word needed
        return Intent.QUESTION
    if question_form and not counted and (merchant_is_subject or _asks_about_business(scan, words, menu_tokens)):
        return Intent.QUESTION
    if question_form and not counted and not any(scan.phrase(i, "request") > i for i in words):
        return Intent.QUESTION  # "is the rogan josh very spicy?", "las bravas son caseras?"
    return None


def _own_order(scan: Scan, words: list[int], menu_tokens: set[int], counted: bool) -> set[int]:
    """Tokens of 'my (last) order', 'mi pedido', 'my pizza', 'the order': the customer's existing order."""
    lexicon = scan.lexicon
    found: set[int] = set()
    leading = not menu_tokens and not counted  # only fillers so far: "o motoboy já saiu?"
    for n, i in enumerate(words):
        roles = lexicon.roles(scan.tokens[i].norm)
        if roles is None and not scan.at(i):
            leading = False
            continue  # a word no lexicon knows starts no order phrase
        end = scan.phrase(i, "own_order")
        if end > i:
            found.update(range(i, end))
        end = scan.phrase(i, "order_noun")
        if leading and end > i and not _fulfilment_word(scan, i, end):
            found.update(range(i, end))  # "order kahan tak pahuncha": the order, without a possessive
        leading = leading and roles == {"filler": True}
        if roles is None or "possessive" not in roles:
            continue
        for j in words[n + 1 : n + 1 + _REACH]:
            end = scan.phrase(j, "order_noun")
            if j in menu_tokens or end > j:
                found.update(range(i, max(end, j + 1)))
                break
    return found


def _cancels_order(scan: Scan, words: list[int]) -> bool:
    """'olvida el pedido', 'order nahi chahiye', 'ऑर्डर वापस ले लो': dropping the order itself, not a dish."""
    for n, i in enumerate(words):
        end = scan.phrase(i, "drop")
        if end > i and any(scan.phrase(j, "order_noun") > j for j in words[n + 1 : n + 3] if j >= end):
            return True
        if scan.phrase(i, "order_noun") > i and any(scan.phrase(j, "drop_after") > j for j in words[n + 1 : n + 4]):
            return True
    return False


def _fulfilment_word(scan: Scan, i: int, noun_end: int) -> bool:
    """Is the word at i delivery or pickup rather than the start of a longer noun ('delivery boy')?"""
    return max(scan.phrase(i, "delivery"), scan.phrase(i, "pickup")) >= noun_end


def _asks_about_business(scan: Scan, words: list[int], menu_tokens: set[int]) -> bool:
    """An auxiliary, then a subject pronoun ('you', 'they', 'ustedes'), then a business verb not
    followed by a dish or a count ("can you do the cheeseburger" is a request)."""
    for n, i in enumerate(words[:-2]):
        if not scan.lexicon.has(scan.tokens[i].norm, "subject_cue"):
            continue
        subject = words[n + 1]
        if scan.lexicon.has(scan.tokens[subject].norm, "subject_pronoun"):
            verb = words[n + 2]
            end = max(scan.phrase(verb, "business_verb"), scan.phrase(verb, "delivery"))
            if end > verb and not _counted_object(scan, words, end) \
                    and not any(i in menu_tokens for i in words if end <= i < end + 3):
                return True
    return False


def _counted_object(scan: Scan, words: list[int], after: int) -> bool:
    """'can you make me a pizza': a counted object soon after the verb makes it a request."""
    following = [i for i in words if i >= after][:3]
    return any("number" in (scan.lexicon.roles(scan.tokens[i].norm) or {}) or scan.tokens[i].kind == "num"
               for i in following)
