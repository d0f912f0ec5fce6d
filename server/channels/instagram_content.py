"""Instagram posts and stories of menu items, published only after the merchant approves them.

A post moves pending_approval → approved → publishing → published | failed, or pending_approval → rejected.
`instagram.publish` marks the post `publishing` before calling the Graph API, so a crash mid-publish leaves a
post marked failed (for someone to look at Instagram) rather than publishing it twice; a retryable Graph error
means nothing was published and the post goes back to `approved` for the next attempt.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from core.conversation import Texts
from core.conversation.browse import price_text
from core.conversation.texts import available
from core.errors import ChannelError, DomainError
from core.ids import uuid7
from core.menu import Menu
from core.merchants import Merchant
from server.channels import accounts
from server.channels.graph import GraphClient, GraphError
from server.db import channel_tables as ct
from server.jobs import JobContext, JobFailed
from server.events import JobRequested
from server.services import Services
from server.settings import Settings

PUBLISH_JOB = "instagram.publish"
KINDS = ("post", "story", "special")
CAPTION_CHARS = 2200  # Instagram's caption limit


@dataclass(frozen=True)
class Draft:
    item_ids: list[str]
    kind: str
    caption: str | None = None
    image_url: str | None = None
    language: str | None = None


def post_view(row: Any) -> dict[str, Any]:
    return {"id": row.id, "merchant_id": row.merchant_id, "account_id": row.account_id, "kind": row.kind,
            "item_ids": json.loads(row.item_ids), "caption": row.caption, "image_url": row.image_url,
            "status": row.status, "media_id": row.media_id, "error": row.error, "created_by": row.created_by,
            "approved_by": row.approved_by, "created_at": row.created_at.isoformat(),
            "published_at": row.published_at.isoformat() if row.published_at else None}


def language_of(merchant: Merchant, requested: str | None = None) -> str:
    """The first of the merchant's languages the dialogue speaks (captions are in one language)."""
    spoken = available()
    for code in [requested, *merchant.languages]:
        if code and code in spoken:
            return code
    return "en"


def caption_for(merchant: Merchant, menu: Menu, item_ids: list[str], language: str) -> str:
    """The merchant's name, each dish with its price, and a call to order by DM."""
    texts = Texts(language)
    lines = [texts.t("ig_caption_intro", merchant=merchant.name)]
    for item in (menu.item(i) for i in item_ids):
        if item is not None:
            lines.append(texts.t("ig_caption_line", item=item.name_in(language),
                                 price=price_text(item, menu.currency, texts)))
    lines.append(texts.t("ig_caption_cta"))
    return "\n".join(lines)[:CAPTION_CHARS]


def publishing_account(conn: Connection, settings: Settings, merchant_id: str) -> accounts.Account:
    """The Instagram account that sells for this merchant: a stored one naming it, else the default."""
    rows = conn.execute(select(ct.channel_accounts).where(ct.channel_accounts.c.channel == "instagram")).all()
    for row in rows:
        if merchant_id in json.loads(row.merchant_ids or "[]"):
            found = accounts.account_for(conn, settings, "instagram", row.account_id)
            if found is not None:
                return found
    default = settings.instagram
    if default is not None and default.account_id and (
            not settings.channel_merchants or merchant_id in settings.channel_merchants):
        found = accounts.account_for(conn, settings, "instagram", default.account_id)
        if found is not None:
            return found
    raise DomainError(ChannelError.NO_ACCOUNT, f"no Instagram account sells for {merchant_id}")


