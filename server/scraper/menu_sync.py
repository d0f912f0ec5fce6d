"""One scrape of a merchant's menu pages: fetch, extract, diff against the live menu, store the change set
with its evidence, and apply what the merchant's policy lets go live without a person."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.errors import AccountError, DomainError
from core.ids import uuid7
from core.menus_import import ChangeSet, Evidence, ScrapedMenu, diff_menu, plan_changes
from core.menus_import.errors import MenuChangeError
from core.orders.lifecycle import Role
from core.orders.model import Actor
from server.db.catalog_cache import load_catalog
from server.scraper import store
from server.scraper.caches import ScrapeCaches
from server.scraper.review import apply_selected
from server.scraper.scrape import scrape_url
from server.scraper.store import ScrapeConfig

if TYPE_CHECKING:
    from server.services import Services

SCRAPER = Actor(role=Role.SYSTEM, id="menu-scraper")


def merge_pages(pages: list[ScrapedMenu]) -> tuple[ScrapedMenu, dict[tuple[str, str], str]]:
    """Several pages of one menu (food, drinks) as one scraped menu, and which page each item came from."""
    first = pages[0]
    origin = {(item.name, item.snippet): page.url for page in pages for _, item in page.iter_items()}
    merged = first.model_copy(update={
        "sections": [s for p in pages for s in p.sections],
        "warnings": [w for p in pages for w in p.warnings],
        "currency": next((p.currency for p in pages if p.currency), None)})
    return merged, origin


def _with_page_evidence(change_set: ChangeSet, origin: dict[tuple[str, str], str], urls: list[str]) -> ChangeSet:
    if len(urls) == 1:
        return change_set
    changes = []
    for change in change_set.changes:
        if change.scraped is not None:
            url = origin.get((change.scraped.name, change.scraped.snippet), change.evidence.url)
        else:  # a removal was seen on none of the pages
            url = " ".join(urls)[:2000]
        changes.append(change.model_copy(update={"evidence": Evidence(
            url=url, fetched_at=change.evidence.fetched_at, snippet=change.evidence.snippet)}))
    return change_set.model_copy(update={"changes": changes})


async def fetch_menu(config: ScrapeConfig, services: "Services", currency: str,
                     caches: ScrapeCaches | None = None) -> tuple[ScrapedMenu, dict[tuple[str, str], str], datetime]:
    """Every configured page, read as one menu. Any page failing fails the scrape: half a menu would read as
    'everything else was removed'."""
    caches = caches or ScrapeCaches(services.scraper_settings)
    pages: list[ScrapedMenu] = []
    fetched_at: datetime | None = None
    async with caches.fetcher() as fetcher:
        for url in config.urls:
            menu, page = await scrape_url(url, fetcher=fetcher, site_mapping=config.site_mapping,
                                          default_currency=currency)
            pages.append(menu)
            fetched_at = fetched_at or page.fetched_at
    merged, origin = merge_pages(pages)
    assert fetched_at is not None
    return merged, origin, fetched_at


def summary(set_id: str, change_set: ChangeSet, auto: dict[str, Any] | None, pending: int,
            item_count: int, urls: list[str]) -> dict[str, Any]:
    kinds: dict[str, int] = {}
    for change in change_set.changes:
        kinds[str(change.kind)] = kinds.get(str(change.kind), 0) + 1
    return {"merchant_id": change_set.merchant_id, "change_set_id": set_id, "menu_version": change_set.menu_version,
            "urls": urls, "fetched_at": change_set.fetched_at.isoformat(),
            "items_scraped": item_count, "changes": len(change_set.changes), "by_kind": kinds,
            "auto_applied": (auto or {}).get("applied", []), "stale": (auto or {}).get("stale", []),
            "menu_version_after": (auto or {}).get("menu_version", change_set.menu_version),
            "awaiting_approval": pending, "warnings": change_set.warnings}


async def run_scrape(services: "Services", merchant_id: str, *, job_id: str | None = None,
                     caches: ScrapeCaches | None = None) -> dict[str, Any]:
    """Scrape one merchant now. Raises DomainError: not_found / scrape_not_configured, or a ScrapeError code."""
    with services.connection() as conn:
        config = store.require_config(conn, merchant_id)
        merchant, menu = load_catalog(conn, merchant_id)
    if merchant is None or menu is None:
        raise DomainError(AccountError.NOT_FOUND, f"no merchant {merchant_id!r} with a menu")
    scraped, origin, fetched_at = await fetch_menu(config, services, menu.currency, caches)
    change_set = diff_menu(scraped, menu, fetched_at=fetched_at)
    change_set = _with_page_evidence(change_set.model_copy(update={"url": " ".join(config.urls)}), origin,
                                     config.urls)
    plan = plan_changes(change_set, config.policy)
    set_id = str(uuid7())

    def write(uow: Any) -> dict[str, Any]:
        now = services.clock()
        store.insert_change_set(uow.conn, set_id, change_set, urls=config.urls, item_count=scraped.item_count,
                                job_id=job_id, now=now)
        store.supersede_pending(uow.conn, merchant_id, keep=set_id, now=now)
        auto = apply_selected(uow, merchant_id, set_id, plan.auto, actor=SCRAPER, action="auto_applied",
                              now=now) if plan.auto else None
        return summary(set_id, change_set, auto, len(plan.needs_approval), scraped.item_count,
                       config.urls)

    return await services.writer.run(write)


def require_enabled(config: ScrapeConfig, merchant_id: str) -> None:
    if not config.enabled:
        raise DomainError(MenuChangeError.SCRAPE_DISABLED, f"scraping is switched off for {merchant_id}")
