"""The job runner: worker threads that claim due jobs, run their handlers and record the outcome.

Claims and outcomes go through the single writer (the same path as every other write), so on SQLite they
are serialised with orders and on PostgreSQL they share the group commit. Handlers run outside any
transaction: they may take seconds (fetching a page) and do their own writes through the writer.
A handler that raises anything fails that attempt with the error text; the worker carries on.
"""
from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, TypeVar

from core.errors import DomainError
from server.jobs import queue, schedules
from server.jobs import service as jobs_service
from server.jobs.model import Handler, Job, JobContext, JobFailed, JobSpec, JobStatus, describe_error
from server.jobs.schedules import Schedule
from server.db.writer import WRITE_TIMEOUT, Writer

T = TypeVar("T")
log = logging.getLogger(__name__)


class JobRegistry:
    """Handlers by kind. Register before the runner starts."""

    def __init__(self) -> None:
        self._specs: dict[str, JobSpec] = {}

    def register(self, kind: str, handler: Handler, **options: Any) -> JobSpec:
        spec = JobSpec(kind=kind, handler=handler, **options)
        self._specs[kind] = spec
        return spec

    def spec(self, kind: str) -> JobSpec | None:
        return self._specs.get(kind)

    @property
    def kinds(self) -> list[str]:
        return sorted(self._specs)


