"""SQL implementations of the order ports (core.orders.ports) on one SQLAlchemy connection."""
from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, and_, func, select, tuple_, update

from core.errors import DomainError, OrderError, PromoError
from core.menu import Menu
from core.merchants import Customer, Merchant
from core.orders.lifecycle import OrderStatus
from core.orders.model import Order, OrderEvent
from core.orders.promos import Promo
from server.db import tables as t
from server.db.catalog_cache import CatalogCache, load_catalog
from server.db.changes import record_change, record_stock
from server.db.raw import Raw, placeholders
from server.events import CatalogChanged, CustomerChanged

if TYPE_CHECKING:
    from server.events import Event, EventBus


class BatchState:
    """What the units of one writer batch share: the driver handle, savepoint names, and the merchants and
    customers a unit changed (read past the cache for the rest of the batch, so a later unit sees them)."""

    def __init__(self, raw: Raw) -> None:
        self.raw = raw
        self.touched_merchants: set[str] = set()
        self.touched_customers: set[str] = set()
        self._savepoints = 0

    def savepoint_name(self) -> str:
        self._savepoints += 1
        return f"sp_{self._savepoints}"


class SqlCatalog:
    def __init__(self, conn: Connection, cache: CatalogCache, state: BatchState) -> None:
        self.conn, self.cache, self.state = conn, cache, state

    def _catalog(self, merchant_id: str) -> tuple[Merchant | None, Menu | None]:
        if merchant_id in self.state.touched_merchants:
            return load_catalog(self.conn, merchant_id)
        return self.cache.get(self.conn, merchant_id)

    def merchant(self, merchant_id: str) -> Merchant | None:
        return self._catalog(merchant_id)[0]

    def menu(self, merchant_id: str) -> Menu | None:
        return self._catalog(merchant_id)[1]

    def promo(self, code: str) -> Promo | None:
        row = self.conn.execute(select(t.promos.c.doc, t.promos.c.uses).where(t.promos.c.code == code)).first()
        if row is None:
            return None
        promo = Promo.model_validate_json(row.doc)
        promo.uses = row.uses
        return promo

    def customer(self, customer_id: str) -> Customer | None:
        if customer_id in self.state.touched_customers:
            return self.cache.load_customer(self.conn, customer_id)
        return self.cache.customer(self.conn, customer_id)


KEEP_COUNT = "keep"  # a stock change that leaves the count as it is


