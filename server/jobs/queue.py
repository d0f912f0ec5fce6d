"""The jobs table: enqueue (idempotent with a dedupe key), claim with a lease, complete, fail with backoff.

Every function takes a connection inside the caller's transaction. On SQLite they run in the single writer
(serialised); on PostgreSQL `claim` locks its row with FOR UPDATE SKIP LOCKED, so workers in several
processes never take the same job.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from core.ids import uuid7
from server.db import tables as t
from server.jobs.model import Job, JobStatus

j = t.jobs.c
CLAIMABLE = (str(JobStatus.QUEUED), str(JobStatus.FAILED))


def _json(value: Any) -> str:
    return json.dumps(value, default=str, separators=(",", ":"))


def _insert(conn: Connection) -> Any:
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(t.jobs)


def get(conn: Connection, job_id: str) -> Job | None:
    row = conn.execute(select(t.jobs).where(j.id == job_id)).first()
    return Job.from_row(row) if row else None


def by_dedupe_key(conn: Connection, key: str) -> Job | None:
    row = conn.execute(select(t.jobs).where(j.dedupe_key == key)).first()
    return Job.from_row(row) if row else None


def enqueue(conn: Connection, kind: str, payload: dict[str, Any], *, now: datetime, subject: str | None = None,
            dedupe_key: str | None = None, replace_finished: bool = False, expedite: bool = False,
            run_at: datetime | None = None, max_attempts: int = 5) -> tuple[Job, bool]:
    """Add a job; returns it and whether it is new.

    With `dedupe_key`, a job holding that key is returned instead of adding another (a webhook delivered twice
    runs once). `replace_finished` lets a new job take the key from a done or dead one: 'at most one queued or
    running job per key' (a 'scrape now' while a scrape runs joins that scrape). `expedite` moves a joined job
    that waits (queued for later, or failed and backing off) to now.
    """
    if dedupe_key is not None:
        existing = by_dedupe_key(conn, dedupe_key)
        if existing is not None:
            if not (replace_finished and existing.status.is_finished):
                if expedite and existing.status in (JobStatus.QUEUED, JobStatus.FAILED) and existing.run_at > now:
                    conn.execute(update(t.jobs).where(j.id == existing.id).values(run_at=now, updated_at=now))
                    existing = get(conn, existing.id) or existing
                return existing, False
            conn.execute(update(t.jobs).where(j.id == existing.id).values(dedupe_key=None))
    job_id = str(uuid7())
    values = {"id": job_id, "kind": kind, "subject": subject, "payload": _json(payload), "dedupe_key": dedupe_key,
              "status": str(JobStatus.QUEUED), "run_at": run_at or now, "attempts": 0,
              "max_attempts": max(1, max_attempts), "created_at": now, "updated_at": now}
    # ON CONFLICT DO NOTHING: another process may have taken the key since we looked.
    done = conn.execute(_insert(conn).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"]))
    if done.rowcount == 0 and dedupe_key is not None:
        winner = by_dedupe_key(conn, dedupe_key)
        if winner is not None:
            return winner, False
    job = get(conn, job_id)
    assert job is not None
    return job, True


def _due(now: datetime, kinds: Iterable[str] | None) -> Any:
    due = or_(and_(j.status.in_(CLAIMABLE), j.run_at <= now),
              and_(j.status == str(JobStatus.RUNNING), j.locked_until < now))
    return and_(due, j.kind.in_(list(kinds))) if kinds is not None else due


def due_exists(conn: Connection, now: datetime, kinds: Iterable[str] | None = None) -> bool:
    """A cheap read: is there anything to claim? (Lets idle workers poll without taking the write lock.)"""
    return bool(conn.execute(select(exists().where(_due(now, kinds)))).scalar())


def claim(conn: Connection, *, now: datetime, worker: str, lease: dict[str, float] | float,
          kinds: Iterable[str] | None = None) -> Job | None:
    """Take the most overdue job: status running, one more attempt, leased to `worker` until now + lease.

    A running job whose lease ran out belongs to a worker that died; it is taken again (the lost attempt
    counts), or marked dead if that was its last attempt.
    """
    kinds = list(kinds) if kinds is not None else None
    while True:
        query = select(t.jobs).where(_due(now, kinds)).order_by(j.run_at, j.id).limit(1)
        row = conn.execute(query.with_for_update(skip_locked=True)).first()
        if row is None:
            return None
        lost = row.status == str(JobStatus.RUNNING)
        lost_error = f"lease expired: worker {row.locked_by} stopped during attempt {row.attempts}" if lost else None
        if lost and row.attempts >= row.max_attempts:
            conn.execute(update(t.jobs).where(j.id == row.id).values(
                status=str(JobStatus.DEAD), last_error=lost_error, locked_until=None, locked_by=None,
                updated_at=now, finished_at=now))
            continue
        seconds = lease.get(row.kind, 300.0) if isinstance(lease, dict) else lease
        values: dict[str, Any] = {"status": str(JobStatus.RUNNING), "attempts": row.attempts + 1,
                                  "locked_until": now + timedelta(seconds=seconds), "locked_by": worker,
                                  "updated_at": now}
        if lost_error:
            values["last_error"] = lost_error
        conn.execute(update(t.jobs).where(j.id == row.id).values(**values))
        return get(conn, row.id)


def _mine(job_id: str, worker: str) -> Any:
    # A worker whose lease ran out (and whose job another worker took) must not overwrite that worker's outcome.
    return and_(j.id == job_id, j.status == str(JobStatus.RUNNING), j.locked_by == worker)


def complete(conn: Connection, job_id: str, *, worker: str, now: datetime, result: Any = None) -> bool:
    done = conn.execute(update(t.jobs).where(_mine(job_id, worker)).values(
        status=str(JobStatus.DONE), result=None if result is None else _json(result), locked_until=None,
        locked_by=None, updated_at=now, finished_at=now))
    return done.rowcount == 1


def fail(conn: Connection, job_id: str, *, worker: str, now: datetime, error: str, retry_in: timedelta | None) -> \
        JobStatus | None:
    """Record a failed attempt: retried at now + `retry_in` while attempts remain, else dead.
    `retry_in=None` means do not retry. Returns the new status (None if the job is no longer ours)."""
    row = conn.execute(select(j.attempts, j.max_attempts).where(_mine(job_id, worker))).first()
    if row is None:
        return None
    if retry_in is not None and row.attempts < row.max_attempts:
        status, values = JobStatus.FAILED, {"run_at": now + retry_in}
    else:
        status, values = JobStatus.DEAD, {"finished_at": now}
    conn.execute(update(t.jobs).where(_mine(job_id, worker)).values(
        status=str(status), last_error=error, locked_until=None, locked_by=None, updated_at=now, **values))
    return status


def release(conn: Connection, job_id: str, *, worker: str, now: datetime) -> bool:
    """Give a job back unharmed (the server is stopping mid-run): queued again, the attempt not counted."""
    done = conn.execute(update(t.jobs).where(_mine(job_id, worker)).values(
        status=str(JobStatus.QUEUED), attempts=j.attempts - 1, locked_until=None, locked_by=None, run_at=now,
        updated_at=now))
    return done.rowcount == 1


def retry_now(conn: Connection, job_id: str, *, now: datetime) -> Job | None:
    """Put a failed or dead job back in the queue with fresh attempts (an operator's 'try again')."""
    conn.execute(update(t.jobs).where(j.id == job_id, j.status.in_(
        [str(JobStatus.FAILED), str(JobStatus.DEAD)])).values(
        status=str(JobStatus.QUEUED), attempts=0, run_at=now, finished_at=None, updated_at=now))
    return get(conn, job_id)


def list_jobs(conn: Connection, *, kind: str | None = None, subject: str | None = None,
              status: str | None = None, limit: int = 50) -> list[Job]:
    """Newest first."""
    query = select(t.jobs).order_by(j.created_at.desc(), j.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(j.kind == kind)
    if subject is not None:
        query = query.where(j.subject == subject)
    if status is not None:
        query = query.where(j.status == status)
    return [Job.from_row(r) for r in conn.execute(query)]


def counts(conn: Connection) -> dict[str, int]:
    return {row.status: row.n for row in conn.execute(select(j.status, func.count().label("n")).group_by(j.status))}
