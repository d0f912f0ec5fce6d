"""WAL checkpoints on a thread of their own, so the write path never pays for them (SQLite only).

By default SQLite checkpoints inside the commit that pushes the WAL past 1,000 pages: that commit copies
the pages into the database file and fsyncs it. The writer commits on the event loop, so every few
batches one commit stalled every request for milliseconds (~20-50 us per order on average under load).
The writer's connection turns automatic checkpoints off and this thread runs PASSIVE checkpoints instead:
they never block the writer, and sqlite3 releases the GIL while they copy and sync.

Durability does not change: a commit is in the WAL before it is acknowledged, and SQLite replays the WAL
after a crash whether or not it was checkpointed.
"""
from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

log = logging.getLogger(__name__)

DISABLE_AUTOCHECKPOINT = "PRAGMA wal_autocheckpoint=0"


class WalCheckpointer:
    """Runs `PRAGMA wal_checkpoint(PASSIVE)` every `interval` seconds until stopped."""

    def __init__(self, engine: Engine, interval: float = 0.5) -> None:
        self.engine = engine
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="mealkitz-wal-checkpoint", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread, then checkpoint what is left (the writer has stopped by now)."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=30)
            self._thread = None
        self.checkpoint()

    def checkpoint(self) -> tuple[int, int, int]:
        """One PASSIVE checkpoint: (busy, WAL frames, frames checkpointed), as SQLite reports them."""
        # On the driver connection: outside a transaction (SQLAlchemy would BEGIN first).
        conn = self.engine.raw_connection()
        try:
            busy, frames, done = conn.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            conn.close()
        self.runs += 1
        return busy, frames, done

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.checkpoint()
            except Exception:  # a failed checkpoint loses nothing; the next one catches up
                log.exception("WAL checkpoint failed")
