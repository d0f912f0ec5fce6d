"""Business accounts on the chat channels: the default one from the settings, others from the database."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, select

from server.db import channel_tables as ct
from server.db import tables as t
from server.settings import ChannelCredentials, Settings


@dataclass(frozen=True)
class Account:
    channel: str
    account_id: str
    app_secret: str
    verify_token: str
    access_token: str
    merchant_ids: tuple[str, ...]


def _default(settings: Settings, channel: str) -> ChannelCredentials | None:
    return settings.whatsapp if channel == "whatsapp" else settings.instagram if channel == "instagram" else None


def account_for(conn: Connection, settings: Settings, channel: str, account_id: str) -> Account | None:
    """The account a webhook or a conversation belongs to; None if we do not serve it."""
    c = ct.channel_accounts.c
    row = conn.execute(select(ct.channel_accounts).where(c.channel == channel, c.account_id == account_id)).first()
    if row is not None:
        return Account(channel, account_id, row.app_secret, row.verify_token, row.access_token,
                       tuple(json.loads(row.merchant_ids or "[]")))
    default = _default(settings, channel)
    if default is None or (default.account_id and default.account_id != account_id):
        return None
    return Account(channel, account_id, default.app_secret, default.verify_token, default.access_token,
                   settings.channel_merchants)


def app_secrets(conn: Connection, settings: Settings, channel: str) -> list[str]:
    """Every app secret a delivery on this channel may be signed with."""
    default = _default(settings, channel)
    rows = conn.execute(select(ct.channel_accounts.c.app_secret).where(ct.channel_accounts.c.channel == channel))
    return sorted({*(r.app_secret for r in rows), *([default.app_secret] if default else [])})


def verify_tokens(conn: Connection, settings: Settings, channel: str) -> set[str]:
    default = _default(settings, channel)
    rows = conn.execute(select(ct.channel_accounts.c.verify_token).where(ct.channel_accounts.c.channel == channel))
    return {r.verify_token for r in rows if r.verify_token} | ({default.verify_token} if default and default.verify_token else set())


def merchant_ids(conn: Connection, account: Account) -> list[str]:
    """The kitchens an account sells for; an account configured with none sells for all."""
    if account.merchant_ids:
        return list(account.merchant_ids)
    return [r.id for r in conn.execute(select(t.merchants.c.id).order_by(t.merchants.c.name))]
