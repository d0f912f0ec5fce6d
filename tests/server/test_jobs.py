"""The durable job queue on SQLite and PostgreSQL: enqueue, claim, complete, retries with backoff, leases that
expire when a worker dies, dedupe keys, dead jobs, schedules, and worker threads that survive any handler."""
from __future__ import annotations

import asyncio
import gc
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core.errors import DomainError, InputError
from server.db.migrate import upgrade
from server.jobs import JobFailed, JobStatus, Schedule, queue
from server.services import Services
from tests.server.conftest import Clock, make_settings


@dataclass
class Env:
    services: Services
    clock: Clock

    @property
    def jobs(self) -> Any:
        return self.services.jobs

    def job(self, job_id: str) -> Any:
        with self.services.connection() as conn:
            return queue.get(conn, job_id)

    def advance(self, seconds: float) -> None:
        self.clock.now += timedelta(seconds=seconds)


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> Iterator[Env]:
    upgrade(database_url)
    settings = replace(make_settings(database_url, tmp_path), job_workers=0)  # workers are started by hand
    services = Services(settings, clock=Clock(), writer="thread")  # driven from the test's thread, no loop
    services.start()
    yield Env(services, services.clock)  # type: ignore[arg-type]
    services.stop()


def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_enqueue_claim_complete(env: Env) -> None:
    seen: list[dict[str, Any]] = []
    env.jobs.register("greet", lambda ctx: seen.append(ctx.payload) or {"greeted": ctx.payload["name"]})
    job, created = env.jobs.enqueue("greet", {"name": "Anna"}, subject="customer:anna")
    assert created and job.status is JobStatus.QUEUED and job.attempts == 0 and job.run_at == env.clock.now
    assert len(job.id) == 36 and job.id[14] == "7"  # a UUIDv7
    ran = env.jobs.run_once()
    assert ran.id == job.id and ran.status is JobStatus.DONE and ran.attempts == 1
    assert ran.result == {"greeted": "Anna"} and ran.finished_at == env.clock.now and ran.locked_until is None
    assert seen == [{"name": "Anna"}]
    assert env.jobs.run_once() is None  # nothing left


def test_jobs_run_oldest_first_and_only_when_due(env: Env) -> None:
    order: list[int] = []
    env.jobs.register("n", lambda ctx: order.append(ctx.payload["n"]))
    env.jobs.enqueue("n", {"n": 3}, run_at=env.clock.now + timedelta(minutes=5))
    env.jobs.enqueue("n", {"n": 1})
    env.jobs.enqueue("n", {"n": 2})
    while env.jobs.run_once():
        pass
    assert order == [1, 2]
    env.advance(300)
    env.jobs.run_once()
    assert order == [1, 2, 3]


def test_failed_attempts_back_off_exponentially_then_succeed(env: Env) -> None:
    calls: list[int] = []

    def flaky(ctx: Any) -> str:
        calls.append(ctx.job.attempts)
        if len(calls) < 3:
            raise ConnectionError("upstream down")
        return "ok"

    env.jobs.register("flaky", flaky, backoff_seconds=30)
    job, _ = env.jobs.enqueue("flaky", {})
    start = env.clock.now
    first = env.jobs.run_once()
    assert first.status is JobStatus.FAILED and first.last_error == "ConnectionError: upstream down"
    assert first.run_at == start + timedelta(seconds=30)
    assert env.jobs.run_once() is None  # not due yet
    env.advance(30)
    second = env.jobs.run_once()
    assert second.status is JobStatus.FAILED and second.run_at == env.clock.now + timedelta(seconds=60)
    env.advance(59)
    assert env.jobs.run_once() is None
    env.advance(1)
    third = env.jobs.run_once()
    assert third.status is JobStatus.DONE and third.attempts == 3 and third.result == "ok"
    assert calls == [1, 2, 3]


def test_dead_after_max_attempts(env: Env) -> None:
    env.jobs.register("doomed", lambda ctx: 1 / 0, max_attempts=2, backoff_seconds=1)
    job, _ = env.jobs.enqueue("doomed", {})
    assert env.jobs.run_once().status is JobStatus.FAILED
    env.advance(1)
    dead = env.jobs.run_once()
    assert dead.status is JobStatus.DEAD and dead.attempts == 2 and dead.finished_at == env.clock.now
    assert dead.last_error == "ZeroDivisionError: division by zero"
    env.advance(3600)
    assert env.jobs.run_once() is None  # dead jobs are never picked up again


