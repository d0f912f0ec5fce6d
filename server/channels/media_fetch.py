"""Chat media from the provider's media hosts only (the Instagram attachment URLs a webhook names).

The URL comes from a webhook body, so it is not trusted: it is fetched only from an allow-listed host
(a Meta CDN suffix by default, MEALKITZ_MEDIA_HOSTS), through the scraper's address guard (no private,
loopback or link-local address, the IPv6 forms of them included), connected to the address that was checked
(DNS cannot change its answer in between), with each redirect checked the same way, and within a size cap.
"""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import httpx

from core.errors import DomainError
from server.channels.graph import read_limited
from server.channels.graph_errors import GraphError, error_from_response, error_from_transport
from server.scraper.address_guard import BlockingResolver, any_address, blocking_resolver, is_public_address, \
    pinned_request, resolve_allowed_blocking

MEDIA_MAX_BYTES = 16_000_000  # WhatsApp's and Instagram's own limit for audio is 16 MB
_REDIRECTS = {301, 302, 303, 307, 308}


def host_allowed(host: str, suffixes: tuple[str, ...]) -> bool:
    """Is `host` one of the suffixes or a subdomain of one? (fbcdn.net allows scontent.xx.fbcdn.net.)"""
    host = host.lower().rstrip(".")
    return any(host == s or host.endswith("." + s) for s in (x.lower().strip(".") for x in suffixes) if s)


class MediaFetcher:
    """GETs media bytes from allow-listed hosts; raises GraphError (retryable when trying later may help)."""

    def __init__(self, allowed_hosts: tuple[str, ...], *, allow_private_networks: bool = False,
                 max_bytes: int = MEDIA_MAX_BYTES, max_redirects: int = 3, timeout: float = 10.0,
                 resolver: BlockingResolver = blocking_resolver, transport: httpx.BaseTransport | None = None) -> None:
        self.allowed_hosts = allowed_hosts
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        # Plain http only where private networks are allowed (the local emulator in tests); Meta serves https.
        self._schemes = ("http", "https") if allow_private_networks else ("https",)
        self._allowed = any_address if allow_private_networks else is_public_address
        self._resolver = resolver
        self._http = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "MediaFetcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch(self, url: str) -> bytes:
        """The body at `url`, following at most max_redirects redirects, each to an allowed host."""
        current = url
        for _ in range(self.max_redirects + 1):
            location = self._get(current)
            if isinstance(location, bytes):
                return location
            current = urljoin(current, location)
        raise GraphError(f"more than {self.max_redirects} redirects fetching media")

    def _address(self, url: str) -> str:
        parts = urlsplit(url)
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise GraphError("the media URL is not valid") from None
        if parts.scheme not in self._schemes or not parts.hostname:
            raise GraphError(f"media is fetched over {' or '.join(self._schemes)} only")
        if not host_allowed(parts.hostname, self.allowed_hosts):
            raise GraphError(f"{parts.hostname} is not one of the channel's media hosts")
        try:
            return resolve_allowed_blocking(parts.hostname, port, self._allowed, self._resolver)[0]
        except DomainError as error:  # private address or no address: nothing a retry would change
            raise GraphError(f"media host refused: {error.detail}") from None

    def _get(self, url: str) -> bytes | str:
        """The body, or the Location of a redirect."""
        pinned, host_header, extensions = pinned_request(url, self._address(url))
        try:
            with self._http.stream("GET", pinned, headers=host_header, extensions=extensions) as response:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    return location
                body = read_limited(response, self.max_bytes)
        except httpx.RequestError as exc:
            raise error_from_transport(exc, idempotent=True) from None
        if not response.is_success:
            raise error_from_response(response.status_code, response.headers, body)
        return body
