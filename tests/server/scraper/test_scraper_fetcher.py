"""The fetcher against a real local HTTP server: every page gives a result or a clear error code."""
from __future__ import annotations

import asyncio
import ipaddress
from decimal import Decimal

import pytest
from scraper_site import LocalSite, Route, huge_chunks, slow_chunks

from core.errors import DomainError
from core.menus_import.errors import ScrapeError
from server.scraper import USER_AGENT, MenuFetcher, ScraperSettings, scrape_url_to_json
from server.scraper.rate_limit import HostRateLimiter

LOCAL = ScraperSettings(allow_private_networks=True, min_interval_per_host=0.0, connect_timeout=2.0,
                        read_timeout=2.0, total_timeout=5.0)


def fetch(url: str, settings: ScraperSettings = LOCAL, **kw):
    async def run():
        async with MenuFetcher(settings, **kw) as fetcher:
            return await fetcher.fetch(url)
    return asyncio.run(run())


def error_code(call) -> ScrapeError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


def test_fetches_page_with_user_agent_after_reading_robots(site: LocalSite) -> None:
    url = site.fixture("/menu", "plain_en_headings.html")
    page = fetch(url)
    assert page.status == 200 and b"Copper Kettle" in page.body and page.charset == "utf-8"
    assert site.paths() == ["/robots.txt", "/menu"]
    assert all(r.headers["User-Agent"] == USER_AGENT for r in site.requests)
    assert USER_AGENT == "MealkitzMenuBot/1.0 (+https://mealkitz.example/bot)"


def test_scrape_url_to_json_structured(site: LocalSite) -> None:
    url = site.fixture("/trattoria", "trattoria_jsonld.html")
    result = scrape_url_to_json(url, LOCAL)
    assert result["source"] == "json-ld" and result["restaurant_name"] == "Trattoria Lupa"
    antipasti = result["sections"][0]
    assert antipasti["items"][0] == {**antipasti["items"][0], "name": "Bruschetta", "price": "6.50",
                                     "currency": "USD", "diets": ["vegan", "vegetarian"],
                                     "availability": "in_stock", "confidence": 1.0}
    pizza = result["sections"][1]["sections"][0]
    assert pizza["name"] == "Pizza" and [v["price"] for v in pizza["items"][0]["variants"]] == ["9.00", "14.50"]
    assert result["fetch"]["status"] == 200 and result["fetch"]["final_url"] == url


@pytest.mark.parametrize("name, source, count", [
    ("trattoria_microdata.html", "microdata", 4),
    ("trattoria_rdfa.html", "rdfa", 4),
    ("schemaorg_eg-0385_json.html", "json-ld", 1),
    ("plain_en_headings.html", "heuristic", 7),
    ("plain_en_table.html", "heuristic", 7),
    ("plain_es_dl.html", "heuristic", 8),
    ("plain_de_flex.html", "heuristic", 7),
    ("plain_en_list.html", "heuristic", 7),
])
def test_served_fixtures_scrape(site: LocalSite, name: str, source: str, count: int) -> None:
    result = scrape_url_to_json(site.fixture(f"/{name}", name), LOCAL)
    assert result["source"] == source and result["item_count"] == count


@pytest.mark.parametrize("name", ["schemaorg_eg-0004_json.html", "schemaorg_eg-0397_microdata.html"])
def test_restaurant_without_menu_is_not_a_menu(site: LocalSite, name: str) -> None:
    url = site.fixture(f"/{name}", name)
    assert error_code(lambda: scrape_url_to_json(url, LOCAL)) is ScrapeError.NOT_A_MENU


def test_malformed_html_still_gives_a_menu(site: LocalSite) -> None:
    result = scrape_url_to_json(site.fixture("/broken", "broken_malformed.html"), LOCAL)
    assert result["item_count"] >= 2 and result["restaurant_name"] == "Broken & Co"


def test_ten_megabyte_page_without_length_is_cut_off(site: LocalSite) -> None:
    site.routes["/huge"] = Route(body=huge_chunks(10 * 1024 * 1024))
    assert error_code(lambda: fetch(site.url("/huge"))) is ScrapeError.TOO_LARGE


def test_declared_length_over_limit_is_refused_before_reading(site: LocalSite) -> None:
    site.page("/big", b"x" * 300_000)
    settings = ScraperSettings(allow_private_networks=True, min_interval_per_host=0.0, max_bytes=100_000)
    assert error_code(lambda: fetch(site.url("/big"), settings)) is ScrapeError.TOO_LARGE


def test_redirect_is_followed_and_each_hop_recorded(site: LocalSite) -> None:
    target = site.fixture("/new-menu", "plain_en_table.html")
    site.routes["/old-menu"] = Route(status=301, headers={"Location": "/new-menu"})
    page = fetch(site.url("/old-menu"))
    assert page.final_url == target and page.redirects == (site.url("/old-menu"),)


def test_redirect_loop(site: LocalSite) -> None:
    site.routes["/a"] = Route(status=302, headers={"Location": "/b"})
    site.routes["/b"] = Route(status=302, headers={"Location": "/a"})
    assert error_code(lambda: fetch(site.url("/a"))) is ScrapeError.TOO_MANY_REDIRECTS