def test_job_failed_without_retry_is_dead_at_once_and_domain_errors_keep_their_code(env: Env) -> None:
    def no_retry(ctx: Any) -> None:
        raise JobFailed("the page does not exist", retry=False)

    def domain(ctx: Any) -> None:
        raise DomainError(InputError.INVALID, "payload has no merchant")

    env.jobs.register("no-retry", no_retry)
    env.jobs.register("domain", domain)
    a, _ = env.jobs.enqueue("no-retry", {})
    b, _ = env.jobs.enqueue("domain", {})
    env.jobs.run_once(), env.jobs.run_once()
    assert (env.job(a.id).status, env.job(a.id).last_error) == (JobStatus.DEAD, "the page does not exist")
    assert (env.job(b.id).status, env.job(b.id).last_error) == (JobStatus.FAILED,
                                                                "invalid_input: payload has no merchant")


def test_a_crashed_workers_job_is_retried_after_its_lease_expires(env: Env) -> None:
    runs: list[int] = []
    env.jobs.register("work", lambda ctx: runs.append(ctx.job.attempts) or "done", lease_seconds=60)
    job, _ = env.jobs.enqueue("work", {})
    # Worker A claims the job and then dies (it never reports back).
    claimed = env.jobs._write(lambda conn: queue.claim(conn, now=env.clock.now, worker="worker-a", lease=60.0))
    assert claimed.status is JobStatus.RUNNING and claimed.locked_by == "worker-a"
    assert claimed.locked_until == env.clock.now + timedelta(seconds=60)
    assert env.jobs.run_once() is None  # the lease still holds
    env.advance(61)
    retried = env.jobs.run_once()
    assert retried.status is JobStatus.DONE and retried.attempts == 2 and runs == [2]
    assert retried.last_error == "lease expired: worker worker-a stopped during attempt 1"
    # Worker A coming back late cannot overwrite the outcome.
    late = env.jobs._write(lambda conn: queue.complete(conn, job.id, worker="worker-a", now=env.clock.now))
    assert late is False and env.job(job.id).result == "done"


def test_lease_expiring_on_the_last_attempt_makes_the_job_dead(env: Env) -> None:
    env.jobs.register("work", lambda ctx: None, max_attempts=1, lease_seconds=10)
    job, _ = env.jobs.enqueue("work", {})
    env.jobs._write(lambda conn: queue.claim(conn, now=env.clock.now, worker="worker-a", lease=10.0))
    env.advance(11)
    assert env.jobs.run_once() is None
    dead = env.job(job.id)
    assert dead.status is JobStatus.DEAD and "lease expired" in dead.last_error


def test_dedupe_key(env: Env) -> None:
    env.jobs.register("msg", lambda ctx: None)
    first, created = env.jobs.enqueue("msg", {"text": "hi"}, dedupe_key="whatsapp:wamid.1")
    again, created_again = env.jobs.enqueue("msg", {"text": "hi"}, dedupe_key="whatsapp:wamid.1")
    assert created and not created_again and again.id == first.id
    env.jobs.run_once()
    # A finished job keeps its key: a webhook delivered twice is processed once.
    late, created_late = env.jobs.enqueue("msg", {"text": "hi"}, dedupe_key="whatsapp:wamid.1")
    assert not created_late and late.id == first.id and late.status is JobStatus.DONE
    # 'At most one queued or running per key': a finished job gives its key to a new one.
    fresh, created_fresh = env.jobs.enqueue("msg", {}, dedupe_key="whatsapp:wamid.1", replace_finished=True)
    assert created_fresh and fresh.id != first.id and env.job(first.id).dedupe_key is None
    joined, created_joined = env.jobs.enqueue("msg", {}, dedupe_key="whatsapp:wamid.1", replace_finished=True)
    assert not created_joined and joined.id == fresh.id


def test_jobs_of_unregistered_kinds_wait(env: Env) -> None:
    job, _ = env.jobs.enqueue("not-here-yet", {})
    assert env.jobs.run_once() is None
    env.jobs.register("not-here-yet", lambda ctx: "now")
    assert env.jobs.run_once().id == job.id


