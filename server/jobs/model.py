"""What a job is: its statuses, its row as a value, and how a handler says 'failed, do not retry'."""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class JobStatus(StrEnum):
    """queued → running → done; running → failed (retried at run_at) or dead (no attempts left)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    DEAD = "dead"

    @property
    def is_finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.DEAD)


class JobFailed(Exception):
    """Raised by a handler to fail an attempt with a clear message; `retry=False` makes the job dead at once
    (e.g. a page that does not exist will not appear by asking again)."""

    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    subject: str | None
    payload: dict[str, Any]
    dedupe_key: str | None
    status: JobStatus
    run_at: datetime
    attempts: int
    max_attempts: int
    last_error: str | None
    locked_until: datetime | None
    locked_by: str | None
    result: Any
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> "Job":
        return cls(id=row.id, kind=row.kind, subject=row.subject, payload=_loads(row.payload) or {},
                   dedupe_key=row.dedupe_key, status=JobStatus(row.status), run_at=row.run_at,
                   attempts=row.attempts, max_attempts=row.max_attempts, last_error=row.last_error,
                   locked_until=row.locked_until, locked_by=row.locked_by, result=_loads(row.result),
                   created_at=row.created_at, updated_at=row.updated_at, finished_at=row.finished_at)

    def view(self) -> dict[str, Any]:
        """The job as the API shows it (no worker names)."""
        return {"id": self.id, "kind": self.kind, "subject": self.subject, "payload": self.payload,
                "status": str(self.status), "attempts": self.attempts, "max_attempts": self.max_attempts,
                "run_at": self.run_at.isoformat(), "last_error": self.last_error, "result": self.result,
                "created_at": self.created_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None}


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return {"unreadable": text[:200]}


@dataclass(frozen=True)
class JobContext:
    """What a handler gets: the job (payload, attempt number) and the process's services (server.services,
    as create_app wires them; typed loosely so jobs do not import the services that run them)."""

    job: Job
    services: Any

    @property
    def payload(self) -> dict[str, Any]:
        return self.job.payload


Handler = Callable[[JobContext], Any | Awaitable[Any]]


@dataclass(frozen=True)
class JobSpec:
    """A registered kind: its handler, how often it may be tried, its lease and its backoff."""

    kind: str
    handler: Handler
    max_attempts: int = 5
    lease_seconds: float = 300.0
    backoff_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0

    def backoff(self, attempts: int) -> timedelta:
        """Exponential: base, 2×base, 4×base, ... capped."""
        return timedelta(seconds=min(self.backoff_seconds * 2 ** max(attempts - 1, 0), self.backoff_max_seconds))


def describe_error(exc: BaseException) -> str:
    """The error text stored on the job: domain codes as 'code: detail', anything else as 'Type: message'."""
    code = getattr(exc, "code", None)
    detail = getattr(exc, "detail", None)
    if code is not None and isinstance(detail, str):
        return f"{code}: {detail}"[:2000]
    if isinstance(exc, JobFailed):
        return str(exc)[:2000]
    text = str(exc)
    return f"{type(exc).__name__}: {text}"[:2000] if text else type(exc).__name__
