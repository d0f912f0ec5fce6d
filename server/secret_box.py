"""Secrets at rest (channel app secrets and access tokens): Fernet, under keys from the environment.

MEALKITZ_SECRET_KEYS is a comma-separated list of Fernet keys: the first encrypts, every one decrypts, so a
key is rotated by putting a new one first, running `mealkitz secrets rotate` (every stored secret re-encrypted
under the new key), then dropping the old one. Without keys (development), a key is generated once into
data_dir/secret.key with 0600 permissions, and a warning says so: whoever reads that file reads the secrets.

Stored values carry a prefix, so a plain-text value (from before encryption) is never mistaken for a sealed
one; opening one is refused. Fernet authenticates: a value written by someone without the key is refused too.
"""
from __future__ import annotations

import functools
import logging
import os
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from server.settings import Settings

logger = logging.getLogger(__name__)

PREFIX = "fernet:"
KEY_FILE = "secret.key"


class SecretKeyError(RuntimeError):
    """A stored secret cannot be opened: wrong or missing key, or a value that was never sealed."""


class SecretBox:
    """Seals and opens short secrets (str) with MultiFernet: the first key seals, any key opens."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("SecretBox needs at least one key")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @staticmethod
    def is_sealed(stored: str) -> bool:
        return stored.startswith(PREFIX)

    def seal(self, plaintext: str) -> str:
        return PREFIX + self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def open(self, stored: str) -> str:
        """The plaintext; raises SecretKeyError for plain text or a value none of the keys opens."""
        if not self.is_sealed(stored):
            raise SecretKeyError("a stored secret is not encrypted; run `mealkitz db upgrade`")
        try:
            return self._fernet.decrypt(stored[len(PREFIX):].encode("ascii")).decode()
        except (InvalidToken, UnicodeError) as error:
            raise SecretKeyError("a stored secret does not open with any key in MEALKITZ_SECRET_KEYS") from error

    def reseal(self, stored: str) -> str:
        """The value under the first key: a sealed one re-encrypted (rotation), a plain-text one sealed."""
        if not self.is_sealed(stored):
            return self.seal(stored)
        try:
            return PREFIX + self._fernet.rotate(stored[len(PREFIX):].encode("ascii")).decode("ascii")
        except InvalidToken as error:
            raise SecretKeyError("a stored secret does not open with any key in MEALKITZ_SECRET_KEYS") from error


def new_key() -> str:
    """A fresh key for MEALKITZ_SECRET_KEYS."""
    return Fernet.generate_key().decode("ascii")


def secret_box(settings: Settings) -> SecretBox:
    """The box for these settings: their keys, else the development key file in the data directory."""
    return _box(settings.secret_keys, settings.data_dir)


@functools.lru_cache(maxsize=8)
def _box(keys: tuple[str, ...], data_dir: Path) -> SecretBox:
    if keys:
        try:
            return SecretBox([key.encode("ascii") for key in keys])
        except (ValueError, UnicodeError) as error:
            raise SecretKeyError("MEALKITZ_SECRET_KEYS holds a value that is not a Fernet key "
                                 "(32 url-safe base64-encoded bytes; `mealkitz secrets new-key` makes one)") from error
    return SecretBox([development_key(data_dir)])


def development_key(data_dir: Path) -> bytes:
    """The key in data_dir/secret.key, created once (0600) if missing; for development without keys."""
    path = data_dir / KEY_FILE
    logger.warning("MEALKITZ_SECRET_KEYS is not set: channel secrets are encrypted with the key in %s; "
                   "set MEALKITZ_SECRET_KEYS in production and keep the key out of the data directory", path)
    data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written whole under a temporary name, then linked into place: a process starting at the same time
        # finds either no file or the complete key, and os.link never overwrites the winner's key.
        temporary = data_dir / f".{KEY_FILE}.{os.getpid()}.{threading.get_ident()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(Fernet.generate_key())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_bytes().strip()