class SqlStock:
    def __init__(self, conn: Connection, raw: Raw) -> None:
        self.conn = conn
        self.raw = raw

    def reserve(self, merchant_id: str, units: dict[str, int]) -> None:
        if not units:
            return
        params: dict[str, object] = dict(zip(_stock_params(len(units)), units))
        params["m"] = merchant_id
        rows = {key: (count, available)
                for key, count, available in self.raw.execute(_stock_rows_sql(len(units)), params).fetchall()}
        counted = []
        for key, n in units.items():
            count, available = rows.get(key, _NO_STOCK_ROW)
            if not available:
                raise DomainError(OrderError.ITEM_UNAVAILABLE, f"{key.partition(':')[2]} is not available")
            if count is not None:
                if count < n:
                    raise DomainError(OrderError.OUT_OF_STOCK,
                                      f"only {count} of {key.partition(':')[2]} left, {n} wanted")
                counted.append((key, n))
        for key, n in counted:
            # The guard makes the decrement safe even against another process's concurrent order.
            left = self.raw.execute("UPDATE stock SET count = count - :n WHERE merchant_id = :m AND key = :k "
                                    "AND count >= :n RETURNING count", {"n": n, "m": merchant_id, "k": key}).fetchone()
            if left is None:
                raise DomainError(OrderError.OUT_OF_STOCK, f"{key.partition(':')[2]} just sold out")
            record_stock(self.raw, merchant_id, key, left[0], True)

    def release(self, merchant_id: str, units: dict[str, int]) -> None:
        for key, n in units.items():
            self.adjust(merchant_id, key, n)

    def row(self, merchant_id: str, key: str) -> dict[str, object] | None:
        found = self.raw.execute("SELECT count, available, available_hlc FROM stock WHERE merchant_id = :m "
                                 "AND key = :k", {"m": merchant_id, "k": key}).fetchone()
        if found is None:
            return None
        return {"key": key, "count": found[0], "available": bool(found[1]), "available_hlc": found[2]}

    def adjust(self, merchant_id: str, key: str, delta: int) -> None:
        """Add `delta` to a counted stock row, never going below zero (offline tablets' deltas add up)."""
        left = self.raw.execute(
            "UPDATE stock SET count = CASE WHEN count + :d < 0 THEN 0 ELSE count + :d END "
            "WHERE merchant_id = :m AND key = :k AND count IS NOT NULL RETURNING count, available",
            {"d": delta, "m": merchant_id, "k": key}).fetchone()
        if left is not None:
            record_stock(self.raw, merchant_id, key, left[0], left[1])

    def set(self, merchant_id: str, key: str, *, count: int | None | str = KEEP_COUNT,
            available: bool | None = None, hlc: str | None = None) -> None:
        """Staff edits: set a count (None = not counted) and/or the 86 flag (stamped with `hlc` if given)."""
        values: dict[str, object] = {}
        if count != KEEP_COUNT:
            values["count"] = count
        if available is not None:
            values["available"] = available
            values["available_hlc"] = hlc
        if values:
            self.conn.execute(update(t.stock).where(t.stock.c.merchant_id == merchant_id, t.stock.c.key == key)
                              .values(**values))
            now = self.row(merchant_id, key)
            if now is not None:
                record_stock(self.raw, merchant_id, key, now["count"], now["available"])  # type: ignore[arg-type]


_NO_STOCK_ROW = (None, False)  # a key without a stock row is not on sale


@functools.lru_cache(maxsize=64)
def _stock_rows_sql(count: int) -> str:
    # B608 (bandit) accepted: the SQL text is constant column names and generated placeholders; values are bound.
    return f"SELECT key, count, available FROM stock WHERE merchant_id = :m AND key IN ({placeholders('k', count)})"  # nosec B608


@functools.lru_cache(maxsize=64)
def _stock_params(count: int) -> tuple[str, ...]:
    return tuple(f"k{i}" for i in range(count))


class SqlPromos:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def use(self, code: str) -> None:
        done = self.raw.execute("UPDATE promos SET uses = uses + 1 WHERE code = :c "
                                "AND (max_uses IS NULL OR uses < max_uses)", {"c": code}).rowcount
        if done != 1:
            raise DomainError(PromoError.EXHAUSTED, f"promo {code} is used up")


class SqlIdempotency:
    def __init__(self, raw: Raw) -> None:
        self.raw = raw

    def claim(self, key: str, fingerprint: str, order_id: str) -> tuple[str, str] | None:
        """One INSERT for a new key (the usual case); a key already taken costs a SELECT more."""
        inserted = self.raw.execute(
            "INSERT INTO idempotency_keys (key, fingerprint, order_id, created_at) VALUES (:k, :f, :o, :at) "
            "ON CONFLICT (key) DO NOTHING",
            {"k": key, "f": fingerprint, "o": order_id, "at": self.raw.now()},
        ).rowcount
        if inserted == 1:
            return None
        row = self.raw.execute("SELECT fingerprint, order_id FROM idempotency_keys WHERE key = :k",
                               {"k": key}).fetchone()
        return row[0], row[1]


def _event_row(order_id: str, e: OrderEvent, raw: Raw) -> dict[str, object]:
    return {"order_id": order_id, "seq": e.seq, "at": raw.timestamp(e.at), "actor_role": str(e.actor.role),
            "actor_id": e.actor.id, "action": e.action, "from_status": e.from_status and str(e.from_status),
            "to_status": str(e.to_status), "reason": e.reason,
            "data": json.dumps(e.data, default=str) if e.data else "{}"}


