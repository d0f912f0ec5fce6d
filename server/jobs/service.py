"""Job use cases for features and admins: enqueue inside a unit of work, and 'try again'."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.errors import AccountError, DomainError
from server.db.uow import SqlUnitOfWork
from server.events import JobsQueued
from server.jobs import queue
from server.jobs.model import Job


def enqueue(uow: SqlUnitOfWork, kind: str, payload: dict[str, Any], *, now: datetime,
            **options: Any) -> tuple[Job, bool]:
    """Enqueue in the caller's unit of work (atomic with its other writes); workers wake once it commits."""
    found = queue.enqueue(uow.conn, kind, payload, now=now, **options)
    uow.emit(JobsQueued())
    return found


@dataclass
class RetryJob:
    job_id: str
    now: datetime


def retry_job(cmd: RetryJob, uow: SqlUnitOfWork) -> dict[str, Any]:
    """A failed or dead job back in the queue with fresh attempts (other statuses are left alone)."""
    job = queue.retry_now(uow.conn, cmd.job_id[:36], now=cmd.now)
    if job is None:
        raise DomainError(AccountError.NOT_FOUND, f"no job {cmd.job_id[:40]!r}")
    uow.emit(JobsQueued())
    return job.view()
