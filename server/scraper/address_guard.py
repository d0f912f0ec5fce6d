"""Refuse to fetch from private, loopback and link-local addresses (SSRF), checked after DNS resolution."""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable

from core.menus_import.errors import ScrapeError, scrape_error

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
AddressPolicy = Callable[[IPAddress], bool]


def is_public_address(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses (no private, loopback, link-local, CGNAT, ...)."""
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:10.0.0.1 and 6to4/Teredo wrappers would otherwise smuggle a private IPv4 through.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return is_public_address(embedded)
    return ip.is_global and not ip.is_multicast


def any_address(_: IPAddress) -> bool:
    """Policy that allows every address; for tests and intranet deployments (allow_private_networks)."""
    return True


async def system_resolver(host: str, port: int) -> list[str]:
    """Addresses for a host through the OS resolver, without blocking the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve_allowed(host: str, port: int, resolver: Resolver, allowed: AddressPolicy) -> list[str]:
    """The host's addresses, all of which the policy allows; raises private_address if any is refused.

    Refusing when *any* address is private stops names that mix a public and a private record.
    """
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = await resolver(host, port)
        except (OSError, UnicodeError) as error:
            raise scrape_error(ScrapeError.DNS_FAILURE, f"cannot resolve {host}: {error}", host=host) from error
    if not addresses:
        raise scrape_error(ScrapeError.DNS_FAILURE, f"{host} has no addresses", host=host)
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not allowed(ip):
            raise scrape_error(ScrapeError.PRIVATE_ADDRESS, f"{host} resolves to non-public address {ip}",
                               host=host, address=str(ip))
    return addresses
