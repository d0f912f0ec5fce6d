"""Refuse to fetch from private, loopback and link-local addresses (SSRF), checked after DNS resolution."""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable

import httpx

from core.menus_import.errors import ScrapeError, scrape_error

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
BlockingResolver = Callable[[str, int], list[str]]
AddressPolicy = Callable[[IPAddress], bool]


_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits
_NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: the operator picks the layout
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d, still routed to a.b.c.d by some stacks
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT ::ffff:0:a.b.c.d (RFC 2765)
_LOW_32_BITS = 0xFFFFFFFF


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses an IPv6 address reaches through a translator or tunnel, or None if it embeds none.

    An empty list means 'embeds something we cannot place' and is treated as not public.
    """
    low = ipaddress.IPv4Address(int(ip) & _LOW_32_BITS)
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip in _NAT64_WELL_KNOWN or ip in _IPV4_COMPATIBLE or ip in _IPV4_TRANSLATED:
        return [low]
    if ip in _NAT64_LOCAL_USE:
        # Only the /96 layout (bits 48-95 zero) says where the IPv4 address is; other layouts are refused.
        return [low] if (int(ip) >> 32) & 0xFFFF_FFFF_FFFF == 0 else []
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)  # the relay server and the (de-obfuscated) client both receive the traffic
    return None


def is_public_address(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses (no private, loopback, link-local, CGNAT, ...).

    IPv6 addresses that carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are judged by the
    IPv4 address they lead to: 64:ff9b::10.0.0.1 reaches 10.0.0.1 through a NAT64 gateway.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            return bool(embedded) and all(is_public_address(v4) for v4 in embedded)
    return ip.is_global and not ip.is_multicast


def any_address(_: IPAddress) -> bool:
    """Policy that allows every address; for tests and intranet deployments (allow_private_networks)."""
    return True


async def system_resolver(host: str, port: int) -> list[str]:
    """Addresses for a host through the OS resolver, without blocking the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def blocking_resolver(host: str, port: int) -> list[str]:
    """Addresses for a host through the OS resolver, for synchronous callers (job workers)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _checked(host: str, addresses: list[str], allowed: AddressPolicy) -> list[str]:
    """Refusing when *any* address is private stops names that mix a public and a private record. The error
    never names the address: it reaches the user, and would map the internal network for them."""
    if not addresses:
        raise scrape_error(ScrapeError.DNS_FAILURE, f"{host} has no addresses", host=host)
    if not all(allowed(ipaddress.ip_address(address.split("%")[0])) for address in addresses):
        raise scrape_error(ScrapeError.PRIVATE_ADDRESS, f"{host} resolves to a private address", host=host)
    return addresses


def _refuse_literal(literal: IPAddress, allowed: AddressPolicy) -> list[str]:
    if not allowed(literal):
        raise scrape_error(ScrapeError.PRIVATE_ADDRESS, "the URL names a private address")
    return [str(literal)]


async def resolve_allowed(host: str, port: int, resolver: Resolver, allowed: AddressPolicy) -> list[str]:
    """The host's addresses, all of which the policy allows; raises private_address if any is refused
    (dns_failure if there are none). Connect to one of these, never to a fresh lookup (DNS rebinding)."""
    literal = _literal(host)
    if literal is not None:
        return _refuse_literal(literal, allowed)
    try:
        addresses = await resolver(host, port)
    except (OSError, UnicodeError) as error:
        raise scrape_error(ScrapeError.DNS_FAILURE, f"cannot resolve {host}: {error}", host=host) from error
    return _checked(host, addresses, allowed)


def resolve_allowed_blocking(host: str, port: int, allowed: AddressPolicy,
                             resolver: BlockingResolver = blocking_resolver) -> list[str]:
    """resolve_allowed for synchronous callers."""
    literal = _literal(host)
    if literal is not None:
        return _refuse_literal(literal, allowed)
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError) as error:
        raise scrape_error(ScrapeError.DNS_FAILURE, f"cannot resolve {host}: {error}", host=host) from error
    return _checked(host, addresses, allowed)


def pinned_request(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """(URL with the host replaced by `address`, the Host header, httpx extensions) for a request that goes to
    the address we checked while TLS still verifies the certificate for the URL's host name."""
    parsed = httpx.URL(url)
    pinned = parsed.copy_with(host=address)
    name = parsed.raw_host.decode("ascii")  # IDNA-encoded, as the Host header and SNI want it
    host = f"[{name}]" if ":" in name else name  # IPv6 literals keep their brackets
    host_header = host if parsed.port is None else f"{host}:{parsed.port}"
    extensions = {"sni_hostname": name} if parsed.scheme == "https" else {}
    return str(pinned), {"Host": host_header}, extensions