class JobRunner:
    """`workers` threads polling every `poll_seconds` (and woken at once by jobs enqueued in this process).

    It needs the writer (claims and outcomes are writes), the clock, a way to open a read connection, and
    the context handed to handlers (`JobContext.services`: the process's services, as create_app wires them).
    """

    def __init__(self, writer: Writer, clock: Callable[[], datetime],
                 connect: Callable[[], AbstractContextManager[Any]], *, context: Any = None,
                 registry: JobRegistry | None = None, workers: int = 1, poll_seconds: float = 1.0) -> None:
        self.writer = writer
        self.clock = clock
        self.connect = connect
        self.context = context
        self.registry = registry or JobRegistry()
        self.workers = workers
        self.poll_seconds = poll_seconds
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._running: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Task[Any]]] = {}
        self._lock = threading.Lock()
        self._prefix = f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"

    # -- enqueueing ------------------------------------------------------------------------------------------

    def register(self, kind: str, handler: Handler, **options: Any) -> JobSpec:
        return self.registry.register(kind, handler, **options)

    def _write(self, fn: Callable[[Any], T]) -> T:
        def unit(uow: Any) -> T:
            return fn(uow.conn)
        return self.writer.call(unit, WRITE_TIMEOUT)

    def enqueue_in(self, uow: Any, kind: str, payload: dict[str, Any], **options: Any) -> tuple[Job, bool]:
        """Enqueue inside a caller's unit of work (atomic with its other writes), with the kind's registered
        attempts unless given; wakes workers on commit."""
        spec = self.registry.spec(kind)
        options.setdefault("max_attempts", spec.max_attempts if spec else 5)
        return jobs_service.enqueue(uow, kind, payload, now=self.clock(), **options)

    def enqueue(self, kind: str, payload: dict[str, Any], **options: Any) -> tuple[Job, bool]:
        """Enqueue from any thread but the writer's; blocks until committed."""
        def unit(uow: Any) -> tuple[Job, bool]:
            return self.enqueue_in(uow, kind, payload, **options)
        return self.writer.call(unit, WRITE_TIMEOUT)

    async def enqueue_async(self, kind: str, payload: dict[str, Any], **options: Any) -> tuple[Job, bool]:
        """Enqueue from a request handler."""
        def unit(uow: Any) -> tuple[Job, bool]:
            return self.enqueue_in(uow, kind, payload, **options)
        return await self.writer.run(unit)

    def schedule_in(self, uow: Any, schedule: Schedule) -> None:
        schedules.put(uow.conn, schedule, now=self.clock())
        uow.after_commit.append(self.wake)

    def wake(self) -> None:
        self._wake.set()

    # -- running ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        if self._threads or self.workers <= 0:
            return
        self._stopping.clear()
        for index in range(self.workers):
            thread = threading.Thread(target=self._loop, args=(index,), name=f"mealkitz-jobs-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the workers; async handlers still running are cancelled and their jobs given back."""
        self._stopping.set()
        self._wake.set()
        with self._lock:
            running = list(self._running.values())
        for loop, task in running:
            loop.call_soon_threadsafe(task.cancel)
        for thread in self._threads:
            thread.join(timeout=timeout)
            if thread.is_alive():
                log.warning("job worker %s did not stop in %.0f s; its lease will expire", thread.name, timeout)
        self._threads = []

    def _loop(self, index: int) -> None:
        worker = f"{self._prefix}:{index}"
        loop = asyncio.new_event_loop()
        try:
            while not self._stopping.is_set():
                ran = False
                try:
                    if index == 0:
                        self.tick_schedules()
                    ran = self._claim_and_run(worker, loop, on_worker=True) is not None
                except Exception:  # the database is away or similar: wait a poll and try again
                    log.exception("job worker %s could not poll", worker)
                if not ran and not self._stopping.is_set():
                    self._wake.wait(self.poll_seconds)
                    self._wake.clear()
        finally:
            loop.close()

    def tick_schedules(self) -> list[str]:
        """Enqueue what schedules say is due (a cheap read first: idle ticks take no write lock)."""
        now = self.clock()
        with self.connect() as conn:
            if not schedules.due_exists(conn, now):
                return []
        return self._write(lambda conn: schedules.enqueue_due(conn, now=now, kinds=set(self.registry.kinds)))

    def run_once(self, worker: str | None = None) -> Job | None:
        """Claim one due job and run it in this thread (tests, tools); the job as it ended, or None if nothing
        was due. Unlike the worker threads, it is not cancelled by stop()."""
        return self._claim_and_run(worker or f"{self._prefix}:inline", None, on_worker=False)

    def _claim_and_run(self, worker: str, loop: asyncio.AbstractEventLoop | None, *, on_worker: bool) -> Job | None:
        kinds = self.registry.kinds
        if not kinds:
            return None
        now = self.clock()
        with self.connect() as conn:
            if not queue.due_exists(conn, now, kinds):
                return None
        lease = {k: self.registry.spec(k).lease_seconds for k in kinds}  # type: ignore[union-attr]
        job = self._write(lambda conn: queue.claim(conn, now=now, worker=worker, lease=lease, kinds=kinds))
        if job is None:
            return None
        own_loop = loop is None
        loop = loop or asyncio.new_event_loop()
        try:
            return self._execute(job, worker, loop, on_worker)
        finally:
            if own_loop:
                loop.close()

    def _execute(self, job: Job, worker: str, loop: asyncio.AbstractEventLoop, on_worker: bool) -> Job | None:
        spec = self.registry.spec(job.kind)
        assert spec is not None
        log.info("job %s (%s) attempt %d of %d", job.id, job.kind, job.attempts, job.max_attempts)
        try:
            result = spec.handler(JobContext(job=job, services=self.context))
            if inspect.isawaitable(result):
                result = self._await(worker, loop, result, on_worker)
            json.dumps(result, default=str)
        except asyncio.CancelledError:
            if on_worker and self._stopping.is_set():
                log.info("job %s given back: the server is stopping", job.id)
                self._write(lambda conn: queue.release(conn, job.id, worker=worker, now=self.clock()))
                return queue_get(self, job.id)
            return self._failed(job, worker, spec, "cancelled", retry=True)
        except JobFailed as exc:
            return self._failed(job, worker, spec, describe_error(exc), retry=exc.retry)
        except DomainError as exc:
            return self._failed(job, worker, spec, describe_error(exc), retry=True)
        except BaseException as exc:  # noqa: BLE001 - a handler's crash is its job's failure, not the worker's
            log.warning("job %s (%s) crashed", job.id, job.kind, exc_info=True)
            return self._failed(job, worker, spec, describe_error(exc), retry=True)
        now = self.clock()
        if not self._write(lambda conn: queue.complete(conn, job.id, worker=worker, now=now, result=result)):
            log.warning("job %s finished after its lease was taken over; outcome dropped", job.id)
        return queue_get(self, job.id)

    def _await(self, worker: str, loop: asyncio.AbstractEventLoop, awaitable: Any, on_worker: bool) -> Any:
        # The handler's own coroutine is the task: a task cancelled before its first step (stop() between the
        # claim and now) closes it. A wrapper coroutine would be closed instead, and the handler's left unawaited.
        task = asyncio.ensure_future(awaitable, loop=loop)
        if not on_worker:
            return loop.run_until_complete(task)
        with self._lock:
            self._running[worker] = (loop, task)
        try:
            if self._stopping.is_set():  # stop() came between the claim and now
                task.cancel()
            return loop.run_until_complete(task)
        finally:
            with self._lock:
                self._running.pop(worker, None)

    def _failed(self, job: Job, worker: str, spec: JobSpec, error: str, *, retry: bool) -> Job | None:
        now = self.clock()
        retry_in = spec.backoff(job.attempts) if retry else None
        status = self._write(lambda conn: queue.fail(conn, job.id, worker=worker, now=now, error=error,
                                                      retry_in=retry_in))
        level = logging.ERROR if status is JobStatus.DEAD else logging.WARNING
        log.log(level, "job %s (%s) attempt %d failed (%s): %s", job.id, job.kind, job.attempts, status, error)
        return queue_get(self, job.id)


def queue_get(runner: JobRunner, job_id: str) -> Job | None:
    with runner.connect() as conn:
        return queue.get(conn, job_id)