def _order_row(order: Order, raw: Raw) -> dict[str, object]:
    return {"id": order.id, "merchant_id": order.merchant_id, "customer_id": order.customer_id,
            "number": order.number, "status": str(order.status), "channel": str(order.quote.channel),
            "placed_at": raw.timestamp(order.placed_at), "promised_at": raw.timestamp(order.promised_at),
            "total": raw.number(order.total),
            "currency": order.quote.currency, "version": order.version,
            "doc": order_document(order)}


def order_document(order: Order) -> str:
    """What `orders.doc` and the change feed hold: the order's JSON without its events (kept as rows)."""
    return order.__pydantic_serializer__.to_json(order, exclude=_EVENTS).decode()


_EVENTS = {"events"}
ORDER_COLUMNS = ("id", "merchant_id", "customer_id", "number", "status", "channel", "placed_at", "promised_at",
                 "total", "currency", "version", "doc")
EVENT_COLUMNS = ("order_id", "seq", "at", "actor_role", "actor_id", "action", "from_status", "to_status", "reason",
                 "data")
# B608 (bandit) accepted: the SQL text is constant column names and generated placeholders; values are bound.
INSERT_ORDER = (f"INSERT INTO orders ({', '.join(ORDER_COLUMNS)}) "  # nosec B608
                f"VALUES ({', '.join(':' + c for c in ORDER_COLUMNS)})")
INSERT_EVENT = (f"INSERT INTO order_events ({', '.join(EVENT_COLUMNS)}) "  # nosec B608
                f"VALUES ({', '.join(':' + c for c in EVENT_COLUMNS)})")


class SqlOrders:
    def __init__(self, conn: Connection, raw: Raw) -> None:
        self.conn = conn
        self.raw = raw
        self._written: dict[str, tuple[int, str]] = {}

    def add(self, order: Order) -> None:
        row = _order_row(order, self.raw)
        self.raw.execute(INSERT_ORDER, row)
        self.raw.executemany(INSERT_EVENT, [_event_row(order.id, e, self.raw) for e in order.events])
        self._changed(order, row["doc"])  # type: ignore[arg-type]

    def written_document(self, order_id: str, version: int) -> str | None:
        """The document (the order's JSON without its events) this unit of work wrote for that version of the
        order, if it wrote one: the response is built from it instead of encoding the order again."""
        found = self._written.get(order_id)
        return found[1] if found is not None and found[0] == version else None

    def _changed(self, order: Order, doc: str) -> None:
        self._written[order.id] = (order.version, doc)
        record_change(self.raw, "order", order.id, doc, merchant_id=order.merchant_id,
                      customer_id=order.customer_id, driver_id=order.driver_id)

    def _events(self, order_ids: list[str]) -> dict[str, list[OrderEvent]]:
        out: dict[str, list[OrderEvent]] = {i: [] for i in order_ids}
        rows = self.conn.execute(select(t.order_events).where(t.order_events.c.order_id.in_(order_ids))
                                 .order_by(t.order_events.c.order_id, t.order_events.c.seq))
        for r in rows:
            out[r.order_id].append(OrderEvent(
                seq=r.seq, at=r.at, actor={"role": r.actor_role, "id": r.actor_id}, action=r.action,
                from_status=r.from_status, to_status=r.to_status, reason=r.reason, data=json.loads(r.data)))
        return out

    def _hydrate(self, rows: list) -> list[Order]:  # type: ignore[type-arg]
        events = self._events([r.id for r in rows]) if rows else {}
        orders = []
        for r in rows:
            order = Order.model_validate_json(r.doc)
            order.events = events[r.id]
            orders.append(order)
        return orders

    def get(self, order_id: str) -> Order | None:
        rows = self.conn.execute(select(t.orders.c.id, t.orders.c.doc).where(t.orders.c.id == order_id)).all()
        found = self._hydrate(rows)
        return found[0] if found else None

    def save(self, order: Order, new_events: list[OrderEvent]) -> None:
        row = _order_row(order, self.raw)
        done = self.raw.execute(
            "UPDATE orders SET status = :status, version = :version, doc = :doc, promised_at = :promised_at "
            "WHERE id = :id AND version = :previous",
            {"status": row["status"], "version": row["version"], "doc": row["doc"],
             "promised_at": row["promised_at"], "id": order.id, "previous": order.version - len(new_events)},
        ).rowcount
        if done != 1:
            raise DomainError(OrderError.INVALID_TRANSITION, "the order changed meanwhile; reload it and retry")
        self.raw.executemany(INSERT_EVENT, [_event_row(order.id, e, self.raw) for e in new_events])
        self._changed(order, row["doc"])  # type: ignore[arg-type]

    def next_number(self, merchant_id: str) -> int:
        row = self.raw.execute("UPDATE order_counters SET last_number = last_number + 1 WHERE merchant_id = :m "
                               "RETURNING last_number", {"m": merchant_id}).fetchone()
        if row is not None:
            return int(row[0])
        self.raw.execute("INSERT INTO order_counters (merchant_id, last_number) VALUES (:m, 1)", {"m": merchant_id})
        return 1

    def list(self, *, merchant_id: str | None = None, customer_id: str | None = None,
             statuses: list[OrderStatus] | None = None, placed_after: datetime | None = None,
             limit: int = 50, before: tuple[datetime, str] | None = None) -> list[Order]:
        c = t.orders.c
        query = select(c.id, c.doc).order_by(c.placed_at.desc(), c.id.desc()).limit(limit)
        conditions = []
        if merchant_id is not None:
            conditions.append(c.merchant_id == merchant_id)
        if customer_id is not None:
            conditions.append(c.customer_id == customer_id)
        if statuses:
            conditions.append(c.status.in_([str(s) for s in statuses]))
        if placed_after is not None:
            conditions.append(c.placed_at >= placed_after)
        if before is not None:
            conditions.append(tuple_(c.placed_at, c.id) < tuple_(*before))
        if conditions:
            query = query.where(and_(*conditions))
        return self._hydrate(self.conn.execute(query).all())

    def count(self) -> int:
        return self.conn.execute(select(func.count()).select_from(t.orders)).scalar_one()


