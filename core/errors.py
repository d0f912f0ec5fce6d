"""One error base for the domain; codes are enums, mapped to HTTP only in server/errors.py."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Base of every domain error-code enum; the value is the stable public code."""


class OrderError(ErrorCode):
    EMPTY_CART = "empty_cart"
    UNKNOWN_MERCHANT = "unknown_merchant"
    UNKNOWN_ITEM = "unknown_item"
    UNKNOWN_VARIANT = "unknown_variant"
    VARIANT_REQUIRED = "variant_required"
    UNKNOWN_MODIFIER = "unknown_modifier"
    MODIFIER_NOT_ALLOWED = "modifier_not_allowed"
    MODIFIER_RULES = "modifier_rules"
    ITEM_UNAVAILABLE = "item_unavailable"
    OUT_OF_STOCK = "out_of_stock"
    INVALID_QUANTITY = "invalid_quantity"
    MIN_ORDER_VALUE = "min_order_value"
    OUTSIDE_DELIVERY_ZONE = "outside_delivery_zone"
    ADDRESS_REQUIRED = "address_required"
    FULFILMENT_NOT_OFFERED = "fulfilment_not_offered"
    MERCHANT_CLOSED = "merchant_closed"
    MERCHANT_PAUSED = "merchant_paused"
    SLOT_INVALID = "slot_invalid"
    INVALID_TIP = "invalid_tip"
    CURRENCY_MISMATCH = "currency_mismatch"
    ORDER_NOT_FOUND = "order_not_found"
    INVALID_TRANSITION = "invalid_transition"
    TRANSITION_FORBIDDEN = "transition_forbidden"
    REASON_REQUIRED = "reason_required"
    INVALID_PREP_TIME = "invalid_prep_time"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"


class PromoError(ErrorCode):
    UNKNOWN = "promo_unknown"
    NOT_YET_VALID = "promo_not_yet_valid"
    EXPIRED = "promo_expired"
    MIN_SUBTOTAL = "promo_min_subtotal"
    EXHAUSTED = "promo_exhausted"


class AccountError(ErrorCode):
    INVALID_CREDENTIALS = "invalid_credentials"
    NOT_AUTHENTICATED = "not_authenticated"
    FORBIDDEN = "forbidden"
    INVALID_PHONE = "invalid_phone"
    ALREADY_EXISTS = "already_exists"
    NOT_FOUND = "not_found"


class InputError(ErrorCode):
    INVALID = "invalid_input"


class ChannelError(ErrorCode):
    """Chat channel webhooks and conversations."""

    INVALID_SIGNATURE = "invalid_signature"
    VERIFY_TOKEN_MISMATCH = "verify_token_mismatch"
    NOT_A_WEBHOOK = "not_a_webhook"
    CONVERSATION_NOT_FOUND = "conversation_not_found"
    NOT_HANDED_OVER = "conversation_not_handed_over"
    ACCOUNT_NOT_FOUND = "channel_account_not_found"
    OPTED_OUT = "conversation_opted_out"
    OUTSIDE_WINDOW = "outside_messaging_window"
    POST_NOT_FOUND = "instagram_post_not_found"
    POST_NOT_PENDING = "instagram_post_not_pending"
    NO_IMAGE = "instagram_no_image"
    UNKNOWN_ITEMS = "instagram_unknown_items"
    NO_ACCOUNT = "instagram_not_configured"
    GRAPH_FAILED = "graph_api_failed"


class KitchenError(ErrorCode):
    """The kitchen tablet's own settings: availability hours, busy mode, per-line bumps."""

    INVALID_HOURS = "invalid_hours"
    INVALID_BUSY = "invalid_busy"
    UNKNOWN_LINE = "unknown_line"


class SyncError(ErrorCode):
    """Why `/sync/push` rejected an operation (beside the codes of the use case it reached)."""

    UNKNOWN_OPERATION = "unknown_operation"
    CLOCK_SKEW = "clock_skew"  # stamped further ahead of the server's clock than devices may drift
    CONFLICT = "conflict"  # it collides with stored data (an id or a unique value already taken)
    OPERATION_FAILED = "operation_failed"  # it could not be applied; logged for us to look at


@dataclass
class Problem:
    """One thing wrong with an input, e.g. one cart line; `line` is the 0-based cart line if any."""

    code: ErrorCode
    detail: str
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The problem as it appears in a problem-details body's `errors` list."""
        out: dict[str, Any] = {"code": str(self.code), "detail": self.detail}
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass
class DomainError(Exception):
    """A rule of the domain was broken. `problems` lists every issue when several were found."""

    code: ErrorCode
    detail: str = ""
    problems: list[Problem] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.code}: {self.detail}")

    @classmethod
    def from_problems(cls, problems: list[Problem]) -> "DomainError":
        """One error for several problems: the first one's code, all of them listed."""
        first = problems[0]
        detail = first.detail if len(problems) == 1 else f"{first.detail} (and {len(problems) - 1} more)"
        return cls(code=first.code, detail=detail, problems=list(problems))
