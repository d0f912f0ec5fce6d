"""Businesses' chat accounts beyond the default one in the settings: WhatsApp numbers and Instagram
accounts with their credentials and the kitchens they sell for. Secrets go in and never come out."""
from __future__ import annotations

import json
from typing import Any, Literal

from litestar import Controller, delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field
from sqlalchemy import delete as sql_delete, insert, select, update

from core.errors import ChannelError, DomainError, OrderError
from core.orders.lifecycle import Role
from server.auth import roles
from server.channels import accounts
from server.db import channel_tables as ct
from server.services import Services

Channel = Literal["whatsapp", "instagram"]


class AccountBody(BaseModel):
    app_secret: str = Field(min_length=8, max_length=200)
    verify_token: str = Field(min_length=8, max_length=200)
    access_token: str = Field(min_length=8, max_length=4000)
    merchant_ids: list[str] = Field(default_factory=list, max_length=100,
                                    description="the kitchens this account sells for; empty: all")


def _view(row: Any) -> dict[str, Any]:
    return {"channel": row.channel, "account_id": row.account_id, "merchant_ids": json.loads(row.merchant_ids),
            "created_at": row.created_at.isoformat()}


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
            return [_view(r) for r in rows]

    @put("/{channel:str}/{account_id:str}")
    async def put_account(self, services: NamedDependency[Services], channel: FromPath[Channel],
                          account_id: FromPath[str], data: JSONBody[AccountBody]) -> dict[str, Any]:
        """Add or replace an account: the WhatsApp phone number id or the Instagram account id."""

        def unit(uow: Any) -> dict[str, Any]:
            missing = [m for m in data.merchant_ids if uow.catalog.merchant(m) is None]
            if missing:
                raise DomainError(OrderError.UNKNOWN_MERCHANT, f"no merchant {missing[0]!r}")
            c = ct.channel_accounts.c
            values = {**accounts.sealed_credentials(services.settings, app_secret=data.app_secret,
                                                    verify_token=data.verify_token, access_token=data.access_token),
                      "merchant_ids": json.dumps(data.merchant_ids)}
            where = (c.channel == channel) & (c.account_id == account_id)
            if uow.conn.execute(update(ct.channel_accounts).where(where).values(**values)).rowcount == 0:
                uow.conn.execute(insert(ct.channel_accounts).values(channel=channel, account_id=account_id,
                                                                   created_at=services.clock(), **values))
            row = uow.conn.execute(select(ct.channel_accounts).where(where)).one()
            return _view(row)

        return await services.write(unit)

    @delete("/{channel:str}/{account_id:str}", status_code=204)
    async def delete_account(self, services: NamedDependency[Services], channel: FromPath[Channel],
                             account_id: FromPath[str]) -> None:
        """Remove an account and its credentials (admins)."""

        def unit(uow: Any) -> None:
            c = ct.channel_accounts.c
            gone = uow.conn.execute(sql_delete(ct.channel_accounts).where(c.channel == channel,
                                                                         c.account_id == account_id)).rowcount
            if not gone:
                raise DomainError(ChannelError.ACCOUNT_NOT_FOUND, f"no {channel} account {account_id!r}")

        await services.write(unit)
