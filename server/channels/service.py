"""Chat-channel use cases, `(command, uow) -> result`: deliveries stored before they are acknowledged, staff
answering a chat, Instagram posts drafted and reviewed, businesses' channel accounts. Conversations
themselves run in the inbound job (server.channels.worker), through the orders service like any order."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update

from core.conversation import Reply, Texts
from core.errors import ChannelError, DomainError, OrderError
from core.orders.model import Actor
from server.auth import ensure_merchant_scope
from server.channels import accounts, instagram, instagram_content, store, whatsapp
from server.channels.events import Delivery
from server.db import channel_tables as ct
from server.db.uow import SqlUnitOfWork
from server.events import JobRequested
from server.settings import Settings

INBOUND_JOB = "channel.inbound"
COMMENT_JOB = "channel.comment"
SEND_JOB = "channel.send"
WINDOW = timedelta(hours=24)  # Meta's customer-service window: free-form messages only inside it


def render(channel: str, reply: Reply, to: str) -> dict[str, Any]:
    """A reply as the channel's send API takes it."""
    return (whatsapp.render if channel == "whatsapp" else instagram.render)(reply, to)


@dataclass
class StoreDelivery:
    delivery: Delivery
    now: datetime


def store_delivery(cmd: StoreDelivery, uow: SqlUnitOfWork) -> int:
    """Store a signed delivery's messages once each with a job to answer them, record statuses, queue comment
    replies; returns how many messages were new (Meta's retries add nothing)."""
    new = 0
    for record in cmd.delivery.messages:
        if store.store_inbound(uow.conn, record, cmd.now):
            new += 1
            uow.emit(JobRequested(INBOUND_JOB, {"message_id": record.row_id},
                                  {"subject": f"{record.channel}:{record.sender}"[:120],
                                   "dedupe_key": f"inbound:{record.row_id}"[:200]}))
    for status in cmd.delivery.statuses:
        store.record_status(uow.conn, status)
    for comment in cmd.delivery.comments:
        if comment.get("id"):
            uow.emit(JobRequested(COMMENT_JOB, comment, {"dedupe_key": f"comment:{comment['id']}"[:200]}))
    return new


def conversation_in_scope(actor: Actor, conn: Any, conversation_id: str) -> store.Conversation:
    """The conversation, if it exists and belongs to the actor's merchant (admins: any)."""
    conv = store.conversation(conn, conversation_id)
    if conv is None:
        raise DomainError(ChannelError.CONVERSATION_NOT_FOUND, f"no conversation {conversation_id!r}")
    ensure_merchant_scope(actor, conv.state.merchant_id or "")
    return conv


@dataclass
class StaffMessage:
    """A person answers in a chat (`text`), or hands it back to the assistant (`release`, text None)."""

    conversation_id: str
    text: str | None
    release: bool
    actor: Actor
    now: datetime


def send_staff_message(cmd: StaffMessage, uow: SqlUnitOfWork) -> tuple[store.Conversation, int]:
    """Queue the staff's message (or the hand-back notice) inside Meta's window; the conversation and the
    outbound message's id."""
    conv = conversation_in_scope(cmd.actor, uow.conn, cmd.conversation_id)
    if cmd.release and not conv.state.human:
        raise DomainError(ChannelError.NOT_HANDED_OVER, "the assistant already has this conversation")
    if conv.state.opted_out:
        raise DomainError(ChannelError.OPTED_OUT, "the customer asked not to receive messages")
    if conv.last_inbound_at is None or cmd.now - conv.last_inbound_at >= WINDOW:
        raise DomainError(ChannelError.OUTSIDE_WINDOW, "the customer last wrote more than 24 hours ago; "
                          "only approved templates may be sent until they write again")
    conv.state.human = not cmd.release
    body = cmd.text if cmd.text is not None else Texts(conv.state.language).t("human_back")
    outbound_id = store.queue_outbound(uow.conn, conv, "staff", render(conv.channel, Reply(text=body), conv.sender),
                                       cmd.now)
    store.save_conversation(uow.conn, conv, cmd.now)
    uow.emit(JobRequested(SEND_JOB, {"outbound_ids": [outbound_id]},
                          {"subject": f"conversation:{conv.id}", "dedupe_key": f"send:{outbound_id}"}))
    return conv, outbound_id


@dataclass
class DraftPost:
    merchant_id: str
    draft: instagram_content.Draft
    by: str
    now: datetime
    settings: Settings


def draft_post(cmd: DraftPost, uow: SqlUnitOfWork) -> dict[str, Any]:
    """A post waiting for the owner's approval (nothing reaches Instagram before)."""
    row = instagram_content.create_draft(uow, cmd.settings, cmd.merchant_id, cmd.draft, cmd.by, cmd.now)
    return instagram_content.post_view(row)


@dataclass
class ReviewPost:
    merchant_id: str
    post_id: str
    approve: bool
    by: str


def review_post(cmd: ReviewPost, uow: SqlUnitOfWork) -> dict[str, Any]:
    """Approve (publishing is queued as a job) or reject a pending post."""
    row = instagram_content.review(uow, cmd.merchant_id, cmd.post_id, cmd.approve, cmd.by)
    return instagram_content.post_view(row)


def account_view(row: Any) -> dict[str, Any]:
    """A channel account without its secrets."""
    return {"channel": row.channel, "account_id": row.account_id, "merchant_ids": json.loads(row.merchant_ids),
            "created_at": row.created_at.isoformat()}


@dataclass
class SaveAccount:
    channel: str
    account_id: str
    app_secret: str
    verify_token: str
    access_token: str
    merchant_ids: list[str]
    settings: Settings
    now: datetime


def save_account(cmd: SaveAccount, uow: SqlUnitOfWork) -> dict[str, Any]:
    """Add or replace a business's WhatsApp number or Instagram account; credentials are stored encrypted."""
    missing = [m for m in cmd.merchant_ids if uow.catalog.merchant(m) is None]
    if missing:
        raise DomainError(OrderError.UNKNOWN_MERCHANT, f"no merchant {missing[0]!r}")
    c = ct.channel_accounts.c
    values = {**accounts.sealed_credentials(cmd.settings, app_secret=cmd.app_secret, verify_token=cmd.verify_token,
                                            access_token=cmd.access_token),
              "merchant_ids": json.dumps(cmd.merchant_ids)}
    where = (c.channel == cmd.channel) & (c.account_id == cmd.account_id)
    if uow.conn.execute(update(ct.channel_accounts).where(where).values(**values)).rowcount == 0:
        uow.conn.execute(insert(ct.channel_accounts).values(channel=cmd.channel, account_id=cmd.account_id,
                                                           created_at=cmd.now, **values))
    return account_view(uow.conn.execute(select(ct.channel_accounts).where(where)).one())


@dataclass
class DeleteAccount:
    channel: str
    account_id: str


def delete_account(cmd: DeleteAccount, uow: SqlUnitOfWork) -> None:
    """Remove an account and its credentials."""
    c = ct.channel_accounts.c
    gone = uow.conn.execute(delete(ct.channel_accounts).where(c.channel == cmd.channel,
                                                              c.account_id == cmd.account_id)).rowcount
    if not gone:
        raise DomainError(ChannelError.ACCOUNT_NOT_FOUND, f"no {cmd.channel} account {cmd.account_id!r}")
