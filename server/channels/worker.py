"""Background jobs of the chat channels (the ports and voice notes they use: chat_ports.py, voice_notes.py).

- `channel.inbound`: one stored message → (voice: download and transcribe) → the conversation engine in
  one write: new state, message marked processed, replies queued with a send job. A retry after a crash
  finds the message processed, or replays the turn from the same state (placing with the same key).
- `channel.send`: sends a turn's queued replies in order. A reply is marked `sending` before the request
  and never sent again after that mark, so a crash mid-send may lose one message but never doubles one.
- `channel.order_status`: an order placed in a chat changed status → a message there (a template outside
  WhatsApp's 24-hour window; nothing after an opt-out).
"""
from __future__ import annotations

import json
import logging
from typing import Any

from core.conversation import NOTIFIED, Reply, Stage, Texts, respond, status_text
from core.orders.cart import Channel
from core.orders.lifecycle import OrderStatus, Role
from core.orders.model import Order
from server.channels import accounts, instagram, store, whatsapp
from server.channels.chat_ports import ChatPorts, customer_for, referred_post
from server.channels.graph import GraphClient, GraphError
from server.channels.voice_notes import transcribe
from server.channels.instagram_content import PUBLISH_JOB, publish_post
from server.channels.instagram_engagement import answer_comment
from server.channels.service import COMMENT_JOB, INBOUND_JOB, SEND_JOB, WINDOW, render
from server.jobs import JobContext, JobFailed
from server.events import OrderChanged
from server.services import Services

STATUS_JOB = "channel.order_status"
CHANNELS = {"whatsapp": Channel.WHATSAPP, "instagram": Channel.INSTAGRAM}
POISON_ATTEMPTS = 3  # a message failing this often is answered with an apology and marked processed
UNASKED = frozenset({"status", "staff", "template", "private_reply"})  # not answers to the customer's message
log = logging.getLogger(__name__)


# -- inbound -------------------------------------------------------------------------------------------------

def process_inbound(ctx: JobContext) -> str:
    services, message_id = ctx.services, ctx.payload["message_id"]
    with services.read() as uow:
        msg = store.message(uow.conn, message_id)
        conv = store.conversation_for(uow.conn, msg.channel, msg.account_id, msg.sender) if msg else None
        account = accounts.account_for(uow.conn, services.settings, msg.channel, msg.account_id) if msg else None
    if msg is None or msg.processed_at is not None:
        return "already processed"
    if account is None:
        raise JobFailed(f"no {msg.channel} account {msg.account_id!r} is configured", retry=False)
    transcript, error = "", None
    if msg.kind == "audio":
        state = conv.state if conv else None
        transcript, error = transcribe(services, msg, account, state.language if state else None,
                                       state.merchant_id if state else None)

    def unit(uow: Any) -> str:
        current = store.message(uow.conn, message_id)
        if current is None or current.processed_at is not None:
            return "already processed"
        if store.earlier_unprocessed(uow.conn, current):
            raise JobFailed("an earlier message of this customer is still being processed")
        now = services.clock()
        customer = customer_for(uow, current)
        conv = store.conversation_for(uow.conn, current.channel, current.account_id, current.sender) \
            or store.create_conversation(uow.conn, current.channel, current.account_id, current.sender,
                                         customer.id, now)
        # The 24-hour window runs from when the message reached us (our clock, not the phone's).
        conv.last_inbound_at = max(filter(None, [conv.last_inbound_at, current.received_at]))
        convert = whatsapp.to_inbound if current.channel == "whatsapp" else instagram.to_inbound
        items, post_merchant = referred_post(uow, current)
        extra = {"referred_items": items} if current.channel == "instagram" else {}
        if post_merchant and not conv.state.lines and not conv.state.human \
                and post_merchant in accounts.merchant_ids(uow.conn, account):
            # a reply to a kitchen's post is about that kitchen: no "which kitchen?" first
            conv.state.merchant_id = post_merchant
            if conv.state.stage in (Stage.NEW, Stage.CHOOSING_MERCHANT):
                conv.state.stage = Stage.ORDERING
        inbound = convert(current.kind, current.payload, transcript, error, **extra)
        if inbound is None:
            store.save_conversation(uow.conn, conv, now)
            store.mark_processed(uow.conn, message_id, conv.id, "ignored", now)
            return "ignored"
        ports = ChatPorts(uow, services, customer, accounts.merchant_ids(uow.conn, account), now,
                          key_prefix=f"conv:{conv.id}")
        turn = respond(conv.state, inbound, ports, now=now, channel=CHANNELS[current.channel])
        conv.state = turn.state
        store.save_conversation(uow.conn, conv, now)
        store.mark_processed(uow.conn, message_id, conv.id, "answered" if turn.replies else "silent", now)
        if turn.placed_order_id:
            store.link_order(uow.conn, turn.placed_order_id, conv.id)
        queued = [store.queue_outbound(uow.conn, conv, "reply", render(conv.channel, r, conv.sender), now)
                  for r in turn.replies]
        if queued:
            services.jobs.enqueue_in(uow, SEND_JOB, {"outbound_ids": queued}, subject=f"conversation:{conv.id}",
                                     dedupe_key=f"send:{queued[0]}")
        if turn.handed_over and conv.state.merchant_id:
            event = {"type": "conversation.handoff", "conversation_id": conv.id, "channel": conv.channel,
                     "customer": customer.name}
            uow.after_commit.append(lambda: services.publish(f"merchant:{conv.state.merchant_id}", event))
        return f"answered with {len(queued)} message(s)"

    try:
        return services.writer.call(unit)
    except JobFailed:
        raise
    except Exception:
        if ctx.job.attempts < POISON_ATTEMPTS:
            raise
        log.exception("message %s failed %d times; answering with an apology so the chat moves on", message_id,
                      ctx.job.attempts)
        return services.writer.call(lambda uow: _give_up(uow, services, message_id))


