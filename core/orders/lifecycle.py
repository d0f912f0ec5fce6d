"""The order lifecycle: statuses, one transition table, and who may make each move.

    placed ──accept──▶ accepted ──start──▶ preparing ──ready──▶ ready ──pick_up──▶ picked_up ──deliver──▶ delivered
      │                   │                    │   ▲                │ (pickup orders: hand_over ──▶ delivered)
      ├──reject──▶ rejected                    │   └────recall──────┘
      └──cancel──▶ cancelled ◀──cancel── (accepted, preparing, ready: merchant/admin only)
    accepted/preparing/ready/picked_up ──fail──▶ failed
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import DomainError, OrderError


class OrderStatus(StrEnum):
    PLACED = "placed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PREPARING = "preparing"
    READY = "ready"
    PICKED_UP = "picked_up"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    FAILED = "failed"

    @property
    def is_terminal(self) -> bool:
        """No move leaves this status."""
        return self in TERMINAL

    @property
    def is_open(self) -> bool:
        """The order is still moving."""
        return self not in TERMINAL


TERMINAL = frozenset({OrderStatus.REJECTED, OrderStatus.DELIVERED, OrderStatus.CANCELLED, OrderStatus.FAILED})
RELEASES_STOCK = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED})


class Role(StrEnum):
    CUSTOMER = "customer"
    MERCHANT_STAFF = "merchant_staff"
    MERCHANT_OWNER = "merchant_owner"
    DRIVER = "driver"
    DISPATCHER = "dispatcher"
    ADMIN = "admin"
    SYSTEM = "system"


class Action(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    START = "start"
    READY = "ready"
    RECALL = "recall"
    PICK_UP = "pick_up"
    DELIVER = "deliver"
    HAND_OVER = "hand_over"
    CANCEL = "cancel"
    FAIL = "fail"


S, R = OrderStatus, Role
MERCHANT = frozenset({R.MERCHANT_STAFF, R.MERCHANT_OWNER})
BACK_OFFICE = frozenset({R.ADMIN, R.SYSTEM})


@dataclass(frozen=True)
class Move:
    action: Action
    source: OrderStatus
    target: OrderStatus
    roles: frozenset[Role]
    needs_reason: bool = False
    delivery_only: bool | None = None  # True: delivery orders only; False: pickup only; None: both


TRANSITIONS: tuple[Move, ...] = (
    Move(Action.ACCEPT, S.PLACED, S.ACCEPTED, MERCHANT | BACK_OFFICE),
    Move(Action.REJECT, S.PLACED, S.REJECTED, MERCHANT | BACK_OFFICE, needs_reason=True),
    Move(Action.START, S.ACCEPTED, S.PREPARING, MERCHANT | BACK_OFFICE),
    Move(Action.READY, S.ACCEPTED, S.READY, MERCHANT | BACK_OFFICE),
    Move(Action.READY, S.PREPARING, S.READY, MERCHANT | BACK_OFFICE),
    Move(Action.RECALL, S.READY, S.PREPARING, MERCHANT | BACK_OFFICE),
    Move(Action.PICK_UP, S.READY, S.PICKED_UP, MERCHANT | BACK_OFFICE | {R.DRIVER}, delivery_only=True),
    Move(Action.DELIVER, S.PICKED_UP, S.DELIVERED, BACK_OFFICE | {R.DRIVER}, delivery_only=True),
    Move(Action.HAND_OVER, S.READY, S.DELIVERED, MERCHANT | BACK_OFFICE, delivery_only=False),
    # A customer may cancel only before the kitchen has accepted.
    Move(Action.CANCEL, S.PLACED, S.CANCELLED, MERCHANT | BACK_OFFICE | {R.CUSTOMER}, needs_reason=True),
    Move(Action.CANCEL, S.ACCEPTED, S.CANCELLED, MERCHANT | BACK_OFFICE, needs_reason=True),
    Move(Action.CANCEL, S.PREPARING, S.CANCELLED, MERCHANT | BACK_OFFICE, needs_reason=True),
    Move(Action.CANCEL, S.READY, S.CANCELLED, MERCHANT | BACK_OFFICE, needs_reason=True),
    Move(Action.FAIL, S.ACCEPTED, S.FAILED, BACK_OFFICE, needs_reason=True),
    Move(Action.FAIL, S.PREPARING, S.FAILED, BACK_OFFICE, needs_reason=True),
    Move(Action.FAIL, S.READY, S.FAILED, BACK_OFFICE | {R.DRIVER}, needs_reason=True),
    Move(Action.FAIL, S.PICKED_UP, S.FAILED, BACK_OFFICE | {R.DRIVER}, needs_reason=True),
)
_BY_KEY = {(m.action, m.source): m for m in TRANSITIONS}


def find_move(action: Action, source: OrderStatus, role: Role, *, is_delivery: bool, reason: str | None) -> Move:
    """The move `role` may make with `action` from `source`, or the DomainError that says why not."""
    move = _BY_KEY.get((action, source))
    if move is None or (move.delivery_only is not None and move.delivery_only != is_delivery):
        raise DomainError(
            OrderError.INVALID_TRANSITION,
            f"cannot {action} an order that is {source}",
            extra={"from": str(source), "action": str(action)},
        )
    if role not in move.roles:
        raise DomainError(
            OrderError.TRANSITION_FORBIDDEN,
            f"a {role} may not {action} an order that is {source}",
            extra={"from": str(source), "action": str(action), "role": str(role)},
        )
    if move.needs_reason and not (reason and reason.strip()):
        raise DomainError(OrderError.REASON_REQUIRED, f"to {action} an order, give a reason")
    return move


def allowed_actions(source: OrderStatus, role: Role, *, is_delivery: bool) -> list[Action]:
    """Actions `role` can take now: what a UI shows as buttons."""
    return [
        m.action for m in TRANSITIONS
        if m.source is source and role in m.roles and (m.delivery_only is None or m.delivery_only == is_delivery)
    ]
