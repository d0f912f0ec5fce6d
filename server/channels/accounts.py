"""Business accounts on the chat channels: the default one from the settings, others from the database.

Stored accounts keep their app secret, verify token and access token encrypted (server/secret_box.py);
they are opened here, where a webhook or a sender needs them, and nowhere else.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from server.db import channel_tables as ct
from server.db import tables as t
from server.secret_box import SecretBox, secret_box
from server.settings import ChannelCredentials, Settings

SECRET_COLUMNS = ("app_secret", "verify_token", "access_token")


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


def sealed_credentials(settings: Settings, *, app_secret: str, verify_token: str,
                       access_token: str) -> dict[str, str]:
    """Column values for an account's credentials, encrypted for storing."""
    box = secret_box(settings)
    return {"app_secret": box.seal(app_secret), "verify_token": box.seal(verify_token),
            "access_token": box.seal(access_token)}


def account_for(conn: Connection, settings: Settings, channel: str, account_id: str) -> Account | None:
    """The account a webhook or a conversation belongs to; None if we do not serve it."""
    c = ct.channel_accounts.c
    row = conn.execute(select(ct.channel_accounts).where(c.channel == channel, c.account_id == account_id)).first()
    if row is not None:
        box = secret_box(settings)
        return Account(channel, account_id, box.open(row.app_secret), box.open(row.verify_token),
                       box.open(row.access_token), tuple(json.loads(row.merchant_ids or "[]")))
    default = _default(settings, channel)
    if default is None or (default.account_id and default.account_id != account_id):
        return None
    return Account(channel, account_id, default.app_secret, default.verify_token, default.access_token,
                   settings.channel_merchants)


def app_secrets(conn: Connection, settings: Settings, channel: str) -> list[str]:
    """Every app secret a delivery on this channel may be signed with."""
    default = _default(settings, channel)
    box = secret_box(settings)
    rows = conn.execute(select(ct.channel_accounts.c.app_secret).where(ct.channel_accounts.c.channel == channel))
    return sorted({*(box.open(r.app_secret) for r in rows), *([default.app_secret] if default else [])})


def verify_tokens(conn: Connection, settings: Settings, channel: str) -> set[str]:
    default = _default(settings, channel)
    box = secret_box(settings)
    rows = conn.execute(select(ct.channel_accounts.c.verify_token).where(ct.channel_accounts.c.channel == channel))
    stored = {box.open(r.verify_token) for r in rows}
    return {token for token in stored if token} | (
        {default.verify_token} if default and default.verify_token else set())


def reseal_secrets(conn: Connection, box: SecretBox) -> int:
    """Re-encrypt every stored account's secrets under the box's first key (plain-text ones are sealed);
    returns the number of accounts. For key rotation: `mealkitz secrets rotate`."""
    table = ct.channel_accounts
    rows = conn.execute(select(table.c.channel, table.c.account_id, *(table.c[n] for n in SECRET_COLUMNS))).all()
    for row in rows:
        conn.execute(update(table).where(table.c.channel == row.channel, table.c.account_id == row.account_id)
                     .values({name: box.reseal(getattr(row, name)) for name in SECRET_COLUMNS}))
    return len(rows)


def merchant_ids(conn: Connection, account: Account) -> list[str]:
    """The kitchens an account sells for; an account configured with none sells for all."""
    if account.merchant_ids:
        return list(account.merchant_ids)
    return [r.id for r in conn.execute(select(t.merchants.c.id).order_by(t.merchants.c.name))]
