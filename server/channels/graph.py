"""The outbound Meta Graph API client: WhatsApp Cloud API sends and media, Instagram messaging and publishing.

Why our own client and not pywa: pywa fixes its session base URL to https://graph.facebook.com (so it cannot
talk to the local emulator the tests run against), dispatches webhook updates straight to handlers (we store
them durably first), and neither retries nor tells an ambiguous failure from a safe-to-retry one.

Retries: 429 (honouring Retry-After), 5xx and connect failures are retried with exponential backoff and full
jitter; other 4xx are final. A read timeout or dropped connection after a POST was written is ambiguous and
never retried, because the outbox promises at most one send per outbound id. The access token travels only
in the Authorization header and is never logged.
"""
from __future__ import annotations

import base64
import hashlib
import json as jsonlib
import logging
import random
import re
import time
from collections.abc import Callable
from typing import Any, Self
from urllib.parse import urlsplit

import httpx

from server.channels.graph_errors import GraphError, error_from_response, error_from_transport
from server.channels.graph_payloads import (
    buttons_payload,
    ig_private_reply_payload,
    ig_text_payload,
    list_payload,
    location_request_payload,
    messenger_profile_payload,
    template_payload,
    text_payload,
)

__all__ = ["GraphClient", "GraphError", "buttons_payload", "ig_private_reply_payload", "ig_text_payload",
           "list_payload", "location_request_payload", "messenger_profile_payload", "template_payload",
           "text_payload"]

logger = logging.getLogger(__name__)

# Longer Retry-After waits are not slept through in a worker: the error goes back to the job queue instead.
RETRY_AFTER_CEILING = 60.0
# JSON answers are small; anything bigger than this is not the Graph API talking.
JSON_RESPONSE_MAX = 2_000_000
_VERSIONED = re.compile(r"^/v\d+\.\d+/")


