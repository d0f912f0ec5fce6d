"""Where the limits apply: every request (per client address and per signed-in account), and every sign-in
attempt (per account or kitchen it names, from one client and from all).

The request check runs as the app's outermost middleware, before any route middleware, so the order-intake fast
path is limited like every route; it costs two counter updates and, with a bearer token, a session-cache lookup.
A sign-in attempt is counted before its password or PIN is verified, so a client over its limit never costs an
argon2 hash, and counting first (rather than checking, verifying, then counting failures) leaves no window for
concurrent guesses to slip past the limit; a successful attempt is given back, so only failures add up.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from server.auth import SessionResolver, parse_bearer
from server.ratelimit.counters import Counters, RateLimited, enforce
from server.settings import RateLimits

SIGN_IN_PATHS = frozenset({"/auth/login", "/auth/pin", "/auth/register"})
WEBHOOK_PREFIX = "/webhooks/"
WEBSOCKET_RATE_LIMITED = 4429


def client_address(scope: Any) -> str:
    """The address the connection came from (the ASGI server's peer: a proxy's own forwarded headers are not
    trusted here)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            return parse_bearer(value.decode("latin-1"))
    return None


class RequestLimits:
    """The rate limits of one app, over one set of counters."""

    def __init__(self, limits: RateLimits, counters: Counters, sessions: SessionResolver) -> None:
        self.limits = limits
        self.counters = counters
        self.sessions = sessions
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self) -> None:
        """Remember the server's event loop (app startup), where handlers running in threads count attempts."""
        self._loop = asyncio.get_running_loop()

    async def check_request(self, scope: Any) -> None:
        """Count a request against its client address and its account; RateLimited past either limit."""
        client = client_address(scope)
        path: str = scope["path"]
        if path in SIGN_IN_PATHS:
            await enforce(self.counters, f"sign-in:{client}", self.limits.sign_in_per_client,
                          "sign-in attempts from this address")
        elif path.startswith(WEBHOOK_PREFIX):
            await enforce(self.counters, f"webhook:{client}", self.limits.webhooks_per_client,
                          "webhook calls from this address")
        else:
            await enforce(self.counters, f"client:{client}", self.limits.per_client, "requests from this address")
        token = _bearer(scope["headers"])
        if token:
            # Only a session already cached: resolving one here would put a query before the guard's own.
            actor = self.sessions.cached(token)[1]
            if actor is not None:
                await enforce(self.counters, f"account:{actor.role}:{actor.id or actor.merchant_id}",
                              self.limits.per_account, "requests for this account")

    async def sign_in_attempt(self, client: str, account: str) -> None:
        """Count one attempt to sign in to `account` (an email, or a kitchen for a PIN) from `client`: call it
        before verifying the secret. RateLimited when this client, or all clients together, tried too often."""
        await enforce(self.counters, f"sign-in:{client}|{account}", self.limits.sign_in_per_client_account,
                      "sign-in attempts for this account from this address")
        await enforce(self.counters, f"sign-in-account:{account}", self.limits.sign_in_per_account,
                      "sign-in attempts for this account")

    async def sign_in_succeeded(self, client: str, account: str) -> None:
        """Give back the attempt a successful sign-in counted: only failures use up an account's limits, so
        staff signing in one after another on a shared tablet are never locked out by each other."""
        await self.counters.give_back(f"sign-in:{client}|{account}", self.limits.sign_in_per_client_account)
        await self.counters.give_back(f"sign-in-account:{account}", self.limits.sign_in_per_account)

    def from_thread(self, method: Callable[[str, str], Awaitable[None]], client: str, account: str) -> None:
        """Run `sign_in_attempt` or `sign_in_succeeded` from a sync handler's thread, on the server's loop (the
        counters' connections belong to it)."""
        if self._loop is None:
            raise RuntimeError("RequestLimits.bind() runs at app startup, before any request")
        asyncio.run_coroutine_threadsafe(method(client, account), self._loop).result()  # type: ignore[arg-type]

    async def close(self) -> None:
        """Release the counters' connections (app shutdown)."""
        await self.counters.close()


class RateLimitMiddleware:
    """The app's outermost middleware (ASGI): every HTTP request and socket is counted before routing on."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._limits: RequestLimits | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            limits = self._limits
            if limits is None:
                limits = self._limits = scope["litestar_app"].state.rate_limits
            try:
                await limits.check_request(scope)
            except RateLimited as refused:
                if scope["type"] == "http":
                    raise  # the exception handlers answer with the 429 problem
                await _refuse_socket(receive, send, refused)
                return
        await self.app(scope, receive, send)


async def _refuse_socket(receive: Any, send: Any, refused: RateLimited) -> None:
    """Close a socket before accepting it, with 4429 (Litestar's 4000 + HTTP status for socket errors)."""
    await receive()  # websocket.connect
    await send({"type": "websocket.close", "code": WEBSOCKET_RATE_LIMITED, "reason": str(refused)[:120]})
