"""Account use cases: sign-up, sessions, staff accounts and customer profiles, each `(command, uow) -> result`.

Password and PIN checks (argon2, tens of milliseconds) run before the write, on the caller's thread
(`server.auth.check_password` / `check_pin`), never inside the writer: only the session row is written here.
A phone number a customer types is part of their profile, not their identity: the `customers.phone` column
(what a WhatsApp chat is matched by) holds only phones a channel has proven, so no one can claim another
person's chats by typing their number, and sign-up never reveals which numbers are known.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from core.errors import AccountError, DomainError, InputError
from core.ids import uuid7
from core.merchants import Customer
from core.orders.lifecycle import Role
from core.orders.model import Actor
from server import auth
from server.catalog import store as catalog_store
from server.db.changes import record_change
from server.db.uow import SqlUnitOfWork
from server.events import CustomerChanged
from server.kitchen.service import claim_field_clock


@dataclass
class OpenSession:
    account_id: str
    lifetime: timedelta


def open_session(cmd: OpenSession, uow: SqlUnitOfWork) -> str:
    """A new bearer token for an account whose credentials were checked."""
    return auth.open_session(uow.conn, cmd.account_id, cmd.lifetime)


def close_session(token: str, uow: SqlUnitOfWork) -> None:
    """Sign out: the token stops working (the caller drops it from the session cache after the commit)."""
    auth.close_session(uow.conn, token)


@dataclass
class NewAccount:
    """An account to create; `password_hash` and `pin_hash` are argon2 hashes made before the write."""

    email: str
    password_hash: str
    role: Role
    merchant_id: str | None = None
    customer_id: str | None = None
    driver_id: str | None = None
    pin_hash: str | None = None


def create_account(cmd: NewAccount, uow: SqlUnitOfWork) -> str:
    """Store a new account; ALREADY_EXISTS for an email in use (staff accounts are made by admins/owners)."""
    return auth.insert_account(uow.conn, email=cmd.email, password_hash=cmd.password_hash, role=cmd.role,
                               merchant_id=cmd.merchant_id, customer_id=cmd.customer_id,
                               driver_id=cmd.driver_id, pin_hash=cmd.pin_hash)


@dataclass
class Register:
    """A customer signing up: their profile and their account (email + password hash)."""

    profile: Customer
    email: str
    password_hash: str
    session_days: int


def register(cmd: Register, uow: SqlUnitOfWork) -> str:
    """Create the customer and their account, and open a session (the app can order at once)."""
    account_id = auth.insert_account(uow.conn, email=cmd.email, password_hash=cmd.password_hash,
                                     role=Role.CUSTOMER, customer_id=cmd.profile.id)
    catalog_store.upsert_customer(uow.conn, cmd.profile)
    record_change(uow.raw, "profile", cmd.profile.id, cmd.profile.model_dump_json(), customer_id=cmd.profile.id)
    return auth.open_session(uow.conn, account_id, timedelta(days=cmd.session_days))


@dataclass
class SaveCustomer:
    """Staff taking a phone order add a customer (a new id is given); admins import customers by id."""

    customer: Customer
    actor: Actor


def save_customer(cmd: SaveCustomer, uow: SqlUnitOfWork) -> Customer:
    """Staff and owners can only create customers, never change one: customers belong to themselves."""
    customer = cmd.customer
    trusted = cmd.actor.role is Role.ADMIN  # an import: its phone numbers are the customers' own
    if not trusted:
        customer = customer.model_copy(update={"id": f"cust-{uuid7()}", "vip": False})
    elif customer.phone and catalog_store.phone_holder(uow.conn, customer.phone) not in (None, customer.id):
        raise DomainError(AccountError.ALREADY_EXISTS, "another customer has this phone number")
    catalog_store.upsert_customer(uow.conn, customer, verified_phone=trusted)
    uow.emit(CustomerChanged(customer.id))
    record_change(uow.raw, "profile", customer.id, customer.model_dump_json(), customer_id=customer.id)
    return customer


@dataclass
class SetProfile:
    """Fields of a customer's own profile, each last-writer-wins on its own stamp (`hlc`)."""

    actor: Actor
    fields: dict[str, Any]
    hlc: str


def set_profile(cmd: SetProfile, uow: SqlUnitOfWork) -> dict[str, Any]:
    """A customer edits their profile; a field edited on two devices keeps the later edit."""
    actor = cmd.actor
    if actor.role is not Role.CUSTOMER or not actor.id:
        raise DomainError(AccountError.FORBIDDEN, "only customers edit their profile this way")
    customer = uow.catalog.customer(actor.id)
    if customer is None:
        raise DomainError(AccountError.NOT_FOUND, "no customer profile")
    doc = customer.model_dump(mode="json")
    for name, value in cmd.fields.items():
        if claim_field_clock(uow, "profile", actor.id, name, cmd.hlc):
            doc[name] = value
    try:
        updated = Customer.model_validate(doc)
    except ValidationError as exc:
        raise DomainError(InputError.INVALID, f"profile: {exc.errors()[0]['msg']}") from None
    catalog_store.upsert_customer(uow.conn, updated)
    uow.emit(CustomerChanged(actor.id))
    record_change(uow.raw, "profile", actor.id, updated.model_dump_json(), customer_id=actor.id)
    return updated.model_dump(mode="json")
