"""Error codes for importing menus from web pages (fetching lives in server/scraper, codes live here)."""
from __future__ import annotations

from typing import Any

from core.errors import DomainError, ErrorCode


class ScrapeError(ErrorCode):
    """Stable public codes for everything that can go wrong between a URL and a ScrapedMenu."""

    INVALID_URL = "invalid_url"
    UNSUPPORTED_SCHEME = "unsupported_scheme"
    PRIVATE_ADDRESS = "private_address"
    DNS_FAILURE = "dns_failure"
    CONNECTION_FAILED = "connection_failed"
    FETCH_TIMEOUT = "fetch_timeout"
    TOO_LARGE = "too_large"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    HTTP_STATUS = "http_status"
    BLOCKED_BY_ROBOTS = "blocked_by_robots"
    UNSUPPORTED_CONTENT_TYPE = "unsupported_content_type"
    DECODE_ERROR = "decode_error"
    NOT_A_MENU = "not_a_menu"
    INVALID_SITE_MAPPING = "invalid_site_mapping"


def scrape_error(code: ScrapeError, detail: str, **extra: Any) -> DomainError:
    """Build the DomainError for a scrape failure; `extra` carries machine-readable context (url, status)."""
    return DomainError(code=code, detail=detail, extra=dict(extra))


class MenuChangeError(ErrorCode):
    """Codes for reviewing scraped menu changes and for scrape settings."""

    NOT_CONFIGURED = "scrape_not_configured"
    SCRAPE_DISABLED = "scrape_disabled"
    UNKNOWN_CHANGE = "unknown_change"
    CHANGE_NOT_PENDING = "change_not_pending"
