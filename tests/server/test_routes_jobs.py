"""GET /jobs/{id} and POST /jobs/{id}/retry: an admin sees how a background job ended and tries it again."""
from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tests.server.conftest import Api
from tests.server.test_fuzz_api import assert_problem


class Upstream:
    """A job handler that fails until it is told the upstream is back."""

    def __init__(self) -> None:
        self.healthy = threading.Event()
        self.calls = 0

    def __call__(self, ctx: Any) -> dict[str, Any]:
        self.calls += 1
        if not self.healthy.is_set():
            raise ConnectionError("upstream down")
        return {"fetched": ctx.payload["url"]}


def job_until(api: Api, job_id: str, *statuses: str, timeout: float = 20.0) -> dict[str, Any]:
    """GET /jobs/{id} until the job is in one of `statuses` (the app's own workers run it)."""
    deadline = time.monotonic() + timeout
    while True:
        response = api.get(f"/jobs/{job_id}", "admin")
        assert response.status_code == 200, response.text
        if response.json()["status"] in statuses:
            return response.json()
        assert time.monotonic() < deadline, f"job still {response.json()['status']}"
        time.sleep(0.05)


@pytest.fixture
def upstream(api: Api) -> Upstream:
    handler = Upstream()
    api.services.jobs.register("fetch-page", handler, max_attempts=1)
    return handler


def test_a_dead_job_shows_why_and_a_retry_runs_it_again(api: Api, upstream: Upstream) -> None:
    job, _ = api.services.jobs.enqueue("fetch-page", {"url": "https://example.org/menu"}, subject="merchant:x",
                                       max_attempts=1)
    dead = job_until(api, job.id, "dead")
    assert {k: dead[k] for k in ("id", "kind", "subject", "payload", "attempts", "max_attempts", "last_error")} == {
        "id": job.id, "kind": "fetch-page", "subject": "merchant:x", "payload": {"url": "https://example.org/menu"},
        "attempts": 1, "max_attempts": 1, "last_error": "ConnectionError: upstream down"}
    assert dead["finished_at"] is not None and dead["result"] is None

    upstream.healthy.set()
    retried = api.post(f"/jobs/{job.id}/retry", "admin", None)
    assert retried.status_code == 200, retried.text
    assert {k: retried.json()[k] for k in ("id", "status", "attempts", "finished_at")} == {
        "id": job.id, "status": "queued", "attempts": 0, "finished_at": None}
    done = job_until(api, job.id, "done")
    assert (done["attempts"], done["result"]) == (1, {"fetched": "https://example.org/menu"})
    assert upstream.calls == 2


def test_retrying_a_finished_job_leaves_it_alone(api: Api, upstream: Upstream) -> None:
    upstream.healthy.set()
    job, _ = api.services.jobs.enqueue("fetch-page", {"url": "u"}, max_attempts=1)
    done = job_until(api, job.id, "done")
    again = api.post(f"/jobs/{job.id}/retry", "admin", None)
    assert again.status_code == 200 and again.json() == done
    assert upstream.calls == 1


@pytest.mark.parametrize("job_id", ["no-such-job", "0" * 36, "x" * 300])
def test_an_unknown_job_is_a_404_problem(api: Api, job_id: str) -> None:
    for response in (api.get(f"/jobs/{job_id}", "admin"), api.post(f"/jobs/{job_id}/retry", "admin", None)):
        assert response.status_code == 404
        assert_problem(response)
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("who", ["owner", "staff", "anna", "driver"])
def test_only_admins_see_and_retry_jobs(api: Api, upstream: Upstream, who: str) -> None:
    job, _ = api.services.jobs.enqueue("fetch-page", {"url": "u"}, max_attempts=1)
    job_until(api, job.id, "dead")
    for response in (api.get(f"/jobs/{job.id}", who), api.post(f"/jobs/{job.id}/retry", who, None)):
        assert response.status_code == 403
        assert_problem(response)
    assert job_until(api, job.id, "dead")["attempts"] == 1