class GraphClient:
    """A synchronous Graph API client (the senders run in background workers, one call at a time)."""

    def __init__(self, base_url: str, access_token: str, *, api_version: str = "v21.0", timeout: float = 10.0,
                 max_attempts: int = 4, backoff_base: float = 0.5, backoff_max: float = 8.0,
                 sleep: Callable[[float], None] = time.sleep, transport: httpx.BaseTransport | None = None,
                 rng: random.Random | None = None) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.api_version = api_version
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._auth_header = {"Authorization": f"Bearer {access_token}"}
        self._sleep = sleep
        self._rng = rng or random.Random()  # the jitter's source; tests pass a fixed one to see the growth
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport,
                                  follow_redirects=True)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- generic calls ------------------------------------------------------------------------------------

    def post(self, path: str, json: dict) -> dict:
        """POST a JSON body to a Graph path (the version prefix is added unless the path has one)."""
        return self._json_call("POST", self._versioned(path), json=json)

    def get(self, path: str, params: dict | None = None) -> dict:
        """GET a Graph path; reads are idempotent, so even ambiguous failures are retried."""
        return self._json_call("GET", self._versioned(path), params=params)

    # -- WhatsApp Cloud API -------------------------------------------------------------------------------

    def send_whatsapp(self, phone_number_id: str, payload: dict) -> str:
        """Send a built payload (see graph_payloads) from our business number; returns the wamid."""
        answer = self.post(f"/{phone_number_id}/messages", payload)
        return _required_id(answer, lambda a: a["messages"][0]["id"], "messages[0].id")

    def media_info(self, media_id: str) -> dict:
        """{url, mime_type, sha256, file_size, id} of a media id from a webhook; the url expires in minutes."""
        return self.get(f"/{media_id}")

    def download_media(self, media_id: str, max_bytes: int = 16_000_000) -> tuple[bytes, str]:
        """The bytes and MIME type of a WhatsApp media id, checked against the size and sha256 Meta reports."""
        info = self.media_info(media_id)
        declared_size = int(info.get("file_size") or 0)
        if declared_size > max_bytes:
            raise GraphError(f"media {media_id} is {declared_size} bytes, over the {max_bytes} byte limit")
        data = self._bytes_call(info["url"], max_bytes=max_bytes, authorised=True)
        if info.get("sha256") and not sha256_matches(data, info["sha256"]):
            raise GraphError(f"media {media_id} does not match the sha256 Meta reported")
        return data, str(info.get("mime_type") or "application/octet-stream")

    # -- Instagram ------------------------------------------------------------------------------------------

    def send_instagram(self, ig_user_id: str, payload: dict) -> str:
        """Send a built Instagram payload from our professional account; returns Meta's message_id."""
        answer = self.post(f"/{ig_user_id}/messages", payload)
        return _required_id(answer, lambda a: a["message_id"], "message_id")

    def private_reply(self, ig_user_id: str, comment_id: str, text: str) -> str:
        """Answer a public comment with one private DM to its author; returns the message_id."""
        return self.send_instagram(ig_user_id, ig_private_reply_payload(comment_id, text))

    def set_messenger_profile(self, ig_user_id: str, *, ice_breakers: list[dict],
                              persistent_menu: list[dict]) -> None:
        """Set the account's ice breakers and persistent menu (replacing the previous ones).

        Posted to /{ig_user_id}/messenger_profile, the form the Instagram API with Instagram Login documents
        (graph.instagram.com); the body names platform=instagram, which /me/messenger_profile on
        graph.facebook.com needs as well. See graph_payloads.messenger_profile_payload for the shape.
        """
        self.post(f"/{ig_user_id}/messenger_profile", messenger_profile_payload(ice_breakers, persistent_menu))

    def publish_instagram(self, ig_user_id: str, *, image_url: str, caption: str = "", story: bool = False,
                          poll_seconds: float = 1.0, max_polls: int = 30) -> str:
        """Publish an image post (or story): create a container, wait until Meta has fetched it, publish.

        Returns the published media id. Meta fetches `image_url` itself, so it must be publicly reachable.
        """
        container_id = self._create_container(ig_user_id, image_url=image_url, caption=caption, story=story)
        self._wait_until_finished(container_id, poll_seconds=poll_seconds, max_polls=max_polls)
        answer = self.post(f"/{ig_user_id}/media_publish", {"creation_id": container_id})
        return _required_id(answer, lambda a: a["id"], "id")

    def _create_container(self, ig_user_id: str, *, image_url: str, caption: str, story: bool) -> str:
        body: dict[str, Any] = {"image_url": image_url}
        if story:
            body["media_type"] = "STORIES"  # stories carry no caption
        elif caption:
            body["caption"] = caption
        return _required_id(self.post(f"/{ig_user_id}/media", body), lambda a: a["id"], "id")

    def _wait_until_finished(self, container_id: str, *, poll_seconds: float, max_polls: int) -> None:
        for poll in range(max_polls):
            if poll:
                self._sleep(poll_seconds)
            status = self.get(f"/{container_id}", {"fields": "status_code"}).get("status_code")
            if status == "FINISHED":
                return
            if status in ("ERROR", "EXPIRED"):
                raise GraphError(f"Instagram could not prepare container {container_id}: {status}")
        raise GraphError(f"container {container_id} not ready after {max_polls} polls", retryable=True)

    # -- the HTTP core --------------------------------------------------------------------------------------

    def _versioned(self, path: str) -> str:
        path = "/" + path.lstrip("/")
        return path if _VERSIONED.match(path) else f"/{self.api_version}{path}"

    def _json_call(self, method: str, path: str, *, json: dict | None = None, params: dict | None = None) -> dict:
        body = self._call(method, path, json=json, params=params, authorised=True, max_bytes=JSON_RESPONSE_MAX)
        try:
            answer = jsonlib.loads(body)
        except ValueError:
            raise GraphError(f"{method} {path}: the answer is not JSON", ambiguous=method != "GET") from None
        if not isinstance(answer, dict):
            raise GraphError(f"{method} {path}: the answer is not a JSON object", ambiguous=method != "GET")
        return answer

    def _bytes_call(self, url: str, *, max_bytes: int, authorised: bool) -> bytes:
        return self._call("GET", url, authorised=authorised, max_bytes=max_bytes)

    def _call(self, method: str, url: str, *, json: dict | None = None, params: dict | None = None,
              authorised: bool, max_bytes: int) -> bytes:
        """One logical call: up to max_attempts requests; returns the body of the first 2xx answer."""
        target = _loggable(url)
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self._attempt(method, url, json=json, params=params, authorised=authorised,
                                     max_bytes=max_bytes)
            except GraphError as error:
                if not error.retryable or attempt == self.max_attempts:
                    logger.info("graph %s %s failed after %d attempt(s): %s", method, target, attempt, error)
                    raise
                delay = self._retry_delay(attempt, error)
                if delay is None:
                    logger.info("graph %s %s: Retry-After %.0fs is too long to wait here", method, target,
                                error.retry_after)
                    raise
                logger.warning("graph %s %s attempt %d: %s; retrying in %.2fs", method, target, attempt, error, delay)
                self._sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _attempt(self, method: str, url: str, *, json: dict | None, params: dict | None, authorised: bool,
                 max_bytes: int) -> bytes:
        headers = self._auth_header if authorised else {}
        request = self._http.build_request(method, url, json=json, params=params, headers=headers)
        try:
            response = self._http.send(request, stream=True)
            try:
                body = read_limited(response, max_bytes)
            finally:
                response.close()
        except httpx.RequestError as exc:
            raise error_from_transport(exc, idempotent=method == "GET") from exc
        if not response.is_success:
            raise error_from_response(response.status_code, response.headers, body, idempotent=method == "GET")
        return body

    def _retry_delay(self, attempt: int, error: GraphError) -> float | None:
        """Retry-After when Meta gave one (None if too long to wait), else full-jitter exponential backoff."""
        if error.retry_after is not None:
            return error.retry_after if error.retry_after <= RETRY_AFTER_CEILING else None
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return self._rng.uniform(0, ceiling)


def read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    """The body, refusing to buffer more than max_bytes (a declared or an actual oversize both stop early)."""
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise GraphError(f"answer of {declared} bytes is over the {max_bytes} byte limit", status=response.status_code)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise GraphError(f"answer is over the {max_bytes} byte limit", status=response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


def sha256_matches(data: bytes, expected: str) -> bool:
    """Meta reports media digests base64-encoded (webhooks) or, on some endpoints, hex; accept either."""
    digest = hashlib.sha256(data).digest()
    if re.fullmatch(r"[0-9a-fA-F]{64}", expected):
        return digest.hex() == expected.lower()
    return base64.b64encode(digest).decode("ascii") == expected


def _required_id(answer: dict, pick: Callable[[dict], Any], field: str) -> str:
    """Meta accepted the call; without the id we cannot tie status webhooks to it, which the caller must know."""
    try:
        return str(pick(answer))
    except (KeyError, IndexError, TypeError):
        raise GraphError(f"the Graph API answered without {field}", ambiguous=True) from None


def _loggable(url: str) -> str:
    """Path only: CDN and media URLs carry signatures in their query strings."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}" if parts.netloc else parts.path
