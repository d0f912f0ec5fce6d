"""What a webhook delivery carries, channel-neutral: messages to store and process, and delivery statuses
of messages we sent."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


@dataclass(frozen=True)
class InboundRecord:
    """One customer message as stored: `payload` is the channel's own message object, kept whole."""

    channel: str
    account_id: str
    sender: str
    message_id: str
    kind: str
    sent_at: datetime
    payload: dict[str, Any]
    sender_name: str = ""

    @property
    def row_id(self) -> str:
        return f"{self.channel}:{self.message_id}"


@dataclass(frozen=True)
class StatusRecord:
    provider_message_id: str
    status: str  # sent, delivered, read, failed
    at: datetime
    error: str | None = None
    account_id: str = ""  # the business number the status is for: only it may update its messages


@dataclass
class Delivery:
    """Everything one webhook POST carried."""

    messages: list[InboundRecord] = field(default_factory=list)
    statuses: list[StatusRecord] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)  # Instagram comments on the business's media
    account_ids: set[str] = field(default_factory=set)  # the business accounts it is addressed to

    def only_for(self, served: set[str]) -> "Delivery":
        """What is addressed to accounts we serve (a shared app may deliver for others too)."""
        return Delivery(messages=[m for m in self.messages if m.account_id in served],
                        statuses=[s for s in self.statuses if s.account_id in served],
                        comments=[c for c in self.comments if c.get("account_id") in served],
                        account_ids=self.account_ids & served)


def epoch(value: Any) -> datetime:
    """Meta's timestamps: epoch seconds as a string (WhatsApp), epoch milliseconds (Instagram), or ISO text."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00").replace("+0000", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
        except ValueError:
            return datetime.now(timezone.utc)
    if number > 1e11:
        number /= 1000
    return datetime.fromtimestamp(number, timezone.utc)
