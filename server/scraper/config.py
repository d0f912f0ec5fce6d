"""How the menu fetcher behaves. Built by server/settings.py (the one place that reads the environment)."""
from __future__ import annotations

from dataclasses import dataclass

USER_AGENT = "MealkitzMenuBot/1.0 (+https://mealkitz.example/bot)"
ROBOTS_AGENT = "MealkitzMenuBot"  # the product token robots.txt groups name


@dataclass(frozen=True, slots=True)
class ScraperSettings:
    """Limits and manners for fetching restaurant pages. Times are seconds, sizes bytes."""

    user_agent: str = USER_AGENT
    robots_agent: str = ROBOTS_AGENT
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0  # a slow-drip server can keep every read under read_timeout forever
    max_bytes: int = 5 * 1024 * 1024
    max_robots_bytes: int = 512 * 1024  # RFC 9309 lets crawlers stop reading robots.txt past 500 KiB
    max_redirects: int = 5
    min_interval_per_host: float = 2.0
    robots_cache_seconds: float = 3600.0
    respect_robots: bool = True
    allow_private_networks: bool = False
    html_content_types: tuple[str, ...] = ("text/html", "application/xhtml+xml", "text/plain", "")
