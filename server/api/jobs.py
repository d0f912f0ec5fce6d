"""Background jobs for admins: what is queued, running, failed or dead, and 'try again'."""
from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from core.errors import AccountError, DomainError
from core.orders.lifecycle import Role
from server.auth import roles
from server.jobs import JobStatus
from server.jobs import queue as job_queue
from server.jobs import service as jobs_service
from server.services import Services

Text = Annotated[str | None, QueryParameter(max_length=120)]


class JobController(Controller):
    path = "/jobs"
    tags = ["ops"]
    guards = [roles(Role.ADMIN)]

    @get("/", sync_to_thread=True)
    def list_jobs(self, services: NamedDependency[Services], kind: Text = None, subject: Text = None,
                  status: FromQuery[JobStatus | None] = None,
                  limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50) -> dict[str, Any]:
        """Newest first, with a count of every job by status."""
        with services.connection() as conn:
            jobs = job_queue.list_jobs(conn, kind=kind, subject=subject, status=status and str(status), limit=limit)
            return {"counts": job_queue.counts(conn), "items": [j.view() for j in jobs]}

    @get("/{job_id:str}", sync_to_thread=True)
    def get_job(self, services: NamedDependency[Services], job_id: FromPath[str]) -> dict[str, Any]:
        """One job: its kind, subject, payload, status, attempts and last error."""
        with services.connection() as conn:
            job = job_queue.get(conn, job_id[:36])
        if job is None:
            raise DomainError(AccountError.NOT_FOUND, f"no job {job_id[:40]!r}")
        return job.view()

    @post("/{job_id:str}/retry", status_code=200)
    async def retry(self, services: NamedDependency[Services], job_id: FromPath[str]) -> dict[str, Any]:
        """A failed or dead job back in the queue with fresh attempts (other statuses are left alone)."""
        return await services.execute(jobs_service.retry_job, jobs_service.RetryJob(job_id, services.clock()))
