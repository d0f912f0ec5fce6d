"""The one map from domain error codes to HTTP: RFC 9457 problem details with a stable `code`."""
from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from sqlalchemy.exc import DataError

from core.errors import AccountError, ChannelError, DomainError, ErrorCode, InputError, OrderError, PromoError
from core.menus_import.errors import MenuChangeError, ScrapeError
from server.db.batch import StorageUnavailable
from server.ratelimit.counters import RateLimited

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://mealkitz.dev/problems/"

STATUS: dict[ErrorCode, int] = {
    OrderError.UNKNOWN_MERCHANT: 404,
    ChannelError.INVALID_SIGNATURE: 401,
    ChannelError.VERIFY_TOKEN_MISMATCH: 403,
    ChannelError.NOT_A_WEBHOOK: 400,
    ChannelError.CONVERSATION_NOT_FOUND: 404,
    ChannelError.NOT_HANDED_OVER: 409,
    ChannelError.ACCOUNT_NOT_FOUND: 404,
    ChannelError.OPTED_OUT: 409,
    ChannelError.OUTSIDE_WINDOW: 409,
    ChannelError.POST_NOT_FOUND: 404,
    ChannelError.POST_NOT_PENDING: 409,
    ChannelError.NO_IMAGE: 422,
    ChannelError.UNKNOWN_ITEMS: 422,
    ChannelError.NO_ACCOUNT: 409,
    ChannelError.GRAPH_FAILED: 502,
    OrderError.ORDER_NOT_FOUND: 404,
    AccountError.NOT_FOUND: 404,
    OrderError.INVALID_TRANSITION: 409,
    OrderError.IDEMPOTENCY_KEY_REUSED: 409,
    OrderError.OUT_OF_STOCK: 409,
    OrderError.TRANSITION_FORBIDDEN: 403,
    AccountError.FORBIDDEN: 403,
    AccountError.NOT_AUTHENTICATED: 401,
    AccountError.INVALID_CREDENTIALS: 401,
    AccountError.ALREADY_EXISTS: 409,
    PromoError.EXHAUSTED: 409,
    # Menu scraping: the page or input cannot be used (422), the site says no (403), the site fails us (502/504).
    ScrapeError.INVALID_URL: 422,
    ScrapeError.UNSUPPORTED_SCHEME: 422,
    ScrapeError.PRIVATE_ADDRESS: 422,
    ScrapeError.INVALID_SITE_MAPPING: 422,
    ScrapeError.NOT_A_MENU: 422,
    ScrapeError.BLOCKED_BY_ROBOTS: 403,
    ScrapeError.FETCH_TIMEOUT: 504,
    ScrapeError.DNS_FAILURE: 502,
    ScrapeError.CONNECTION_FAILED: 502,
    ScrapeError.TOO_LARGE: 502,
    ScrapeError.TOO_MANY_REDIRECTS: 502,
    ScrapeError.HTTP_STATUS: 502,
    ScrapeError.UNSUPPORTED_CONTENT_TYPE: 502,
    ScrapeError.DECODE_ERROR: 502,
    MenuChangeError.NOT_CONFIGURED: 404,
    MenuChangeError.SCRAPE_DISABLED: 409,
    MenuChangeError.UNKNOWN_CHANGE: 422,
    MenuChangeError.CHANGE_NOT_PENDING: 409,
}
TITLES = {400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
          409: "Conflict", 413: "Request too large", 415: "Unsupported media type", 422: "Unprocessable content",
          429: "Too many requests", 500: "Internal error", 502: "Bad gateway", 503: "Service unavailable",
          504: "Gateway timeout"}
HTTP_CODES = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "request_too_large", 415: "unsupported_media_type",
              429: "rate_limited", 503: "service_unavailable"}


def status_of(code: ErrorCode) -> int:
    """Unlisted codes are input the client can fix: 422."""
    return STATUS.get(code, 422)


def problem(status: int, code: str, detail: str, instance: str | None = None, *,
            headers: dict[str, str] | None = None, **extra: object) -> Response:
    body: dict[str, object] = {"type": PROBLEM_BASE + code, "title": TITLES.get(status, "Error"),
                               "status": status, "code": code, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v})
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


RESERVED = frozenset({"type", "title", "status", "code", "detail", "instance", "errors"})


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    status = status_of(exc.code)
    # Extras never overwrite the problem's own members (a scrape error's 'status' is the upstream site's).
    extra = {(f"upstream_{k}" if k in RESERVED else k): v for k, v in exc.extra.items()}
    return problem(status, str(exc.code), exc.detail, request.url.path,
                   errors=[p.as_dict() for p in exc.problems], **extra)


def validation_error_handler(request: Request, exc: ValidationException) -> Response:
    errors = exc.extra if isinstance(exc.extra, list) else []
    return problem(422 if errors else 400, str(InputError.INVALID), exc.detail or "the request is not valid",
                   request.url.path, errors=errors)


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status >= 500:
        log.error("HTTP %s on %s: %s", status, request.url.path, exc.detail)
    code = HTTP_CODES.get(status, "http_error")
    return problem(status, code, exc.detail or TITLES.get(status, "Error"), request.url.path)


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "internal_error", "something went wrong on our side; it has been logged", request.url.path)


def data_error_handler(request: Request, exc: DataError) -> Response:
    """The database refused a value the request carried (PostgreSQL: a NUL character in a string, a number out
    of a column's range). The client can fix that, so it is a 422, not a 500; logged in case it is our bug."""
    log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc.orig)
    return problem(422, str(InputError.INVALID), "a value in the request cannot be stored "
                   "(e.g. a NUL character in a string, or a number out of range)", request.url.path)


def storage_error_handler(request: Request, exc: StorageUnavailable) -> Response:
    if exc.outcome_unknown:
        return problem(503, "outcome_unknown", "the database connection failed while committing: the write may or "
                       "may not have been saved. Retry with the same Idempotency-Key (an order already saved is "
                       "returned, never placed twice), or look for it with GET /orders", request.url.path)
    return problem(503, "storage_unavailable", "the database could not commit; nothing was saved, retry",
                   request.url.path)


def rate_limited_handler(request: Request, exc: RateLimited) -> Response:
    """A rate limit refused the request: 429, and when to come back (Retry-After, in seconds)."""
    return problem(429, HTTP_CODES[429], str(exc), request.url.path, headers={"Retry-After": str(exc.retry_after)},
                   retry_after=exc.retry_after)


EXCEPTION_HANDLERS = {
    RateLimited: rate_limited_handler,
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    DataError: data_error_handler,
    StorageUnavailable: storage_error_handler,
    Exception: internal_error_handler,
}
__all__ = ["EXCEPTION_HANDLERS", "problem", "status_of"]
