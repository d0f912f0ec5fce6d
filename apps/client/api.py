"""The HTTP client every app uses to talk to the Mealkitz API (httpx, bearer token, typed errors).

Errors come in two kinds, because the sync worker must treat them differently:

- `RetryLater`: the network failed, the request timed out, or the server answered 5xx/429/408. The request may
  or may not have been applied; resending it (with the same idempotency key) is safe and expected.
- `Rejected`: the server answered 4xx. Resending the same request will get the same answer; show `detail`.
  `NotAuthenticated` (401) is a `Rejected` the app fixes by signing in again, not by dropping the request.

Both carry the server's RFC 9457 problem `code` and `detail` when there is one.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from core.sync.operations import Operation, OperationResult

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=3.0)
# Statuses worth retrying: the server is busy or broken, the request itself may be fine.
RETRYABLE_STATUS = frozenset({408, 425, 429})
IDEMPOTENCY_HEADER = "Idempotency-Key"


class ApiError(Exception):
    """A request that did not succeed; `status` is None when no HTTP answer came back."""

    def __init__(self, code: str, detail: str, status: int | None = None,
                 problem: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code}: {detail}" if status is None else f"{status} {code}: {detail}")
        self.code = code
        self.detail = detail
        self.status = status
        self.problem = problem or {}


class RetryLater(ApiError):
    """Network trouble, a timeout or a 5xx: try again later with the same idempotency key."""


class Rejected(ApiError):
    """The server refused the request (4xx); sending it again will not help."""


class NotAuthenticated(Rejected):
    """401: the token is missing, expired or revoked; sign in again."""


def error_from_response(response: httpx.Response) -> ApiError:
    """The typed error for a non-2xx response, carrying the problem details' code and detail if any."""
    try:
        body = response.json()
    except ValueError:
        body = None
    problem = body if isinstance(body, dict) else {}
    code = str(problem.get("code") or f"http_{response.status_code}")
    detail = str(problem.get("detail") or response.reason_phrase or "request failed")
    status = response.status_code
    if status == 401:
        return NotAuthenticated(code, detail, status, problem)
    if status >= 500 or status in RETRYABLE_STATUS:
        return RetryLater(code, detail, status, problem)
    return Rejected(code, detail, status, problem)