class SqlUnitOfWork:
    """Ports over one connection. Inside the writer each unit of work is a SAVEPOINT of the batch's
    transaction: a unit that returns is committed with its batch, one that raises is rolled back alone.
    Read-only units (`Services.read`) run on a connection of their own and write nothing."""

    def __init__(self, conn: Connection, cache: CatalogCache, state: BatchState | None = None,
                 bus: "EventBus | None" = None) -> None:
        self.conn = conn
        self.cache = cache
        # One driver-level handle (shared by a batch's units): reaching the DBAPI connection costs ~15 µs.
        self.state = state or BatchState(Raw(conn))
        self.raw = self.state.raw
        self.bus = bus
        self.catalog = SqlCatalog(conn, cache, self.state)
        self.stock = SqlStock(conn, self.raw)
        self.promos = SqlPromos(self.raw)
        self.idempotency = SqlIdempotency(self.raw)
        self.orders = SqlOrders(conn, self.raw)
        # Run once the batch holding this unit has committed (events' after-commit subscribers among them).
        self.after_commit: list[Callable[[], None]] = []

    def emit(self, event: "Event") -> None:
        """Tell the event's subscribers (see server.events); later reads in this batch see the change."""
        if isinstance(event, CatalogChanged):
            self.state.touched_merchants.add(event.merchant_id)
        elif isinstance(event, CustomerChanged):
            self.state.touched_customers.add(event.customer_id)
        if self.bus is not None:
            self.bus.emitted(self, event)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested scope of this unit: if the block raises, its writes and its after-commit hooks are
        undone and the exception propagates; the unit's earlier writes stay."""
        name = self.state.savepoint_name()
        self.raw.execute(f"SAVEPOINT {name}")
        hooks = len(self.after_commit)
        try:
            yield
        except BaseException:
            self.raw.script([f"ROLLBACK TO SAVEPOINT {name}", f"RELEASE SAVEPOINT {name}"])
            del self.after_commit[hooks:]
            raise
        self.raw.execute(f"RELEASE SAVEPOINT {name}")