def _give_up(uow: Any, services: Services, message_id: str) -> str:
    """A message that keeps failing is marked processed with an apology, so it cannot block the messages
    after it (they are answered in order), nor the customer's "stop"."""
    msg = store.message(uow.conn, message_id)
    if msg is None or msg.processed_at is not None:
        return "already processed"
    now = services.clock()
    conv = store.conversation_for(uow.conn, msg.channel, msg.account_id, msg.sender)
    store.mark_processed(uow.conn, message_id, conv.id if conv else None, "error", now)
    if conv is not None and not conv.state.opted_out:
        text = Texts(conv.state.language).t("not_understood")
        outbound_id = store.queue_outbound(uow.conn, conv, "reply", render(conv.channel, Reply(text=text), conv.sender),
                                           now)
        services.jobs.enqueue_in(uow, SEND_JOB, {"outbound_ids": [outbound_id]}, subject=f"conversation:{conv.id}",
                                 dedupe_key=f"send:{outbound_id}")
    return "gave up: answered with an apology"


# -- sending -------------------------------------------------------------------------------------------------

def _write(services: Services, fn: Any) -> Any:
    def unit(uow: Any) -> Any:
        result = fn(uow.conn)
        return result
    return services.writer.call(unit)


def send_queued(ctx: JobContext) -> str:
    """Send a turn's replies in order; each at most once."""
    services = ctx.services
    sent = 0
    for outbound_id in ctx.payload["outbound_ids"]:
        with services.connection() as conn:
            row = store.outbound(conn, outbound_id)
            account = accounts.account_for(conn, services.settings, row.channel, row.account_id) if row else None
        if row is None or row.status != "queued":
            continue
        if row.kind in UNASKED and _opted_out(services, row.conversation_id):
            _write(services, lambda c: store.set_outbound(c, outbound_id, services.clock(), status="skipped",
                                                           error="the customer opted out before it was sent"))
            continue
        if account is None:
            _write(services, lambda c: store.set_outbound(c, outbound_id, services.clock(), status="failed",
                                                           error="the account is no longer configured"))
            continue
        _write(services, lambda c: store.set_outbound(c, outbound_id, services.clock(), status="sending"))
        payload = _json(row.payload)
        try:
            with GraphClient(services.settings.graph_api_base_url, account.access_token) as client:
                provider_id = (client.send_whatsapp(row.account_id, payload) if row.channel == "whatsapp"
                               else client.send_instagram(row.account_id, payload))
        except GraphError as exc:
            error = str(exc)[:2000]
            if exc.retryable:  # certainly not delivered: queue it again for the job's next attempt
                _write(services, lambda c: store.set_outbound(c, outbound_id, services.clock(), status="queued",
                                                               error=error))
                raise JobFailed(f"Graph API: {exc}") from exc
            _write(services, lambda c: store.set_outbound(c, outbound_id, services.clock(), status="failed",
                                                           error=error))
            continue
        _write(services, lambda c: store.set_outbound(c, outbound_id, services.clock(), status="sent",
                                                       provider_message_id=provider_id))
        sent += 1
    return f"sent {sent}"


