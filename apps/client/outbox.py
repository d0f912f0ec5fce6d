"""The outbox: every offline write as a durable, idempotent operation, shown in the UI before it is sent.

State machine of one entry (core.sync.operations.OperationState):

    ready ──claim──▶ in_flight ──server acked──▶ acked
      ▲                 │      ──server rejected─▶ rejected (+ code, detail)
      └──release / restart (network failed, process died)

The entry id is a UUIDv7 made here, once; it is the idempotency key, so sending an entry twice (a retry
after a lost answer) is applied once by the server and answered the same way. One Outbox per store and
process: creating it returns in_flight entries to ready, which is only right when nobody else is sending.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from core.ids import uuid7
from core.sync.hlc import HybridClock
from core.sync.operations import Entity, Operation, OperationResult, OperationState
from apps.client import clock as device_clock
from apps.client import optimistic
from apps.client.store import LocalStore

S = OperationState
_COLUMNS = ("seq, id, entity, op, entity_key, payload, hlc, device_id, state, code, detail, result, attempts, "
            "created_at, updated_at, coalesce(faults, 0)")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


@dataclass(frozen=True)
class OutboxEntry:
    """One operation as stored on the device."""

    seq: int
    id: str
    entity: str
    op: str
    entity_key: str
    payload: dict[str, Any]
    hlc: str
    device_id: str
    state: OperationState
    code: str | None
    detail: str | None
    result: dict[str, Any] | None
    attempts: int
    created_at: str
    updated_at: str
    faults: int = 0  # answers from the server that settled nothing (5xx, garbage), see apps.client.push

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> "OutboxEntry":
        (seq, id_, entity, op, key, payload, hlc, device, state, code, detail, result, attempts, created,
         updated, faults) = row
        return cls(seq, id_, entity, op, key, json.loads(payload), hlc, device, OperationState(state), code, detail,
                   json.loads(result) if result else None, attempts or 0, created, updated, faults)

    def operation(self) -> Operation:
        """The wire form sent to POST /sync/push."""
        return Operation(id=self.id, entity=Entity(self.entity), op=self.op, payload=self.payload, hlc=self.hlc,
                         device_id=self.device_id)


class Outbox:
    """The device's queue of operations, stored in its LocalStore."""

    def __init__(self, store: LocalStore, clock: HybridClock | None = None) -> None:
        self.store = store
        self.clock = clock or HybridClock(store.device_id)
        device_clock.restore(self.clock, store)
        self.recovered = self.recover()

    # -- writing ----------------------------------------------------------------------------------------------

    def enqueue(self, entity: str, op: str, payload: dict[str, Any]) -> OutboxEntry:
        """Queue one operation and apply it to the local view; durable (committed) before it returns."""
        return self.enqueue_many([(entity, op, payload)])[0]

    def enqueue_many(self, operations: Iterable[tuple[str, str, dict[str, Any]]]) -> list[OutboxEntry]:
        """Queue several operations in one local transaction (all or none)."""
        entries, now = [], _now()
        with self.store.transaction() as db:
            for entity, op, payload in operations:
                op_id = str(uuid7())
                key = optimistic.entity_key(entity, op, payload, op_id)
                row = (op_id, Entity(entity).value, op, key, json.dumps(payload), str(self.clock.now()),
                       self.store.device_id, S.READY.value, 0, 0, 0, now, now)
                cursor = db.execute("INSERT INTO outbox (id, entity, op, entity_key, payload, hlc, device_id, state, "
                                    "attempts, settled, dismissed, created_at, updated_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
                entries.append(OutboxEntry(cursor.lastrowid or 0, op_id, entity, op, key, payload, row[5],
                                           self.store.device_id, S.READY, None, None, None, 0, now, now))
            if entries:
                self.store.set_meta(device_clock.LAST_STAMP_META, entries[-1].hlc)
            self.refresh_many(dict.fromkeys((e.entity, e.entity_key) for e in entries))
        return entries

    def place_order(self, cart: dict[str, Any], customer_id: str | None = None) -> OutboxEntry:
        """Place an order (the POST /orders body); shown at once as a provisional order keyed by the op id."""
        payload = dict(cart) if customer_id is None else {**cart, "customer_id": customer_id}
        return self.enqueue("order", "place", payload)

    def transition_order(self, order_id: str, action: str, *, reason: str | None = None,
                         prep_minutes: int | None = None) -> OutboxEntry:
        """Move an order (accept, ready, pick_up, cancel...); the cached order shows the new status at once."""
        payload: dict[str, Any] = {"order_id": order_id, "action": action}
        if reason is not None:
            payload["reason"] = reason
        if prep_minutes is not None:
            payload["prep_minutes"] = prep_minutes
        return self.enqueue("order", "transition", payload)

    def adjust_stock(self, merchant_id: str, key: str, delta: int) -> OutboxEntry:
        """Add `delta` (e.g. -1) to a stock count; deltas from several devices add up on the server."""
        return self.enqueue("stock", "adjust", {"merchant_id": merchant_id, "key": key, "delta": int(delta)})

    def set_available(self, merchant_id: str, key: str, available: bool) -> OutboxEntry:
        """86 an item (False) or bring it back (True); the latest clock wins across devices."""
        return self.enqueue("stock", "set_available", {"merchant_id": merchant_id, "key": key,
                                                       "available": bool(available)})

    def set_line_bumped(self, merchant_id: str, order_id: str, line: int, bumped: bool) -> OutboxEntry:
        """Kitchen: one line of an order done (or not); every tablet sees it, the latest clock wins per line."""
        return self.enqueue("bumps", "set_line", {"merchant_id": merchant_id, "order_id": order_id, "line": int(line),
                                                  "bumped": bool(bumped)})

    def set_busy(self, merchant_id: str, kind: str, until: datetime | None = None,
                 extra_minutes: int = 0) -> OutboxEntry:
        """Kitchen busy mode: `paused` (no new orders) or `extra_prep` until `until`, or `off`."""
        return self.enqueue("busy", "set", {"merchant_id": merchant_id, "kind": kind, "extra_minutes": int(extra_minutes),
                                            "until": until.isoformat() if until else None})

    def set_hours(self, merchant_id: str, target: str, windows: list[dict[str, Any]]) -> OutboxEntry:
        """Owners: availability windows of `target` ('merchant', 'item:ID' or 'category:ID'); [] is always open."""
        return self.enqueue("hours", "set", {"merchant_id": merchant_id, "target": target, "windows": list(windows)})

    def set_profile(self, **fields: Any) -> OutboxEntry:
        """Change the signed-in customer's profile fields (name, language, ...); latest clock wins per field."""
        return self.enqueue("profile", "set", {"fields": fields})

    # -- the state machine ------------------------------------------------------------------------------------

    def recover(self) -> int:
        """in_flight → ready: a previous process died or lost the network before it heard back."""
        with self.store.transaction() as db:
            return db.execute("UPDATE outbox SET state = ?, updated_at = ? WHERE state = ?",
                              (S.READY.value, _now(), S.IN_FLIGHT.value)).rowcount

    def claim(self, limit: int) -> list[OutboxEntry]:
        """ready → in_flight for the oldest `limit` entries, in one local transaction, before they are sent."""
        with self.store.transaction() as db:
            # B608 (bandit) accepted: the SQL text is constant columns and generated ? placeholders; values are bound.
            rows = db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state = ? ORDER BY seq LIMIT ?",  # nosec B608
                              (S.READY.value, limit)).fetchall()
            if rows:
                db.execute(f"UPDATE outbox SET state = ?, attempts = attempts + 1, updated_at = ? "  # nosec B608
                           f"WHERE seq IN ({', '.join('?' * len(rows))})",
                           (S.IN_FLIGHT.value, _now(), *[r[0] for r in rows]))
        return [replace(OutboxEntry.from_row(r), state=S.IN_FLIGHT, attempts=(r[12] or 0) + 1) for r in rows]

    def release(self, ids: Iterable[str]) -> None:
        """in_flight → ready: the answer did not come; the entries will be sent again (same ids)."""
        ids = list(ids)
        with self.store.transaction() as db:
            db.conn.executemany("UPDATE outbox SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                                [(S.READY.value, _now(), op_id, S.IN_FLIGHT.value) for op_id in ids])

    def count_fault(self, ids: Iterable[str]) -> dict[str, int]:
        """The server failed on a batch holding these entries: one more fault each, and back to ready to be sent
        again (in smaller batches, see apps.client.push). Returns each entry's faults so far."""
        ids = list(ids)
        with self.store.transaction() as db:
            db.conn.executemany("UPDATE outbox SET faults = coalesce(faults, 0) + 1, state = CASE WHEN state = ? "
                                "THEN ? ELSE state END, updated_at = ? WHERE id = ?",
                                [(S.IN_FLIGHT.value, S.READY.value, _now(), op_id) for op_id in ids])
            # B608 (bandit) accepted: the SQL text is generated placeholders; the ids are bound.
            return dict(db.execute(f"SELECT id, faults FROM outbox WHERE id IN ({', '.join('?' * len(ids))})",  # nosec B608
                                   ids).fetchall()) if ids else {}

    def next_faults(self) -> int:
        """Faults of the oldest ready entry: the one the next batch starts with."""
        rows = self.store.execute("SELECT coalesce(faults, 0) FROM outbox WHERE state = ? ORDER BY seq LIMIT 1",
                                  (S.READY.value,))
        return rows[0][0] if rows else 0

    def record(self, results: Iterable[OperationResult]) -> list[OutboxEntry]:
        """Store the server's answers; returns the entries that became acked or rejected now. Answers for
        entries already final are ignored (the server gives the same answer for the same id anyway)."""
        touched: dict[tuple[str, str], dict[str, Any]] = {}
        now = _now()
        results = list(results)
        finished: list[OutboxEntry] = []
        undecided: list[tuple[str, str]] = []
        updates: list[tuple[Any, ...]] = []
        with self.store.transaction() as db:
            known = {r[1]: OutboxEntry.from_row(r) for r in db.execute(
                # B608 (bandit) accepted: the SQL text is constant columns and generated ? placeholders; values are bound.
                f"SELECT {_COLUMNS} FROM outbox WHERE id IN ({', '.join('?' * len(results))})",  # nosec B608
                [r.id for r in results]).fetchall()} if results else {}
            for result in results:
                entry = known.get(result.id)
                if entry is None or entry.state in (S.ACKED, S.REJECTED):
                    continue
                entity, op, key = entry.entity, entry.op, entry.entity_key
                if result.status not in (S.ACKED, S.REJECTED):  # the server has not decided: send again later
                    undecided.append((S.READY.value, result.id))
                    continue
                # Order answers carry a version and replace the cache at once; stock and profile answers may be
                # stale replays, so their effect stays shown until a pull brings the server's state (settle()).
                settled = 0 if result.status is S.ACKED and entity != "order" else 1
                updates.append((result.status.value, result.code, result.detail,
                                json.dumps(result.result) if result.result is not None else None, settled, now,
                                result.id))
                finished.append(replace(entry, state=result.status, code=result.code, detail=result.detail,
                                        result=result.result, updated_at=now))
                if entity == "order" or result.status is S.REJECTED:
                    # An acked stock or profile entry stays overlaid as it was: its view does not change yet.
                    touched.setdefault((entity, key), {})
                if result.status is S.REJECTED:
                    # The mark the UI shows on the entity, until dismissed: the server's own reason.
                    error = {"op_id": result.id, "op": op, "code": result.code, "detail": result.detail}
                    touched[(entity, key)] = {"sync_error": error}
                elif entity == "order" and isinstance(result.result, dict) and result.result.get("id"):
                    order_id = str(result.result["id"])
                    if self.store.put_server("order", order_id, result.result):
                        touched.setdefault(("order", order_id), {})
            db.conn.executemany("UPDATE outbox SET state = ? WHERE id = ?", undecided)
            db.conn.executemany("UPDATE outbox SET state = ?, code = ?, detail = ?, result = ?, settled = ?, "
                                "updated_at = ? WHERE id = ?", updates)
            self.refresh_many(touched)
        return finished

    def unsettled(self) -> list[str]:
        """Ids of acked entries whose effect is still overlaid on the cache (waiting for a pull)."""
        return [r[0] for r in self.store.execute("SELECT id FROM outbox WHERE state = ? AND settled = 0",
                                                 (S.ACKED.value,))]

    def settle(self, ids: Iterable[str]) -> None:
        """A pull that started after these entries were acked reached the end of the server's changes, so the
        cached server state includes their effect: stop overlaying them."""
        ids = list(ids)
        with self.store.transaction() as db:
            db.conn.executemany("UPDATE outbox SET settled = 1 WHERE id = ?", [(i,) for i in ids])
            touched = {}
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                # B608 (bandit) accepted: the SQL text is constant columns and generated ? placeholders; values are bound.
                for entity, key in db.execute(f"SELECT DISTINCT entity, entity_key FROM outbox WHERE id IN "  # nosec B608
                                              f"({', '.join('?' * len(chunk))})", chunk):
                    touched[(entity, key)] = None
            self.refresh_many(touched)

    def dismiss(self, op_id: str) -> None:
        """The user has seen a rejection: clear its mark (and drop a provisional order it left)."""
        with self.store.transaction() as db:
            row = db.execute("UPDATE outbox SET dismissed = 1 WHERE id = ? AND state = ? RETURNING entity, entity_key",
                             (op_id, S.REJECTED.value)).fetchone()
            if row:
                self.refresh(row[0], row[1], sync_error=None)

    def prune(self, older_than: timedelta = timedelta(days=7)) -> int:
        """Forget settled acked entries and dismissed rejections last touched before `older_than` ago (a busy
        tablet queues thousands a day); the clock's last stamp is kept in the store's meta, not here."""
        cutoff = (datetime.now(timezone.utc) - older_than).isoformat()
        with self.store.transaction() as db:
            return db.execute("DELETE FROM outbox WHERE updated_at < ? AND ((state = ? AND settled = 1) OR "
                              "(state = ? AND dismissed = 1))", (cutoff, S.ACKED.value, S.REJECTED.value)).rowcount

    # -- the local view ---------------------------------------------------------------------------------------

    def refresh(self, entity: str, key: str, **marks: Any) -> None:
        """Recompute what the UI shows for one entity: server state + this device's unsettled operations."""
        self.refresh_many({(entity, key): marks})

    def refresh_many(self, targets: dict[tuple[str, str], Any] | Iterable[tuple[str, str]]) -> None:
        """refresh() for many entities at once; `targets` maps (entity, key) to marks such as sync_error."""
        marks_of = {t: m or {} for t, m in targets.items()} if isinstance(targets, dict) else {t: {} for t in targets}
        by_entity: dict[str, list[str]] = {}
        for entity, key in marks_of:
            by_entity.setdefault(entity, []).append(key)
        with self.store.transaction() as db:
            role = self.store.get_meta("role")
            for entity, keys in by_entity.items():
                overlays: dict[str, list[tuple[str, str, str, str]]] = {}
                for i in range(0, len(keys), 500):
                    chunk = keys[i:i + 500]
                    for row in db.execute(
                            # B608 (bandit) accepted: the SQL text is constant columns and generated ? placeholders; values are bound.
                            f"SELECT entity_key, id, op, payload, state FROM outbox WHERE entity = ? AND entity_key IN "  # nosec B608
                            f"({', '.join('?' * len(chunk))}) AND (state IN (?, ?) OR (state = ? AND settled = 0) "
                            f"OR (state = ? AND op = 'place' AND dismissed = 0)) ORDER BY seq",
                            (entity, *chunk, S.READY.value, S.IN_FLIGHT.value, S.ACKED.value, S.REJECTED.value)):
                        overlays.setdefault(row[0], []).append(row[1:])
                # The common case after a sync: nothing pending, nothing to mark: show the server's state.
                plain = [k for k in keys if k not in overlays and not marks_of[(entity, k)]]
                self.store.show_server_state(entity, plain)
                for key in keys:
                    if key in overlays or marks_of[(entity, key)]:
                        self._overlay(entity, key, overlays.get(key, []), role, marks_of[(entity, key)])

    def _overlay(self, entity: str, key: str, rows: list[tuple[str, str, str, str]], role: str | None,
                 marks: dict[str, Any]) -> None:
        view = self.store.server_data(entity, key) if rows else None
        for op_id, op, payload, state in rows:
            view = optimistic.predict(entity, op, json.loads(payload), view, op_id=op_id, role=role,
                                      rejected=state == S.REJECTED.value)
        pending = sum(1 for r in rows if r[3] != S.REJECTED.value)
        self.store.set_view(entity, key, view, pending, **marks)

    # -- queries ----------------------------------------------------------------------------------------------

    def _entries_where(self, where: str, params: Sequence[Any] = ()) -> list[OutboxEntry]:
        # B608 (bandit) accepted: the SQL text is constant columns and generated ? placeholders; values are bound.
        rows = self.store.execute(f"SELECT {_COLUMNS} FROM outbox WHERE {where} ORDER BY seq", params)  # nosec B608
        return [OutboxEntry.from_row(r) for r in rows]

    def get(self, op_id: str) -> OutboxEntry | None:
        """One entry by id."""
        found = self._entries_where("id = ?", (op_id,))
        return found[0] if found else None

    def entries(self, state: OperationState | None = None) -> list[OutboxEntry]:
        """Every entry (or those in `state`), oldest first."""
        return self._entries_where("state = ?", (state.value,)) if state else self._entries_where("1")

    def rejected(self, *, include_dismissed: bool = False) -> list[OutboxEntry]:
        """Entries the server refused, with its `code` and `detail`: what the UI lists as "could not sync"."""
        return self._entries_where("state = ?" + ("" if include_dismissed else " AND dismissed = 0"),
                                   (S.REJECTED.value,))

    def counts(self) -> dict[str, int]:
        """How many entries are in each state."""
        found = dict(self.store.execute("SELECT state, count(*) FROM outbox GROUP BY state"))
        return {state.value: found.get(state.value, 0) for state in OperationState}

    def pending(self) -> int:
        """Entries not yet answered (ready or in_flight)."""
        counts = self.counts()
        return counts[S.READY.value] + counts[S.IN_FLIGHT.value]
