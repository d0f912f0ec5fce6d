"""What the planner reads before each run: open delivery orders and driver states, as routing inputs."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.orders.cart import OrderPriority
from core.orders.lifecycle import OrderStatus
from core.orders.model import Order
from core.routing import Location
from core.routing.dispatch import DispatchOrder, DriverState, Stage
from server.db.uow import SqlUnitOfWork
from server.dispatch import store

DISPATCH_STATUSES = (OrderStatus.ACCEPTED, OrderStatus.PREPARING, OrderStatus.READY, OrderStatus.PICKED_UP)
STAGES = {OrderStatus.ACCEPTED: Stage.COOKING, OrderStatus.PREPARING: Stage.COOKING,
          OrderStatus.READY: Stage.READY, OrderStatus.PICKED_UP: Stage.ON_BOARD}
WEIGHTS = {OrderPriority.NORMAL: 1.0, OrderPriority.HIGH: 1.5, OrderPriority.URGENT: 3.0}
VIP_WEIGHT = 2.0
MAX_OPEN_ORDERS = 5000


@dataclass
class Snapshot:
    """Inputs of one planner run, plus what the views show about each order."""

    now: datetime
    orders: list[DispatchOrder]
    drivers: list[DriverState]
    versions: dict[str, int]  # order id -> version read, to skip orders that changed while solving
    info: dict[str, dict[str, Any]] = field(default_factory=dict)


def dispatch_order(order: Order, pickup: Location, locked_to: str | None) -> DispatchOrder:
    address = order.quote.fulfilment.address
    dropoff = Location(address.location.lat, address.location.lon) if address and address.location else None
    weight = WEIGHTS.get(order.quote.priority, 1.0) * (VIP_WEIGHT if order.vip else 1.0)
    return DispatchOrder(order.id, pickup, dropoff, STAGES[order.status], order.ready_at, order.promised_at,
                         order.driver_id, locked_to, 1, weight, order.eta)


def order_info(order: Order, merchant_name: str) -> dict[str, Any]:
    address = order.quote.fulfilment.address
    return {"number": order.number, "status": str(order.status), "merchant_id": order.merchant_id,
            "merchant_name": merchant_name, "address": address.line1 if address else None,
            "promised_at": order.promised_at.isoformat() if order.promised_at else None}


def read_snapshot(uow: SqlUnitOfWork, now: datetime) -> Snapshot:
    open_orders = [o for o in uow.orders.list(statuses=list(DISPATCH_STATUSES), limit=MAX_OPEN_ORDERS)
                   if o.is_delivery]
    held = store.locks(uow.conn)
    orders, info, versions = [], {}, {}
    for order in open_orders:
        merchant = uow.catalog.merchant(order.merchant_id)
        if merchant is None:
            continue
        pickup = Location(merchant.location.lat, merchant.location.lon)
        orders.append(dispatch_order(order, pickup, held.get(order.id)))
        info[order.id] = order_info(order, merchant.name)
        versions[order.id] = order.version
    return Snapshot(now, orders, store.driver_states(uow.conn), versions, info)
