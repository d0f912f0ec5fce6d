"""Menu-scraping use cases for owners and admins: settings, 'scrape now' and the review of change sets,
each `(command, uow) -> result`. The scrape itself is a job (server.scraper.jobs, menu_sync)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.errors import AccountError, DomainError
from core.orders.model import Actor
from server.catalog import store as catalog_store
from server.db.uow import SqlUnitOfWork
from server.jobs import schedules as job_schedules
from server.jobs import service as jobs
from server.scraper import store
from server.scraper.jobs import SCRAPE_ATTEMPTS, SCRAPE_JOB, job_options, schedule_name, sync_schedule
from server.scraper.menu_sync import require_enabled
from server.scraper.review import review
from server.scraper.store import ScrapeConfig


def config_view(config: ScrapeConfig, meta: dict[str, Any], schedule: dict[str, Any] | None,
                last_job: dict[str, Any] | None) -> dict[str, Any]:
    """The settings as owners see them, with when the next scheduled scrape is due and the last job."""
    return {**config.model_dump(mode="json"), **meta,
            "next_run_at": schedule["next_run_at"] if schedule else None, "last_job": last_job}


@dataclass
class PutSettings:
    merchant_id: str
    config: ScrapeConfig  # checked already (store.validate_config), addresses included
    actor: Actor
    now: datetime


def put_settings(cmd: PutSettings, uow: SqlUnitOfWork) -> dict[str, Any]:
    """Where the menu is published, an optional CSS site mapping, the interval and the apply policy."""
    if not catalog_store.merchant_exists(uow.conn, cmd.merchant_id):
        raise DomainError(AccountError.NOT_FOUND, f"no merchant {cmd.merchant_id!r}")
    store.put_config(uow.conn, cmd.merchant_id, cmd.config, now=cmd.now, by=f"{cmd.actor.role}:{cmd.actor.id}")
    sync_schedule(uow, cmd.merchant_id, cmd.config, cmd.now)
    found = store.get_config(uow.conn, cmd.merchant_id)
    assert found is not None
    return config_view(*found, job_schedules.get(uow.conn, schedule_name(cmd.merchant_id)), None)


@dataclass
class DeleteSettings:
    merchant_id: str
    now: datetime


def delete_settings(cmd: DeleteSettings, uow: SqlUnitOfWork) -> None:
    """Stop scraping this merchant (change sets and the audit trail stay)."""
    if not store.delete_config(uow.conn, cmd.merchant_id):
        raise DomainError(AccountError.NOT_FOUND, f"{cmd.merchant_id} has no scrape settings")
    sync_schedule(uow, cmd.merchant_id, None, cmd.now)


@dataclass
class ScrapeNow:
    merchant_id: str
    now: datetime


def scrape_now(cmd: ScrapeNow, uow: SqlUnitOfWork) -> dict[str, Any]:
    """Enqueue a `scrape_menu` job, or join (and hurry) the one already waiting."""
    require_enabled(store.require_config(uow.conn, cmd.merchant_id), cmd.merchant_id)
    job, created = jobs.enqueue(uow, SCRAPE_JOB, {"merchant_id": cmd.merchant_id}, now=cmd.now, expedite=True,
                                max_attempts=SCRAPE_ATTEMPTS, **job_options(cmd.merchant_id))
    return {"job": job.view(), "created": created}


@dataclass
class ReviewChanges:
    merchant_id: str
    set_id: str
    actor: Actor
    now: datetime
    approve: list[str] = field(default_factory=list)
    reject: list[str] = field(default_factory=list)


def review_changes(cmd: ReviewChanges, uow: SqlUnitOfWork) -> dict[str, Any]:
    """Approve (applied to the live menu as a new version) and/or reject pending changes of a change set."""
    return review(uow, cmd.merchant_id, cmd.set_id[:36], approve=cmd.approve, reject=cmd.reject, actor=cmd.actor,
                  now=cmd.now)
