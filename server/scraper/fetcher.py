"""The polite, careful page fetcher: robots.txt, per-host pacing, conditional GET, limits, SSRF guard.

Redirects are followed by hand so every hop gets the same checks (scheme, address, robots, pacing).
Each request is pinned to the address we checked, so DNS cannot change its answer in between.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from core.menus_import.decoding import charset_from_content_type
from core.menus_import.errors import ScrapeError, scrape_error
from server.scraper.address_guard import AddressPolicy, Resolver, any_address, is_public_address, \
    pinned_request, resolve_allowed, system_resolver
from server.scraper.config import ScraperSettings
from server.scraper.page_cache import CachedPage, MemoryPageCache, PageCache
from server.scraper.rate_limit import HostRateLimiter
from server.scraper.robots import RobotsCache, RobotsRules, rules_from_response

_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A fetched page. `not_modified` means the server answered 304 and `body` is the cached copy."""

    url: str
    final_url: str
    status: int
    content_type: str
    charset: str | None
    body: bytes
    fetched_at: datetime
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    redirects: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    scheme: str
    host: str
    port: int

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise scrape_error(ScrapeError.INVALID_URL, f"not a valid URL: {url!r}", url=url) from error
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise scrape_error(ScrapeError.UNSUPPORTED_SCHEME, f"only http and https are fetched, not {scheme or 'none'!r}",
                           url=url)
    if not parts.hostname:
        raise scrape_error(ScrapeError.INVALID_URL, f"no host in {url!r}", url=url)
    return _Target(url, scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80))