def _opted_out(services: Services, conversation_id: str) -> bool:
    with services.connection() as conn:
        conv = store.conversation(conn, conversation_id)
    return conv is not None and conv.state.opted_out


def _json(text: str) -> dict[str, Any]:
    return json.loads(text)


# -- order status --------------------------------------------------------------------------------------------

def on_order_change(services: Services, uow: Any, order: Order, event: dict[str, object]) -> None:
    """Order hook: a chat order's customer hears of the moves they did not make themselves."""
    if order.quote.channel not in CHANNELS.values() or order.status not in NOTIFIED or not order.events:
        return
    last = order.events[-1]
    if last.actor.role is Role.CUSTOMER:
        return  # they did it in the chat and were answered there
    services.jobs.enqueue_in(uow, STATUS_JOB, {"order_id": order.id, "seq": last.seq, "status": str(order.status)},
                             subject=f"order:{order.id}", dedupe_key=f"status:{order.id}:{last.seq}")


def notify_status(ctx: JobContext) -> str:
    services = ctx.services
    order_id, status = ctx.payload["order_id"], OrderStatus(ctx.payload["status"])

    def unit(uow: Any) -> str:
        conversation_id = store.conversation_of_order(uow.conn, order_id)
        conv = store.conversation(uow.conn, conversation_id) if conversation_id else None
        order = uow.orders.get(order_id)
        if conv is None or order is None:
            return "not a chat order"
        now = services.clock()
        if conv.state.opted_out:
            store.queue_outbound(uow.conn, conv, "status", {}, now, status="skipped", error="the customer opted out")
            return "opted out"
        merchant = uow.catalog.merchant(order.merchant_id)
        texts = Texts(conv.state.language)
        text = status_text(order.model_copy(update={"status": status}), merchant, texts)
        inside = conv.last_inbound_at is not None and now - conv.last_inbound_at < WINDOW
        if inside:
            payload = render(conv.channel, Reply(text=text), conv.sender)
        elif conv.channel == "whatsapp":
            payload = whatsapp.render_template(conv.sender, texts.t("template_order_update"), texts.language,
                                               [str(order.number), text])
        else:
            store.queue_outbound(uow.conn, conv, "status", {"text": text}, now, status="skipped",
                                 error="outside Instagram's 24-hour messaging window")
            return "outside the window"
        outbound_id = store.queue_outbound(uow.conn, conv, "status" if inside else "template", payload, now)
        services.jobs.enqueue_in(uow, SEND_JOB, {"outbound_ids": [outbound_id]}, subject=f"conversation:{conv.id}",
                                 dedupe_key=f"send:{outbound_id}")
        return "queued"

    return services.writer.call(unit)


def register_channel_jobs(services: Services) -> None:
    services.jobs.register(INBOUND_JOB, process_inbound, max_attempts=12, backoff_seconds=1.0,
                           backoff_max_seconds=60.0, lease_seconds=300.0)
    services.jobs.register(SEND_JOB, send_queued, max_attempts=8, backoff_seconds=2.0, backoff_max_seconds=300.0,
                           lease_seconds=120.0)
    services.jobs.register(STATUS_JOB, notify_status, max_attempts=8, backoff_seconds=2.0, backoff_max_seconds=300.0)
    services.jobs.register(COMMENT_JOB, answer_comment, max_attempts=8, backoff_seconds=2.0, backoff_max_seconds=300.0)
    services.jobs.register(PUBLISH_JOB, publish_post, max_attempts=6, backoff_seconds=5.0, backoff_max_seconds=600.0,
                           lease_seconds=180.0)
    services.bus.within_transaction(
        OrderChanged, lambda uow, event: on_order_change(services, uow, event.order, event.live))
