"""What a conversation turn takes and gives: channel-neutral inbound messages, replies and the state kept
between messages.

Channels (WhatsApp, Instagram) translate their webhooks into `Inbound` and render `Reply` in their own
widgets: reply buttons and lists on WhatsApp, quick replies on Instagram. The engine never sees a
channel's JSON, so the same dialogue serves both.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from core.geo import GeoPoint
from core.merchants import Address
from core.orders.cart import FulfilmentType, RequestedTime
from core.parsing import DraftLine, Question

# WhatsApp's limits, which the Instagram renderer also fits in: 3 reply buttons of 20 characters, lists
# of at most 10 rows whose titles have 24 characters and descriptions 72.
MAX_BUTTONS = 3
MAX_LIST_ROWS = 10
BUTTON_TITLE_CHARS = 20
ROW_TITLE_CHARS = 24
ROW_DESCRIPTION_CHARS = 72


class InboundKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"  # a tapped reply button, list row or quick reply: `choice_id` is what we sent
    LOCATION = "location"
    VOICE = "voice"  # an audio message, already transcribed into `text`
    IMAGE = "image"
    CATALOG_ORDER = "catalog_order"  # WhatsApp cart sent from the business's catalogue
    STORY_MENTION = "story_mention"
    UNSUPPORTED = "unsupported"


class CatalogItem(BaseModel):
    retailer_id: str  # our menu item id (catalogue products are synced with the menu's ids)
    quantity: int = Field(ge=1, le=999)


class Inbound(BaseModel):
    """One customer message. `refers_to_items` are menu items of the post or story it replies to."""

    kind: InboundKind
    text: str = Field(default="", max_length=4096)
    choice_id: str | None = None
    location: GeoPoint | None = None
    place: str = ""  # the location's name or address as the customer's app gave it
    catalog_items: list[CatalogItem] = Field(default_factory=list)
    refers_to_items: list[str] = Field(default_factory=list)
    transcript_failed: str | None = None  # VOICE whose audio could not be understood: the error code


class Button(BaseModel):
    id: str
    title: str


class Row(BaseModel):
    id: str
    title: str
    description: str = ""


class Section(BaseModel):
    title: str
    rows: list[Row]


class Reply(BaseModel):
    """One message to the customer: text, plus at most one kind of widget.

    `buttons` (≤ 3) become reply buttons; `sections` (≤ 10 rows in all) a list opened by `list_label`;
    `ask_location` a 'send your location' request. A renderer falls back to numbered text where its
    channel lacks the widget, so every choice can also be typed.
    """

    text: str
    buttons: list[Button] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    list_label: str = ""
    ask_location: bool = False

    @property
    def choices(self) -> list[Button | Row]:
        """Every button and list row of this reply, in the order shown (the numbered fallback's order)."""
        return [*self.buttons, *(row for s in self.sections for row in s.rows)]


class Stage(StrEnum):
    """Where the dialogue is. Commands (menu, status, cancel, human, stop) work in every stage."""

    NEW = "new"
    CHOOSING_MERCHANT = "choosing_merchant"
    ORDERING = "ordering"  # building the cart (browsing, typing, voice); questions may be pending
    FULFILMENT = "fulfilment"  # delivery or pickup?
    ADDRESS = "address"  # where to? (location pin or a saved address)
    TIME = "time"  # when? (ASAP or a time)
    CONFIRMING = "confirming"  # the priced summary is shown; confirm, change or cancel
    PLACED = "placed"  # the order is with the kitchen; status updates follow


class ConversationState(BaseModel):
    """Everything the dialogue remembers about one customer at one business, stored as JSON."""

    stage: Stage = Stage.NEW
    language: str | None = None
    merchant_id: str | None = None
    lines: list[DraftLine] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list, description="pending; the first one is asked")
    fulfilment: FulfilmentType | None = None
    address: Address | None = None
    requested_time: RequestedTime | None = None
    instructions: str = ""
    referred_items: list[str] = Field(default_factory=list, description="items of the post last replied to")
    pending_text: str = Field(default="", max_length=4096, description="typed before a kitchen was chosen")
    asked: int = Field(default=0, description="serial of the question last asked; stale taps are ignored")
    offered: list[Button] = Field(default_factory=list, description="the choices last shown, to match typed answers")
    last_order_id: str | None = None
    human: bool = False
    opted_out: bool = False
    turn: int = 0

    def clear_cart(self) -> None:
        """Forget the order being built (lines, questions, notes, delivery and time); the kitchen stays."""
        self.lines, self.questions, self.instructions = [], [], ""
        self.fulfilment, self.requested_time = None, None


class Turn(BaseModel):
    """What handling one message produced: the new state, the replies in order, and what happened."""

    state: ConversationState
    replies: list[Reply] = Field(default_factory=list)
    placed_order_id: str | None = None
    handed_over: bool = False


class OrderNotice(BaseModel):
    """An order's status change as the customer hears of it."""

    order_id: str
    number: int
    status: str
    fulfilment: FulfilmentType
    eta: datetime | None = None
    reason: str | None = None
    timezone: str = "UTC"
