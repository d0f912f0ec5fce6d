"""The channel tables: inbound messages (stored once per message id), conversations with their state,
outbound messages and their delivery statuses."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.conversation import ConversationState
from core.ids import uuid7
from server.channels.events import InboundRecord, StatusRecord
from server.db import channel_tables as ct

# Meta reports statuses out of order at times (read before delivered); a status never moves backwards.
STATUS_RANK = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "read": 4, "failed": 5, "skipped": 5}


def store_inbound(conn: Connection, record: InboundRecord, now: datetime) -> bool:
    """Store a message once; False if this message id was stored before (a retried delivery)."""
    if conn.execute(select(ct.channel_messages.c.id).where(ct.channel_messages.c.id == record.row_id)).first():
        return False
    payload = {"message": record.payload, "sender_name": record.sender_name}
    try:
        with conn.begin_nested():
            conn.execute(insert(ct.channel_messages).values(
                id=record.row_id, channel=record.channel, account_id=record.account_id, sender=record.sender,
                kind=record.kind, payload=json.dumps(payload), sent_at=record.sent_at, received_at=now))
    except IntegrityError:  # the same delivery on another process won the race
        return False
    return True


@dataclass(frozen=True)
class StoredMessage:
    id: str
    channel: str
    account_id: str
    sender: str
    kind: str
    payload: dict[str, Any]
    sender_name: str
    sent_at: datetime
    received_at: datetime
    processed_at: datetime | None
    conversation_id: str | None


def message(conn: Connection, message_id: str) -> StoredMessage | None:
    row = conn.execute(select(ct.channel_messages).where(ct.channel_messages.c.id == message_id)).first()
    if row is None:
        return None
    doc = json.loads(row.payload)
    return StoredMessage(id=row.id, channel=row.channel, account_id=row.account_id, sender=row.sender,
                         kind=row.kind, payload=doc.get("message", {}), sender_name=doc.get("sender_name", ""),
                         sent_at=row.sent_at, received_at=row.received_at, processed_at=row.processed_at,
                         conversation_id=row.conversation_id)


def earlier_unprocessed(conn: Connection, msg: StoredMessage) -> bool:
    """Is an earlier message of the same customer still waiting? Messages are answered in order."""
    c = ct.channel_messages.c
    return conn.execute(select(c.id).where(
        c.channel == msg.channel, c.account_id == msg.account_id, c.sender == msg.sender,
        c.processed_at.is_(None), c.id != msg.id,
        (c.received_at < msg.received_at) | ((c.received_at == msg.received_at) & (c.id < msg.id)),
    ).limit(1)).first() is not None


def mark_processed(conn: Connection, message_id: str, conversation_id: str | None, outcome: str,
                   now: datetime) -> None:
    conn.execute(update(ct.channel_messages).where(ct.channel_messages.c.id == message_id)
                 .values(processed_at=now, conversation_id=conversation_id, outcome=outcome[:40]))


@dataclass
class Conversation:
    id: str
    channel: str
    account_id: str
    sender: str
    customer_id: str
    state: ConversationState
    last_inbound_at: datetime | None


def _conversation(row: Any) -> Conversation:
    return Conversation(id=row.id, channel=row.channel, account_id=row.account_id, sender=row.sender,
                        customer_id=row.customer_id, state=ConversationState.model_validate_json(row.state),
                        last_inbound_at=row.last_inbound_at)


def conversation_for(conn: Connection, channel: str, account_id: str, sender: str) -> Conversation | None:
    c = ct.conversations.c
    query = select(ct.conversations).where(c.channel == channel, c.account_id == account_id, c.sender == sender)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()  # one process at a time moves a conversation on
    row = conn.execute(query).first()
    return _conversation(row) if row else None


def conversation(conn: Connection, conversation_id: str) -> Conversation | None:
    row = conn.execute(select(ct.conversations).where(ct.conversations.c.id == conversation_id)).first()
    return _conversation(row) if row else None


def create_conversation(conn: Connection, channel: str, account_id: str, sender: str, customer_id: str,
                        now: datetime) -> Conversation:
    conv = Conversation(id=str(uuid7()), channel=channel, account_id=account_id, sender=sender,
                        customer_id=customer_id, state=ConversationState(), last_inbound_at=None)
    conn.execute(insert(ct.conversations).values(
        id=conv.id, channel=channel, account_id=account_id, sender=sender, customer_id=customer_id,
        merchant_id=None, state=conv.state.model_dump_json(), human=False, opted_out=False,
        last_inbound_at=None, created_at=now, updated_at=now))
    return conv


def save_conversation(conn: Connection, conv: Conversation, now: datetime) -> None:
    s = conv.state
    conn.execute(update(ct.conversations).where(ct.conversations.c.id == conv.id).values(
        state=s.model_dump_json(), merchant_id=s.merchant_id, human=s.human, opted_out=s.opted_out,
        last_inbound_at=conv.last_inbound_at, updated_at=now))


def queue_outbound(conn: Connection, conv: Conversation, kind: str, payload: dict[str, Any], now: datetime,
                   status: str = "queued", error: str | None = None, recipient: str | None = None) -> str:
    """Queue a message of a conversation; `recipient` other than the customer is e.g. the comment a private
    reply answers."""
    outbound_id = str(uuid7())
    conn.execute(insert(ct.outbound_messages).values(
        id=outbound_id, conversation_id=conv.id, channel=conv.channel, account_id=conv.account_id,
        recipient=recipient or conv.sender, kind=kind, payload=json.dumps(payload), status=status, error=error,
        created_at=now))
    return outbound_id


def outbound(conn: Connection, outbound_id: str) -> Any:
    return conn.execute(select(ct.outbound_messages).where(ct.outbound_messages.c.id == outbound_id)).first()


def set_outbound(conn: Connection, outbound_id: str, now: datetime, **values: Any) -> None:
    if values.get("status") == "sent":
        values.setdefault("sent_at", now)
    conn.execute(update(ct.outbound_messages).where(ct.outbound_messages.c.id == outbound_id)
                 .values(status_at=now, **values))


def record_status(conn: Connection, status: StatusRecord) -> bool:
    """Apply a delivery status to the outbound message it names; False if we never sent that id."""
    c = ct.outbound_messages.c
    row = conn.execute(select(c.id, c.status).where(c.provider_message_id == status.provider_message_id,
                                                    c.account_id == status.account_id)).first()
    if row is None:
        return False
    if STATUS_RANK.get(status.status, 0) >= STATUS_RANK.get(row.status, 0):
        conn.execute(update(ct.outbound_messages).where(c.id == row.id).values(
            status=status.status, status_at=status.at, **({"error": status.error} if status.error else {})))
    return True


def link_order(conn: Connection, order_id: str, conversation_id: str) -> None:
    if conn.execute(select(ct.conversation_orders.c.order_id)
                    .where(ct.conversation_orders.c.order_id == order_id)).first() is None:
        conn.execute(insert(ct.conversation_orders).values(order_id=order_id, conversation_id=conversation_id))


def conversation_of_order(conn: Connection, order_id: str) -> str | None:
    return conn.execute(select(ct.conversation_orders.c.conversation_id)
                        .where(ct.conversation_orders.c.order_id == order_id)).scalar()


def history(conn: Connection, conv: Conversation, limit: int = 100) -> list[dict[str, Any]]:
    """The conversation as staff read it: inbound and outbound, oldest first."""
    m, o = ct.channel_messages.c, ct.outbound_messages.c
    inbound = conn.execute(select(m.id, m.kind, m.payload, m.received_at).where(
        m.channel == conv.channel, m.account_id == conv.account_id, m.sender == conv.sender)
        .order_by(m.received_at.desc()).limit(limit)).all()
    out = conn.execute(select(o.id, o.kind, o.payload, o.status, o.created_at).where(o.conversation_id == conv.id)
                       .order_by(o.created_at.desc()).limit(limit)).all()
    items = [{"direction": "in", "id": r.id, "kind": r.kind, "at": r.received_at.isoformat(),
              "message": json.loads(r.payload).get("message")} for r in inbound]
    items += [{"direction": "out", "id": r.id, "kind": r.kind, "at": r.created_at.isoformat(), "status": r.status,
               "message": json.loads(r.payload)} for r in out]
    return sorted(items, key=lambda i: i["at"])[-limit:]
