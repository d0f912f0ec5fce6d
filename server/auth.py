"""Accounts, argon2 password hashes, session tokens and role guards."""
from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection, Request
from litestar.handlers import BaseRouteHandler
from sqlalchemy import Connection, delete, insert, select

from core.errors import AccountError, DomainError
from core.orders.lifecycle import Role
from core.orders.model import Actor
from server.bounded_cache import TtlLru
from server.db import tables as t

hasher = PasswordHasher()
# A hash to verify against when the account does not exist, so timing does not reveal which emails exist.
_DUMMY_HASH = hasher.hash("not-a-real-password")
SESSION_CACHE_SECONDS = 30.0
# Sessions cached at once (hits), and tokens remembered as unknown (misses, kept apart so a flood of random
# tokens never evicts the sessions in use).
SESSION_CACHE_SIZE = 50_000
MISS_CACHE_SIZE = 4_096
TOKEN_BYTES = 32
# What `open_session` hands out: secrets.token_urlsafe(32), 43 characters of the URL-safe alphabet.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def hash_secret(secret: str) -> str:
    return hasher.hash(secret)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_account(conn: Connection, *, email: str, password: str, role: Role, merchant_id: str | None = None,
                   customer_id: str | None = None, driver_id: str | None = None, pin: str | None = None) -> str:
    """Hash the secrets and store a new account (demo data, tools and tests; the API hashes before writing)."""
    if len(password) < 8:
        raise DomainError(AccountError.INVALID_CREDENTIALS, "passwords have at least 8 characters")
    return insert_account(conn, email=email, password_hash=hash_secret(password), role=role,
                          merchant_id=merchant_id, customer_id=customer_id, driver_id=driver_id,
                          pin_hash=hash_secret(pin) if pin else None)


def insert_account(conn: Connection, *, email: str, password_hash: str, role: Role, merchant_id: str | None = None,
                   customer_id: str | None = None, driver_id: str | None = None, pin_hash: str | None = None) -> str:
    """Store an account whose secrets are hashed already; ALREADY_EXISTS for an email in use."""
    email = email.strip().lower()
    if conn.execute(select(t.accounts.c.id).where(t.accounts.c.email == email)).first():
        raise DomainError(AccountError.ALREADY_EXISTS, f"an account for {email} exists")
    account_id = str(uuid.uuid4())
    conn.execute(insert(t.accounts).values(
        id=account_id, email=email, password_hash=password_hash, role=str(role), merchant_id=merchant_id,
        customer_id=customer_id, driver_id=driver_id, pin_hash=pin_hash, active=True,
        created_at=datetime.now(timezone.utc)))
    return account_id


def _verify(hashed: str, secret: str) -> bool:
    try:
        return hasher.verify(hashed, secret)
    except (VerificationError, InvalidHashError):
        return False


def check_password(conn: Connection, email: str, password: str) -> str:
    """The account id for these credentials, or INVALID_CREDENTIALS."""
    row = conn.execute(select(t.accounts.c.id, t.accounts.c.password_hash, t.accounts.c.active)
                       .where(t.accounts.c.email == email.strip().lower())).first()
    if not _verify(row.password_hash if row else _DUMMY_HASH, password) or row is None or not row.active:
        raise DomainError(AccountError.INVALID_CREDENTIALS, "wrong email or password")
    return row.id


def check_pin(conn: Connection, merchant_id: str, pin: str) -> str:
    """Staff PIN sign-in on a shared tablet: the staff account of `merchant_id` with this PIN. A PIN signs in
    merchant staff only: an owner's or admin's account needs its password (and its stronger session)."""
    rows = conn.execute(select(t.accounts.c.id, t.accounts.c.pin_hash).where(
        t.accounts.c.merchant_id == merchant_id, t.accounts.c.pin_hash.is_not(None), t.accounts.c.active,
        t.accounts.c.role == str(Role.MERCHANT_STAFF))).all()
    for row in rows:
        if _verify(row.pin_hash, pin):
            return row.id
    raise DomainError(AccountError.INVALID_CREDENTIALS, "wrong PIN")


