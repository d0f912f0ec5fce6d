"""Engines: SQLite in WAL mode (embedded default) or PostgreSQL through psycopg 3.

Customers' data stays out of logs and error messages: SQL parameters are hidden (`hide_parameters`), and
PostgreSQL's DETAIL line, which quotes the offending values ("Key (phone)=(+43…) already exists"), is cut
from the errors the server raises. Code that needs the detail still finds it in `error.orig.diag`.
"""
from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.pool import NullPool

_DETAIL_LINE = re.compile(r"\nDETAIL:[^\n]*")


def _without_detail(args: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(_DETAIL_LINE.sub("", a) if isinstance(a, str) else a for a in args)


def _scrub_error_detail(context: ExceptionContext) -> None:
    """Drop PostgreSQL's DETAIL (it quotes row values) from the driver's and SQLAlchemy's error text."""
    context.original_exception.args = _without_detail(context.original_exception.args)
    if context.sqlalchemy_exception is not None:
        context.sqlalchemy_exception.args = _without_detail(context.sqlalchemy_exception.args)


SQLITE_SYNCHRONOUS = ("FULL", "NORMAL")


def make_engine(url: str, *, sqlite_synchronous: str = "FULL") -> Engine:
    """An engine whose transactions and savepoints behave the same on both databases.

    `sqlite_synchronous` is SQLite's durability: FULL (the default) syncs the WAL at every commit, so an
    acknowledged write survives a power cut; NORMAL survives a process crash but an OS crash or power loss
    can lose the last commits (faster; see benchmarks/README.md)."""
    if sqlite_synchronous not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"SQLite synchronous must be one of {SQLITE_SYNCHRONOUS}, not {sqlite_synchronous!r}")
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={sqlite_synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("writer") else "BEGIN")

        return engine
    engine = create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, hide_parameters=True)
    event.listen(engine, "handle_error", _scrub_error_detail)
    return engine


def make_migration_engine(url: str) -> Engine:
    return create_engine(url, poolclass=NullPool, hide_parameters=True)