class MenuFetcher:
    """Fetches pages for the menu scraper. Use as `async with MenuFetcher(settings) as fetcher:`.

    `resolver` and `address_policy` are injectable for tests; by default the OS resolver is used and only
    public addresses are allowed (any address with settings.allow_private_networks).
    """

    def __init__(
        self,
        settings: ScraperSettings | None = None,
        *,
        cache: PageCache | None = None,
        limiter: HostRateLimiter | None = None,
        robots: RobotsCache | None = None,
        resolver: Resolver = system_resolver,
        address_policy: AddressPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings or ScraperSettings()
        self.cache = cache if cache is not None else MemoryPageCache()
        self.limiter = limiter or HostRateLimiter(self.settings.min_interval_per_host)
        self.robots = robots or RobotsCache(self.settings.robots_cache_seconds)
        self._resolver = resolver
        self._allowed = address_policy or (any_address if self.settings.allow_private_networks else is_public_address)
        s = self.settings
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout,
                                  pool=s.connect_timeout),
            follow_redirects=False, trust_env=False, transport=transport,
            headers={"User-Agent": s.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"},
        )

    async def __aenter__(self) -> "MenuFetcher":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.aclose()

    async def fetch(self, url: str) -> FetchResult:
        """GET a page, honouring robots.txt and pacing, revalidating a cached copy with ETag/Last-Modified.

        Raises DomainError with a ScrapeError code: unsupported_scheme, invalid_url, dns_failure,
        private_address, blocked_by_robots, fetch_timeout, connection_failed, too_many_redirects,
        http_status, too_large, unsupported_content_type.
        """
        redirects: list[str] = []
        current = url
        for _ in range(self.settings.max_redirects + 1):
            target = _target(current)
            addresses = await resolve_allowed(target.host, target.port, self._resolver, self._allowed)
            delay = None
            if self.settings.respect_robots:
                rules = await self._robots(target)
                if not rules.allows(self.settings.robots_agent, current):
                    detail = f"robots.txt of {target.host} disallows {current}" if not rules.deny_all else (
                        f"robots.txt of {target.origin} is unavailable ({rules.reason}); RFC 9309 says to treat "
                        "that as 'everything disallowed', so the page was not fetched")
                    raise scrape_error(ScrapeError.BLOCKED_BY_ROBOTS, detail, url=current)
                delay = rules.crawl_delay(self.settings.robots_agent)
            await self.limiter.wait(target.origin, delay)
            cached = self.cache.get(current)
            headers = cached.conditional_headers() if cached else {}
            status, response_headers, body, location = await self._get(target, addresses[0], headers,
                                                                        self.settings.max_bytes)
            if location is not None:
                following = urljoin(current, location)
                if following in redirects or following == current:
                    raise scrape_error(ScrapeError.TOO_MANY_REDIRECTS, f"redirect loop at {following}", url=url)
                redirects.append(current)
                current = following
                continue
            return self._result(url, current, status, response_headers, body, cached, tuple(redirects))
        raise scrape_error(ScrapeError.TOO_MANY_REDIRECTS,
                           f"more than {self.settings.max_redirects} redirects from {url}", url=url)

    def _result(self, url: str, final: str, status: int, headers: httpx.Headers, body: bytes,
                cached: CachedPage | None, redirects: tuple[str, ...]) -> FetchResult:
        now = datetime.now(UTC)
        if status == 304 and cached is not None:
            return FetchResult(url, final, 304, cached.content_type, charset_from_content_type(cached.content_type),
                               cached.body, now, True, cached.etag, cached.last_modified, redirects)
        if not 200 <= status < 300:  # 3xx without Location, 304 we did not ask for, 4xx, 5xx
            raise scrape_error(ScrapeError.HTTP_STATUS, f"{final} answered HTTP {status}", url=final, status=status)
        content_type = headers.get("content-type", "")
        media_type = content_type.split(";")[0].strip().lower()
        if media_type not in self.settings.html_content_types:
            raise scrape_error(ScrapeError.UNSUPPORTED_CONTENT_TYPE, f"{final} is {media_type}, not HTML", url=final)
        etag, modified = headers.get("etag"), headers.get("last-modified")
        if etag or modified:
            self.cache.put(CachedPage(final, etag, modified, content_type, body, now))
        return FetchResult(url, final, status, content_type, charset_from_content_type(content_type), body, now,
                           False, etag, modified, redirects)

    async def _robots(self, target: _Target) -> RobotsRules:
        rules = self.robots.get(target.origin)
        if rules is not None:
            return rules
        robots_url = f"{target.origin}/robots.txt"
        status: int | None = None
        text = ""
        try:
            current = robots_url
            for _ in range(self.settings.max_redirects + 1):  # RFC 9309: follow at least five redirects
                hop = _target(current)
                addresses = await resolve_allowed(hop.host, hop.port, self._resolver, self._allowed)
                await self.limiter.wait(hop.origin)
                status, headers, body, location = await self._get(hop, addresses[0], {},
                                                                   self.settings.max_robots_bytes, truncate=True)
                if location is None:
                    text = body.decode(charset_from_content_type(headers.get("content-type")) or "utf-8", "replace")
                    break
                current = urljoin(current, location)
            else:
                status = 404  # endless robots redirects: RFC 9309 treats that as 'unavailable'
        except Exception as error:  # noqa: BLE001 - any failure means 'unreachable'
            if getattr(error, "code", None) in (ScrapeError.PRIVATE_ADDRESS, ScrapeError.UNSUPPORTED_SCHEME):
                status = 404  # a robots redirect we refuse to follow: no rules, like a missing file
            else:
                status = None
        rules = rules_from_response(status, text)
        self.robots.put(target.origin, rules)
        return rules

    async def _get(self, target: _Target, address: str, headers: dict[str, str], limit: int,
                   truncate: bool = False) -> tuple[int, httpx.Headers, bytes, str | None]:
        """One request pinned to `address`; returns status, headers, body and the redirect location if any."""
        pinned, host_header, extensions = pinned_request(target.url, address)
        try:
            async with asyncio.timeout(self.settings.total_timeout):
                async with self._client.stream("GET", pinned, headers={**headers, **host_header},
                                               extensions=extensions) as response:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECTS and location:
                        return response.status_code, response.headers, b"", location
                    if response.status_code >= 300:
                        return response.status_code, response.headers, b"", None
                    body = await _read_limited(response, limit, truncate, target.url)
                    return response.status_code, response.headers, body, None
        except (TimeoutError, httpx.TimeoutException) as error:
            raise scrape_error(ScrapeError.FETCH_TIMEOUT, f"{target.url} took too long", url=target.url) from error
        except httpx.HTTPError as error:
            # The exception's text names the address connected to; the class name says enough.
            raise scrape_error(ScrapeError.CONNECTION_FAILED, f"{target.url}: {error.__class__.__name__}",
                               url=target.url) from error


async def _read_limited(response: httpx.Response, limit: int, truncate: bool, url: str) -> bytes:
    """The body, decompressed, stopping at `limit` bytes: an error, or a cut when `truncate`.

    `url` is the page as asked for: response.url names the pinned address instead of the host.
    """
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit and not truncate:
        raise scrape_error(ScrapeError.TOO_LARGE, f"page declares {declared} bytes, limit is {limit}",
                           url=url, limit=limit)
    chunks: list[bytes] = []
    size = 0
    # Counting decoded bytes also stops compression bombs, which are small on the wire.
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            if truncate:
                chunks.append(chunk[: len(chunk) - (size - limit)])
                break
            raise scrape_error(ScrapeError.TOO_LARGE, f"page is over the {limit}-byte limit",
                               url=url, limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)
