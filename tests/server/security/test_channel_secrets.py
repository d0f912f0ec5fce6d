"""Channel secrets at rest: keys from MEALKITZ_SECRET_KEYS (first seals, all open, rotatable), a 0600 key file
in development, plain-text rows sealed by migration 0008 and opened again by its downgrade."""
from __future__ import annotations

import json
import logging
import stat
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import insert, select, text

from server.channels import accounts
from server.cli import main
from server.db import channel_tables as ct
from server.db.engine import make_engine
from server.db.migrate import alembic_config
from server.secret_box import KEY_FILE, SecretBox, SecretKeyError, development_key, new_key, secret_box
from server.settings import Settings

SECRET, TOKEN, VERIFY = "app-secret-of-bowls", "EAAG-access-token-of-bowls", "verify-me-bowls"


def settings_for(database_url: str, data_dir: Path, *keys: str) -> Settings:
    return replace(Settings.from_env({}), database_url=database_url, data_dir=data_dir, secret_keys=keys)


def test_first_key_seals_every_key_opens_and_rotation_drops_the_old_key() -> None:
    old, new = new_key(), new_key()
    sealed = SecretBox([old.encode()]).seal(SECRET)
    assert sealed.startswith("fernet:") and SECRET not in sealed
    both = SecretBox([new.encode(), old.encode()])
    assert both.open(sealed) == SECRET
    rotated = both.reseal(sealed)
    assert SecretBox([new.encode()]).open(rotated) == SECRET
    with pytest.raises(SecretKeyError):
        SecretBox([new.encode()]).open(sealed)
    with pytest.raises(SecretKeyError, match="not encrypted"):
        both.open(SECRET)  # plain text is refused, never passed through
    with pytest.raises(SecretKeyError, match="Fernet key"):
        secret_box(replace(Settings.from_env({}), secret_keys=("not-a-key",)))


def test_development_key_file_is_made_once_private_and_warned_about(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="server.secret_box"):
        first = development_key(tmp_path)
    second = development_key(tmp_path)
    assert first == second and len(first) == 44
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    assert "MEALKITZ_SECRET_KEYS is not set" in caplog.text
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEY_FILE]  # no temporary file left behind


def _plain_account(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as conn:  # as written before 0008: credentials in plain text
        conn.execute(insert(ct.channel_accounts).values(
            channel="whatsapp", account_id="5550001112223", app_secret=SECRET, verify_token=VERIFY,
            access_token=TOKEN, merchant_ids=json.dumps(["wachau-bowls"]), created_at=datetime.now(UTC)))
    engine.dispose()


def _stored(database_url: str) -> dict[str, str]:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT app_secret, verify_token, access_token FROM channel_accounts")).one()
    engine.dispose()
    return dict(row._mapping)


def test_migration_seals_plain_text_rows_and_its_downgrade_opens_them(database_url: str, tmp_path: Path) -> None:
    settings = settings_for(database_url, tmp_path, new_key())
    config = alembic_config(database_url)
    config.attributes["settings"] = settings
    command.upgrade(config, "0007")
    _plain_account(database_url)
    command.upgrade(config, "head")
    sealed = _stored(database_url)
    assert all(v.startswith("fernet:") for v in sealed.values())
    assert not {SECRET, TOKEN, VERIFY} & set(sealed.values())
    engine = make_engine(database_url)
    with engine.connect() as conn:
        account = accounts.account_for(conn, settings, "whatsapp", "5550001112223")
        assert account is not None and (account.app_secret, account.verify_token, account.access_token) == \
            (SECRET, VERIFY, TOKEN)
        assert accounts.app_secrets(conn, settings, "whatsapp") == [SECRET]
        assert accounts.verify_tokens(conn, settings, "whatsapp") == {VERIFY}
    engine.dispose()
    command.downgrade(config, "0007")
    assert _stored(database_url) == {"app_secret": SECRET, "verify_token": VERIFY, "access_token": TOKEN}


def test_rotate_command_re_encrypts_under_the_new_key(database_url: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    old, new = new_key(), new_key()
    config = alembic_config(database_url)
    config.attributes["settings"] = settings_for(database_url, tmp_path, old)
    command.upgrade(config, "0007")
    _plain_account(database_url)
    command.upgrade(config, "head")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MEALKITZ_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MEALKITZ_SECRET_KEYS", f"{new},{old}")
    assert main(["secrets", "rotate"]) == 0
    assert "1 channel account" in capsys.readouterr().out
    engine = make_engine(database_url)
    with engine.connect() as conn:
        only_new = settings_for(database_url, tmp_path, new)
        assert accounts.app_secrets(conn, only_new, "whatsapp") == [SECRET]
        with pytest.raises(SecretKeyError):
            accounts.app_secrets(conn, settings_for(database_url, tmp_path, old), "whatsapp")
        assert conn.execute(select(ct.channel_accounts.c.account_id)).scalar_one() == "5550001112223"
    engine.dispose()
    assert not (tmp_path / KEY_FILE).exists()  # keys from the environment: no development key file
