"""A device's sync worker as a process of its own, so a test can SIGKILL it mid-sync and start it again.

    python -m tests.apps.client.device_process STORE BASE_URL TOKEN [BATCH_SIZE]

Runs rounds until the outbox is empty and settled, then exits 0.
"""
from __future__ import annotations

import sys
import time

from apps.client.api import ApiClient
from apps.client.outbox import Outbox
from apps.client.store import LocalStore
from apps.client.sync import Backoff, SyncWorker


def main(argv: list[str]) -> int:
    store_path, base_url, token = argv[:3]
    batch_size = int(argv[3]) if len(argv) > 3 else 50
    outbox = Outbox(LocalStore(store_path))  # returns whatever the killed run left in flight to ready
    print(f"recovered {outbox.recovered}", flush=True)
    worker = SyncWorker(ApiClient(base_url, token), outbox, batch_size=batch_size,
                        backoff=Backoff(base=0.01, cap=0.2))
    while True:
        report = worker.run_once()
        if report.ok and outbox.pending() == 0 and not outbox.unsettled():
            return 0
        if not report.ok:
            time.sleep(worker.next_delay)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
