"""The ordering dialogue: one customer message in, the replies and the new state out.

    turn = respond(state, Inbound(kind=InboundKind.TEXT, text="2 large margherita"), ports,
                   now=now, channel=Channel.WHATSAPP)

Stages (model.Stage) follow the order of a counter conversation: which kitchen, what to eat (typed, said,
tapped in the menu, or sent from the catalogue; the parser's questions asked one at a time), delivery or
pickup, where, when, the priced summary, and the order placed through the order core. Commands work at any
point: menu, status, cancel, repeat my last order, talk to a person, stop. A conversation handed to a
person stays silent until staff hand it back; a customer who said stop hears nothing more until they
write again.

The Dialogue is split by concern: this module reads messages and edits the cart; cart_replies.py shows
the cart and asks the pending question; checkout_steps.py asks for the missing details and places;
commands.py answers status, cancel, repeat, person and questions.

Pure: everything outside comes through ConversationPorts, so a retry of the same message with the same
state gives the same replies and the same idempotency key for placing.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime

from core.conversation.cart_replies import CartReplies
from core.conversation.checkout_steps import CheckoutSteps
from core.conversation.commands import Commands
from core.conversation.browse import items_reply, merchants_reply, price_text
from core.conversation.cart_edits import (
    NO_OPTION,
    YES_NO,
    YES_OPTION,
    add_line,
    apply_answer,
    apply_parse,
    match_option,
    new_line,
    unavailable_names,
)
from core.conversation.model import (
    MAX_BUTTONS,
    Button,
    CatalogItem,
    ConversationState,
    Inbound,
    InboundKind,
    Reply,
    Stage,
    Turn,
)
from core.conversation.ports import ConversationPorts
from core.conversation.texts import Texts, clip
from core.errors import DomainError, OrderError
from core.geo import GeoPoint
from core.menu import Menu
from core.merchants import Address, Merchant
from core.orders.cart import Channel, FulfilmentType, RequestedTime
from core.parsing import Intent, ParseResult, QuestionKind, lexicon_for, parse_order
from core.parsing.lexicon import available_languages, phrase_key

log = logging.getLogger(__name__)
# A message this long is enough to tell its language; shorter ones ("ok", "2") keep the conversation's.
DETECT_WORDS = 3


def respond(state: ConversationState, inbound: Inbound, ports: ConversationPorts, *, now: datetime,
            channel: Channel) -> Turn:
    """Handle one inbound message."""
    dialogue = Dialogue(state.model_copy(deep=True), ports, now, channel)
    dialogue.state.turn += 1
    dialogue.handle(inbound)
    return Turn(state=dialogue.state, replies=dialogue.replies, placed_order_id=dialogue.placed_order_id,
                handed_over=dialogue.handed_over)


class Dialogue(CartReplies, CheckoutSteps, Commands):
    def __init__(self, state: ConversationState, ports: ConversationPorts, now: datetime, channel: Channel) -> None:
        self.state, self.ports, self.now, self.channel = state, ports, now, channel
        self.replies: list[Reply] = []
        self.placed_order_id: str | None = None
        self.handed_over = False
        self.customer = ports.customer()
        self._merchants = {m.id: m for m in ports.merchants()}
        # Until the customer writes, speak the language on their profile; their first words decide.
        self.texts = Texts(state.language or self.customer.language)

    # -- context ---------------------------------------------------------------------------------------------

    @property
    def merchant(self) -> Merchant:
        merchant = self._merchants.get(self.state.merchant_id or "")
        assert merchant is not None, "asked for the merchant before one was chosen"
        return merchant

    @property
    def menu(self) -> Menu:
        menu = self.ports.menu(self.merchant.id)
        if menu is None:
            raise DomainError(OrderError.UNKNOWN_MERCHANT, f"{self.merchant.id!r} has no menu")
        return menu

    def local_now(self) -> datetime:
        return self.now.astimezone(self.merchant.tz)

    def say(self, text: str, **widgets: object) -> None:
        self.replies.append(Reply(text=text, **widgets))  # type: ignore[arg-type]

    def parse(self, text: str) -> ParseResult:
        merchant = self._merchants.get(self.state.merchant_id or "") or next(iter(self._merchants.values()))
        menu = self.ports.menu(merchant.id)
        assert menu is not None
        detect = self.state.language is None or len(text.split()) >= DETECT_WORDS
        result = parse_order(text, menu, language=None if detect else self.state.language, now=self.now,
                             tz=merchant.timezone)
        if result.language != self.state.language and (self.state.language is None or detect):
            self.state.language = result.language
            self.texts = Texts(result.language)
        return result

    # -- entry -----------------------------------------------------------------------------------------------

    def handle(self, inbound: Inbound) -> None:
        state = self.state
        if not self._merchants:
            log.warning("a conversation on an account that sells for no kitchen; nothing to answer")
            return
        if state.merchant_id is not None and state.merchant_id not in self._merchants:
            # The account no longer sells for that kitchen: start over rather than fail on every message.
            state.merchant_id, state.stage = None, Stage.NEW
            state.clear_cart()
        parsed = self.parse(inbound.text) if inbound.kind in (InboundKind.TEXT, InboundKind.VOICE) and inbound.text \
            else None
        if parsed is not None and parsed.intent is Intent.OPT_OUT:
            state.opted_out, state.human = True, False
            self.say(self.texts.t("opted_out"))
            return
        state.opted_out = False  # writing again is opting back in
        if state.human:
            return  # staff have the conversation; the message is stored for them
        if inbound.refers_to_items:
            state.referred_items = inbound.refers_to_items[:10]
        if state.merchant_id is None and not self.choose_merchant(inbound, parsed):
            return
        if state.stage is Stage.NEW:
            state.stage = Stage.ORDERING
        if inbound.kind is InboundKind.CHOICE and inbound.choice_id:
            self.on_choice(inbound.choice_id)
        elif inbound.kind is InboundKind.VOICE and (inbound.transcript_failed or not inbound.text):
            key = "voice_no_model" if inbound.transcript_failed == "no_model_for_language" else "voice_failed"
            self.say(self.texts.t(key))
        elif parsed is not None:
            self.on_text(inbound.text, parsed)
        elif inbound.kind is InboundKind.LOCATION and inbound.location is not None:
            self.on_location(inbound.location, inbound.place)
        elif inbound.kind is InboundKind.CATALOG_ORDER:
            self.on_catalog(inbound.catalog_items)
        elif inbound.kind is InboundKind.STORY_MENTION:
            self.say(self.texts.t("story_mention", name=self.first_name()), buttons=[self.menu_button()])
        elif inbound.kind is InboundKind.IMAGE:
            self.say(self.texts.t("image"), buttons=[self.menu_button()])
        else:
            self.say(self.texts.t("unsupported"), buttons=[self.menu_button()])

    def first_name(self) -> str:
        return self.customer.name.split()[0] if self.customer.name.strip() else ""

    def menu_button(self) -> Button:
        return Button(id="menu", title=self.texts.t("btn_menu"))

    # -- which kitchen ---------------------------------------------------------------------------------------

    def choose_merchant(self, inbound: Inbound, parsed: ParseResult | None) -> bool:
        """True once a merchant is chosen; otherwise asks, keeping what was typed for afterwards."""
        state, merchants = self.state, self._merchants
        chosen: str | None = None
        if len(merchants) == 1:
            chosen = next(iter(merchants))
        elif inbound.kind is InboundKind.CHOICE and (inbound.choice_id or "").startswith("merchant:"):
            chosen = inbound.choice_id.split(":", 1)[1] if inbound.choice_id.split(":", 1)[1] in merchants else None  # type: ignore[union-attr]
        elif parsed is not None and parsed.merchant_text:
            said = parsed.merchant_text.casefold()
            named = [m.id for m in merchants.values() if said in m.name.casefold() or m.name.casefold() in said]
            chosen = named[0] if len(named) == 1 else None
        if chosen is None:
            if parsed is not None and (parsed.lines or parsed.intent is Intent.ORDER):
                state.pending_text = inbound.text
            state.stage = Stage.CHOOSING_MERCHANT
            page = (inbound.choice_id or "").removeprefix("merchants:")
            self.replies.append(merchants_reply(list(merchants.values()), self.first_name(), self.texts,
                                                int(page) if page.isdecimal() else 0))
            return False
        state.merchant_id, state.stage = chosen, Stage.ORDERING
        if len(merchants) > 1 and inbound.kind is InboundKind.CHOICE:
            pending, state.pending_text = state.pending_text, ""
            if pending:
                self.on_text(pending, self.parse(pending))
            else:
                self.greet()
            return False  # the choice itself is handled
        return True

    # -- typed or spoken -------------------------------------------------------------------------------------

    def on_text(self, text: str, parsed: ParseResult) -> None:
        state, texts = self.state, self.texts
        if state.questions:
            head = state.questions[0]
            typed = match_option(head, text)
            if typed is None and head.kind in YES_NO:
                typed = YES_OPTION if texts.is_yes(text) else NO_OPTION if texts.is_no(text) else None
            if typed is not None and apply_answer(state, typed, self.menu):
                self.after_cart_change([])
                return
        intent = parsed.intent
        if not parsed.lines:
            command = {Intent.HUMAN: self.hand_over, Intent.STATUS: self.tell_status, Intent.CANCEL: self.cancel,
                       Intent.REPEAT: self.repeat, Intent.MENU: self.show_menu}.get(intent)
            if command is not None:
                command()
                return
            if state.stage is Stage.TIME:
                self.on_time_text(parsed)
                return
            if state.stage is Stage.ADDRESS and parsed.location is None:
                self.on_address_text(text)
                return
            if state.stage is Stage.CONFIRMING and (intent is Intent.CONFIRM or texts.is_yes(text)):
                self.place()
                return
            if state.referred_items and self.on_referral(text, intent):
                return
            if intent is Intent.QUESTION:
                self.answer_question()
                return
        added, notes = apply_parse(state, parsed, self.menu)
        if parsed.fulfilment is not None:
            state.fulfilment = parsed.fulfilment
        if parsed.requested_time is not None:
            state.requested_time = parsed.requested_time
        if parsed.location is not None:
            self.set_location(parsed.location, parsed.address_text or "")
        for name in unavailable_names(parsed):
            self.say(texts.t("referred_unavailable", item=name))
        changed = added or parsed.removed_item_ids or parsed.change_last_line
        logistics = parsed.fulfilment or parsed.requested_time is not None or parsed.location
        if state.lines and (changed or logistics):
            notes = [n for n in notes if n not in self.what_to_order_texts(parsed)]
        for note in notes:
            self.say(note, buttons=[self.menu_button()])
        if changed or (state.questions and not notes):
            if intent is Intent.CONFIRM and not state.questions:
                self.checkout(prefix=self.added_text(added))
            else:
                self.after_cart_change(added)
        elif intent is Intent.CONFIRM and state.lines:
            self.checkout()
        elif logistics and state.lines:
            self.checkout()
        elif notes or unavailable_names(parsed):
            return
        elif intent is Intent.GREETING:
            self.greet()
        else:
            self.say(texts.t("not_understood"), buttons=[self.menu_button()])

    @staticmethod
    def what_to_order_texts(parsed: ParseResult) -> set[str]:
        return {q.text for q in parsed.questions if q.kind is QuestionKind.WHAT_TO_ORDER}

    def on_referral(self, text: str, intent: Intent) -> bool:
        """A reply to a post or story: 'is this available?' describes its dishes, '2 of these' orders them."""
        menu = self.menu
        items = [i for i in (menu.item(r) for r in self.state.referred_items) if i is not None]
        if not items or intent not in (Intent.UNKNOWN, Intent.QUESTION, Intent.ORDER, Intent.GREETING):
            return False
        quantity = self.quantity_in(text)
        if quantity and len(items) == 1:
            line = new_line(menu, items[0].id, quantity, self.state.language)
            assert line is not None
            add_line(self.state, line, menu)
            self.after_cart_change([line])
            return True
        lang = self.texts.language
        for item in items[:MAX_BUTTONS]:
            name = item.name_in(lang)
            if not menu.is_available(item, self.local_now()) or item.stock == 0:
                self.say(self.texts.t("referred_unavailable", item=name))
                continue
            text_out = self.texts.t("referred_item", item=name, price=price_text(item, menu.currency, self.texts))
            self.say(f"{text_out} {self.texts.t('referred_available')}", buttons=[
                Button(id=f"add:{item.id}:1", title=self.texts.t("btn_add_one")),
                Button(id=f"add:{item.id}:2", title=self.texts.t("btn_add_two"))])
        return True

    def quantity_in(self, text: str) -> int | None:
        digits = re.search(r"\b(\d{1,3})\b", text)
        if digits:
            return int(digits.group(1)) or None
        lexicon = lexicon_for(self.texts.language if self.texts.language in available_languages() else "en")
        for word in text.split():
            number = lexicon.phrases.get(phrase_key(word), {}).get("number")
            if isinstance(number, int) and number > 0:
                return number
        return None

    # -- taps ------------------------------------------------------------------------------------------------

    def on_choice(self, choice: str) -> None:
        head, _, rest = choice.partition(":")
        simple = {"menu": self.show_menu, "checkout": self.checkout, "confirm": self.confirm,
                  "change": self.change, "cancel_cart": self.clear_cart, "status": self.tell_status,
                  "human": self.hand_over, "repeat": self.repeat}
        if not rest and head in simple:
            simple[head]()
        elif head == "menu" and rest.isdecimal():
            self.show_menu(int(rest))
        elif head == "cat":
            category, _, page = rest.partition(":")
            reply = items_reply(self.menu, category, self.local_now(), self.texts, int(page) if page.isdecimal() else 0)
            self.replies.append(reply) if reply else self.show_menu()
        elif head == "add":
            item_id, _, quantity = rest.partition(":")
            line = new_line(self.menu, item_id, int(quantity) if quantity.isdecimal() else 1, self.state.language)
            if line is None:
                self.show_menu()
                return
            add_line(self.state, line, self.menu)
            self.after_cart_change([line])
        elif head == "q":
            serial, _, option = rest.partition(":")
            if serial == str(self.state.asked) and apply_answer(self.state, option, self.menu):
                self.after_cart_change([])
            else:
                self.after_cart_change([])  # a stale tap: ask what is pending now
        elif head == "ful" and rest in ("delivery", "pickup"):
            self.state.fulfilment = FulfilmentType(rest)
            self.checkout()
        elif head == "addr" and rest.isdecimal():
            saved = [a for a in self.customer.addresses if a.location is not None]
            if int(rest) < len(saved):
                self.state.address = saved[int(rest)]
            self.checkout()
        elif head == "time" and rest == "asap":
            self.state.requested_time = RequestedTime()
            self.checkout()
        elif head == "time" and rest == "later":
            self.state.stage = Stage.TIME
            self.say(self.texts.t("ask_time_text"))
        else:
            self.say(self.texts.t("not_understood"), buttons=[self.menu_button()])

    # -- other message kinds ---------------------------------------------------------------------------------

    def set_location(self, point: GeoPoint, place: str) -> None:
        label = place.strip() or f"{point.lat:.5f}, {point.lon:.5f}"
        self.state.address = Address(line1=clip(label, 200), location=point)
        if self.merchant.offers_delivery:
            self.state.fulfilment = FulfilmentType.DELIVERY

    def on_location(self, point: GeoPoint, place: str) -> None:
        self.set_location(point, place)
        if self.state.lines:
            self.checkout()
        else:
            self.say(self.texts.t("cart_empty"), buttons=[self.menu_button()])

    def on_catalog(self, items: list[CatalogItem]) -> None:
        menu, added = self.menu, []
        for entry in items:
            line = new_line(menu, entry.retailer_id, entry.quantity, self.state.language)
            if line is None:
                self.say(self.texts.t("referred_unavailable", item=entry.retailer_id))
                continue
            add_line(self.state, line, menu)
            added.append(line)
        self.after_cart_change(added)
