"""What every fetch of one server process shares: per-host pacing, robots.txt rules and page validators.

Scheduled scrapes (job worker threads) and the owner's preview (the server's event loop) draw on the same
caches, so a preview can neither skip a site's Crawl-delay nor re-read its robots.txt on every click.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from server.scraper.config import ScraperSettings
from server.scraper.fetcher import MenuFetcher
from server.scraper.page_cache import MemoryPageCache, PageCache
from server.scraper.rate_limit import HostRateLimiter
from server.scraper.robots import RobotsCache

if TYPE_CHECKING:
    from server.services import Services


class ScrapeCaches:
    """Robots.txt rules, page validators (ETag, Last-Modified) and the per-host limiter, for one settings."""

    def __init__(self, settings: ScraperSettings | None = None) -> None:
        self.settings = settings or ScraperSettings()
        self.robots = RobotsCache(self.settings.robots_cache_seconds)
        self.pages: PageCache = MemoryPageCache()
        self.limiter = HostRateLimiter(self.settings.min_interval_per_host)

    def fetcher(self) -> MenuFetcher:
        """A fetcher drawing on these caches (use as `async with caches.fetcher() as fetcher:`)."""
        return MenuFetcher(self.settings, cache=self.pages, robots=self.robots, limiter=self.limiter)


_lock = threading.Lock()
_by_services: WeakKeyDictionary["Services", ScrapeCaches] = WeakKeyDictionary()


def shared_caches(services: "Services") -> ScrapeCaches:
    """The process's caches for these services; new ones when the scraper settings change (new limits)."""
    with _lock:
        caches = _by_services.get(services)
        if caches is None or caches.settings != services.scraper_settings:
            caches = _by_services[services] = ScrapeCaches(services.scraper_settings)
        return caches
