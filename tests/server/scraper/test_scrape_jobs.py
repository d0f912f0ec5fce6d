"""Issue 6 end to end: a merchant's menu page on a local HTTP server, scraped by the job runner, diffed against
the live menu, reviewed by the owner, and live for quotes and orders; orders placed before keep their prices.
Broken pages give failed or dead jobs with clear errors, and the runner carries on."""
from __future__ import annotations

import time
from typing import Any

import pytest
from menu_pages import menu_page
from scraper_site import LocalSite, Route, huge_chunks, slow_chunks

from server.jobs import JobStatus
from server.scraper import ScraperSettings
from server.scraper.jobs import SCRAPE_JOB
from tests.server.conftest import Api, margherita_cart

PIZZERIA = "pizzeria-donau"
LOCAL = ScraperSettings(allow_private_networks=True, min_interval_per_host=0.0, connect_timeout=2.0,
                        read_timeout=1.0, total_timeout=3.0)
EDITED = {"prices": {"margherita:large": "13.50"}, "sold_out": {"tiramisu"},
          "new_items": {"pizza": [("Pizza Bianca", "11.50")]}}


@pytest.fixture
def scraping(api: Api, site: LocalSite) -> Api:
    """The app under test, allowed to fetch from 127.0.0.1 (SCRAPER_ALLOW_PRIVATE_NETWORKS) without pacing."""
    api.services.scraper_settings = LOCAL
    return api


def configure(api: Api, urls: list[str], policy: str = "needs_approval", merchant: str = PIZZERIA) -> dict:
    response = api.put(f"/merchants/{merchant}/scrape", "owner" if merchant == PIZZERIA else "admin",
                       {"urls": urls, "policy": policy})
    assert response.status_code == 200, response.text
    return response.json()


def scrape_now(api: Api, merchant: str = PIZZERIA) -> dict[str, Any]:
    response = api.client.post(f"/merchants/{merchant}/scrape/jobs", headers=api.as_("admin"))
    assert response.status_code == 202, response.text
    assert response.headers["location"].endswith(response.json()["job"]["id"])
    return wait_for_job(api, response.json()["job"]["id"], merchant)


