"""Durable background jobs in the database: a queue with leases, retries with backoff, dedupe keys,
recurring schedules, and worker threads started and stopped with the app (see Services)."""
from server.jobs.model import Job, JobContext, JobFailed, JobSpec, JobStatus
from server.jobs.runner import JobRegistry, JobRunner
from server.jobs.schedules import Schedule

__all__ = ["Job", "JobContext", "JobFailed", "JobRegistry", "JobRunner", "JobSpec", "JobStatus", "Schedule"]
