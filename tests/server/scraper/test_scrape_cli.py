"""`mealkitz scrape-url URL` and `mealkitz scrape MERCHANT`: JSON on stdout, clear errors and exit codes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from menu_pages import menu_page
from scraper_site import LocalSite, Route

from server.cli import main
from server.db.engine import make_engine
from server.scraper.store import ScrapeConfig, put_config
from tests.server.conftest import NOON


def test_scrape_url_prints_the_menu_as_json(site: LocalSite, capsys: pytest.CaptureFixture[str]) -> None:
    url = site.fixture("/trattoria", "trattoria_jsonld.html")
    assert main(["scrape-url", url, "--allow-private", "--currency", "usd"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["source"] == "json-ld" and result["item_count"] == 4
    bruschetta = result["sections"][0]["items"][0]
    assert {k: bruschetta[k] for k in ("name", "description", "price", "currency", "diets", "availability",
                                       "confidence")} == {
        "name": "Bruschetta", "description": "Grilled bread, tomato, basil.", "price": "6.50", "currency": "USD",
        "diets": ["vegan", "vegetarian"], "availability": "in_stock", "confidence": 1.0}
    assert result["sections"][1]["sections"][0]["name"] == "Pizza"  # nested sections


@pytest.mark.parametrize("path, flags, message", [
    ("/gone", ["--allow-private"], "error: http_status: "),
    ("/menu", [], "error: private_address: the URL names a private address"),
    ("/empty", ["--allow-private"], "error: not_a_menu: no menu items found"),
])
def test_scrape_url_failures_exit_1_with_the_error_code(site: LocalSite, capsys: pytest.CaptureFixture[str],
                                                        path: str, flags: list[str], message: str) -> None:
    site.routes["/gone"] = Route(status=404, body=b"no")
    site.page("/empty", "<html><body><p>Opening soon!</p></body></html>")
    site.fixture("/menu", "plain_en_table.html")
    assert main(["scrape-url", site.url(path), *flags]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(message)


def test_scrape_url_rejects_a_bad_currency(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["scrape-url", "https://example.com/", "--currency", "euro"])
    assert exited.value.code == 2 and "three letters" in capsys.readouterr().err


def test_scrape_merchant_runs_one_scrape_and_prints_the_summary(
        demo_database_url: str, tmp_path: Path, site: LocalSite, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", demo_database_url)
    monkeypatch.setenv("MEALKITZ_DATA_DIR", str(tmp_path))
    assert main(["scrape", "pizzeria-donau", "--allow-private"]) == 3
    assert capsys.readouterr().err.startswith("error: scrape_not_configured: pizzeria-donau has no scrape settings")

    url = site.page("/menu", menu_page("pizzeria-donau", prices={"calzone": "12.50"}, sold_out={"water"}))
    engine = make_engine(demo_database_url)
    with engine.begin() as conn:
        put_config(conn, "pizzeria-donau", ScrapeConfig(urls=[url]), now=NOON, by="test")
    engine.dispose()
    assert main(["scrape", "pizzeria-donau", "--allow-private"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["merchant_id"] == "pizzeria-donau" and summary["urls"] == [url]
    assert summary["by_kind"] == {"price_change": 1, "sold_out": 1} and summary["awaiting_approval"] == 2
    assert summary["change_set_id"] and summary["items_scraped"] == 15

    site.routes["/menu"] = Route(status=503, body=b"down")
    assert main(["scrape", "pizzeria-donau", "--allow-private"]) == 1
    assert capsys.readouterr().err.startswith(f"error: http_status: {url} answered HTTP 503")
