"""The one place the merchant app touches apps/client: sign-in, the first download, the sync worker and live feed.

A thin adapter for what apps/client does not offer yet (see the report of issue 8): fetching one merchant (with
its busy mode) and seeding the stock cache from GET /merchants/{id}/stock (the change feed only carries rows
that changed). Busy mode, hours and line bumps are outbox operations like every other kitchen action.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apps.client.api import ApiClient, ApiError
from apps.client.live import LiveNudge
from apps.client.outbox import Outbox
from apps.client.store import LocalStore, stock_id
from apps.client.sync import Backoff, SyncStatus, SyncWorker

log = logging.getLogger(__name__)
# A kitchen wants to be back in sync seconds after the Wi-Fi returns, not a minute later.
SYNC_BACKOFF_CAP = 5.0
SYNC_INTERVAL = 10.0


class ClientAdapter:
    """Owns the device's LocalStore, Outbox, SyncWorker and LiveNudge for one signed-in merchant account."""

    def __init__(self, server_url: str, data_dir: str | Path, on_change: Callable[[dict[str, Any]], None]) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = LocalStore(self.data_dir / "merchant-tablet.sqlite3")
        self.api = ApiClient(server_url, self.store.get_meta("token"))
        self.outbox = Outbox(self.store)
        self.on_change = on_change
        self.worker: SyncWorker | None = None
        self.live: LiveNudge | None = None

    # -- session ----------------------------------------------------------------------------------------------

    @property
    def session(self) -> dict[str, Any] | None:
        raw = self.store.get_meta("session")
        return json.loads(raw) if raw else None

    def sign_in(self, email: str, password: str) -> dict[str, Any]:
        return self._keep(self.api.login(email, password))

    def pin_sign_in(self, merchant_id: str, pin: str) -> dict[str, Any]:
        return self._keep(self.api.pin_login(merchant_id, pin))

    def _keep(self, session: dict[str, Any]) -> dict[str, Any]:
        if session.get("role") not in ("merchant_staff", "merchant_owner"):
            self.api.token = None
            raise ApiError("forbidden", "this app is for merchant owners, managers and staff")
        self.store.set_meta("token", session["token"])
        self.store.set_meta("role", session["role"])  # the outbox's optimistic moves use it
        self.store.set_meta("session", json.dumps({k: session.get(k) for k in ("role", "id", "merchant_id")}))
        return session

    def sign_out(self) -> None:
        self.stop()
        try:
            self.api.logout()
        except ApiError:
            pass  # offline: forgetting the token here is what matters
        for key in ("token", "session"):
            self.store.set_meta(key, None)

    # -- first download (online; offline starts from what is cached) ------------------------------------------

    def bootstrap(self, merchant_id: str) -> list[str]:
        """Fetch the merchant, its menu and stock; returns what could not be fetched."""
        missing = []
        try:
            self.store.set_meta("merchant", json.dumps(self.api.request("GET", f"/merchants/{merchant_id}")))
        except ApiError as exc:
            missing.append(f"merchant: {exc}")
        try:
            self.store.save_menu(merchant_id, self.api.menu(merchant_id))
        except ApiError as exc:
            missing.append(f"menu: {exc}")
        try:
            self.seed_stock(merchant_id, self.api.stock(merchant_id))
        except ApiError as exc:
            missing.append(f"stock: {exc}")
        return missing

    def seed_stock(self, merchant_id: str, rows: list[dict[str, Any]]) -> None:
        """Server stock rows into the cache, as the change feed would bring them."""
        with self.store.transaction():
            for row in rows:
                data = {"merchant_id": merchant_id, "key": row["key"], "count": row.get("count"),
                        "available": bool(row.get("available", True))}
                key = stock_id(merchant_id, row["key"])
                self.store.put_server("stock", key, data)
                self.outbox.refresh("stock", key)

    def merchant(self) -> dict[str, Any]:
        raw = self.store.get_meta("merchant")
        return json.loads(raw) if raw else {}

    # -- running ----------------------------------------------------------------------------------------------

    def start(self) -> None:
        self.worker = SyncWorker(self.api, self.outbox, interval=SYNC_INTERVAL,
                                 backoff=Backoff(base=0.5, cap=SYNC_BACKOFF_CAP))
        self.worker.add_listener(self.on_change)
        self.live = LiveNudge(self.api, self.worker, backoff=Backoff(base=0.5, cap=SYNC_BACKOFF_CAP),
                              on_event=lambda event: self.on_change({"type": "live", "event": event}))
        self.worker.start()
        self.live.start()

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def sync_now(self) -> None:
        if self.worker is not None:
            self.worker.sync_now()

    @property
    def online(self) -> bool:
        return self.worker is not None and self.worker.status in (SyncStatus.ONLINE, SyncStatus.SYNCING) and \
            self.worker.last_error is None

    @property
    def signed_out(self) -> bool:
        return self.worker is not None and self.worker.status is SyncStatus.SIGNED_OUT

    def close(self) -> None:
        self.stop()
        self.api.close()
        self.store.close()
