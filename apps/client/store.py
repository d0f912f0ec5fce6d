"""The device's local SQLite store (sqlite-utils, WAL): cached server state, the outbox table, sync metadata.

Every cached entity row keeps two JSON documents:

- `server`: the last state the server sent (pulled changes, acknowledged results). Server wins: it is only
  ever replaced by newer server state, never by local edits.
- `view`: what the UI reads: `server` with this device's not-yet-settled operations applied on top
  (see apps.client.outbox), plus `pending` (how many) and `sync_error` (the last rejection, if any).

One connection per store, shared by the UI thread and the sync worker behind a re-entrant lock; WAL lets
another process (a test, a debugging shell) read while this one writes.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from core.ids import uuid7
from core.orders.lifecycle import OrderStatus, Role, allowed_actions

# entity name in the sync protocol → cache table
TABLES = {"order": "orders", "stock": "stock", "profile": "profile", "bumps": "bumps", "busy": "busy",
          "hours": "hours"}
# A merchant's kitchen state (line bumps by order, busy mode, availability hours by target), kept per merchant.
KITCHEN_ENTITIES = ("bumps", "busy", "hours")
OPEN_STATUSES = ("placed", "accepted", "preparing", "ready", "picked_up")
_KEEP = object()

_ENTITY_COLUMNS = {"id": str, "server": str, "view": str, "pending": int, "sync_error": str}
_SCHEMA: dict[str, dict[str, Any]] = {
    "meta": {"key": str, "value": str},
    "orders": {**_ENTITY_COLUMNS, "merchant_id": str, "customer_id": str, "driver_id": str, "status": str,
               "number": int, "placed_at": str, "version": int, "provisional": int},
    "stock": {**_ENTITY_COLUMNS, "merchant_id": str, "key": str, "count": int, "available": int},
    "profile": dict(_ENTITY_COLUMNS),
    **{TABLES[e]: {**_ENTITY_COLUMNS, "merchant_id": str} for e in KITCHEN_ENTITIES},
    "menus": {"merchant_id": str, "data": str},
    "outbox": {"seq": int, "id": str, "entity": str, "op": str, "entity_key": str, "payload": str, "hlc": str,
               "device_id": str, "state": str, "code": str, "detail": str, "result": str, "attempts": int,
               "settled": int, "dismissed": int, "created_at": str, "updated_at": str, "faults": int},
}
_PKS = {"meta": "key", "menus": "merchant_id", "outbox": "seq"}
_INDEXES = [("orders", ["merchant_id", "status"]), ("orders", ["customer_id"]), ("orders", ["driver_id"]),
            ("stock", ["merchant_id", "key"]), ("outbox", ["state", "seq"]), ("outbox", ["entity", "entity_key"]),
            *((TABLES[e], ["merchant_id"]) for e in KITCHEN_ENTITIES)]


def stock_id(merchant_id: str, key: str) -> str:
    """The cache id of a stock row: stock keys are only unique within a merchant."""
    return f"{merchant_id}|{key}"


def row_id(entity: str, data: dict[str, Any]) -> str:
    """The cache id of an entity from its server data or an operation's payload (they name it alike)."""
    if entity == "order":
        return str(data.get("id") or data.get("order_id"))
    if entity == "stock":
        return stock_id(str(data.get("merchant_id")), str(data.get("key")))
    if entity == "hours":
        return stock_id(str(data.get("merchant_id")), str(data.get("target")))
    if entity == "bumps":
        return str(data.get("order_id"))
    if entity == "busy":
        return str(data.get("merchant_id"))
    return "me"  # profile: a device holds one, its signed-in customer's


