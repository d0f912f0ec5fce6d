"""One turn of the dialogue as data: the state being changed, the message, the ports, the texts, and the
replies gathered so far. Every step (core/conversation/steps/) is a function over this context."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.conversation.model import Button, ConversationState, Inbound, InboundKind, Reply
from core.conversation.ports import ConversationPorts
from core.conversation.texts import Texts
from core.errors import DomainError, OrderError
from core.menu import Menu
from core.merchants import Customer, Merchant
from core.orders.cart import Channel
from core.parsing import ParseResult, parse_order

# A message this long is enough to change the conversation's language; shorter ones ("ok", "2", or a dish
# name of two or three words such as "poke de salmao": menus mix languages) keep the conversation's.
DETECT_WORDS = 4
# What stands in for a name a channel did not give: a channel's own name ("Instagram") or a phone number.
STAND_IN_NAMES = frozenset(channel.value for channel in Channel)


def addressed_name(customer: Customer) -> str:
    """The first name to greet the customer by, or '' when their profile gave none (the stored name is a
    phone number or the channel's name standing in for it)."""
    first = customer.name.split()[0] if customer.name.strip() else ""
    if not any(ch.isalpha() for ch in first) or first.casefold() in STAND_IN_NAMES:
        return ""
    return first


@dataclass
class TurnContext:
    """Everything one turn reads and writes. Steps change `state` and append to `replies`."""

    state: ConversationState
    inbound: Inbound
    ports: ConversationPorts
    now: datetime
    channel: Channel
    customer: Customer
    merchants: dict[str, Merchant]
    texts: Texts
    choice: str | None = None  # the tapped choice, or the offered choice the typed text names
    parsed: ParseResult | None = None  # the typed or spoken text, parsed against the current kitchen's menu
    replies: list[Reply] = field(default_factory=list)
    placed_order_id: str | None = None
    handed_over: bool = False
    keep_offered: bool = False  # the replies re-state the choices as text: typed answers still match them

    @classmethod
    def start(cls, state: ConversationState, inbound: Inbound, ports: ConversationPorts, now: datetime,
              channel: Channel) -> TurnContext:
        """A context over a copy of `state`, counted as the next turn."""
        customer = ports.customer()
        state = state.model_copy(deep=True)
        state.turn += 1
        # Until the customer writes, speak the language on their profile; their first words decide.
        return cls(state=state, inbound=inbound, ports=ports, now=now, channel=channel, customer=customer,
                   merchants={m.id: m for m in ports.merchants()}, texts=Texts(state.language or customer.language))

    @property
    def text(self) -> str:
        """What the customer typed or said ('' for taps, pins, pictures)."""
        return self.inbound.text if self.inbound.kind in (InboundKind.TEXT, InboundKind.VOICE) else ""

    @property
    def merchant(self) -> Merchant:
        """The kitchen of this conversation; only asked for once one is chosen."""
        merchant = self.merchants.get(self.state.merchant_id or "")
        assert merchant is not None, "asked for the merchant before one was chosen"
        return merchant

    @property
    def menu(self) -> Menu:
        """The chosen kitchen's menu."""
        return self.menu_of(self.merchant.id)

    def menu_of(self, merchant_id: str) -> Menu:
        """A kitchen's menu; a kitchen without one is the order core's unknown merchant."""
        menu = self.ports.menu(merchant_id)
        if menu is None:
            raise DomainError(OrderError.UNKNOWN_MERCHANT, f"{merchant_id!r} has no menu")
        return menu

    def local_now(self) -> datetime:
        """Now on the kitchen's clock (opening hours, 'tonight')."""
        return self.now.astimezone(self.merchant.tz)

    def say(self, text: str, **widgets: object) -> None:
        """Append a reply: text, with buttons, sections or a location request as keyword arguments."""
        self.replies.append(Reply(text=text, **widgets))  # type: ignore[arg-type]

    def named(self, key: str, **fields: object) -> str:
        """A text that greets by name, or its `<key>_unnamed` twin when the customer's name is unknown."""
        name = addressed_name(self.customer)
        return self.texts.t(key, name=name, **fields) if name else self.texts.t(f"{key}_unnamed", **fields)

    def menu_button(self) -> Button:
        """The 'Menu' button most replies end with."""
        return Button(id="menu", title=self.texts.t("btn_menu"))

    def parse(self, text: str, merchant_id: str | None = None, *, detect_language: bool = True) -> ParseResult:
        """Parse against a kitchen's menu (by default the chosen one, else the first); long enough messages
        set the conversation's language unless `detect_language` is False (a button's own title)."""
        merchant = self.merchants.get(merchant_id or self.state.merchant_id or "") \
            or next(iter(self.merchants.values()))
        state = self.state
        detect = state.language is None or (detect_language and len(text.split()) >= DETECT_WORDS)
        result = parse_order(text, self.menu_of(merchant.id), language=None if detect else state.language,
                             now=self.now, tz=merchant.timezone)
        if result.language != state.language and (state.language is None or detect):
            self.set_language(result.language)
        return result

    def set_language(self, language: str | None) -> None:
        """Speak `language` from now on (None: the customer's profile language until they write)."""
        self.state.language = language
        self.texts = Texts(language or self.customer.language)
