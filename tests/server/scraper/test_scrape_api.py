"""The scraping API: settings validation, who may do what, 'scrape now', the preview's problem details, reviews."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest
from menu_pages import menu_page
from scraper_site import LocalSite, Route, slow_chunks

from server.scraper import ScraperSettings
from server.scraper.caches import shared_caches
from server.scraper.rate_limit import HostRateLimiter
from server.services import Services
from server.settings import Settings
from tests.server.conftest import Api

PIZZERIA = "pizzeria-donau"
LOCAL = ScraperSettings(allow_private_networks=True, min_interval_per_host=0.0, connect_timeout=2.0,
                        read_timeout=0.5, total_timeout=2.0)


def put_settings(api: Api, body: dict, who: str = "owner", merchant: str = PIZZERIA):  # type: ignore[no-untyped-def]
    return api.put(f"/merchants/{merchant}/scrape", who, body)


def assert_problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code and body["status"] == status and body["detail"]
    return body


def test_settings_round_trip_with_schedule(api: Api) -> None:
    body = {"urls": ["https://pizzeria-donau.example/menu", "https://pizzeria-donau.example/drinks"],
            "site_mapping": {"section": ".group", "section_title": "h3", "item": ".dish", "name": ".title",
                             "price": ".price", "currency": "EUR"},
            "interval_minutes": 60, "policy": "auto_apply_availability"}
    saved = put_settings(api, body)
    assert saved.status_code == 200, saved.text
    got = api.get(f"/merchants/{PIZZERIA}/scrape", "owner").json()
    assert {k: got[k] for k in ("urls", "interval_minutes", "policy", "enabled")} == {
        "urls": body["urls"], "interval_minutes": 60, "policy": "auto_apply_availability", "enabled": True}
    assert got["site_mapping"]["item"] == ".dish" and got["updated_by"].startswith("merchant_owner:")
    assert got["next_run_at"] == "2026-11-25T13:00:00+00:00" and got["last_job"] is None  # one interval on
    # The schedule enqueues a scrape when it is due.
    api.clock.now = api.clock.now.replace(hour=13)
    assert len(api.services.jobs.tick_schedules()) == 1
    assert api.get(f"/merchants/{PIZZERIA}/scrape", "owner").json()["next_run_at"] == "2026-11-25T14:00:00+00:00"
    # Without an interval there is no schedule; deleting the settings stops everything.
    assert put_settings(api, {**body, "interval_minutes": None}).json()["next_run_at"] is None
    assert api.client.delete(f"/merchants/{PIZZERIA}/scrape", headers=api.as_("owner")).status_code == 204
    assert_problem(api.get(f"/merchants/{PIZZERIA}/scrape", "owner"), 404, "not_found")


@pytest.mark.parametrize("body, code", [
    ({"urls": ["not a url"]}, "unsupported_scheme"),
    ({"urls": ["http://"]}, "invalid_url"),
    ({"urls": ["ftp://pizzeria.example/menu"]}, "unsupported_scheme"),
    ({"urls": ["http://10.0.0.8/menu"]}, "private_address"),
    ({"urls": ["https://pizzeria.example:99999/"]}, "invalid_url"),
    ({"urls": ["https://pizzeria.example/"], "site_mapping": {"item": "div[[", "name": "h3"}}, "invalid_site_mapping"),
    ({"urls": []}, "invalid_input"),
    ({"urls": ["https://pizzeria.example/"], "interval_minutes": 1}, "invalid_input"),
    ({"urls": ["https://pizzeria.example/"], "policy": "yolo"}, "invalid_input"),
])
def test_bad_settings_are_422_with_a_code(api: Api, body: dict, code: str) -> None:
    assert_problem(put_settings(api, body), 422, code)


@pytest.mark.parametrize("who, status", [("staff", 403), ("anna", 403), ("driver", 403), ("bowls_owner", 403),
                                         ("admin", 200)])
def test_only_owners_of_the_merchant_and_admins(api: Api, who: str, status: int) -> None:
    response = put_settings(api, {"urls": ["https://pizzeria.example/"]}, who=who)
    assert response.status_code == status, response.text
    listed = api.get(f"/merchants/{PIZZERIA}/menu-changes", who)
    assert listed.status_code == (200 if status == 200 else 403)


def test_unknown_merchant_and_no_token(api: Api) -> None:
    assert_problem(put_settings(api, {"urls": ["https://x.example/"]}, who="admin", merchant="nope"), 404, "not_found")
    assert api.client.get(f"/merchants/{PIZZERIA}/scrape").status_code == 401
    assert api.client.get("/jobs", headers=api.as_("owner")).status_code == 403


def test_scrape_now_needs_enabled_settings_and_joins_a_waiting_scrape(api: Api) -> None:
    api.services.jobs.stop()  # keep the jobs queued so the second request finds the first
    start = api.client.post(f"/merchants/{PIZZERIA}/scrape/jobs", headers=api.as_("owner"))
    assert_problem(start, 404, "scrape_not_configured")
    put_settings(api, {"urls": ["https://pizzeria.example/"], "enabled": False})
    assert_problem(api.client.post(f"/merchants/{PIZZERIA}/scrape/jobs", headers=api.as_("owner")), 409,
                   "scrape_disabled")
    put_settings(api, {"urls": ["https://pizzeria.example/"]})
    first = api.client.post(f"/merchants/{PIZZERIA}/scrape/jobs", headers=api.as_("owner"))
    second = api.client.post(f"/merchants/{PIZZERIA}/scrape/jobs", headers=api.as_("owner"))
    assert first.status_code == second.status_code == 202
    assert first.json()["created"] and not second.json()["created"]
    assert first.json()["job"]["id"] == second.json()["job"]["id"]
    assert first.json()["job"]["status"] == "queued" and first.json()["job"]["kind"] == "scrape_menu"
    other = api.client.get(f"/merchants/wachau-bowls/scrape/jobs/{first.json()['job']['id']}",
                           headers=api.as_("admin"))
    assert_problem(other, 404, "not_found")


def test_preview_maps_scrape_errors_to_http(api: Api, site: LocalSite) -> None:
    api.services.scraper_settings = LOCAL
    site.page("/menu", menu_page(PIZZERIA, prices={"calzone": "13.00"}))
    site.routes["/gone"] = Route(status=404)
    site.routes["/slow"] = Route(body=slow_chunks(1.0, chunks=3))
    site.page("/empty", "<html><body><p>We are closed for holidays.</p></body></html>")

    def preview(url: str):  # type: ignore[no-untyped-def]
        return api.post(f"/merchants/{PIZZERIA}/scrape/preview", "owner", {"url": url})

    ok = preview(site.url("/menu"))
    assert ok.status_code == 200 and ok.json()["item_count"] == 15 and ok.json()["currency"] == "EUR"
    assert assert_problem(preview(site.url("/gone")), 502, "http_status")["upstream_status"] == 404
    assert_problem(preview(site.url("/slow")), 504, "fetch_timeout")
    assert_problem(preview(site.url("/empty")), 422, "not_a_menu")
    assert_problem(preview("gopher://pizzeria.example/"), 422, "unsupported_scheme")
    site.page("/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
    api.services.scraper_settings = replace(LOCAL, robots_cache_seconds=0)
    assert_problem(preview(site.url("/menu")), 403, "blocked_by_robots")
    api.services.scraper_settings = ScraperSettings()  # the default: private addresses refused
    assert_problem(preview(site.url("/menu")), 422, "private_address")


def test_preview_shares_pacing_and_robots_rules_with_scheduled_scrapes(api: Api, site: LocalSite) -> None:
    api.services.scraper_settings = replace(LOCAL, min_interval_per_host=0.4)
    waits: list[float] = []

    async def record(seconds: float) -> None:  # a frozen clock: each slot queues behind the one before
        waits.append(seconds)

    shared_caches(api.services).limiter = HostRateLimiter(0.4, clock=lambda: 0.0, sleep=record)
    site.page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    site.page("/menu", menu_page(PIZZERIA, prices={"calzone": "13.00"}))
    for _ in range(2):
        response = api.post(f"/merchants/{PIZZERIA}/scrape/preview", "owner", {"url": site.url("/menu")})
        assert response.status_code == 200, response.text
    put_settings(api, {"urls": [site.url("/menu")]})
    job = api.client.post(f"/merchants/{PIZZERIA}/scrape/jobs", headers=api.as_("owner")).json()["job"]
    deadline = time.monotonic() + 30
    while api.get(f"/merchants/{PIZZERIA}/scrape/jobs/{job['id']}", "owner").json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert site.paths() == ["/robots.txt", "/menu", "/menu", "/menu"]  # robots.txt read once for all three
    assert waits == pytest.approx([0.4, 0.8, 1.2])  # one limiter: previews and the scheduled scrape in one queue


def test_review_errors(api: Api, site: LocalSite) -> None:
    api.services.scraper_settings = LOCAL
    put_settings(api, {"urls": [site.page("/menu", menu_page(PIZZERIA, prices={"calzone": "13.00"}))]})
    job = api.client.post(f"/merchants/{PIZZERIA}/scrape/jobs", headers=api.as_("owner")).json()["job"]
    api.services.jobs.stop()
    while api.services.jobs.run_once() is not None:  # finish it here if the workers have not yet
        pass
    done = api.get(f"/merchants/{PIZZERIA}/scrape/jobs/{job['id']}", "owner").json()
    set_id = done["result"]["change_set_id"]
    url = f"/merchants/{PIZZERIA}/menu-changes/{set_id}/review"
    assert_problem(api.post(url, "owner", {"approve": ["price_change:nope"]}), 422, "unknown_change")
    assert_problem(api.post(url, "owner", {}), 422, "invalid_input")
    both = {"approve": ["price_change:calzone"], "reject": ["price_change:calzone"]}
    assert_problem(api.post(url, "owner", both), 422, "invalid_input")
    assert_problem(api.post(f"/merchants/{PIZZERIA}/menu-changes/nope/review", "owner", {"approve": ["x"]}), 404,
                   "not_found")
    assert_problem(api.post(url, "bowls_owner", {"approve": ["price_change:calzone"]}), 403, "forbidden")
    assert api.post(url, "owner", {"approve": ["price_change:calzone"]}).json()["applied"] == ["price_change:calzone"]
    assert_problem(api.post(url, "owner", {"reject": ["price_change:calzone"]}), 409, "change_not_pending")


def test_settings_wire_the_private_network_switch(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {"MEALKITZ_DATA_DIR": str(tmp_path), "SCRAPER_ALLOW_PRIVATE_NETWORKS": "true", "MEALKITZ_JOB_WORKERS": "3"}
    services = Services(Settings.from_env(env))
    try:
        assert services.scraper_settings.allow_private_networks is True and services.jobs.workers == 3
    finally:
        services.engine.dispose()
    default = Services(Settings.from_env({"MEALKITZ_DATA_DIR": str(tmp_path)}))
    assert default.scraper_settings.allow_private_networks is False
    default.engine.dispose()
