"""Time-ordered ids (UUIDv7): sortable, index-friendly, generated without coordination."""
from __future__ import annotations

import uuid

from uuid6 import uuid7 as _uuid7


def uuid7() -> uuid.UUID:
    return _uuid7()
