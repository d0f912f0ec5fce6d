"""Hand-written SQL on the DBAPI cursor, for the order-intake hot path.

SQLAlchemy Core costs about 60 µs to build and run a statement; placing an order runs eight, so the few
statements on that path go straight to the driver (in the same transaction and savepoints as the rest).
Everything else keeps using SQLAlchemy.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

_NAMED = re.compile(r"(?<!:):([a-z_][a-z0-9_]*)")


@lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    return _NAMED.sub(r"%(\1)s", sql)


class Raw:
    def __init__(self, conn: Connection) -> None:
        self.sqlite = conn.dialect.name == "sqlite"
        self._dbapi = conn.connection.dbapi_connection
        # PostgreSQL: the writer takes the change-feed lock once per batch (server.db.changes).
        self.change_feed_locked = False
        self._now: Any = None
        self._last: tuple[datetime | None, Any] = (None, None)

    def _sql(self, sql: str) -> str:
        return sql if self.sqlite else _pyformat(sql)

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        cursor = self._dbapi.cursor()
        cursor.execute(self._sql(sql), params or {})
        return cursor

    def script(self, statements: list[str]) -> None:
        """Statements without parameters: one round trip on PostgreSQL, one by one on SQLite."""
        if self.sqlite:
            for statement in statements:
                self._dbapi.execute(statement)
        else:
            self._dbapi.cursor().execute("; ".join(statements))  # no parameters: the simple query protocol

    def executemany(self, sql: str, rows: list[dict[str, Any]]) -> None:
        if len(rows) == 1:  # the usual case (one event); executemany's set-up costs more than the row
            self.execute(sql, rows[0])
        elif rows:
            self._dbapi.cursor().executemany(self._sql(sql), rows)

    def timestamp(self, value: datetime | None) -> Any:
        """As SQLAlchemy's UTCDateTime stores it: naive UTC text on SQLite, timestamptz on PostgreSQL."""
        if value is None:
            return None
        if value is self._last[0]:  # an order's placed_at and its first event's time are one datetime
            return self._last[1]
        stored = value if value.tzinfo is timezone.utc else value.astimezone(timezone.utc)
        if self.sqlite:
            stored = stored.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        self._last = (value, stored)
        return stored

    def now(self) -> Any:
        """The time rows of this handle record as written (a change's `at`, a key's `created_at`), stored as
        `timestamp` stores it. The writer makes one handle per batch, so a batch's rows share the time of its
        first write, within milliseconds of its commit."""
        if self._now is None:
            self._now = self.timestamp(datetime.now(timezone.utc))
        return self._now

    def number(self, value: Decimal) -> Any:
        return str(value) if self.sqlite else value


def placeholders(prefix: str, count: int) -> str:
    return ", ".join(f":{prefix}{i}" for i in range(count))
