"""Meta's webhook secrets. The signature: X-Hub-Signature-256 is "sha256=" + hex HMAC-SHA256 of the raw body
under the app secret. The verify token of the subscription handshake. Both compared in constant time; a
missing or malformed value is simply invalid."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

HEADER = "X-Hub-Signature-256"
PREFIX = "sha256="


def sign(body: bytes, app_secret: str) -> str:
    return PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def is_valid(body: bytes, header: str | None, app_secrets: Iterable[str]) -> bool:
    """True if the header signs `body` under any of the secrets (one per Meta app we serve)."""
    if not header or not header.startswith(PREFIX):
        return False
    given = header[len(PREFIX):].strip().lower()
    valid = False
    for secret in app_secrets:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        valid |= hmac.compare_digest(expected, given)  # no early exit: the time does not depend on which
    return valid


def verify_token_matches(given: str | None, tokens: Iterable[str]) -> bool:
    """True if `given` equals one of our verify tokens, compared in constant time against every one of them
    (as bytes: compare_digest refuses non-ASCII str)."""
    if not given:
        return False
    candidate = given.encode()
    matched = False
    for token in tokens:
        matched |= hmac.compare_digest(token.encode(), candidate)  # no early exit, as in is_valid
    return matched
