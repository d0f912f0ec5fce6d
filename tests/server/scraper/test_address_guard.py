"""The SSRF guard: IPv6 forms that lead to an IPv4 address are judged by that address, and refusals never
name the address a host resolved to."""
from __future__ import annotations

import asyncio
import ipaddress

import pytest

from core.errors import DomainError
from core.menus_import.errors import ScrapeError
from server.scraper.address_guard import is_public_address, resolve_allowed
from server.scraper.store import check_url

PRIVATE_V4 = ["10.0.0.1", "127.0.0.1", "169.254.169.254", "192.168.1.10", "100.64.0.1", "0.0.0.0"]
PUBLIC_V4 = ["8.8.8.8", "93.184.216.34"]


def wrappers(v4: str) -> list[str]:
    """The IPv6 addresses that reach `v4`: mapped, compatible, translated, NAT64 (well-known and local-use),
    6to4 and Teredo (as client, with a public relay server; and as relay server)."""
    n = int(ipaddress.IPv4Address(v4))
    client = n ^ 0xFFFFFFFF  # Teredo stores the client's address obfuscated
    teredo_server = int(ipaddress.IPv4Address("8.8.4.4"))
    return [f"::ffff:{v4}", f"::{v4}", f"::ffff:0:{v4}", f"64:ff9b::{v4}", f"64:ff9b:1::{v4}",
            str(ipaddress.IPv6Address((0x2002 << 112) | (n << 80) | 1)),
            str(ipaddress.IPv6Address((0x20010000 << 96) | (teredo_server << 64) | client)),
            str(ipaddress.IPv6Address((0x20010000 << 96) | (n << 64) | (int(ipaddress.IPv4Address("8.8.8.8"))
                                                                          ^ 0xFFFFFFFF)))]


@pytest.mark.parametrize("address", [w for v4 in PRIVATE_V4 for w in wrappers(v4)])
def test_ipv6_forms_of_private_ipv4_addresses_are_private(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [w for v4 in PUBLIC_V4 for w in wrappers(v4)[:6]])
def test_ipv6_forms_of_public_ipv4_addresses_stay_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


def test_local_use_nat64_with_an_unknown_layout_is_refused() -> None:
    assert not is_public_address(ipaddress.ip_address("64:ff9b:1:abcd::808:808"))


def test_plain_addresses() -> None:
    assert is_public_address(ipaddress.ip_address("2a00:1450:4001:82b::200e"))
    for address in ("::1", "fe80::1", "fd00::1", "ff02::1", "::", *PRIVATE_V4):
        assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("answer", [["10.20.30.40"], ["8.8.8.8", "64:ff9b::a14:1e28"]])
def test_refusal_does_not_name_the_internal_address(answer: list[str]) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return answer

    with pytest.raises(DomainError) as caught:
        asyncio.run(resolve_allowed("menu.example", 443, resolver, is_public_address))
    error = caught.value
    assert error.code is ScrapeError.PRIVATE_ADDRESS
    assert "a private address" in error.detail and "menu.example" in error.detail
    shown = error.detail + repr(error.extra)
    assert "10.20.30.40" not in shown and "a14:1e28" not in shown


@pytest.mark.parametrize("url", ["http://[64:ff9b::a00:1]/menu", "http://[::10.0.0.1]/menu",
                                 "http://[::ffff:a9fe:a9fe]/latest/meta-data"])
def test_saved_urls_with_wrapped_private_literals_are_refused_without_echo(url: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_url(url, allow_private=False)
    assert caught.value.code is ScrapeError.PRIVATE_ADDRESS
    assert caught.value.detail == "the URL names a private address" and not caught.value.extra