def test_schedules_enqueue_once_per_interval(env: Env) -> None:
    ran: list[str] = []
    env.jobs.register("scrape", lambda ctx: ran.append(ctx.payload["m"]))

    def put(uow: Any) -> None:
        env.jobs.schedule_in(uow, Schedule(name="scrape:pizzeria", kind="scrape", payload={"m": "pizzeria"},
                                           interval=timedelta(minutes=30), dedupe_key="scrape:pizzeria"))

    env.services.writer.call(put)
    assert len(env.jobs.tick_schedules()) == 1
    assert env.jobs.tick_schedules() == []  # not due again until the interval has passed
    env.jobs.run_once()
    env.advance(29 * 60)
    assert env.jobs.tick_schedules() == []
    env.advance(60)
    assert len(env.jobs.tick_schedules()) == 1
    env.jobs.run_once()
    assert ran == ["pizzeria", "pizzeria"]


def test_worker_threads_survive_crashing_handlers_and_never_run_a_job_twice(env: Env) -> None:
    done: list[int] = []
    lock = threading.Lock()

    def count(ctx: Any) -> None:
        with lock:
            done.append(ctx.payload["n"])

    async def count_async(ctx: Any) -> None:
        await asyncio.sleep(0)
        count(ctx)

    env.jobs.register("count", count)
    env.jobs.register("count-async", count_async)
    env.jobs.register("crash", lambda ctx: ctx.payload["missing"], max_attempts=1)  # KeyError on bad input
    env.jobs.register("exit", lambda ctx: exec("raise SystemExit(3)"), max_attempts=1)
    crash, _ = env.jobs.enqueue("crash", {})
    leave, _ = env.jobs.enqueue("exit", {})
    for n in range(40):
        env.jobs.enqueue("count-async" if n % 2 else "count", {"n": n})
    env.jobs.workers = 4
    env.jobs.poll_seconds = 0.05
    env.jobs.start()
    try:
        wait_for(lambda: len(done) >= 40)
        wait_for(lambda: env.job(leave.id).status is JobStatus.DEAD)
    finally:
        env.jobs.stop()
    assert sorted(done) == list(range(40))
    assert (env.job(crash.id).status, env.job(crash.id).last_error) == (JobStatus.DEAD, "KeyError: 'missing'")
    assert env.job(leave.id).last_error == "SystemExit: 3"


def test_stopping_gives_a_running_job_back(env: Env) -> None:
    started = threading.Event()

    async def slow(ctx: Any) -> None:
        started.set()
        await asyncio.sleep(60)

    env.jobs.register("slow", slow)
    job, _ = env.jobs.enqueue("slow", {})
    env.jobs.workers, env.jobs.poll_seconds = 1, 0.05
    env.jobs.start()
    assert started.wait(20)
    env.jobs.stop()
    back = env.job(job.id)
    assert back.status is JobStatus.QUEUED and back.attempts == 0 and back.locked_by is None


def test_a_job_claimed_as_the_runner_stops_is_given_back_and_its_coroutine_closed(env: Env) -> None:
    ran: list[str] = []
    stopper = threading.Thread(target=env.jobs.stop)

    async def work(ctx: Any) -> None:
        ran.append(ctx.job.id)

    def stop_then_work(ctx: Any) -> Any:
        """Stop the runner after the claim, before the job's coroutine takes its first step."""
        stopper.start()
        assert env.jobs._stopping.wait(5)
        return work(ctx)

    env.jobs.register("late", stop_then_work)
    job, _ = env.jobs.enqueue("late", {})
    env.jobs.workers, env.jobs.poll_seconds = 1, 0.05
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        env.jobs.start()
        wait_for(lambda: stopper.ident is not None)
        stopper.join(20)
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)] == []
    back = env.job(job.id)
    assert ran == [] and back.status is JobStatus.QUEUED and back.attempts == 0 and back.locked_by is None


def test_expedite_moves_a_waiting_job_to_now(env: Env) -> None:
    env.jobs.register("flaky", lambda ctx: 1 / 0, backoff_seconds=600)
    job, _ = env.jobs.enqueue("flaky", {}, dedupe_key="k", replace_finished=True)
    assert env.jobs.run_once().status is JobStatus.FAILED
    waiting, _ = env.jobs.enqueue("flaky", {}, dedupe_key="k", replace_finished=True)
    assert waiting.id == job.id and waiting.run_at > env.clock.now
    hurried, created = env.jobs.enqueue("flaky", {}, dedupe_key="k", replace_finished=True, expedite=True)
    assert not created and hurried.id == job.id and hurried.run_at == env.clock.now
    assert env.jobs.run_once().attempts == 2
