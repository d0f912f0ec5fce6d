"""The runtime every app shares, with no UI framework: API client, local store, outbox and sync worker.

    store = LocalStore("mealkitz-device.sqlite3")
    api = ApiClient("https://api.example"); api.login(email, password)
    outbox = Outbox(store)                       # in_flight ops go back to ready here
    worker = SyncWorker(api, outbox)             # .start() in the app, .run_once() in tests
    outbox.transition_order(order_id, "accept", prep_minutes=12)   # shows at once, syncs when online

Dependencies point inwards: apps/client uses core (clocks, operation models, the lifecycle), never server.
"""
from apps.client.api import ApiClient, ApiError, NotAuthenticated, Rejected, RetryLater
from apps.client.outbox import Outbox, OutboxEntry
from apps.client.store import LocalStore
from apps.client.sync import Backoff, SyncReport, SyncStatus, SyncWorker

__all__ = ["ApiClient", "ApiError", "Backoff", "LocalStore", "NotAuthenticated", "Outbox", "OutboxEntry", "Rejected",
           "RetryLater", "SyncReport", "SyncStatus", "SyncWorker"]
