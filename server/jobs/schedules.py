"""Recurring jobs: a named schedule enqueues its job every `interval` (e.g. each merchant's menu scrape).

Missed runs are not caught up: a schedule that was due an hour ago runs once now, then every interval.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, exists, insert, select, update

from server.db import tables as t
from server.jobs import queue

s = t.job_schedules.c


@dataclass(frozen=True)
class Schedule:
    name: str
    kind: str
    payload: dict[str, Any]
    interval: timedelta
    subject: str | None = None
    dedupe_key: str | None = None
    max_attempts: int = 5
    enabled: bool = True


def put(conn: Connection, schedule: Schedule, *, now: datetime, first_run_at: datetime | None = None) -> None:
    """Create or change a schedule. A changed interval counts from now (or `first_run_at`)."""
    values = {"kind": schedule.kind, "subject": schedule.subject, "payload": json.dumps(schedule.payload),
              "dedupe_key": schedule.dedupe_key, "max_attempts": schedule.max_attempts,
              "interval_seconds": max(1, int(schedule.interval.total_seconds())), "enabled": schedule.enabled,
              "updated_at": now}
    current = conn.execute(select(s.interval_seconds, s.next_run_at).where(s.name == schedule.name)).first()
    if current is None:
        conn.execute(insert(t.job_schedules).values(name=schedule.name, next_run_at=first_run_at or now, **values))
        return
    if first_run_at is not None or current.interval_seconds != values["interval_seconds"]:
        values["next_run_at"] = first_run_at or now + schedule.interval
    conn.execute(update(t.job_schedules).where(s.name == schedule.name).values(**values))


def remove(conn: Connection, name: str) -> None:
    conn.execute(delete(t.job_schedules).where(s.name == name))


def get(conn: Connection, name: str) -> dict[str, Any] | None:
    row = conn.execute(select(t.job_schedules).where(s.name == name)).first()
    if row is None:
        return None
    return {"name": row.name, "kind": row.kind, "interval_seconds": row.interval_seconds,
            "next_run_at": row.next_run_at.isoformat(), "enabled": row.enabled}


def due_exists(conn: Connection, now: datetime) -> bool:
    return bool(conn.execute(select(exists().where(s.enabled.is_(True), s.next_run_at <= now))).scalar())


def enqueue_due(conn: Connection, *, now: datetime, kinds: set[str] | None = None) -> list[str]:
    """Enqueue one job for every due schedule and move it on; returns the ids of jobs enqueued (or joined).

    The guarded update on next_run_at makes a second process ticking at the same time skip the schedule.
    """
    query = select(t.job_schedules).where(s.enabled.is_(True), s.next_run_at <= now).order_by(s.next_run_at)
    enqueued = []
    for row in conn.execute(query).all():
        if kinds is not None and row.kind not in kinds:
            continue
        moved = conn.execute(update(t.job_schedules).where(s.name == row.name, s.next_run_at == row.next_run_at)
                             .values(next_run_at=now + timedelta(seconds=row.interval_seconds), updated_at=now))
        if moved.rowcount != 1:
            continue
        job, _ = queue.enqueue(conn, row.kind, json.loads(row.payload), now=now, subject=row.subject,
                               dedupe_key=row.dedupe_key, replace_finished=True, max_attempts=row.max_attempts)
        enqueued.append(job.id)
    return enqueued
