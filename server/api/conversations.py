"""Chats handed to a person: merchant staff read them, answer in them, and hand them back to the assistant."""
from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, Field
from sqlalchemy import select

from core.orders.model import Actor
from server.auth import STAFF, ensure_merchant_scope, roles
from server.channels import store
from server.channels import service as channels
from server.db import channel_tables as ct
from server.services import Services


class StaffMessage(BaseModel):
    text: str = Field(min_length=1, max_length=4096)


def _view(conv: store.Conversation) -> dict[str, Any]:
    return {"id": conv.id, "channel": conv.channel, "customer_id": conv.customer_id,
            "merchant_id": conv.state.merchant_id, "stage": str(conv.state.stage), "human": conv.state.human,
            "opted_out": conv.state.opted_out, "language": conv.state.language,
            "last_inbound_at": conv.last_inbound_at.isoformat() if conv.last_inbound_at else None}


class ConversationController(Controller):
    path = "/conversations"
    tags = ["channels"]

    @get("/", guards=[roles(*STAFF)], sync_to_thread=True)
    def waiting(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                merchant_id: FromQuery[str | None] = None) -> list[dict[str, Any]]:
        """Conversations handed to a person at the merchant (an admin sees every merchant's)."""
        merchant_id = merchant_id or actor.merchant_id
        if merchant_id:
            ensure_merchant_scope(actor, merchant_id)
        c = ct.conversations.c
        query = select(c.id).where(c.human.is_(True)).order_by(c.updated_at.desc()).limit(200)
        if merchant_id:
            query = query.where(c.merchant_id == merchant_id)
        with services.connection() as conn:
            found = [store.conversation(conn, row.id) for row in conn.execute(query)]
        return [_view(conv) for conv in found if conv is not None]

    @get("/{conversation_id:str}", guards=[roles(*STAFF)], sync_to_thread=True)
    def read(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
             conversation_id: FromPath[str]) -> dict[str, Any]:
        """The conversation and its messages both ways, oldest first."""
        with services.connection() as conn:
            conv = channels.conversation_in_scope(actor, conn, conversation_id)
            return {**_view(conv), "messages": store.history(conn, conv)}

    @post("/{conversation_id:str}/messages", guards=[roles(*STAFF)], status_code=202)
    async def answer(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                     conversation_id: FromPath[str], data: JSONBody[StaffMessage]) -> dict[str, Any]:
        """A person answers in the chat; the assistant stays quiet until the chat is handed back."""
        return await self._send(services, actor, conversation_id, data.text, release=False)

    @post("/{conversation_id:str}/release", guards=[roles(*STAFF)], status_code=202)
    async def release(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
                      conversation_id: FromPath[str]) -> dict[str, Any]:
        """Hand the chat back to the ordering assistant, telling the customer so."""
        return await self._send(services, actor, conversation_id, None, release=True)

    async def _send(self, services: Services, actor: Actor, conversation_id: str, text: str | None,
                    release: bool) -> dict[str, Any]:
        command = channels.StaffMessage(conversation_id, text, release, actor, services.clock())
        conv, outbound_id = await services.execute(channels.send_staff_message, command)
        return {**_view(conv), "outbound_id": outbound_id}
