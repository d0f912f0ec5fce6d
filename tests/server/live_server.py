"""A real `mealkitz serve` process for tests and benchmarks: start, stop, SIGKILL, restart, wait for /health.

Also the setup those runs share: a database with the demo accounts, an always-open merchant (the real server
reads the wall clock, and the demo kitchens keep opening hours) and a freshly registered customer.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ADMIN_LOGIN = {"email": "admin@mealkitz.local", "password": "admin-demo-pass"}
ALWAYS_OPEN_ID = "always-open-kitchen"
# Where the always-open kitchen is and where its orders go (Krems, 0.6 km apart).
KITCHEN_AT = {"lat": 48.41035, "lon": 15.59975}
CUSTOMER_AT = {"lat": 48.40985, "lon": 15.60790}


# Live servers in tests and benchmarks drive one server from one address (load generators, apps under test
# signing in again and again): the rate limits would refuse them, so they are raised out of the way unless a
# caller's `env` sets one (the limits are tested in tests/server/security/). They are still counted.
UNLIMITED_RATES = {f"MEALKITZ_RATE_LIMIT_{name}": "1000000000/60" for name in (
    "PER_CLIENT", "PER_ACCOUNT", "SIGN_IN_PER_CLIENT", "SIGN_IN_PER_CLIENT_ACCOUNT", "SIGN_IN_PER_ACCOUNT",
    "WEBHOOKS_PER_CLIENT")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database(database_url: str) -> None:
    """Migrate and create the demo admin account (only it: argon2 makes every account cost a hash)."""
    from sqlalchemy import select

    from core.orders.lifecycle import Role
    from server.auth import create_account
    from server.db import tables as t
    from server.db.engine import make_engine
    from server.db.migrate import upgrade

    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.begin() as conn:
        if not conn.execute(select(t.accounts.c.id).where(t.accounts.c.email == ADMIN_LOGIN["email"])).first():
            create_account(conn, email=ADMIN_LOGIN["email"], password=ADMIN_LOGIN["password"], role=Role.ADMIN)
    engine.dispose()


def _die_with_parent() -> None:
    """Linux: SIGKILL the server if the process that started it dies, so no server outlives its test."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


PROJECT_ROOT = Path(__file__).resolve().parents[2]


def mealkitz_command() -> list[str]:
    script = Path(sys.executable).with_name("mealkitz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "server.cli"]


def project_pythonpath() -> str:
    """PYTHONPATH that makes the server import this checkout's code.

    The venv's editable install points at one checkout; a git worktree sharing that venv would otherwise
    start the other checkout's server and test code it did not change.
    """
    inherited = os.environ.get("PYTHONPATH")
    return os.pathsep.join([str(PROJECT_ROOT), *([inherited] if inherited else [])])


class LiveServer:
    """One `mealkitz serve` subprocess on a port of its own; restartable on the same database."""

    def __init__(self, database_url: str, data_dir: Path, port: int | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.database_url = database_url
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.extra_env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.data_dir / "server.log"
        self.starts = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> "LiveServer":
        assert self.process is None or self.process.poll() is not None, "already running"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "DATABASE_URL": self.database_url, "MEALKITZ_DATA_DIR": str(self.data_dir),
               "MEALKITZ_LOG_LEVEL": "WARNING", "PYTHONPATH": project_pythonpath(), **UNLIMITED_RATES,
               **self.extra_env}
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"--- start #{self.starts} on port {self.port}\n".encode())
            log.flush()
            # A session of its own, so a signal meant for the server never reaches pytest.
            self.process = subprocess.Popen([*mealkitz_command(), "serve", "--port", str(self.port)],
                                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                            preexec_fn=_die_with_parent)
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"no /health answer within {timeout} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing; what was committed must survive this."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM and wait (uvicorn shuts down gracefully); SIGKILL if it does not."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def restart(self, timeout: float = 60.0) -> "LiveServer":
        self.stop()
        return self.start(timeout)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def admin_headers(client: httpx.Client) -> dict[str, str]:
    response = client.post("/auth/login", json=ADMIN_LOGIN)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def always_open_merchant(merchant_id: str = ALWAYS_OPEN_ID) -> dict[str, Any]:
    """No opening hours (always open), a 50 km delivery radius, no minimum order, no stock counts."""
    return {
        "id": merchant_id, "name": "Always Open Kitchen",
        "address": {"line1": "Obere Landstraße 10", "city": "Krems an der Donau", "country": "AT",
                    "location": KITCHEN_AT},
        "location": KITCHEN_AT, "timezone": "Europe/Vienna", "currency": "EUR",
        "opening_hours": [], "delivery_zone": {"radius_km": "50"},
        "delivery_fee_bands": [{"up_to_km": "50", "fee": "2.50"}],
        "tax": {"mode": "inclusive", "rates": {"food": "0.10", "drinks": "0.20", "fees": "0.20"}},
        "prep_minutes_default": 15,
    }


def always_open_menu(merchant_id: str = ALWAYS_OPEN_ID) -> dict[str, Any]:
    return {
        "merchant_id": merchant_id, "currency": "EUR",
        "categories": [{"id": "mains", "name": "Mains"}, {"id": "drinks", "name": "Drinks"}],
        "items": [
            {"id": "soup", "name": "Soup of the day", "category_id": "mains", "price": "6.50"},
            {"id": "pasta", "name": "Pasta", "category_id": "mains", "price": "9.00",
             "variants": [{"id": "regular", "name": "Regular", "price": "9.00"},
                          {"id": "large", "name": "Large", "price": "11.50"}]},
            {"id": "water", "name": "Water", "category_id": "drinks", "price": "2.00", "tax_category": "drinks"},
        ],
    }


def order_cart(merchant_id: str = ALWAYS_OPEN_ID) -> dict[str, Any]:
    """A delivery order the always-open kitchen accepts at any hour."""
    return {
        "merchant_id": merchant_id,
        "lines": [{"item_id": "pasta", "variant_id": "large", "quantity": 2},
                  {"item_id": "soup", "quantity": 1}, {"item_id": "water", "quantity": 3}],
        "fulfilment": {"type": "delivery", "address": {"line1": "Ringstraße 45", "city": "Krems",
                                                        "location": CUSTOMER_AT}},
        "tip": "1.50",
    }


def create_always_open_merchant(client: httpx.Client, merchant_id: str = ALWAYS_OPEN_ID) -> None:
    """Through the admin API: POST /merchants, then PUT its menu."""
    headers = admin_headers(client)
    response = client.post("/merchants", json=always_open_merchant(merchant_id), headers=headers)
    assert response.status_code == 201, response.text
    response = client.put(f"/merchants/{merchant_id}/menu", json=always_open_menu(merchant_id), headers=headers)
    assert response.status_code == 200, response.text


def register_customer(client: httpx.Client) -> dict[str, str]:
    """A new customer account; the Authorization header of its session."""
    email = f"load-{uuid.uuid4().hex[:12]}@example.com"
    response = client.post("/auth/register", json={"name": "Load Tester", "email": email,
                                                   "password": "load-test-pass"})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}
