"""GraphError and how an HTTP answer or a transport failure becomes one (retryable? ambiguous?).

The distinction that matters to the outbox is *ambiguous*: a read timeout or a dropped connection after
the request was written may mean Meta already delivered the message, and the product rule is "never send
twice for one outbound id", so such failures are never retried and are flagged for a human or a status
webhook to settle.
"""
from __future__ import annotations

import json

import httpx

# Transport failures where the request certainly never reached the server: safe to resend.
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (httpx.ConnectError, httpx.ConnectTimeout,
                                                             httpx.PoolTimeout)


class GraphError(Exception):
    """A failed Graph API call, with Meta's error code when Meta sent one.

    `retryable` says a later identical request may succeed and cannot duplicate anything; `ambiguous` says
    the request may have reached Meta (so resending might deliver the message twice).
    """

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None,
                 subcode: int | None = None, error_type: str | None = None, fbtrace_id: str | None = None,
                 retryable: bool = False, ambiguous: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.subcode = subcode
        self.error_type = error_type
        self.fbtrace_id = fbtrace_id
        self.retryable = retryable
        self.ambiguous = ambiguous
        self.retry_after = retry_after

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code is not None:
            parts.append(f"code {self.code}" + (f"/{self.subcode}" if self.subcode is not None else ""))
        if self.fbtrace_id:
            parts.append(f"fbtrace_id {self.fbtrace_id}")
        return " · ".join(parts)


# A gateway's 502/504 may come after Meta acted on the request: for a send that is ambiguous, not a retry.
GATEWAY_STATUSES = frozenset({502, 504})


def error_from_response(status: int, headers: httpx.Headers, body: bytes, *, idempotent: bool = True) -> GraphError:
    """Meta's {"error": {message, type, code, error_subcode, fbtrace_id}} → GraphError.

    429 and 5xx are retryable (Meta did not act on the request, or says to come back later), except a
    gateway's 502/504 on a non-idempotent request (a send), which is ambiguous; every other 4xx is final:
    resending the same payload or token gets the same answer.
    """
    ambiguous = not idempotent and status in GATEWAY_STATUSES
    details = _error_details(body)
    message = str(details.get("message") or (body[:200].decode("utf-8", "replace") or f"HTTP {status}"))
    return GraphError(
        message,
        status=status,
        code=_int_or_none(details.get("code")),
        subcode=_int_or_none(details.get("error_subcode")),
        error_type=details.get("type"),
        fbtrace_id=details.get("fbtrace_id"),
        retryable=(status == 429 or status >= 500) and not ambiguous,
        ambiguous=ambiguous,
        retry_after=parse_retry_after(headers.get("retry-after")) if status == 429 else None,
    )


def error_from_transport(exc: httpx.RequestError, *, idempotent: bool) -> GraphError:
    """Connect failures are safe to retry; anything after the request was written is ambiguous.

    Ambiguous failures of idempotent reads (GET) are still retried: reading twice harms nobody.
    """
    name = type(exc).__name__
    if isinstance(exc, NOT_SENT_ERRORS):
        return GraphError(f"could not reach the Graph API ({name})", retryable=True)
    return GraphError(f"no complete answer from the Graph API ({name}); the request may have been processed",
                      retryable=idempotent, ambiguous=True)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header; None when absent or an HTTP date (then our own backoff applies)."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(seconds, 0.0)


def _error_details(body: bytes) -> dict:
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    error = parsed.get("error") if isinstance(parsed, dict) else None
    return error if isinstance(error, dict) else {}


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