class LocalStore:
    """The local database of one device (one file given by the app)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        # check_same_thread=False: the UI thread and the sync worker share the connection under self.lock.
        conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30.0)
        self.db = sqlite_utils.Database(conn)
        self.lock = threading.RLock()
        self.db.enable_wal()
        # FULL: an enqueued operation survives a power cut, not only a killed process (phones run flat).
        self.db.execute("PRAGMA synchronous=FULL")
        self._create_schema()
        self.device_id = self._device_id()

    def _create_schema(self) -> None:
        with self.lock, self.db.atomic():
            for name, columns in _SCHEMA.items():
                self.db[name].create(columns, pk=_PKS.get(name, "id"), if_not_exists=True)
                # A store made by an older version of the app gets the columns added since (NULL in old rows).
                missing = {c: t for c, t in columns.items() if c not in self.db[name].columns_dict}
                for column, kind in missing.items():
                    self.db[name].add_column(column, kind)
            for table, columns in _INDEXES:
                self.db[table].create_index(columns, if_not_exists=True)
            self.db["outbox"].create_index(["id"], unique=True, if_not_exists=True)

    def _device_id(self) -> str:
        """Generated once and kept: the node id of the device's clock and the `device_id` of its operations."""
        with self.transaction():
            existing = self.get_meta("device_id")
            if existing:
                return existing
            device_id = uuid7().hex  # no '-': a hybrid clock's node id must not contain one
            self.set_meta("device_id", device_id)
            return device_id

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One local transaction, all or nothing; holds the store's lock throughout. Nested calls join the
        outer transaction (no savepoints: nothing here wants a partial rollback, and they cost two statements)."""
        with self.lock:
            if self.db.conn.in_transaction:
                yield self.db
                return
            with self.db.atomic():
                yield self.db

    def execute(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """Run SQL under the lock; rows as dicts-like tuples are returned as a list."""
        with self.lock:
            return self.db.execute(sql, params).fetchall()

    # -- metadata ---------------------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A stored setting (device id, sync cursor, ...)."""
        rows = self.execute("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def set_meta(self, key: str, value: str | None) -> None:
        """Store a setting (None deletes it)."""
        with self.transaction():
            if value is None:
                self.db.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                                "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    @property
    def cursor(self) -> str | None:
        """Where the last pull stopped (opaque to the client); None before the first pull."""
        return self.get_meta("sync_cursor")

    # -- server state -----------------------------------------------------------------------------------------

    def server_data(self, entity: str, entity_id: str) -> dict[str, Any] | None:
        """The last server state of one cached entity, or None."""
        # B608 (bandit) accepted: table and column names are constants (TABLES, _QUERY_COLUMNS); values are bound.
        rows = self.execute(f"SELECT server FROM {TABLES[entity]} WHERE id = ?", (entity_id,))  # nosec B608
        return json.loads(rows[0][0]) if rows and rows[0][0] else None

    def put_server(self, entity: str, entity_id: str, data: dict[str, Any]) -> bool:
        """Store server state for an entity (server wins). Orders only move forward: an answer carrying an older
        `version` than the one cached (a replayed, stale result) is ignored. True if stored."""
        guard = ""
        if entity == "order":
            guard = (" WHERE coalesce(json_extract(orders.server, '$.version'), -1)"
                     " <= coalesce(json_extract(excluded.server, '$.version'), 0)")
        with self.transaction():
            # B608 (bandit) accepted: table and column names are constants (TABLES, _QUERY_COLUMNS); values are bound.
            return self.db.execute(f"INSERT INTO {TABLES[entity]} (id, server, pending) VALUES (?, ?, 0) "  # nosec B608
                                   f"ON CONFLICT(id) DO UPDATE SET server = excluded.server{guard}",
                                   (entity_id, json.dumps(data))).rowcount > 0

    def show_server_state(self, entity: str, entity_ids: list[str]) -> None:
        """For entities with nothing pending: the UI shows the server's document as is (set-based, no JSON
        through Python); rows with no server state (stand-ins for placed orders) go."""
        table, params = TABLES[entity], [(i,) for i in entity_ids]
        with self.transaction():
            # B608 (bandit) accepted: table and column names are constants (TABLES, _QUERY_COLUMNS); values are bound.
            self.db.conn.executemany(f"DELETE FROM {table} WHERE id = ? AND server IS NULL", params)  # nosec B608
            self.db.conn.executemany(f"UPDATE {table} SET view = server, pending = 0 WHERE id = ?", params)  # nosec B608
            if entity in _QUERY_COLUMNS:
                self.db.conn.executemany(f"UPDATE {table} SET {_QUERY_COLUMNS[entity]} WHERE id = ?", params)  # nosec B608

    def set_view(self, entity: str, entity_id: str, view: dict[str, Any] | None, pending: int,
                 sync_error: Any = _KEEP) -> None:
        """Write what the UI shows for an entity (None: the server's state as it is, or no row if there is none)."""
        table = TABLES[entity]
        error = () if sync_error is _KEEP else (json.dumps(sync_error) if sync_error else None,)
        set_error = "" if sync_error is _KEEP else ", sync_error = ?"
        with self.transaction():
            if view is None:
                # Nothing pending: show the server's document as is, without a JSON round trip through Python.
                # B608 (bandit) accepted: table and column names are constants (TABLES, _QUERY_COLUMNS); values are bound.
                self.db.execute(f"DELETE FROM {table} WHERE id = ? AND server IS NULL", (entity_id,))  # nosec B608
                self.db.execute(f"UPDATE {table} SET view = server, pending = 0{set_error} WHERE id = ?",  # nosec B608
                                (*error, entity_id))
            else:
                self.db.execute(f"INSERT INTO {table} (id, view, pending) VALUES (?, ?, ?) ON CONFLICT(id) "  # nosec B608
                                f"DO UPDATE SET view = excluded.view, pending = excluded.pending{set_error}",
                                (entity_id, json.dumps(view), pending, *error))
            if entity in _QUERY_COLUMNS:
                # B608 (bandit) accepted: table and column names are constants (TABLES, _QUERY_COLUMNS); values are bound.
                self.db.execute(f"UPDATE {table} SET {_QUERY_COLUMNS[entity]} WHERE id = ?", (entity_id,))  # nosec B608

    def sync_error(self, entity: str, entity_id: str) -> dict[str, Any] | None:
        """The last rejection recorded on an entity, if not cleared."""
        rows = self.execute(f"SELECT sync_error FROM {TABLES[entity]} WHERE id = ?", (entity_id,))  # nosec B608
        return json.loads(rows[0][0]) if rows and rows[0][0] else None

    def delete(self, entity: str, entity_id: str) -> None:
        """Forget a cached entity (e.g. a provisional order once the server's order replaced it)."""
        with self.transaction():
            # B608 (bandit) accepted: table and column names are constants (TABLES, _QUERY_COLUMNS); values are bound.
            self.db.execute(f"DELETE FROM {TABLES[entity]} WHERE id = ?", (entity_id,))  # nosec B608

    # -- what the UI reads ------------------------------------------------------------------------------------

    def _views(self, table: str, where: str = "1", params: Any = (), order_by: str = "id") -> list[dict[str, Any]]:
        # B608 (bandit) accepted: table and column names are constants (TABLES, _QUERY_COLUMNS); values are bound.
        rows = self.execute(f"SELECT view, pending, sync_error FROM {table} WHERE view IS NOT NULL AND {where} "  # nosec B608
                            f"ORDER BY {order_by}", params)
        views = [_decorate(view, pending, error) for view, pending, error in rows]
        if table == "orders":
            role = self.get_meta("role")
            for order in views:
                _complete_order(order, role)
        return views

    def order(self, order_id: str) -> dict[str, Any] | None:
        """One cached order as the UI shows it, with `_sync: {pending, error, provisional}`."""
        found = self._views("orders", "id = ?", (order_id,))
        return found[0] if found else None

    def orders(self, *, merchant_id: str | None = None, customer_id: str | None = None,
               driver_id: str | None = None, open_only: bool = False) -> list[dict[str, Any]]:
        """Cached orders, newest first: a merchant's queue, a customer's history, a driver's tasks."""
        clauses, params = [], []
        for column, value in (("merchant_id", merchant_id), ("customer_id", customer_id), ("driver_id", driver_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if open_only:
            clauses.append(f"status IN ({', '.join('?' * len(OPEN_STATUSES))})")
            params.extend(OPEN_STATUSES)
        return self._views("orders", " AND ".join(clauses) or "1", params,
                           order_by="provisional DESC, placed_at DESC, number DESC")

    def stock(self, merchant_id: str) -> list[dict[str, Any]]:
        """A merchant's cached stock rows `{merchant_id, key, count, available, _sync}`, by key."""
        return self._views("stock", "merchant_id = ?", (merchant_id,), order_by="key")

    def kitchen(self, entity: str, merchant_id: str) -> list[dict[str, Any]]:
        """A merchant's cached kitchen state of one kind (KITCHEN_ENTITIES): `bumps` {order_id, lines},
        `busy` {kind, extra_minutes, until}, `hours` {target, windows}; each with `_sync`."""
        return self._views(TABLES[entity], "merchant_id = ?", (merchant_id,))

    def stock_row(self, merchant_id: str, key: str) -> dict[str, Any] | None:
        """One cached stock row as the UI shows it."""
        found = self._views("stock", "id = ?", (stock_id(merchant_id, key),))
        return found[0] if found else None

    def profile(self) -> dict[str, Any] | None:
        """The signed-in customer's profile as the UI shows it."""
        found = self._views("profile", "id = 'me'")
        return found[0] if found else None

    def save_menu(self, merchant_id: str, menu: dict[str, Any]) -> None:
        """Cache a merchant's menu (fetched online with ApiClient.menu)."""
        with self.transaction():
            self.db.execute("INSERT INTO menus (merchant_id, data) VALUES (?, ?) ON CONFLICT(merchant_id) "
                            "DO UPDATE SET data = excluded.data", (merchant_id, json.dumps(menu)))

    def menu(self, merchant_id: str) -> dict[str, Any] | None:
        """The cached menu with each item's and option's `stock`/`available` taken from the live stock cache."""
        rows = self.execute("SELECT data FROM menus WHERE merchant_id = ?", (merchant_id,))
        if not rows:
            return None
        menu = json.loads(rows[0][0])
        live = {row["key"]: row for row in self.stock(merchant_id)}
        things = [("item", i) for i in menu.get("items", [])]
        things += [("option", o) for g in menu.get("modifier_groups", []) for o in g.get("options", [])]
        for kind, thing in things:
            row = live.get(f"{kind}:{thing.get('id')}")
            if row is not None:
                thing["stock"], thing["available"] = row.get("count"), row.get("available", True)
        hours = {row.get("target"): row for row in self.kitchen("hours", merchant_id)}
        for kind, thing in [("item", i) for i in menu.get("items", [])] + [("category", c) for c in
                                                                            menu.get("categories", [])]:
            row = hours.get(f"{kind}:{thing.get('id')}")
            if row is not None:
                thing["availability"], thing["_sync"] = row.get("windows") or [], row["_sync"]
        return menu


def _complete_order(order: dict[str, Any], role: str | None) -> None:
    """Pulled orders are stored documents (no per-caller fields): give every order the same shape for the UI."""
    quote = order.get("quote") or {}
    order.setdefault("merchant_id", quote.get("merchant_id"))
    if "allowed_actions" not in order:
        try:
            status, who = OrderStatus(order.get("status")), Role(role)
        except ValueError:
            order["allowed_actions"] = []
            return
        is_delivery = (quote.get("fulfilment") or {}).get("type") == "delivery"
        order["allowed_actions"] = [str(a) for a in allowed_actions(status, who, is_delivery=is_delivery)]


def _decorate(view: str, pending: int | None, error: str | None) -> dict[str, Any]:
    data = json.loads(view)
    data["_sync"] = {"pending": pending or 0, "error": json.loads(error) if error else None,
                     "provisional": bool(data.pop("_provisional", False))}
    return data


# The columns the UI filters on, copied out of the JSON view by SQLite itself.
_QUERY_COLUMNS = {
    "order": "merchant_id = coalesce(json_extract(view, '$.merchant_id'), json_extract(view, '$.quote.merchant_id')), "
             "customer_id = json_extract(view, '$.customer_id'), driver_id = json_extract(view, '$.driver_id'), "
             "status = json_extract(view, '$.status'), number = json_extract(view, '$.number'), "
             "placed_at = json_extract(view, '$.placed_at'), version = json_extract(view, '$.version'), "
             "provisional = coalesce(json_extract(view, '$._provisional'), 0)",
    "stock": "merchant_id = json_extract(view, '$.merchant_id'), key = json_extract(view, '$.key'), "
             "count = json_extract(view, '$.count'), available = json_extract(view, '$.available')",
    **{e: "merchant_id = json_extract(view, '$.merchant_id')" for e in KITCHEN_ENTITIES},
}
