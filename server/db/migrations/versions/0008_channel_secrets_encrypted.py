"""Channel accounts' app secrets, verify tokens and access tokens encrypted at rest (server/secret_box.py).

The columns widen to TEXT (a sealed 200-character secret is about 360 characters) and every plain-text value
is sealed under the first key of MEALKITZ_SECRET_KEYS (or the development key file in the data directory).
Downgrading opens them again. The key comes from the Settings in the Alembic config's attributes when the
caller put them there, else from the environment, as env.py takes the database URL.

Revision ID: 0008
Revises: 0007
"""
from collections.abc import Callable

import sqlalchemy as sa
from alembic import context, op

from server.secret_box import SecretBox, secret_box
from server.settings import Settings

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SECRETS = ("app_secret", "verify_token", "access_token")
_accounts = sa.table("channel_accounts", sa.column("channel"), sa.column("account_id"),
                     *(sa.column(name) for name in SECRETS))


def _convert(transform: Callable[[SecretBox, str], str]) -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(_accounts)).all()
    if not rows:
        return  # no key needed (nor a development key file created) for an empty table
    box = secret_box(context.config.attributes.get("settings") or Settings.from_env())
    for row in rows:
        conn.execute(sa.update(_accounts)
                     .where(_accounts.c.channel == row.channel, _accounts.c.account_id == row.account_id)
                     .values({name: transform(box, getattr(row, name)) for name in SECRETS}))


def upgrade() -> None:
    with op.batch_alter_table("channel_accounts") as batch:
        for name in ("app_secret", "verify_token"):
            batch.alter_column(name, type_=sa.Text(), existing_type=sa.String(length=200), existing_nullable=False)
    _convert(lambda box, value: value if box.is_sealed(value) else box.seal(value))


def downgrade() -> None:
    _convert(lambda box, value: box.open(value) if box.is_sealed(value) else value)
    with op.batch_alter_table("channel_accounts") as batch:
        for name in ("app_secret", "verify_token"):
            batch.alter_column(name, type_=sa.String(length=200), existing_type=sa.Text(), existing_nullable=False)
