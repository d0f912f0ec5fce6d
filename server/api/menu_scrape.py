"""Menu scraping for owners and admins: settings, 'scrape now' (a job), a preview, change sets and their review."""
from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from pydantic import BaseModel, Field, model_validator

from core.errors import AccountError, DomainError, InputError
from core.menus_import import SiteMapping
from core.orders.model import Actor
from server.auth import OWNERS, ensure_merchant_scope, roles
from server.jobs import queue as job_queue
from server.jobs import schedules as job_schedules
from server.scraper import service as scrape_service
from server.scraper import store
from server.scraper.caches import shared_caches
from server.scraper.jobs import SCRAPE_JOB, schedule_name
from server.scraper.scrape import scrape_url_to_json_async
from server.scraper.store import ScrapeConfig
from server.services import Services

Limit = Annotated[int, QueryParameter(ge=1, le=200)]
ChangeIds = list[Annotated[str, Field(min_length=1, max_length=200)]]


class PreviewBody(BaseModel):
    """Try a page before saving it: what would a scrape read there? (Defaults to the first configured URL.)"""

    url: str | None = Field(default=None, min_length=1, max_length=2000)
    site_mapping: SiteMapping | None = None


class ReviewBody(BaseModel):
    """Pending changes of one change set to put live (`approve`) or turn down (`reject`)."""

    approve: ChangeIds = Field(default_factory=list, max_length=2000)
    reject: ChangeIds = Field(default_factory=list, max_length=2000)

    @model_validator(mode="after")
    def _something(self) -> "ReviewBody":
        if not self.approve and not self.reject:
            raise ValueError("name at least one change to approve or reject")
        return self


def _not_found(what: str) -> DomainError:
    return DomainError(AccountError.NOT_FOUND, what)


class MenuScrapeController(Controller):
    path = "/merchants/{merchant_id:str}/scrape"
    tags = ["menu scraping"]
    guards = [roles(*OWNERS)]

    @get("/", sync_to_thread=True)
    def get_settings(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                     merchant_id: FromPath[str]) -> dict[str, Any]:
        """The merchant's scrape settings, when the next scheduled scrape is due, and the last scrape job."""
        ensure_merchant_scope(actor, merchant_id)
        with services.connection() as conn:
            found = store.get_config(conn, merchant_id)
            if found is None:
                raise _not_found(f"{merchant_id} has no scrape settings")
            jobs = job_queue.list_jobs(conn, kind=SCRAPE_JOB, subject=f"merchant:{merchant_id}", limit=1)
            schedule = job_schedules.get(conn, schedule_name(merchant_id))
        return scrape_service.config_view(*found, schedule, jobs[0].view() if jobs else None)

    @put("/")
    async def put_settings(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                           merchant_id: FromPath[str], data: JSONBody[ScrapeConfig]) -> dict[str, Any]:
        """Set where the menu is published, an optional CSS site mapping, the interval and the apply policy."""
        ensure_merchant_scope(actor, merchant_id)
        config = store.validate_config(data, services.scraper_settings.allow_private_networks)
        command = scrape_service.PutSettings(merchant_id, config, actor, services.clock())
        return await services.execute(scrape_service.put_settings, command)

    @delete("/", status_code=204)
    async def delete_settings(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                              merchant_id: FromPath[str]) -> None:
        """Stop scraping this merchant (change sets and the audit trail stay)."""
        ensure_merchant_scope(actor, merchant_id)
        await services.execute(scrape_service.delete_settings, scrape_service.DeleteSettings(merchant_id, services.clock()))

    @post("/jobs", status_code=202)
    async def scrape_now(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                         merchant_id: FromPath[str]) -> Response[dict[str, Any]]:
        """Scrape now: enqueues a `scrape_menu` job (or joins the one already waiting) and answers at once."""
        ensure_merchant_scope(actor, merchant_id)
        body = await services.execute(scrape_service.scrape_now, scrape_service.ScrapeNow(merchant_id, services.clock()))
        return Response(body, status_code=202,
                        headers={"Location": f"/merchants/{merchant_id}/scrape/jobs/{body['job']['id']}"})

    @get("/jobs", sync_to_thread=True)
    def list_jobs(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                  merchant_id: FromPath[str], limit: Limit = 20) -> list[dict[str, Any]]:
        """Recent scrape jobs, newest first, with their status and last error."""
        ensure_merchant_scope(actor, merchant_id)
        with services.connection() as conn:
            return [j.view() for j in job_queue.list_jobs(conn, kind=SCRAPE_JOB, subject=f"merchant:{merchant_id}",
                                                          limit=limit)]

    @get("/jobs/{job_id:str}", sync_to_thread=True)
    def get_job(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                merchant_id: FromPath[str], job_id: FromPath[str]) -> dict[str, Any]:
        """One scrape job of the merchant: its status, attempts and last error."""
        ensure_merchant_scope(actor, merchant_id)
        with services.connection() as conn:
            job = job_queue.get(conn, job_id[:36])
        if job is None or job.kind != SCRAPE_JOB or job.subject != f"merchant:{merchant_id}":
            raise _not_found(f"no scrape job {job_id[:40]!r} for {merchant_id}")
        return job.view()

    @post("/preview", status_code=200)
    async def preview(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                      merchant_id: FromPath[str], data: JSONBody[PreviewBody]) -> dict[str, Any]:
        """Fetch one page now and show what it yields (nothing is stored). Fetch problems are problem details:
        blocked_by_robots 403, fetch_timeout 504, other fetch failures 502, unusable input or page 422."""
        ensure_merchant_scope(actor, merchant_id)
        with services.read() as uow:
            merchant = uow.catalog.merchant(merchant_id)
            found = store.get_config(uow.conn, merchant_id)
        if merchant is None:
            raise _not_found(f"no merchant {merchant_id!r}")
        url = data.url or (found[0].urls[0] if found else None)
        if url is None:
            raise DomainError(InputError.INVALID, "give a url (this merchant has no scrape settings yet)")
        url = store.check_url(url, services.scraper_settings.allow_private_networks)
        mapping = data.site_mapping or (found[0].site_mapping if found else None)
        if mapping is not None:
            store.check_site_mapping(mapping)
        # The same pacing, robots.txt rules and page validators as scheduled scrapes (not a fetcher of its own).
        async with shared_caches(services).fetcher() as fetcher:
            return await scrape_url_to_json_async(url, fetcher=fetcher, site_mapping=mapping,
                                                  default_currency=merchant.currency)


