"""Instagram beyond the inbox: private replies to comments asking about a published post, and the account's
ice breakers and persistent menu.

`channel.comment` (one job per comment id, from the webhook): a comment on one of our published posts that asks
for a price or to order gets one private reply naming the post's dishes with prices. The reply goes through the
conversation outbox (`channel.send`), recorded against the comment id, so it is sent at most once however often
Meta delivers the comment or the job runs; the commenter's conversation remembers the post's dishes, so
"2 please" in the DM that follows orders them.
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.conversation import Stage, Texts
from core.conversation.browse import price_text
from core.errors import ChannelError, DomainError
from core.merchants import Customer
from server.catalog.store import upsert_customer
from server.channels import accounts, store
from server.channels.graph import GraphClient, GraphError, ig_private_reply_payload
from server.channels.service import SEND_JOB
from server.db import channel_tables as ct
from server.jobs import JobContext
from server.services import Services

KEYWORDS_FILE = Path(__file__).with_name("comment_keywords.json")  # not data/: .gitignore keeps that for databases
PRIVATE_REPLY = "private_reply"


def _plain(text: str) -> str:
    """Lower case, accents stripped, punctuation as spaces, padded: ' cuanto cuesta '."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " " + " ".join(re.sub(r"[^\w]+", " ", bare).split()) + " "


@lru_cache(maxsize=1)
def keywords() -> dict[str, list[str]]:
    raw = json.loads(KEYWORDS_FILE.read_text(encoding="utf-8"))
    return {language: [_plain(word) for word in words] for language, words in raw.items()}


def asking_language(text: str) -> str | None:
    """The language of a comment that asks for a price or to order (most keywords found), else None."""
    plain = _plain(text)
    hits = {language: sum(word in plain for word in words) for language, words in keywords().items()}
    best = max(hits, key=lambda language: hits[language], default=None)
    return best if best is not None and hits[best] else None


def reply_text(texts: Texts, merchant: Any, menu: Any, item_ids: list[str], name: str) -> str:
    """The private reply naming the post's dishes with prices, greeting the commenter by name if known."""
    items = [i for i in (menu.item(item_id) for item_id in item_ids) if i is not None]
    listed = ", ".join(f"{i.name_in(texts.language)} {price_text(i, menu.currency, texts)}" for i in items)
    if not name.strip():
        return texts.t("ig_comment_reply_unnamed", merchant=merchant.name, items=listed)
    return texts.t("ig_comment_reply", name=name, merchant=merchant.name, items=listed).replace("  ", " ")


def answer_comment(ctx: JobContext) -> str:
    services, value = ctx.services, ctx.payload
    account_id, comment_id = str(value.get("account_id", "")), str(value.get("id", ""))
    author = value.get("from") or {}
    author_id, media_id = str(author.get("id", "")), str((value.get("media") or {}).get("id", ""))
    if not comment_id or not author_id or author_id == account_id:
        return "our own comment" if author_id == account_id else "not a comment"
    language = asking_language(str(value.get("text", "")))
    if language is None:
        return "not asking"

    def unit(uow: Any) -> str:
        p = ct.instagram_posts.c
        post = uow.conn.execute(select(ct.instagram_posts).where(
            p.media_id == media_id, p.account_id == account_id, p.status == "published")).first()
        if post is None:
            return "not one of our posts"
        o = ct.outbound_messages.c
        if uow.conn.execute(select(o.id).where(o.kind == PRIVATE_REPLY, o.account_id == account_id,
                                               o.recipient == comment_id)).first():
            return "already answered"
        merchant, menu = uow.catalog.merchant(post.merchant_id), uow.catalog.menu(post.merchant_id)
        if merchant is None or menu is None:
            return "the merchant is gone"
        now = services.clock()
        item_ids = json.loads(post.item_ids)
        customer_id = f"ig:{author_id}"[:80]
        if uow.catalog.customer(customer_id) is None:
            upsert_customer(uow.conn, Customer(id=customer_id, name=str(author.get("username") or "Instagram")))
        conv = store.conversation_for(uow.conn, "instagram", account_id, author_id) \
            or store.create_conversation(uow.conn, "instagram", account_id, author_id, customer_id, now)
        state = conv.state
        if state.opted_out:
            return "the commenter opted out of messages"
        state.referred_items = item_ids[:10]
        if not state.lines and not state.human:  # the DM that follows is about this post's kitchen
            state.merchant_id = post.merchant_id
            if state.stage in (Stage.NEW, Stage.CHOOSING_MERCHANT):
                state.stage = Stage.ORDERING
        state.language = state.language or language
        store.save_conversation(uow.conn, conv, now)
        name = str(author.get("username") or "")
        text = reply_text(Texts(language), merchant, menu, item_ids, name)
        outbound_id = store.queue_outbound(uow.conn, conv, PRIVATE_REPLY, ig_private_reply_payload(comment_id, text),
                                           now, recipient=comment_id)
        services.jobs.enqueue_in(uow, SEND_JOB, {"outbound_ids": [outbound_id]}, subject=f"conversation:{conv.id}",
                                 dedupe_key=f"send:{outbound_id}")
        return "private reply queued"

    return services.writer.call(unit)


# -- ice breakers and the persistent menu -----------------------------------------------------------------------

PROFILE_CHOICES = (("ig_see_menu", "menu"), ("btn_repeat", "repeat"), ("btn_status", "status"))


def profile_actions(language: str | None) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Ice breakers and persistent menu buttons whose payloads are choice ids the conversation understands."""
    texts = Texts(language)
    ice_breakers = [{"question": texts.t(key), "payload": payload} for key, payload in PROFILE_CHOICES]
    menu = [{"type": "postback", "title": texts.t(key), "payload": payload} for key, payload in PROFILE_CHOICES]
    return ice_breakers, menu


def configure_profile(services: Services, account_id: str | None, language: str | None) -> dict[str, Any]:
    settings = services.settings
    account_id = account_id or (settings.instagram.account_id if settings.instagram else None)
    with services.connection() as conn:
        account = accounts.account_for(conn, settings, "instagram", account_id) if account_id else None
    if account is None:
        raise DomainError(ChannelError.NO_ACCOUNT, f"no Instagram account {account_id!r} is configured")
    ice_breakers, menu = profile_actions(language)
    try:
        with GraphClient(settings.graph_api_base_url, account.access_token) as client:
            client.set_messenger_profile(account.account_id, ice_breakers=ice_breakers, persistent_menu=menu)
    except GraphError as exc:
        raise DomainError(ChannelError.GRAPH_FAILED, f"Instagram refused the profile: {exc}") from exc
    return {"account_id": account.account_id, "ice_breakers": ice_breakers, "persistent_menu": menu}