def wait_for_job(api: Api, job_id: str, merchant: str = PIZZERIA, timeout: float = 30.0) -> dict[str, Any]:
    """Poll until the runner is done with the job (failed jobs wait for a later clock, so they count as settled)."""
    deadline = time.monotonic() + timeout
    while True:
        job = api.get(f"/merchants/{merchant}/scrape/jobs/{job_id}", "admin").json()
        if job["status"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def live_menu(api: Api) -> dict[str, Any]:
    menu = api.get(f"/merchants/{PIZZERIA}/menu", "anna").json()
    return {i["id"]: i for i in menu["items"]} | {"_version": menu["version"]}


def test_scrape_review_and_order_with_new_prices(scraping: Api, site: LocalSite) -> None:
    api = scraping
    before = api.post("/orders", "anna", margherita_cart(), **{"Idempotency-Key": "before-scrape"})
    assert before.status_code == 201 and before.json()["quote"]["subtotal"] == "34.80"
    url = site.page("/pizzeria/menu", menu_page(PIZZERIA, **EDITED))
    configure(api, [url])

    job = scrape_now(api)
    assert job["status"] == "done", job
    result = job["result"]
    assert result["by_kind"] == {"price_change": 1, "sold_out": 1, "new_item": 1}
    assert result["auto_applied"] == [] and result["awaiting_approval"] == 3 and result["items_scraped"] == 16
    sets = api.get(f"/merchants/{PIZZERIA}/menu-changes", "owner").json()
    assert [(s["id"], s["status"], s["counts"]) for s in sets] == [(result["change_set_id"], "pending",
                                                                    {"pending": 3})]
    change_set = api.get(f"/merchants/{PIZZERIA}/menu-changes/{result['change_set_id']}", "owner").json()
    changes = {c["kind"]: c for c in change_set["changes"]}
    assert changes["price_change"] | {} == changes["price_change"] | {
        "id": "price_change:margherita:large", "item_id": "margherita", "variant_id": "large",
        "old_price": "13.00", "new_price": "13.50", "status": "pending"}
    assert changes["sold_out"]["item_id"] == "tiramisu"
    assert changes["new_item"]["item_name"] == "Pizza Bianca" and changes["new_item"]["new_price"] == "11.50"
    for change in change_set["changes"]:  # evidence: the page, when it was read, and what it said
        assert change["evidence"]["url"] == url and change["evidence"]["fetched_at"]
        assert change["item_name"] in change["evidence"]["snippet"]
    # Nothing is live before the owner says so.
    menu = live_menu(api)
    assert menu["margherita"]["variants"][2]["price"] == "13.00" and menu["tiramisu"]["available"] is True
    assert "pizza-bianca" not in menu

    review = api.post(f"/merchants/{PIZZERIA}/menu-changes/{result['change_set_id']}/review", "owner",
                      {"approve": [c["id"] for c in change_set["changes"]]})
    assert review.status_code == 200, review.text
    assert review.json()["change_set_status"] == "closed" and len(review.json()["applied"]) == 3
    menu = live_menu(api)
    assert menu["_version"] == review.json()["menu_version"] > change_set["menu_version"]
    assert menu["margherita"]["variants"][2]["price"] == "13.50"
    assert menu["tiramisu"]["available"] is False
    assert menu["pizza-bianca"]["price"] == "11.50" and menu["pizza-bianca"]["available"] is True
    stock = {r["key"]: r for r in api.get(f"/merchants/{PIZZERIA}/stock", "owner").json()}
    assert stock["item:tiramisu"]["available"] is False and stock["item:pizza-bianca"]["available"] is True

    # New orders are priced from the new menu version ...
    quote = api.post("/quotes", "anna", margherita_cart())
    assert quote.status_code == 200 and quote.json()["subtotal"] == "35.80"  # 2 × (13.50 + 3.00) + 2.80
    after = api.post("/orders", "anna", margherita_cart(), **{"Idempotency-Key": "after-scrape"})
    assert after.status_code == 201 and after.json()["quote"]["subtotal"] == "35.80"
    bianca = api.post("/quotes", "anna", margherita_cart(lines=[{"item_id": "pizza-bianca", "quantity": 2}]))
    assert bianca.status_code == 200 and bianca.json()["subtotal"] == "23.00"
    tiramisu = api.post("/quotes", "anna", margherita_cart(lines=[{"item_id": "tiramisu", "quantity": 1}]))
    assert tiramisu.status_code == 422 and tiramisu.json()["code"] == "item_unavailable"
    # ... and the order placed before keeps the price it was placed at.
    accepted = api.post(f"/orders/{before.json()['id']}/transitions", "staff", {"action": "accept",
                                                                               "prep_minutes": 15})
    assert accepted.status_code == 200, accepted.text  # the open order moves on, at its own prices
    kept = api.get(f"/orders/{before.json()['id']}", "anna").json()
    assert kept["status"] == "accepted"
    assert kept["quote"] == before.json()["quote"] and kept["quote"]["subtotal"] == "34.80"
    assert kept["quote"]["lines"][0]["unit_price"] != after.json()["quote"]["lines"][0]["unit_price"]

    audit = api.get(f"/merchants/{PIZZERIA}/menu-changes/audit", "owner").json()
    assert {(a["action"], a["kind"], a["actor"]["role"]) for a in audit} == {
        ("approved", "price_change", "merchant_owner"), ("approved", "sold_out", "merchant_owner"),
        ("approved", "new_item", "merchant_owner")}
    price = next(a for a in audit if a["kind"] == "price_change")
    assert price["old"] == {"item_id": "margherita", "variant_id": "large", "price": "13.00"}
    assert price["new"] == {"item_id": "margherita", "variant_id": "large", "price": "13.50"}
    assert next(a for a in audit if a["kind"] == "new_item")["new"]["item_id"] == "pizza-bianca"


def test_policy_auto_applies_availability_only_and_the_rest_can_be_rejected(scraping: Api, site: LocalSite) -> None:
    api = scraping
    url = site.page("/pizzeria/menu", menu_page(PIZZERIA, **EDITED))
    configure(api, [url], policy="auto_apply_availability")
    job = scrape_now(api)
    assert job["status"] == "done" and job["result"]["auto_applied"] == ["sold_out:tiramisu"]
    assert job["result"]["awaiting_approval"] == 2
    menu = live_menu(api)
    assert menu["tiramisu"]["available"] is False and menu["margherita"]["variants"][2]["price"] == "13.00"
    set_id = job["result"]["change_set_id"]
    rejected = api.post(f"/merchants/{PIZZERIA}/menu-changes/{set_id}/review", "owner",
                        {"reject": ["price_change:margherita:large", "new_item:pizza/pizza-bianca"]})
    assert rejected.status_code == 200 and rejected.json()["change_set_status"] == "closed"
    assert live_menu(api)["margherita"]["variants"][2]["price"] == "13.00"
    again = api.post(f"/merchants/{PIZZERIA}/menu-changes/{set_id}/review", "owner",
                     {"approve": ["price_change:margherita:large"]})
    assert again.status_code == 409 and again.json()["code"] == "change_not_pending"
    audit = api.get(f"/merchants/{PIZZERIA}/menu-changes/audit", "owner").json()
    applied = {(a["action"], a["kind"], a["actor"]["role"], a["actor"]["id"]) for a in audit if a["action"] != "rejected"}
    assert applied == {("auto_applied", "sold_out", "system", "menu-scraper")}
    # The tiramisu is back on the page: the next scrape brings it back by itself.
    site.page("/pizzeria/menu", menu_page(PIZZERIA))
    back = scrape_now(api)
    assert back["status"] == "done" and back["result"]["auto_applied"] == ["back_in_stock:tiramisu"]
    assert live_menu(api)["tiramisu"]["available"] is True
    sets = api.get(f"/merchants/{PIZZERIA}/menu-changes", "owner").json()
    assert [s["status"] for s in sets] == ["closed", "closed"]


def test_a_newer_scrape_supersedes_pending_changes(scraping: Api, site: LocalSite) -> None:
    api = scraping
    url = site.page("/pizzeria/menu", menu_page(PIZZERIA, **EDITED))
    configure(api, [url])
    first = scrape_now(api)["result"]["change_set_id"]
    second = scrape_now(api)["result"]["change_set_id"]
    assert first != second
    old = api.get(f"/merchants/{PIZZERIA}/menu-changes/{first}", "owner").json()
    assert old["status"] == "superseded" and {c["status"] for c in old["changes"]} == {"superseded"}
    assert api.get(f"/merchants/{PIZZERIA}/menu-changes", "owner", status="pending").json()[0]["id"] == second


def test_menu_over_two_pages_keeps_each_items_page_as_evidence(scraping: Api, site: LocalSite) -> None:
    api = scraping
    food = site.page("/food", menu_page(PIZZERIA, prices={"calzone": "12.40"}, drop={"coke", "sprite", "water",
                                                                                    "beer"}))
    drinks = site.page("/drinks", menu_page(PIZZERIA, prices={"beer": "4.40"}, drop={
        "garlic_bread", "caprese", "tiramisu", "margherita", "pepperoni_pizza", "funghi", "hawaii",
        "quattro_formaggi", "diavola", "veggie", "calzone"}))
    configure(api, [food, drinks])
    job = scrape_now(api)
    assert job["status"] == "done" and job["result"]["by_kind"] == {"price_change": 2}
    change_set = api.get(f"/merchants/{PIZZERIA}/menu-changes/{job['result']['change_set_id']}", "owner").json()
    assert {c["item_id"]: c["evidence"]["url"] for c in change_set["changes"]} == {"calzone": food, "beer": drinks}


def test_broken_pages_fail_their_jobs_clearly_and_the_runner_keeps_going(scraping: Api, site: LocalSite) -> None:
    api = scraping
    site.routes["/huge"] = Route(body=huge_chunks(10 * 1024 * 1024))
    site.routes["/loop-a"] = Route(status=302, headers={"Location": "/loop-b"})
    site.routes["/loop-b"] = Route(status=302, headers={"Location": "/loop-a"})
    site.routes["/gone"] = Route(status=404, body=b"not here")
    site.routes["/broken"] = Route(status=500, body=b"oops")
    site.routes["/slow"] = Route(body=slow_chunks(1.5, chunks=4))
    site.page("/malformed", b"<html><body><div><table><tr><td>Welcome!<p><<<</td><b>see you &#x; soon")
    site.page("/binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff\xfe", content_type="text/html")
    expected = {
        "/huge": ("dead", "too_large:"), "/loop-a": ("dead", "too_many_redirects: redirect loop"),
        "/gone": ("dead", "http_status: " + site.url("/gone") + " answered HTTP 404"),
        "/broken": ("failed", "http_status: " + site.url("/broken") + " answered HTTP 500"),
        "/slow": ("failed", "fetch_timeout:"), "/malformed": ("dead", "not_a_menu: no menu items found"),
        "/binary": ("dead", "decode_error:"),
    }
    jobs = api.services.jobs
    for path, (status, error) in expected.items():
        configure(api, [site.url(path)])
        job, _ = jobs.enqueue(SCRAPE_JOB, {"merchant_id": PIZZERIA}, subject=f"merchant:{PIZZERIA}")
        settled = wait_for_job(api, job.id)
        assert (settled["status"], settled["last_error"][:len(error)]) == (status, error), (path, settled)
        if status == "failed":  # retried later, with backoff
            assert settled["run_at"] > settled["created_at"] and settled["attempts"] == 1
    # A job with a payload the handler cannot use fails alone.
    bad, _ = jobs.enqueue(SCRAPE_JOB, {"merchant": PIZZERIA}, subject=f"merchant:{PIZZERIA}")
    assert wait_for_job(api, bad.id)["last_error"] == "KeyError: 'merchant_id'"
    # The runner is still there: the real page scrapes fine.
    configure(api, [site.page("/pizzeria/menu", menu_page(PIZZERIA, **EDITED))])
    assert scrape_now(api)["status"] == "done"
    failed = api.get("/jobs", "admin", kind=SCRAPE_JOB, status="failed").json()["items"]
    assert {j["last_error"].split(":")[0] for j in failed} >= {"http_status", "fetch_timeout"}
    assert all(j["status"] != str(JobStatus.RUNNING) for j in api.get("/jobs", "admin").json()["items"])
