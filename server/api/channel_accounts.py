"""Businesses' chat accounts beyond the default one in the settings: WhatsApp numbers and Instagram
accounts with their credentials and the kitchens they sell for. Secrets go in and never come out."""
from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field
from sqlalchemy import select

from core.orders.lifecycle import Role
from server.auth import roles
from server.channels import service as channels
from server.db import channel_tables as ct
from server.services import Services

Channel = Literal["whatsapp", "instagram"]


class AccountBody(BaseModel):
    app_secret: str = Field(min_length=8, max_length=200)
    verify_token: str = Field(min_length=8, max_length=200)
    access_token: str = Field(min_length=8, max_length=4000)
    merchant_ids: list[str] = Field(default_factory=list, max_length=100,
                                    description="the kitchens this account sells for; empty: all")


class ChannelAccountController(Controller):
    path = "/channels/accounts"
    tags = ["channels"]
    guards = [roles(Role.ADMIN)]

    @get("/", sync_to_thread=True)
    def accounts(self, services: NamedDependency[Services]) -> list[dict[str, Any]]:
        """Configured accounts, without their secrets."""
        with services.connection() as conn:
            rows = conn.execute(select(ct.channel_accounts).order_by(ct.channel_accounts.c.channel,
                                                                    ct.channel_accounts.c.account_id))
            return [channels.account_view(r) for r in rows]

    @put("/{channel:str}/{account_id:str}")
    async def put_account(self, services: NamedDependency[Services], channel: FromPath[Channel],
                          account_id: FromPath[str], data: JSONBody[AccountBody]) -> dict[str, Any]:
        """Add or replace an account: the WhatsApp phone number id or the Instagram account id."""
        command = channels.SaveAccount(channel, account_id, data.app_secret, data.verify_token, data.access_token,
                                       data.merchant_ids, services.settings, services.clock())
        return await services.execute(channels.save_account, command)

    @delete("/{channel:str}/{account_id:str}", status_code=204)
    async def delete_account(self, services: NamedDependency[Services], channel: FromPath[Channel],
                             account_id: FromPath[str]) -> None:
        """Remove an account and its credentials (admins)."""
        await services.execute(channels.delete_account, channels.DeleteAccount(channel, account_id))
