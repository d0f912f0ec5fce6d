"""URL in, menu JSON out: what `mealkitz scrape-url URL` prints."""
from __future__ import annotations

import asyncio
from typing import Any

from core.menus_import.extract import extract_menu, require_menu
from core.menus_import.model import ScrapedMenu, scraped_menu_to_json
from core.menus_import.site_mapping import SiteMapping
from server.scraper.config import ScraperSettings
from server.scraper.fetcher import FetchResult, MenuFetcher


async def scrape_url(
    url: str,
    settings: ScraperSettings | None = None,
    *,
    fetcher: MenuFetcher | None = None,
    site_mapping: SiteMapping | None = None,
    default_currency: str | None = None,
) -> tuple[ScrapedMenu, FetchResult]:
    """Fetch a page and read its menu. Raises DomainError (ScrapeError codes), not_a_menu for pages without one.

    Pass a long-lived `fetcher` to share pacing, robots.txt and ETag caches across calls.
    """
    own = fetcher is None
    active = fetcher or MenuFetcher(settings)
    try:
        page = await active.fetch(url)
    finally:
        if own:
            await active.aclose()
    # Parsing a large page is CPU work; keep it off the event loop.
    menu = await asyncio.to_thread(extract_menu, page.body, page.final_url, http_charset=page.charset,
                                   site_mapping=site_mapping, default_currency=default_currency)
    return require_menu(menu), page


def _fetch_json(page: FetchResult) -> dict[str, Any]:
    return {
        "final_url": page.final_url,
        "status": page.status,
        "fetched_at": page.fetched_at.isoformat(),
        "not_modified": page.not_modified,
        "etag": page.etag,
        "last_modified": page.last_modified,
        "redirects": list(page.redirects),
    }


async def scrape_url_to_json_async(
    url: str,
    settings: ScraperSettings | None = None,
    *,
    fetcher: MenuFetcher | None = None,
    site_mapping: SiteMapping | None = None,
    default_currency: str | None = None,
) -> dict[str, Any]:
    """The scraped menu as a JSON-ready dict (see scraped_menu_to_json) plus a 'fetch' block."""
    menu, page = await scrape_url(url, settings, fetcher=fetcher, site_mapping=site_mapping,
                                  default_currency=default_currency)
    return {**scraped_menu_to_json(menu), "fetch": _fetch_json(page)}


def scrape_url_to_json(
    url: str,
    settings: ScraperSettings | None = None,
    *,
    site_mapping: SiteMapping | None = None,
    default_currency: str | None = None,
) -> dict[str, Any]:
    """Blocking form for the CLI: runs its own event loop. Raises DomainError with a ScrapeError code."""
    return asyncio.run(scrape_url_to_json_async(url, settings, site_mapping=site_mapping,
                                                default_currency=default_currency))
