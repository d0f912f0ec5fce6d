"""Group commit: in one batch, each unit of work commits (it returns) or rolls back (it raises) alone, on both
databases, with either writer; savepoints inside a unit undo only their own block."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from server.db.catalog_cache import CatalogCache
from server.db.engine import make_engine
from server.db.loop_writer import LoopWriter
from server.db.writer import LoopWriterNeeded, ThreadWriter
from server.events import EventBus, LiveMessage
from tests.conftest import POSTGRES_ENV, create_postgres_database, drop_postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"
        return
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set")
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


def insert(*keys: str, fail: bool = False):  # type: ignore[no-untyped-def]
    def unit(uow) -> str:  # type: ignore[no-untyped-def]
        for key in keys:
            uow.raw.execute("INSERT INTO kv (k) VALUES (:k)", {"k": key})
        if fail:
            raise ValueError(f"unit {keys} fails")
        return ",".join(keys)
    return unit


def kv_engine(url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE kv (k VARCHAR(10) PRIMARY KEY)"))
    return engine


def keys(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return sorted(conn.execute(text("SELECT k FROM kv")).scalars())


def test_each_unit_of_a_batch_stands_alone(database_url: str) -> None:
    engine = kv_engine(database_url)
    writer = ThreadWriter(engine, CatalogCache(), EventBus())
    # Submitted before the thread starts, so they run as one batch.
    futures = [writer.submit(unit) for unit in (
        insert("a"),
        insert("b", fail=True),           # the handler raises after writing
        insert("c", "a"),                 # the database refuses (duplicate key) after a good write
        insert("d"),
        insert("e"),
        insert("f", fail=True),           # the last unit fails: nothing of it may reach COMMIT
    )]
    writer.start()
    try:
        outcomes = [f.exception(timeout=30) or f.result() for f in futures]
    finally:
        writer.stop()
    assert writer.batches == 1
    assert outcomes[0] == "a" and outcomes[3] == "d" and outcomes[4] == "e"
    assert isinstance(outcomes[1], ValueError) and isinstance(outcomes[5], ValueError)
    assert isinstance(outcomes[2], Exception)
    assert keys(engine) == ["a", "d", "e"]
    engine.dispose()


def test_a_savepoint_undoes_its_block_and_its_hooks_and_the_unit_goes_on(database_url: str) -> None:
    engine = kv_engine(database_url)
    bus = EventBus()
    told: list[str] = []
    bus.after_commit(LiveMessage, lambda event: told.append(event.topic))
    writer = ThreadWriter(engine, CatalogCache(), bus)

    def unit(uow) -> str:  # type: ignore[no-untyped-def]
        uow.raw.execute("INSERT INTO kv (k) VALUES ('kept')")
        uow.emit(LiveMessage("kept"))
        try:
            with uow.savepoint():
                uow.raw.execute("INSERT INTO kv (k) VALUES ('undone')")
                uow.emit(LiveMessage("undone"))
                uow.raw.execute("INSERT INTO kv (k) VALUES ('kept')")  # the database refuses: a duplicate
        except Exception:  # noqa: BLE001 - the refusal is the point
            pass
        with uow.savepoint():
            uow.raw.execute("INSERT INTO kv (k) VALUES ('after')")
        return "done"

    writer.start()
    try:
        assert writer.call(unit) == "done"
    finally:
        writer.stop()
    assert keys(engine) == ["after", "kept"]
    assert told == ["kept"]
    engine.dispose()


def test_a_commit_lost_on_a_server_database_is_an_unknown_outcome(database_url: str) -> None:
    """PostgreSQL: when the COMMIT fails (its answer lost), the write may have been saved; callers are told
    the outcome is unknown, never that nothing was saved. SQLite's COMMIT either happens or not."""
    from server.db.batch import StorageUnavailable

    from sqlalchemy import event

    engine = kv_engine(database_url)
    writer = ThreadWriter(engine, CatalogCache(), EventBus())

    def lost_answer(conn) -> None:  # type: ignore[no-untyped-def]
        if conn.info.get("writer"):  # the COMMIT is on its way when the connection drops
            raise ConnectionError("server closed the connection unexpectedly")

    event.listen(engine, "commit", lost_answer)

    writer.start()
    try:
        with pytest.raises(StorageUnavailable) as info:
            writer.call(insert("x"))
    finally:
        writer.stop()
    assert info.value.outcome_unknown is (not database_url.startswith("sqlite"))
    engine.dispose()


def test_the_loop_writer_needs_a_running_loop(tmp_path: Path) -> None:
    writer = LoopWriter(make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}"), CatalogCache(), EventBus())
    with pytest.raises(LoopWriterNeeded):
        writer.start()


def test_loop_writer_answers_after_the_commit_and_batches_what_arrives_meanwhile(tmp_path: Path) -> None:
    """On SQLite the units run on the event loop and the COMMIT on a thread: no caller hears back before its
    batch is committed, writes that arrive while a commit is in flight form the next batch, and stopping
    the writer waits for the commit in flight."""
    import asyncio

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    engine = kv_engine(url)
    reader = make_engine(url)

    def committed() -> set[str]:
        with reader.connect() as conn:
            return set(conn.execute(text("SELECT k FROM kv")).scalars())

    async def scenario() -> tuple[list[object], set[str], int, set[str]]:
        writer = LoopWriter(engine, CatalogCache(), EventBus())
        writer.start()
        seen_at_answer: list[set[str]] = []

        async def write(key: str) -> object:
            result = await writer.run(insert(key))
            seen_at_answer.append(committed())
            assert key in seen_at_answer[-1], "answered before its commit"
            return result

        first = [asyncio.ensure_future(write(f"a{i}")) for i in range(5)]
        await asyncio.sleep(0)  # the first batch runs; its COMMIT goes to the thread
        second = [asyncio.ensure_future(write(f"b{i}")) for i in range(5)]
        failing = asyncio.ensure_future(writer.run(insert("a0")))  # a duplicate: refused alone
        results = await asyncio.gather(*first, *second, failing, return_exceptions=True)
        late = asyncio.ensure_future(writer.run(insert("late")))
        for _ in range(3):  # queued, then its batch run and its COMMIT handed to the thread
            await asyncio.sleep(0)
        writer.stop()  # waits for the commit in flight
        return results, committed(), writer.batches, {await late}

    results, rows, batches, late = asyncio.run(scenario())
    assert results[:10] == [f"a{i}" for i in range(5)] + [f"b{i}" for i in range(5)]
    assert isinstance(results[10], Exception)
    assert rows == {f"a{i}" for i in range(5)} | {f"b{i}" for i in range(5)} | {"late"}
    assert batches >= 2 and late == {"late"}
    engine.dispose()
    reader.dispose()


def test_a_loop_writer_can_be_started_again_after_it_stopped(tmp_path: Path) -> None:
    import asyncio

    engine = kv_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    writer = LoopWriter(engine, CatalogCache(), EventBus())

    async def once(key: str) -> object:
        writer.start()
        try:
            return await writer.run(insert(key))
        finally:
            writer.stop()

    assert asyncio.run(once("a")) == "a"
    assert asyncio.run(once("b")) == "b"
    engine.dispose()