def create_draft(uow: Any, settings: Settings, merchant_id: str, draft: Draft, by: str, now: datetime) -> Any:
    """A post waiting for the merchant's approval; refuses unknown dishes and posts without an image."""
    merchant, menu = uow.catalog.merchant(merchant_id), uow.catalog.menu(merchant_id)
    if merchant is None or menu is None:
        raise DomainError(ChannelError.POST_NOT_FOUND, f"no merchant {merchant_id!r} with a menu")
    unknown = [i for i in draft.item_ids if menu.item(i) is None]
    if unknown:
        raise DomainError(ChannelError.UNKNOWN_ITEMS, f"not on {merchant.name}'s menu: {', '.join(unknown)}")
    image_url = draft.image_url or next((menu.item(i).image_url for i in draft.item_ids  # type: ignore[union-attr]
                                         if menu.item(i).image_url), None)  # type: ignore[union-attr]
    if not image_url:
        raise DomainError(ChannelError.NO_IMAGE, "none of these dishes has a picture: give an image_url")
    account = publishing_account(uow.conn, settings, merchant_id)
    caption = draft.caption if draft.caption is not None else caption_for(
        merchant, menu, draft.item_ids, language_of(merchant, draft.language))
    post_id = str(uuid7())
    uow.conn.execute(insert(ct.instagram_posts).values(
        id=post_id, merchant_id=merchant_id, account_id=account.account_id, kind=draft.kind,
        item_ids=json.dumps(draft.item_ids), caption=caption, image_url=image_url, status="pending_approval",
        created_by=by, created_at=now))
    return post(uow.conn, merchant_id, post_id)


def post(conn: Connection, merchant_id: str, post_id: str) -> Any:
    c = ct.instagram_posts.c
    row = conn.execute(select(ct.instagram_posts).where(c.id == post_id, c.merchant_id == merchant_id)).first()
    if row is None:
        raise DomainError(ChannelError.POST_NOT_FOUND, f"no Instagram post {post_id} of {merchant_id}")
    return row


def posts(conn: Connection, merchant_id: str, limit: int = 100) -> list[Any]:
    c = ct.instagram_posts.c
    return list(conn.execute(select(ct.instagram_posts).where(c.merchant_id == merchant_id)
                             .order_by(c.created_at.desc(), c.id.desc()).limit(limit)))


def review(uow: Any, merchant_id: str, post_id: str, approve: bool, by: str) -> Any:
    """Approve (and queue the publishing) or reject a pending post."""
    row = post(uow.conn, merchant_id, post_id)
    if row.status != "pending_approval":
        raise DomainError(ChannelError.POST_NOT_PENDING, f"post {post_id} is {row.status}, not pending approval")
    values: dict[str, Any] = {"status": "approved" if approve else "rejected", "approved_by": by if approve else None}
    uow.conn.execute(update(ct.instagram_posts).where(ct.instagram_posts.c.id == post_id).values(**values))
    if approve:
        uow.emit(JobRequested(PUBLISH_JOB, {"post_id": post_id},
                              {"subject": f"merchant:{merchant_id}", "dedupe_key": f"instagram.publish:{post_id}"}))
    return post(uow.conn, merchant_id, post_id)


# -- the publishing job ----------------------------------------------------------------------------------------

def _set(services: Services, post_id: str, **values: Any) -> None:
    def unit(uow: Any) -> None:
        uow.conn.execute(update(ct.instagram_posts).where(ct.instagram_posts.c.id == post_id).values(**values))
    services.writer.call(unit)


def publish_post(ctx: JobContext) -> str:
    services, post_id = ctx.services, ctx.payload["post_id"]
    with services.connection() as conn:
        row = conn.execute(select(ct.instagram_posts).where(ct.instagram_posts.c.id == post_id)).first()
        account = accounts.account_for(conn, services.settings, "instagram", row.account_id) if row else None
    if row is None:
        return "no such post"
    if row.status == "publishing":
        _set(services, post_id, status="failed", error="interrupted while publishing: check Instagram before "
                                                        "posting it again")
        return "interrupted"
    if row.status != "approved":
        return f"post is {row.status}"
    if account is None:
        _set(services, post_id, status="failed", error="the Instagram account is no longer configured")
        return "no account"
    _set(services, post_id, status="publishing")
    try:
        with GraphClient(services.settings.graph_api_base_url, account.access_token) as client:
            media_id = client.publish_instagram(row.account_id, image_url=row.image_url, caption=row.caption,
                                                story=row.kind == "story")
    except GraphError as exc:
        last = ctx.job.attempts >= ctx.job.max_attempts
        if exc.retryable and not last:  # nothing was published: try again later
            _set(services, post_id, status="approved", error=str(exc)[:2000])
            raise JobFailed(f"Graph API: {exc}") from exc
        _set(services, post_id, status="failed", error=str(exc)[:2000])
        return "failed"
    _set(services, post_id, status="published", media_id=media_id, error=None, published_at=services.clock())
    return f"published {media_id}"
