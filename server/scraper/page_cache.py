"""Validators (ETag, Last-Modified) and bodies of fetched pages, for conditional GETs."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CachedPage:
    """A page as last fetched, with the validators its server gave."""

    url: str
    etag: str | None
    last_modified: str | None
    content_type: str
    body: bytes
    fetched_at: datetime

    def conditional_headers(self) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for revalidating this page."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class PageCache(Protocol):
    """Port for the page cache; a database-backed one can keep validators across restarts."""

    def get(self, url: str) -> CachedPage | None: ...

    def put(self, page: CachedPage) -> None: ...


class MemoryPageCache:
    """Least-recently-used in-memory cache of pages that carry validators (shared by threads)."""

    def __init__(self, max_entries: int = 256) -> None:
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._max = max_entries
        self._lock = threading.Lock()

    def get(self, url: str) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(url)
            if page is not None:
                self._pages.move_to_end(url)
            return page

    def put(self, page: CachedPage) -> None:
        with self._lock:
            self._pages[page.url] = page
            self._pages.move_to_end(page.url)
            while len(self._pages) > self._max:
                self._pages.popitem(last=False)
