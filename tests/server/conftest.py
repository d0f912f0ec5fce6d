"""A Mealkitz app on a real database with demo data, a fixed clock, and signed-in clients."""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.db.engine import make_engine
from server.db.migrate import upgrade
from server.demo import load_demo
from server.services import Services
from server.ratelimit.counters import Counters
from server.settings import RateLimits, Settings
from tests.conftest import POSTGRES_ENV, create_postgres_database, drop_postgres_database

# A Wednesday lunchtime in Krems (13:00 Europe/Vienna): every demo kitchen is open.
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)

DEMO_LOGINS = {
    "admin": ("admin@mealkitz.local", "admin-demo-pass"),
    "owner": ("owner@pizzeria-donau.local", "owner-demo-pass"),
    "staff": ("kitchen@pizzeria-donau.local", "staff-demo-pass"),
    "bowls_owner": ("owner@wachau-bowls.local", "owner-demo-pass"),
    "anna": ("anna@example.com", "customer-demo-pass"),
    "lucia": ("lucia@example.com", "customer-demo-pass"),
    "driver": ("max@drivers.local", "driver-demo-pass"),
}


class Clock:
    """A settable clock for the server under test."""

    def __init__(self, now: datetime = NOON) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Api:
    client: TestClient  # type: ignore[type-arg]
    services: Services
    clock: Clock
    tokens: dict[str, str]

    def as_(self, who: str) -> dict[str, str]:
        if who not in self.tokens:
            email, password = DEMO_LOGINS[who]
            response = self.client.post("/auth/login", json={"email": email, "password": password})
            assert response.status_code == 200, response.text
            self.tokens[who] = response.json()["token"]
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def post(self, path: str, who: str, json: Any, **headers: str) -> Any:
        return self.client.post(path, json=json, headers={**self.as_(who), **headers})

    def get(self, path: str, who: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers=self.as_(who))

    def patch(self, path: str, who: str, json: Any) -> Any:
        return self.client.patch(path, json=json, headers=self.as_(who))

    def put(self, path: str, who: str, json: Any) -> Any:
        return self.client.put(path, json=json, headers=self.as_(who))


def make_settings(database_url: str, data_dir: Path) -> Settings:
    return replace(Settings.from_env({}), data_dir=data_dir, database_url=database_url)


def _load_demo(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        load_demo(conn)
    engine.dispose()


@pytest.fixture(scope="session")
def demo_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Migrated databases with demo data, made once per test process and copied for each test
    (argon2 hashing of the demo accounts alone takes a second)."""
    sqlite_path = tmp_path_factory.mktemp("template") / "demo.sqlite3"
    _load_demo(f"sqlite:///{sqlite_path}")
    templates = {"sqlite": str(sqlite_path)}
    pg_url = None
    if os.environ.get(POSTGRES_ENV):
        pg_url = create_postgres_database()
        _load_demo(pg_url)
        templates["postgres"] = pg_url.rsplit("/", 1)[1]
    yield templates
    if pg_url:
        drop_postgres_database(pg_url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_database_url(request: pytest.FixtureRequest, demo_templates: dict[str, str],
                      tmp_path: Path) -> Iterator[str]:
    """A database of each kind holding the demo data."""
    if request.param == "sqlite":
        path = tmp_path / "mealkitz.sqlite3"
        shutil.copyfile(demo_templates["sqlite"], path)
        yield f"sqlite:///{path}"
        return
    if "postgres" not in demo_templates:
        pytest.skip(f"{POSTGRES_ENV} is not set: run the suite through .ci/run, which starts PostgreSQL")
    url = create_postgres_database(template=demo_templates["postgres"])
    yield url
    drop_postgres_database(url)


@contextmanager
def serve_api(database_url: str, data_dir: Path, rate_limits: RateLimits | None = None,
              rate_counters: Counters | None = None) -> Iterator[Api]:
    """The app on `database_url` through a TestClient, with the default rate limits unless `rate_limits`."""
    settings = make_settings(database_url, data_dir)
    settings = replace(settings, rate_limits=rate_limits or settings.rate_limits)
    clock = Clock()
    services = Services(settings, clock=clock)
    app = create_app(settings, services=services, migrate=False, rate_counters=rate_counters)
    with TestClient(app=app) as client:
        yield Api(client=client, services=services, clock=clock, tokens={})


@pytest.fixture
def api(demo_database_url: str, tmp_path: Path) -> Iterator[Api]:
    with serve_api(demo_database_url, tmp_path) as api:
        yield api


def margherita_cart(**overrides: Any) -> dict[str, Any]:
    cart: dict[str, Any] = {
        "merchant_id": "pizzeria-donau",
        "lines": [
            {"item_id": "margherita", "variant_id": "large", "quantity": 2,
             "modifiers": [{"option_id": "mushrooms", "kind": "extra"}, {"option_id": "basil", "kind": "remove"}]},
            {"item_id": "coke", "variant_id": "can", "quantity": 1},
        ],
        "fulfilment": {"type": "delivery", "address": {"line1": "Ringstraße 45", "city": "Krems",
                                                        "location": {"lat": 48.40985, "lon": 15.60790}}},
        "tip": "2.00",
    }
    cart.update(overrides)
    return cart
