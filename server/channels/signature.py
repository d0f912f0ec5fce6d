"""Meta's webhook signature: X-Hub-Signature-256 is "sha256=" + hex HMAC-SHA256 of the raw body under the
app secret. Compared in constant time; a missing or malformed header is simply invalid."""
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
