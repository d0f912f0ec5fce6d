"""A real HTTP server on 127.0.0.1 in a thread, with routes each test sets up (see scraper_site)."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest
from scraper_site import LocalSite, SiteHandler


@pytest.fixture(scope="session")
def _server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SiteHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(_server: ThreadingHTTPServer) -> LocalSite:
    """A fresh set of routes on the shared local server."""
    local = LocalSite(_server.server_address[1])
    _server.site = local  # type: ignore[attr-defined]
    return local


