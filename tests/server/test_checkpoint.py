"""WAL checkpoints run on their own thread; the writer's commits never checkpoint."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from server.db.catalog_cache import CatalogCache
from server.db.checkpoint import WalCheckpointer
from server.db.engine import make_engine
from server.db.writer import ThreadWriter
from server.events import EventBus

ROWS = 3000  # 2 KB each: well past the 1,000 WAL pages at which SQLite checkpoints on its own
MB = 1 << 20


def fill(writer: ThreadWriter) -> None:
    def write(uow) -> None:  # type: ignore[no-untyped-def]
        uow.conn.execute(text("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT)"))
        for i in range(ROWS):
            uow.conn.execute(text("INSERT INTO filler (body) VALUES (:b)"), {"b": f"{i:04d}" * 500})

    writer.start()
    try:
        writer.call(write)
    finally:
        writer.stop()


def test_the_writer_leaves_checkpoints_to_the_checkpointer(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    fill(ThreadWriter(engine, CatalogCache(), EventBus(), autocheckpoint=False))
    assert path.stat().st_size < MB  # everything committed is still only in the WAL
    busy, frames, done = WalCheckpointer(engine).checkpoint()
    assert busy == 0 and frames > 1000 and done == frames
    assert path.stat().st_size > 5 * MB
    engine.dispose()


def test_by_default_the_commit_checkpoints(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    fill(ThreadWriter(engine, CatalogCache(), EventBus()))
    assert path.stat().st_size > 5 * MB
    engine.dispose()


def test_the_thread_checkpoints_until_stopped(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    checkpointer = WalCheckpointer(engine, interval=0.01)
    checkpointer.start()
    fill(ThreadWriter(engine, CatalogCache(), EventBus(), autocheckpoint=False))
    checkpointer.stop()
    assert checkpointer.runs >= 2
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM filler")).scalar_one() == ROWS
    engine.dispose()
