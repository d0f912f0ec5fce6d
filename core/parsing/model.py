"""What the order parser returns: a draft of cart lines, order-level details and questions back."""
from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from core.geo import GeoPoint
from core.menu import ModifierKind
from core.orders.cart import CartLine, FulfilmentType, LineModifier, RequestedTime


class Intent(StrEnum):
    """What the message asks for. ORDER covers adding, changing and removing lines."""

    ORDER = "order"
    MENU = "menu"
    STATUS = "status"
    CANCEL = "cancel"
    REPEAT = "repeat"
    HUMAN = "human"
    OPT_OUT = "opt_out"
    QUESTION = "question"  # about the merchant: "do you deliver?", "are you open?"
    GREETING = "greeting"
    CONFIRM = "confirm"  # "that's all", "confirm the order"
    UNKNOWN = "unknown"


class QuestionKind(StrEnum):
    UNKNOWN_ITEM = "unknown_item"  # not on the menu; options are the closest items
    CHOOSE_VARIANT = "choose_variant"  # the item has variants and none was named
    CHOOSE_OPTION = "choose_option"  # a modifier group with min_choices > 0 is not satisfied
    CHOOSE_ITEM = "choose_item"  # a category or an ambiguous name: which item?
    CONFIRM_LINE = "confirm_line"  # low confidence (fuzzy or inferred match)
    HALF_NOT_ALLOWED = "half_not_allowed"
    UNAVAILABLE = "unavailable"  # named an item that is 86'd
    WHAT_TO_ORDER = "what_to_order"  # wants to order but named nothing
    CONFIRM_TIME = "confirm_time"


class QuestionOption(BaseModel):
    id: str
    label: str


class Question(BaseModel):
    """A precise question back to the customer; `line` is the index into ParseResult.lines, if any."""

    kind: QuestionKind
    text: str
    line: int | None = None
    group_id: str | None = None
    options: list[QuestionOption] = Field(default_factory=list)
    matched_text: str = ""


class DraftLine(BaseModel):
    """A CartLine plus what the parser knows about it.

    `declined` holds modifiers the customer explicitly declined that change nothing in the cart
    ("no extra cheese"): kept so the dialogue does not offer them and the kitchen ticket can say so.
    """

    item_id: str
    variant_id: str | None = None
    quantity: int = Field(default=1, ge=1, le=999)
    modifiers: list[LineModifier] = Field(default_factory=list)
    declined: list[LineModifier] = Field(default_factory=list)
    instructions: str = ""
    display_name: str = ""
    confidence: float = Field(default=1.0, ge=0, le=1)
    matched_text: str = ""

    def to_cart_line(self) -> CartLine:
        """The core CartLine (instructions clipped to the cart's limit)."""
        return CartLine(
            item_id=self.item_id,
            variant_id=self.variant_id,
            quantity=self.quantity,
            modifiers=list(self.modifiers[:50]),
            instructions=self.instructions[:500],
        )

    def modifier_kinds(self, option_id: str) -> set[ModifierKind]:
        """How the line changes an option (add, extra, remove, light...)."""
        return {m.kind for m in self.modifiers if m.option_id == option_id}


class LastLineChange(BaseModel):
    """A correction that refers to a line of an earlier message ("actually make that three")."""

    quantity: int | None = Field(default=None, ge=1, le=999)
    variant_ids: list[str] = Field(default_factory=list, description="candidate variant ids named, if any")


class UnknownMention(BaseModel):
    """Something the customer asked for that is not on the menu (open vocabulary), e.g. '2 calzones'."""

    text: str
    quantity: int | None = None
    suggestions: list[str] = Field(default_factory=list, description="closest menu item ids")


class ParseResult(BaseModel):
    """The parse of one message. `requested_time` None means not mentioned; RequestedTime() means ASAP."""

    language: str
    intent: Intent = Intent.UNKNOWN
    lines: list[DraftLine] = Field(default_factory=list)
    removed_item_ids: list[str] = Field(default_factory=list, description="'forget the coke' with no such line here")
    change_last_line: LastLineChange | None = None
    instructions: str = ""
    requested_time: RequestedTime | None = None
    requested_time_text: str = ""
    fulfilment: FulfilmentType | None = None
    fulfilment_text: str = ""
    address_text: str | None = None
    location: GeoPoint | None = None
    merchant_text: str | None = None
    cuisines: list[str] = Field(default_factory=list, description="kinds of food named ('chinese'), as written")
    business_types: list[str] = Field(default_factory=list,
                                      description="kinds of business named ('restaurant'), not part of a name")
    asked_item_ids: list[str] = Field(default_factory=list,
                                      description="dishes a question names without ordering them ('do you have tiramisu?')")
    unknown: list[UnknownMention] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)

    def to_cart_lines(self) -> list[CartLine]:
        """The draft as core CartLines (the standard order format of every channel)."""
        return [line.to_cart_line() for line in self.lines]

    @property
    def needs_answer(self) -> bool:
        """The parse left questions for the customer."""
        return bool(self.questions)
