"""Scraping as a durable job: the `scrape_menu` handler, and the per-merchant schedule that enqueues it."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.errors import AccountError, DomainError
from core.menus_import.errors import MenuChangeError, ScrapeError
from server.jobs import JobContext, JobFailed, Schedule
from server.events import JobsQueued
from server.jobs import schedules as job_schedules
from server.scraper.caches import shared_caches
from server.scraper.menu_sync import run_scrape
from server.scraper.store import ScrapeConfig

if TYPE_CHECKING:
    from server.services import Services

SCRAPE_JOB = "scrape_menu"
SCRAPE_ATTEMPTS = 3
# Trying again cannot help these: the URL, the site's robots.txt or the page itself must change first.
PERMANENT = frozenset({
    ScrapeError.INVALID_URL, ScrapeError.UNSUPPORTED_SCHEME, ScrapeError.PRIVATE_ADDRESS,
    ScrapeError.BLOCKED_BY_ROBOTS, ScrapeError.INVALID_SITE_MAPPING, ScrapeError.NOT_A_MENU,
    ScrapeError.TOO_LARGE, ScrapeError.TOO_MANY_REDIRECTS, ScrapeError.UNSUPPORTED_CONTENT_TYPE,
    ScrapeError.DECODE_ERROR, MenuChangeError.NOT_CONFIGURED, MenuChangeError.SCRAPE_DISABLED,
    AccountError.NOT_FOUND,
})


def schedule_name(merchant_id: str) -> str:
    return f"{SCRAPE_JOB}:{merchant_id}"


def job_options(merchant_id: str) -> dict[str, Any]:
    """One queued or running scrape per merchant: asking again while one waits joins it."""
    return {"subject": f"merchant:{merchant_id}", "dedupe_key": schedule_name(merchant_id), "replace_finished": True}


def is_retryable(error: DomainError) -> bool:
    if error.code is ScrapeError.HTTP_STATUS:
        status = error.extra.get("status")
        return isinstance(status, int) and (status >= 500 or status in (408, 429))
    return error.code not in PERMANENT


def register_scrape_jobs(services: "Services") -> None:
    """Register the `scrape_menu` handler on the services' job runner (called by create_app)."""
    async def scrape_menu(ctx: JobContext) -> dict[str, Any]:
        merchant_id = ctx.payload["merchant_id"]
        if not isinstance(merchant_id, str):
            raise JobFailed(f"merchant_id must be a string, not {type(merchant_id).__name__}", retry=False)
        try:
            return await run_scrape(ctx.services, merchant_id, job_id=ctx.job.id, caches=shared_caches(ctx.services))
        except DomainError as error:
            raise JobFailed(f"{error.code}: {error.detail}", retry=is_retryable(error)) from error

    services.jobs.register(SCRAPE_JOB, scrape_menu, max_attempts=SCRAPE_ATTEMPTS, lease_seconds=600, backoff_seconds=300)


def sync_schedule(uow: Any, merchant_id: str, config: ScrapeConfig | None, now: datetime) -> None:
    """Keep the merchant's recurring scrape in step with its settings (inside the settings' unit of work)."""
    name = schedule_name(merchant_id)
    if config is None or not config.enabled or not config.interval_minutes:
        job_schedules.remove(uow.conn, name)
        return
    interval = timedelta(minutes=config.interval_minutes)
    options = job_options(merchant_id)
    current = job_schedules.get(uow.conn, name)
    schedule = Schedule(name=name, kind=SCRAPE_JOB, payload={"merchant_id": merchant_id}, interval=interval,
                        subject=options["subject"], dedupe_key=options["dedupe_key"], max_attempts=SCRAPE_ATTEMPTS)
    # A new schedule waits one interval: the owner has just been offered 'scrape now'.
    first = now + interval if current is None else None
    job_schedules.put(uow.conn, schedule, now=now, first_run_at=first)
    uow.emit(JobsQueued())
