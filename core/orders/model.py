"""The Order aggregate: a placed quote plus its status, audit trail and timing."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field

from core.errors import DomainError, OrderError
from core.merchants import MAX_PREP_MINUTES
from core.orders.lifecycle import RELEASES_STOCK, Action, OrderStatus, Role, find_move
from core.orders.quote import Quote

# Who may hand deliveries to drivers and publish estimates (not a lifecycle move: the status stays).
DISPATCHING_ROLES = frozenset({Role.ADMIN, Role.SYSTEM, Role.DISPATCHER})


class Actor(BaseModel):
    """Who did something: a role and, except for the system, an account id."""

    role: Role
    id: str | None = None
    merchant_id: str | None = Field(default=None, description="the merchant a staff member works for")

    def can_see(self, order: "Order") -> bool:
        """Scope: merchants see their own orders, customers theirs, drivers those assigned to them."""
        if self.role in (Role.ADMIN, Role.SYSTEM, Role.DISPATCHER):
            return True
        if self.role in (Role.MERCHANT_STAFF, Role.MERCHANT_OWNER):
            return self.merchant_id is not None and self.merchant_id == order.merchant_id
        if self.role is Role.CUSTOMER:
            return self.id is not None and self.id == order.customer_id
        return self.id is not None and self.id == order.driver_id


class OrderEvent(BaseModel):
    """One move in an order's life; the audit trail is the list of these."""

    seq: int
    at: datetime
    actor: Actor
    action: str
    from_status: OrderStatus | None
    to_status: OrderStatus
    reason: str | None = None
    data: dict[str, object] = Field(default_factory=dict)


class Order(BaseModel):
    id: str
    number: int = 0
    customer_id: str | None = None
    quote: Quote
    status: OrderStatus = OrderStatus.PLACED
    placed_at: datetime
    promised_at: datetime | None = None
    prep_minutes: int | None = None
    ready_at: datetime | None = None
    vip: bool = False
    travel_minutes: int = 0
    driver_id: str | None = None
    eta: datetime | None = Field(default=None, description="when dispatch expects to deliver (delivery orders)")
    version: int = 1
    events: list[OrderEvent] = Field(default_factory=list)

    @property
    def merchant_id(self) -> str:
        """The kitchen the order is for."""
        return self.quote.merchant_id

    @property
    def total(self) -> Decimal:
        """What the customer pays, to the cent."""
        return self.quote.total

    @property
    def is_delivery(self) -> bool:
        """Delivered (as opposed to picked up)."""
        return self.quote.fulfilment.is_delivery

    @classmethod
    def place(cls, order_id: str, quote: Quote, *, by: Actor, now: datetime, customer_id: str | None = None,
              vip: bool = False, default_prep_minutes: int = 15, travel_minutes: int = 0) -> "Order":
        """A new order from a quote. The promised time is the slot, or now + prep + travel for ASAP."""
        slot = quote.requested_time.slot_start
        promised = slot if slot is not None else now + timedelta(minutes=default_prep_minutes + travel_minutes)
        placed = {"seq": 1, "at": now, "actor": by, "action": "place", "from_status": None,
                  "to_status": OrderStatus.PLACED}
        return cls.model_validate({"id": order_id, "customer_id": customer_id, "quote": quote, "placed_at": now,
                                   "promised_at": promised, "vip": vip, "travel_minutes": travel_minutes,
                                   "events": [placed]})

    def apply(self, action: Action, *, by: Actor, now: datetime, reason: str | None = None,
              prep_minutes: int | None = None) -> OrderEvent:
        """Make a lifecycle move, recording who, when, from, to and why. Raises DomainError if not allowed."""
        move = find_move(action, self.status, by.role, is_delivery=self.is_delivery, reason=reason)
        data: dict[str, object] = {}
        if action is Action.ACCEPT:
            if prep_minutes is None or not 1 <= prep_minutes <= MAX_PREP_MINUTES:
                raise DomainError(OrderError.INVALID_PREP_TIME,
                                  f"accepting needs prep minutes between 1 and {MAX_PREP_MINUTES}")
            self.prep_minutes = prep_minutes
            slot = self.quote.requested_time.slot_start
            if slot is not None:
                self.ready_at = max(now + timedelta(minutes=prep_minutes), slot - timedelta(minutes=self.travel_minutes))
            else:
                self.ready_at = now + timedelta(minutes=prep_minutes)
                self.promised_at = max(self.promised_at or now, self.ready_at + timedelta(minutes=self.travel_minutes))
            data = {"prep_minutes": prep_minutes, "ready_at": self.ready_at.isoformat(),
                    "promised_at": self.promised_at.isoformat() if self.promised_at else None}
        elif action is Action.READY:
            self.ready_at = now
        event = OrderEvent(seq=len(self.events) + 1, at=now, actor=by, action=str(action),
                           from_status=self.status, to_status=move.target, reason=reason, data=data)
        self.status = move.target
        self.events.append(event)
        self.version += 1
        return event

    def assign(self, driver_id: str | None, *, by: Actor, now: datetime, reason: str | None = None) -> OrderEvent:
        """Give the delivery to a driver (None: take it off its driver). An audited event; the status stays."""
        if by.role not in DISPATCHING_ROLES:
            raise DomainError(OrderError.TRANSITION_FORBIDDEN, f"a {by.role} may not assign drivers")
        self._check_dispatchable("assign")
        if self.status is OrderStatus.PICKED_UP and driver_id != self.driver_id:
            raise DomainError(OrderError.INVALID_TRANSITION,
                              f"the order is picked up: the food is with {self.driver_id}, it cannot change driver",
                              extra={"from": str(self.status), "action": "assign"})
        data: dict[str, object] = {"driver_id": driver_id, "previous_driver_id": self.driver_id}
        self.driver_id = driver_id
        if driver_id is None:
            self.eta = None
        return self._record("assign" if driver_id else "unassign", by, now, reason, data)

    def set_eta(self, eta: datetime | None, *, by: Actor, now: datetime) -> OrderEvent:
        """Record a new delivery estimate (dispatch re-planned); customers see it in the order and its events."""
        if by.role not in DISPATCHING_ROLES:
            raise DomainError(OrderError.TRANSITION_FORBIDDEN, f"a {by.role} may not set delivery estimates")
        self._check_dispatchable("eta")
        self.eta = eta
        return self._record("eta", by, now, None, {"eta": eta.isoformat() if eta else None,
                                                   "driver_id": self.driver_id})

    def _check_dispatchable(self, action: str) -> None:
        if not self.is_delivery or self.status.is_terminal:
            raise DomainError(OrderError.INVALID_TRANSITION,
                              f"cannot {action} {'a pickup' if not self.is_delivery else 'an'} order that is "
                              f"{self.status}", extra={"from": str(self.status), "action": action})

    def _record(self, action: str, by: Actor, now: datetime, reason: str | None,
                data: dict[str, object]) -> OrderEvent:
        event = OrderEvent(seq=len(self.events) + 1, at=now, actor=by, action=action, from_status=self.status,
                           to_status=self.status, reason=reason, data=data)
        self.events.append(event)
        self.version += 1
        return event

    @property
    def releases_stock(self) -> bool:
        """True once the order ended in a way that gives its reserved stock back."""
        return self.status in RELEASES_STOCK