def open_session(conn: Connection, account_id: str, lifetime: timedelta) -> str:
    """A new bearer token for `account_id`, valid for `lifetime`."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = datetime.now(timezone.utc)
    conn.execute(insert(t.sessions).values(token_hash=token_digest(token), account_id=account_id, created_at=now,
                                           expires_at=now + lifetime))
    return token


def close_session(conn: Connection, token: str) -> None:
    conn.execute(delete(t.sessions).where(t.sessions.c.token_hash == token_digest(token)))


def well_formed_token(token: str) -> bool:
    """Whether `token` has the shape of one `open_session` hands out; anything else is refused unasked."""
    return _TOKEN_SHAPE.fullmatch(token) is not None


class SessionResolver:
    """Token -> Actor, with a short cache so authenticated hot paths cost no extra query.

    Both caches are bounded in size and age (a token revoked elsewhere stops working within
    SESSION_CACHE_SECONDS); a token that is not well formed costs neither a query nor a cache entry.
    """

    def __init__(self, connect: Callable[[], Connection], max_sessions: int = SESSION_CACHE_SIZE,
                 max_misses: int = MISS_CACHE_SIZE) -> None:
        self.connect = connect
        self._sessions: TtlLru[Actor] = TtlLru(max_sessions, SESSION_CACHE_SECONDS)
        self._misses: TtlLru[None] = TtlLru(max_misses, SESSION_CACHE_SECONDS)

    def __len__(self) -> int:
        """Tokens cached, sessions and misses together."""
        return len(self._sessions) + len(self._misses)

    def forget(self, token: str) -> None:
        digest = token_digest(token)
        self._sessions.pop(digest)
        self._misses.pop(digest)

    def cached(self, token: str) -> tuple[bool, Actor | None]:
        """(found, actor) from the cache alone, so the hot path needs no thread hop."""
        if not well_formed_token(token):
            return True, None
        digest = token_digest(token)
        found, actor = self._sessions.lookup(digest)
        if found:
            return True, actor
        return self._misses.lookup(digest)[0], None

    def resolve(self, token: str) -> Actor | None:
        found, actor = self.cached(token)
        if found:
            return actor
        digest = token_digest(token)
        with self.connect() as conn:
            row = conn.execute(
                select(t.accounts, t.sessions.c.expires_at).join(t.sessions, t.sessions.c.account_id == t.accounts.c.id)
                .where(t.sessions.c.token_hash == digest)).first()
        if row is None or not row.active or row.expires_at <= datetime.now(timezone.utc):
            self._misses.put(digest, None)
            return None
        role = Role(row.role)
        ident = {Role.CUSTOMER: row.customer_id, Role.DRIVER: row.driver_id}.get(role, row.id)
        actor = Actor(role=role, id=ident, merchant_id=row.merchant_id)
        self._sessions.put(digest, actor)
        return actor


def bearer_token(connection: ASGIConnection) -> str | None:  # type: ignore[type-arg]
    return parse_bearer(connection.headers.get("authorization", ""))


def parse_bearer(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header value."""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def actor_of(connection: ASGIConnection) -> Actor:  # type: ignore[type-arg]
    """The signed-in actor of a request (set by the guard)."""
    actor = getattr(connection.state, "actor", None)
    if actor is None:
        raise DomainError(AccountError.NOT_AUTHENTICATED, "sign in first: Authorization: Bearer <token>")
    return actor


def provide_actor(request: Request) -> Actor:  # type: ignore[type-arg]
    """The `actor` dependency of route handlers: who signed in (the route's `roles` guard resolved them)."""
    return actor_of(request)


class RoleGuard:
    """A route guard: the request must carry a session of one of `allowed` roles. `allows` is the same
    check for code that authenticates by itself (the order-intake fast path)."""

    def __init__(self, *allowed: Role) -> None:
        self.allowed = frozenset(allowed)

    def allows(self, actor: Actor) -> bool:
        return actor.role in self.allowed

    async def __call__(self, connection: ASGIConnection, _handler: BaseRouteHandler) -> None:  # type: ignore[type-arg]
        # Async, so Litestar does not run it in a thread pool: nearly every call is a cache hit.
        token = bearer_token(connection)
        resolver: SessionResolver = connection.app.state.services.sessions
        actor = None
        if token:
            found, actor = resolver.cached(token)
            if not found:
                actor = await anyio.to_thread.run_sync(resolver.resolve, token)
        if actor is None:
            raise DomainError(AccountError.NOT_AUTHENTICATED, "sign in first: Authorization: Bearer <token>")
        if not self.allows(actor):
            raise DomainError(AccountError.FORBIDDEN, f"a {actor.role} may not do this")
        connection.state.actor = actor


def roles(*allowed: Role) -> RoleGuard:
    """A route guard for sessions of one of `allowed` roles."""
    return RoleGuard(*allowed)


ANY_ROLE = tuple(Role)
STAFF = (Role.MERCHANT_STAFF, Role.MERCHANT_OWNER, Role.ADMIN)
OWNERS = (Role.MERCHANT_OWNER, Role.ADMIN)


def ensure_merchant_scope(actor: Actor, merchant_id: str) -> None:
    """Merchant staff act only on their own merchant; admins on any."""
    if actor.role in (Role.ADMIN, Role.SYSTEM):
        return
    if actor.merchant_id != merchant_id:
        raise DomainError(AccountError.FORBIDDEN, "you can only manage your own merchant")
