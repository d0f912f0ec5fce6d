"""Instagram content for merchants: posts and stories of menu items, drafted by staff, approved by the owner
(then published by the `instagram.publish` job); and the account's ice breakers and persistent menu (admin)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from pydantic import BaseModel, Field

from core.orders.lifecycle import Role
from core.orders.model import Actor
from server.auth import STAFF, ensure_merchant_scope, roles
from server.channels import instagram_content as content
from server.channels.instagram_engagement import configure_profile
from server.channels import service as channels
from server.services import Services

Limit = Annotated[int, QueryParameter(ge=1, le=200)]


class PostBody(BaseModel):
    """A post of menu items; the caption is written from the menu and the image is the first dish's unless given."""

    item_ids: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(min_length=1, max_length=10)
    kind: Literal["post", "story", "special"] = "post"
    caption: str | None = Field(default=None, max_length=content.CAPTION_CHARS)
    image_url: str | None = Field(default=None, min_length=8, max_length=2000, pattern=r"^https?://")
    language: str | None = Field(default=None, min_length=2, max_length=8)


class ProfileBody(BaseModel):
    account_id: str | None = Field(default=None, min_length=1, max_length=80)
    language: str | None = Field(default=None, min_length=2, max_length=8)


class InstagramPostController(Controller):
    path = "/merchants/{merchant_id:str}/instagram/posts"
    tags = ["instagram"]
    guards = [roles(*STAFF)]

    @post("/", status_code=201)
    async def draft(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                    merchant_id: FromPath[str], data: JSONBody[PostBody]) -> dict[str, Any]:
        """Draft a post (status pending_approval); nothing reaches Instagram before an owner approves it."""
        ensure_merchant_scope(actor, merchant_id)
        draft = content.Draft(item_ids=list(dict.fromkeys(data.item_ids)), kind=data.kind, caption=data.caption,
                              image_url=data.image_url, language=data.language)
        command = channels.DraftPost(merchant_id, draft, f"{actor.role}:{actor.id}", services.clock(), services.settings)
        return await services.execute(channels.draft_post, command)

    @get("/", sync_to_thread=True)
    def list_posts(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                   merchant_id: FromPath[str], limit: Limit = 100) -> list[dict[str, Any]]:
        """The merchant's posts, newest first, with their status, media id or error."""
        ensure_merchant_scope(actor, merchant_id)
        with services.connection() as conn:
            return [content.post_view(row) for row in content.posts(conn, merchant_id, limit)]

    @post("/{post_id:str}/approve", status_code=200, guards=[roles(Role.MERCHANT_OWNER, Role.ADMIN)])
    async def approve(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                      merchant_id: FromPath[str], post_id: FromPath[str]) -> dict[str, Any]:
        """Approve a pending post: the `instagram.publish` job publishes it."""
        return await self._review(services, actor, merchant_id, post_id, approve=True)

    @post("/{post_id:str}/reject", status_code=200, guards=[roles(Role.MERCHANT_OWNER, Role.ADMIN)])
    async def reject(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                     merchant_id: FromPath[str], post_id: FromPath[str]) -> dict[str, Any]:
        """Turn a pending post down; it is never published."""
        return await self._review(services, actor, merchant_id, post_id, approve=False)

    async def _review(self, services: Services, actor: Actor, merchant_id: str, post_id: str,
                      approve: bool) -> dict[str, Any]:
        ensure_merchant_scope(actor, merchant_id)
        command = channels.ReviewPost(merchant_id, post_id, approve, f"{actor.role}:{actor.id}")
        return await services.execute(channels.review_post, command)


class InstagramProfileController(Controller):
    path = "/channels/instagram"
    tags = ["instagram"]
    guards = [roles(Role.ADMIN)]

    @post("/profile", status_code=200, sync_to_thread=True)
    def profile(self, services: NamedDependency[Services], data: JSONBody[ProfileBody]) -> dict[str, Any]:
        """Set the account's ice breakers and persistent menu (menu, my last order, order status) from the
        dialogue's texts; taps come back as postbacks the conversation understands."""
        return configure_profile(services, data.account_id, data.language)
