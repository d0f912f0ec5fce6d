"""Chat media (Instagram attachment URLs from webhook bodies) is fetched only from the provider's media hosts,
through the SSRF guard, pinned to the address checked, without following redirects off the allow-list."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from server.channels.accounts import Account
from server.channels.graph_errors import GraphError
from server.channels.media_fetch import MediaFetcher, host_allowed
from server.channels.store import StoredMessage
from server.channels.voice_notes import transcribe
from server.settings import META_MEDIA_HOSTS
from tests.emulators.fixtures import GRAPH_TEST_TOKEN, graph_emulator, graph_emulator_process  # noqa: F401
from tests.emulators.graph_emulator import GraphEmulator
from tests.server.conftest import Api

CDN = "scontent.xx.fbcdn.net"


class MediaHost(BaseHTTPRequestHandler):
    """/audio answers bytes; /to?url=U redirects to U; every request is logged on the server."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.seen.append((self.path, self.headers.get("Host")))  # type: ignore[attr-defined]
        if self.path.startswith("/to?url="):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/to?url="))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"OggS voice bytes" if self.path == "/audio" else b"internal secret"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def media_host() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), MediaHost)
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def cdn_at_loopback(host: str, port: int) -> list[str]:
    """DNS for the test: the CDN name answers with the local server's address."""
    assert host == CDN
    return ["127.0.0.1"]


def test_host_allow_list_takes_subdomains_not_lookalikes() -> None:
    assert host_allowed("scontent-vie1-1.xx.fbcdn.net", META_MEDIA_HOSTS)
    assert host_allowed("lookaside.fbsbx.com.", META_MEDIA_HOSTS)
    assert not host_allowed("fbcdn.net.evil.example", META_MEDIA_HOSTS)
    assert not host_allowed("evilfbcdn.net", META_MEDIA_HOSTS)
    assert not host_allowed("169.254.169.254", META_MEDIA_HOSTS)


def test_media_comes_from_an_allowed_host_pinned_to_the_checked_address(media_host: ThreadingHTTPServer) -> None:
    port = media_host.server_address[1]
    answers = iter([["127.0.0.1"], ["10.255.255.1"]])  # a rebinding resolver: a second lookup would go elsewhere

    def rebinding(host: str, _port: int) -> list[str]:
        return next(answers)

    with MediaFetcher(("fbcdn.net",), allow_private_networks=True, resolver=rebinding) as media:
        assert media.fetch(f"http://{CDN}:{port}/audio") == b"OggS voice bytes"
    assert media_host.seen == [("/audio", f"{CDN}:{port}")]  # one lookup, connected where it pointed


def test_a_host_off_the_allow_list_is_never_contacted(media_host: ThreadingHTTPServer) -> None:
    with MediaFetcher(META_MEDIA_HOSTS, allow_private_networks=True) as media, \
            pytest.raises(GraphError, match="not one of the channel's media hosts"):
        media.fetch(f"http://127.0.0.1:{media_host.server_address[1]}/internal")
    assert media_host.seen == []


def test_an_allowed_name_that_resolves_to_a_private_address_is_refused(media_host: ThreadingHTTPServer) -> None:
    with MediaFetcher(("fbcdn.net",), resolver=cdn_at_loopback) as media, pytest.raises(GraphError) as refused:
        media.fetch(f"https://{CDN}:{media_host.server_address[1]}/audio")
    assert "private address" in str(refused.value) and "127.0.0.1" not in str(refused.value)
    assert not refused.value.retryable and media_host.seen == []


def test_plain_http_is_refused_outside_test_networks() -> None:
    with MediaFetcher(("fbcdn.net",), resolver=cdn_at_loopback) as media, pytest.raises(GraphError, match="https"):
        media.fetch(f"http://{CDN}/audio")


def test_redirects_are_followed_only_to_allowed_hosts(media_host: ThreadingHTTPServer) -> None:
    port = media_host.server_address[1]
    with MediaFetcher(("fbcdn.net",), allow_private_networks=True, resolver=cdn_at_loopback) as media:
        assert media.fetch(f"http://{CDN}:{port}/to?url=http://{CDN}:{port}/audio") == b"OggS voice bytes"
        with pytest.raises(GraphError, match="not one of the channel's media hosts"):
            media.fetch(f"http://{CDN}:{port}/to?url=http://127.0.0.1:{port}/internal")
    assert [path for path, _ in media_host.seen] == [f"/to?url=http://{CDN}:{port}/audio", "/audio",
                                                     f"/to?url=http://127.0.0.1:{port}/internal"]


def test_media_over_the_size_cap_is_refused(media_host: ThreadingHTTPServer) -> None:
    with MediaFetcher(("fbcdn.net",), allow_private_networks=True, resolver=cdn_at_loopback, max_bytes=10) as media, \
            pytest.raises(GraphError, match="limit"):
        media.fetch(f"http://{CDN}:{media_host.server_address[1]}/audio")


def test_attachment_is_fetched_without_the_graph_token(graph_emulator: GraphEmulator) -> None:  # noqa: F811
    graph_emulator.add_media("cdn1", b"jpeg bytes", "image/jpeg")
    # The emulator's media URL wants a token, so its refusal proves none was sent to the "CDN".
    with MediaFetcher(("127.0.0.1",), allow_private_networks=True) as media, pytest.raises(GraphError) as refused:
        media.fetch(f"{graph_emulator.url}/media-bytes/cdn1")
    assert refused.value.code == 190
    [request] = graph_emulator.requests()
    assert "authorization" not in request["headers"]


def test_instagram_voice_note_pointing_inside_the_network_is_not_fetched(
        api: Api, media_host: ThreadingHTTPServer) -> None:
    internal = f"http://127.0.0.1:{media_host.server_address[1]}/internal"
    now = datetime.now(UTC)
    msg = StoredMessage(id="m1", channel="instagram", account_id="17841400000000001", sender="123", kind="audio",
                        payload={"attachments": [{"type": "audio", "payload": {"url": internal}}]}, sender_name="",
                        sent_at=now, received_at=now, processed_at=None, conversation_id=None)
    account = Account("instagram", "17841400000000001", "secret", "verify", "token", ())
    assert transcribe(api.services, msg, account, "en", "pizzeria-donau") == ("", "media_unavailable")
    assert media_host.seen == []  # a blind SSRF would show up here