def test_redirect_chain_longer_than_limit(site: LocalSite) -> None:
    for n in range(10):
        site.routes[f"/r{n}"] = Route(status=307, headers={"Location": f"/r{n + 1}"})
    assert error_code(lambda: fetch(site.url("/r0"))) is ScrapeError.TOO_MANY_REDIRECTS


@pytest.mark.parametrize("status", [404, 500, 503])
def test_error_status(site: LocalSite, status: int) -> None:
    site.routes["/x"] = Route(status=status, body=b"oops")
    with pytest.raises(DomainError) as caught:
        fetch(site.url("/x"))
    assert caught.value.code is ScrapeError.HTTP_STATUS and caught.value.extra["status"] == status


def test_slow_response_times_out(site: LocalSite) -> None:
    site.routes["/slow"] = Route(body=slow_chunks(1.0, chunks=3))
    settings = ScraperSettings(allow_private_networks=True, min_interval_per_host=0.0, read_timeout=0.3)
    assert error_code(lambda: fetch(site.url("/slow"), settings)) is ScrapeError.FETCH_TIMEOUT


def test_slow_drip_hits_total_timeout(site: LocalSite) -> None:
    site.routes["/drip"] = Route(body=slow_chunks(0.2, chunks=20))
    settings = ScraperSettings(allow_private_networks=True, min_interval_per_host=0.0, read_timeout=1.0,
                               total_timeout=1.0)
    assert error_code(lambda: fetch(site.url("/drip"), settings)) is ScrapeError.FETCH_TIMEOUT


def test_latin1_page_without_charset(site: LocalSite) -> None:
    html = ("<html><body><h2>Desserts</h2><p>Crème brûlée 7,50 EUR</p><p>Île flottante 6,90 EUR</p>"
            "<p>Café gourmand 8,20 EUR</p></body></html>")
    url = site.page("/latin1", html.encode("latin-1"), content_type="text/html")
    result = scrape_url_to_json(url, LOCAL)
    names = [i["name"] for i in result["sections"][0]["items"]]
    assert names == ["Crème brûlée", "Île flottante", "Café gourmand"]
    assert result["sections"][0]["items"][0]["price"] == "7.50"


def test_cp1252_page_with_wrong_meta_charset(site: LocalSite) -> None:
    html = ('<html><head><meta charset="utf-8"></head><body><h2>Hauptspeisen</h2>'
            "<p>Käsespätzle – 12,50 €</p><p>Rinderroulade – 16,90 €</p></body></html>")
    url = site.page("/cp1252", html.encode("cp1252"), content_type="text/html")
    result = scrape_url_to_json(url, LOCAL)
    first = result["sections"][0]["items"][0]
    assert (first["name"], first["price"], first["currency"]) == ("Käsespätzle", "12.50", "EUR")


def test_http_charset_is_honoured(site: LocalSite) -> None:
    html = "<html><body><p>Paella – 14,00 €</p><p>Fideuà – 13,00 €</p></body></html>"
    url = site.page("/iso", html.encode("cp1252"), content_type="text/html; charset=windows-1252")
    result = scrape_url_to_json(url, LOCAL)
    assert result["encoding"] == "cp1252" and result["sections"][0]["items"][1]["name"] == "Fideuà"


def test_binary_page_is_a_decode_error(site: LocalSite) -> None:
    url = site.page("/bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff\xfe", content_type="text/html")
    assert error_code(lambda: scrape_url_to_json(url, LOCAL)) is ScrapeError.DECODE_ERROR


def test_non_html_content_type(site: LocalSite) -> None:
    url = site.page("/img", b"\x89PNG", content_type="image/png")
    assert error_code(lambda: fetch(url)) is ScrapeError.UNSUPPORTED_CONTENT_TYPE


def test_robots_disallow(site: LocalSite) -> None:
    site.page("/robots.txt", "User-agent: MealkitzMenuBot\nDisallow: /private\n", content_type="text/plain")
    url = site.fixture("/private/menu", "plain_en_table.html")
    assert error_code(lambda: fetch(url)) is ScrapeError.BLOCKED_BY_ROBOTS
    assert "/private/menu" not in site.paths()


def test_robots_disallow_on_redirect_target(site: LocalSite) -> None:
    site.page("/robots.txt", "User-agent: *\nDisallow: /secret\n", content_type="text/plain")
    site.routes["/menu"] = Route(status=302, headers={"Location": "/secret/menu"})
    assert error_code(lambda: fetch(site.url("/menu"))) is ScrapeError.BLOCKED_BY_ROBOTS


def test_robots_server_error_means_disallow_all(site: LocalSite) -> None:
    site.routes["/robots.txt"] = Route(status=503)
    url = site.fixture("/menu", "plain_en_table.html")
    assert error_code(lambda: fetch(url)) is ScrapeError.BLOCKED_BY_ROBOTS


def test_robots_for_other_agents_do_not_apply(site: LocalSite) -> None:
    site.page("/robots.txt", "User-agent: OtherBot\nDisallow: /\n", content_type="text/plain")
    assert fetch(site.fixture("/menu", "plain_en_table.html")).status == 200