class MenuChangeController(Controller):
    path = "/merchants/{merchant_id:str}/menu-changes"
    tags = ["menu scraping"]
    guards = [roles(*OWNERS)]

    @get("/", sync_to_thread=True)
    def list_change_sets(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                         merchant_id: FromPath[str],
                         status: Annotated[str | None, QueryParameter(max_length=20)] = None,
                         limit: Limit = 20) -> list[dict[str, Any]]:
        """Change sets from scrapes, newest first, with counts of their changes by status."""
        ensure_merchant_scope(actor, merchant_id)
        with services.connection() as conn:
            return store.list_change_sets(conn, merchant_id, status=status, limit=limit)

    @get("/audit", sync_to_thread=True)
    def audit_trail(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                    merchant_id: FromPath[str], limit: Limit = 100) -> list[dict[str, Any]]:
        """Every applied or rejected scraped change: who, when, what it was before and after."""
        ensure_merchant_scope(actor, merchant_id)
        with services.connection() as conn:
            return store.list_audit(conn, merchant_id, limit)

    @get("/{set_id:str}", sync_to_thread=True)
    def get_change_set(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                       merchant_id: FromPath[str], set_id: FromPath[str]) -> dict[str, Any]:
        """One change set with every change, its status and its evidence (page, time, snippet)."""
        ensure_merchant_scope(actor, merchant_id)
        with services.connection() as conn:
            row = store.change_set_row(conn, merchant_id, set_id[:36])
            if row is None:
                raise _not_found(f"{merchant_id} has no change set {set_id[:40]!r}")
            return store.set_view(row, store.changes_of(conn, row.id))

    @post("/{set_id:str}/review", status_code=200)
    async def review_changes(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                             merchant_id: FromPath[str], set_id: FromPath[str],
                             data: JSONBody[ReviewBody]) -> dict[str, Any]:
        """Approve (applied to the live menu as a new version) and/or reject pending changes."""
        ensure_merchant_scope(actor, merchant_id)
        command = scrape_service.ReviewChanges(merchant_id, set_id, actor, services.clock(), approve=data.approve,
                                               reject=data.reject)
        return await services.execute(scrape_service.review_changes, command)