class ApiClient:
    """A thin, synchronous client for the Mealkitz API. Thread-safe for concurrent calls (httpx.Client is)."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport,
                                  headers={"accept": "application/json"})

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport --------------------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None) -> Any:
        """Send one request; the decoded JSON body (None for 204), or RetryLater / Rejected."""
        all_headers = dict(headers or {})
        if method.upper() == "POST" and path.rstrip("/") == "/orders" and not any(
                k.lower() == IDEMPOTENCY_HEADER.lower() and v.strip() for k, v in all_headers.items()):
            # Without a key, a retry after a lost answer (or a commit whose acknowledgement was lost) places the
            # order twice. Keep the key with the cart and send the same one on every retry.
            raise ValueError(f"an order is placed with an {IDEMPOTENCY_HEADER} header (see place_order)")
        if self.token:
            all_headers["authorization"] = f"Bearer {self.token}"
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = self._http.request(method, path, json=json, params=clean_params, headers=all_headers)
        except httpx.TransportError as exc:  # connect/read/write errors, timeouts, dropped connections
            raise RetryLater("network", f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 400:
            raise error_from_response(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            # A 2xx we cannot read (a captive portal, a broken proxy): the request may have been applied.
            raise RetryLater("bad_response", "the answer was not JSON", response.status_code) from exc

    # -- accounts ---------------------------------------------------------------------------------------------

    def login(self, email: str, password: str) -> dict[str, Any]:
        """Sign in with email and password; keeps the bearer token for later calls."""
        session = self.request("POST", "/auth/login", json={"email": email, "password": password})
        self.token = session["token"]
        return session

    def pin_login(self, merchant_id: str, pin: str) -> dict[str, Any]:
        """Staff sign-in with a PIN on a merchant's shared tablet; keeps the token."""
        session = self.request("POST", "/auth/pin", json={"merchant_id": merchant_id, "pin": pin})
        self.token = session["token"]
        return session

    def logout(self) -> None:
        """End the session on the server and forget the token."""
        try:
            self.request("POST", "/auth/logout")
        finally:
            self.token = None

    def me(self) -> dict[str, Any]:
        """Who the token belongs to: role, id, merchant_id."""
        return self.request("GET", "/auth/me")

    def customer_profile(self) -> dict[str, Any]:
        """The signed-in customer's profile."""
        return self.request("GET", "/customers/me")

    # -- catalogue --------------------------------------------------------------------------------------------

    def merchants(self) -> list[dict[str, Any]]:
        """Every merchant."""
        return self.request("GET", "/merchants")

    def menu(self, merchant_id: str) -> dict[str, Any]:
        """A merchant's live menu, with stock and 86 flags."""
        return self.request("GET", f"/merchants/{merchant_id}/menu")

    def stock(self, merchant_id: str) -> list[dict[str, Any]]:
        """Staff: every stock row `{key, count, available}` of a merchant."""
        return self.request("GET", f"/merchants/{merchant_id}/stock")

    def change_stock(self, merchant_id: str, key: str, *, available: bool | None = None,
                     count: int | None = None, set_count: bool = False) -> dict[str, Any]:
        """Staff, online only: 86 / bring back / set a count right now (offline edits go through the outbox)."""
        body: dict[str, Any] = {"key": key, "available": available}
        if set_count:
            body.update(count=count, set_count=True)
        return self.request("PATCH", f"/merchants/{merchant_id}/stock", json=body)

    def queue(self, merchant_id: str) -> list[dict[str, Any]]:
        """Staff: the kitchen's open orders, most urgent first."""
        return self.request("GET", f"/merchants/{merchant_id}/queue")

    # -- orders -----------------------------------------------------------------------------------------------

    def quote(self, cart: dict[str, Any]) -> dict[str, Any]:
        """Price a cart without placing it."""
        return self.request("POST", "/quotes", json=cart)

    def place_order(self, cart: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        """Place an order online; retrying with the same key returns the same order. Make the key once per
        cart (e.g. `str(core.ids.uuid7())`) and keep it until the order is answered; there is no default, as a
        fresh key per call would not protect the retry."""
        return self.request("POST", "/orders", json=cart, headers={IDEMPOTENCY_HEADER: idempotency_key})

    def order(self, order_id: str) -> dict[str, Any]:
        """One order, as the caller may see it."""
        return self.request("GET", f"/orders/{order_id}")

    def orders(self, *, merchant_id: str | None = None, customer_id: str | None = None,
               status: Iterable[str] | None = None, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
        """One page of orders, newest first: `{"items": [...], "next_cursor": ...}`."""
        params = {"merchant_id": merchant_id, "customer_id": customer_id, "limit": limit, "cursor": cursor,
                  "status": list(status) if status else None}
        return self.request("GET", "/orders", params=params)

    def transition(self, order_id: str, action: str, *, reason: str | None = None,
                   prep_minutes: int | None = None) -> dict[str, Any]:
        """Move an order along its lifecycle online."""
        body = {k: v for k, v in {"action": action, "reason": reason, "prep_minutes": prep_minutes}.items()
                if v is not None}
        return self.request("POST", f"/orders/{order_id}/transitions", json=body)

    # -- sync -------------------------------------------------------------------------------------------------

    def push(self, device_id: str, operations: list[Operation]) -> list[OperationResult]:
        """Send a batch of outbox operations; one result per operation, in the same order."""
        body = {"device_id": device_id, "operations": [op.model_dump(mode="json") for op in operations]}
        answer = self.request("POST", "/sync/push", json=body)
        try:
            return [OperationResult.model_validate(r) for r in answer["results"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise RetryLater("bad_response", f"push answer not understood: {exc}") from exc

    def pull(self, since: str | None = None, limit: int = 500) -> dict[str, Any]:
        """Changes after `since` (None: from the beginning): `{"changes": [...], "cursor": ..., "more": bool}`."""
        answer = self.request("GET", "/sync/pull", params={"since": since, "limit": limit})
        if not isinstance(answer, dict) or not isinstance(answer.get("changes"), list) or "cursor" not in answer:
            raise RetryLater("bad_response", "pull answer not understood")
        return answer

    def live_url(self) -> str:
        """The WebSocket URL of the live-update feed (`/live?token=...`)."""
        scheme = "wss" if self.base_url.startswith("https") else "ws"
        return f"{scheme}{self.base_url[self.base_url.index(':'):]}/live?token={self.token or ''}"