def test_private_address_refused_by_default(site: LocalSite) -> None:
    url = site.fixture("/menu", "plain_en_table.html")
    strict = ScraperSettings(min_interval_per_host=0.0)
    assert error_code(lambda: fetch(url, strict)) is ScrapeError.PRIVATE_ADDRESS
    assert error_code(lambda: fetch(site.url("/menu", host="localhost"), strict)) is ScrapeError.PRIVATE_ADDRESS
    assert site.requests == []  # refused before any connection


def test_redirect_to_private_address_refused_per_hop(site: LocalSite) -> None:
    site.routes["/menu"] = Route(status=302, headers={"Location": f"http://127.0.0.2:{site.port}/admin"})
    only_first = lambda ip: ip == ipaddress.ip_address("127.0.0.1")  # noqa: E731 - a one-line policy
    assert error_code(lambda: fetch(site.url("/menu"), address_policy=only_first)) is ScrapeError.PRIVATE_ADDRESS


@pytest.mark.parametrize("url", ["ftp://example.com/menu", "file:///etc/passwd", "javascript:alert(1)"])
def test_unsupported_scheme(url: str) -> None:
    assert error_code(lambda: fetch(url)) is ScrapeError.UNSUPPORTED_SCHEME


def test_redirect_to_file_scheme_refused(site: LocalSite) -> None:
    site.routes["/menu"] = Route(status=301, headers={"Location": "file:///etc/passwd"})
    assert error_code(lambda: fetch(site.url("/menu"))) is ScrapeError.UNSUPPORTED_SCHEME


def test_etag_gives_not_modified_with_cached_body(site: LocalSite) -> None:
    site.fixture("/m", "plain_es_dl.html")
    site.routes["/m"].etag = '"v1"'
    body = site.routes["/m"].body

    async def twice():
        async with MenuFetcher(LOCAL) as fetcher:
            return await fetcher.fetch(site.url("/m")), await fetcher.fetch(site.url("/m"))

    first, second = asyncio.run(twice())
    assert first.status == 200 and first.etag == '"v1"' and not first.not_modified
    assert second.status == 304 and second.not_modified and second.body == body
    assert [r.headers.get("If-None-Match") for r in site.requests if r.path == "/m"] == [None, '"v1"']


def test_last_modified_is_sent_back(site: LocalSite) -> None:
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"
    site.fixture("/lm", "plain_en_table.html")
    site.routes["/lm"].headers["Last-Modified"] = stamp

    async def twice():
        async with MenuFetcher(LOCAL) as fetcher:
            await fetcher.fetch(site.url("/lm"))
            await fetcher.fetch(site.url("/lm"))

    asyncio.run(twice())
    assert [r.headers.get("If-Modified-Since") for r in site.requests if r.path == "/lm"] == [None, stamp]


def test_requests_to_one_host_are_spaced(site: LocalSite) -> None:
    site.fixture("/menu", "plain_en_table.html")
    waits: list[float] = []
    now = [0.0]

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    async def run():
        limiter = HostRateLimiter(2.0, clock=lambda: now[0], sleep=fake_sleep)
        async with MenuFetcher(LOCAL, limiter=limiter) as fetcher:
            for _ in range(3):
                await fetcher.fetch(site.url("/menu"))

    asyncio.run(run())
    # robots.txt, then three pages: each waits out the 2 s gap after the one before (fake clock).
    assert waits == [2.0, 2.0, 2.0]


def test_crawl_delay_stretches_the_gap(site: LocalSite) -> None:
    site.page("/robots.txt", "User-agent: *\nCrawl-delay: 7\n", content_type="text/plain")
    site.fixture("/menu", "plain_en_table.html")
    waits: list[float] = []
    now = [0.0]

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    async def run():
        limiter = HostRateLimiter(1.0, clock=lambda: now[0], sleep=fake_sleep)
        async with MenuFetcher(LOCAL, limiter=limiter) as fetcher:
            await fetcher.fetch(site.url("/menu"))
            await fetcher.fetch(site.url("/menu"))

    asyncio.run(run())
    assert waits == [1.0, 7.0]


def test_prices_in_json_are_decimal_strings(site: LocalSite) -> None:
    result = scrape_url_to_json(site.fixture("/de", "plain_de_flex.html"), LOCAL)
    prices = [i["price"] for s in result["sections"] for sub in [s, *s["sections"]] for i in sub["items"]]
    assert all(isinstance(p, str) for p in prices) and Decimal(prices[0]) == Decimal("12.50")


def test_connects_to_the_address_it_checked_not_a_second_lookup(site: LocalSite) -> None:
    url = site.fixture("/menu", "plain_en_table.html").replace("127.0.0.1", "menu.example")
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])  # DNS rebinding: the second answer is internal
    lookups: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        lookups.append(host)
        return next(answers)

    page = fetch(url, ScraperSettings(allow_private_networks=True, min_interval_per_host=0.0, respect_robots=False),
                 resolver=rebinding)
    assert page.status == 200 and lookups == ["menu.example"]
    assert site.requests[-1].headers["Host"] == f"menu.example:{site.port}"
