"""Sign-in (password or staff PIN), sign-out, registration and account management."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any


from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, Field, model_validator

from core.errors import AccountError, DomainError
from core.ids import uuid7
from core.merchants import Address, Customer
from core.orders.lifecycle import Role
from core.orders.model import Actor
from server import auth
from server.accounts import service as accounts
from server.auth import ANY_ROLE, roles
from server.ratelimit.limits import RequestLimits, client_address
from server.services import Services


class Login(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=200)


class PinLogin(BaseModel):
    merchant_id: str = Field(min_length=1, max_length=80)
    pin: str = Field(pattern=r"^[0-9]{4,8}$")


class Registration(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    password: str = Field(min_length=8, max_length=200)
    phone: str | None = Field(default=None, max_length=30)
    language: str = Field(default="en", pattern=r"^[a-z]{2}$")
    addresses: list[Address] = Field(default_factory=list, max_length=10)


class NewAccount(BaseModel):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    password: str = Field(min_length=8, max_length=200)
    role: Role
    merchant_id: str | None = None
    driver_id: str | None = None
    customer_id: str | None = None
    pin: str | None = Field(default=None, pattern=r"^[0-9]{4,8}$")

    @model_validator(mode="after")
    def _scope(self) -> "NewAccount":
        if self.role is Role.SYSTEM:
            raise ValueError("system is not an account role")
        if self.role in (Role.MERCHANT_STAFF, Role.MERCHANT_OWNER) and not self.merchant_id:
            raise ValueError("merchant accounts need a merchant_id")
        if self.role is Role.DRIVER and not self.driver_id:
            raise ValueError("driver accounts need a driver_id")
        return self


def _session_view(services: Services, token: str) -> dict[str, Any]:
    actor = services.sessions.resolve(token)
    assert actor is not None, "a session just opened resolves"
    return {"token": token, "role": str(actor.role), "id": actor.id, "merchant_id": actor.merchant_id}


def _sign_in(services: Services, account_id: str, lifetime: timedelta) -> dict[str, Any]:
    token = services.execute_sync(accounts.open_session, accounts.OpenSession(account_id, lifetime))
    return _session_view(services, token)


@contextmanager
def _counted_attempt(rate_limits: RequestLimits, request: Request,  # type: ignore[type-arg]
                     account: str) -> Iterator[None]:
    """Count a sign-in attempt for `account` before its secret is verified, so a client over its limit is
    refused (429) without costing an argon2 hash; the attempt is given back when the block succeeds."""
    client = client_address(request.scope)
    rate_limits.from_thread(rate_limits.sign_in_attempt, client, account)
    yield
    rate_limits.from_thread(rate_limits.sign_in_succeeded, client, account)


class AuthController(Controller):
    path = "/auth"
    tags = ["accounts"]

    @post("/login", status_code=200, sync_to_thread=True)
    def login(self, request: Request, services: NamedDependency[Services],  # type: ignore[type-arg]
              rate_limits: NamedDependency[RequestLimits], data: JSONBody[Login]) -> dict[str, Any]:
        """Email and password for a bearer token (open to everyone, as sign-in must be; rate limited per
        address and per account)."""
        with _counted_attempt(rate_limits, request, f"email:{data.email.strip().lower()}"), \
                services.connection() as conn:
            account_id = auth.check_password(conn, data.email, data.password)
        return _sign_in(services, account_id, timedelta(days=services.settings.session_days))

    @post("/pin", status_code=200, sync_to_thread=True)
    def pin_login(self, request: Request, services: NamedDependency[Services],  # type: ignore[type-arg]
                  rate_limits: NamedDependency[RequestLimits], data: JSONBody[PinLogin]) -> dict[str, Any]:
        """Staff PIN on a merchant's shared tablet: merchant staff only, for a shift-long session (rate limited
        per address and per kitchen)."""
        with _counted_attempt(rate_limits, request, f"merchant:{data.merchant_id}"), services.connection() as conn:
            account_id = auth.check_pin(conn, data.merchant_id, data.pin)
        return _sign_in(services, account_id, timedelta(hours=services.settings.pin_session_hours))

    @post("/register", status_code=201, sync_to_thread=True)
    def register(self, request: Request, services: NamedDependency[Services],  # type: ignore[type-arg]
                 rate_limits: NamedDependency[RequestLimits], data: JSONBody[Registration]) -> dict[str, Any]:
        """A customer signs up; answers with a session so the app can order right away."""
        rate_limits.from_thread(rate_limits.sign_in_attempt, client_address(request.scope),
                                f"email:{data.email.strip().lower()}")
        profile = Customer(id=f"cust-{uuid7()}", name=data.name, phone=data.phone, language=data.language,
                           addresses=data.addresses)
        command = accounts.Register(profile, data.email, auth.hash_secret(data.password),
                                    services.settings.session_days)
        return _session_view(services, services.execute_sync(accounts.register, command))

    @post("/logout", guards=[roles(*ANY_ROLE)], status_code=204, sync_to_thread=True)
    def logout(self, request: Request, services: NamedDependency[Services]) -> None:  # type: ignore[type-arg]
        """End the session of the bearer token this request carries."""
        token = auth.bearer_token(request) or ""
        services.execute_sync(accounts.close_session, token)
        services.sessions.forget(token)

    @get("/me", guards=[roles(*ANY_ROLE)])
    async def me(self, actor: NamedDependency[Actor]) -> dict[str, Any]:
        """Who the bearer token signs in as: role, id and merchant."""
        return {"role": str(actor.role), "id": actor.id, "merchant_id": actor.merchant_id}


class AccountController(Controller):
    path = "/accounts"
    tags = ["accounts"]

    @post("/", guards=[roles(Role.ADMIN, Role.MERCHANT_OWNER)], status_code=201, sync_to_thread=True)
    def create(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
               data: JSONBody[NewAccount]) -> dict[str, Any]:
        """Admins create any account; owners create staff for their own merchant."""
        if actor.role is Role.MERCHANT_OWNER and (data.role is not Role.MERCHANT_STAFF
                                                  or data.merchant_id != actor.merchant_id):
            raise DomainError(AccountError.FORBIDDEN, "owners create staff accounts for their own merchant")
        command = accounts.NewAccount(email=data.email, password_hash=auth.hash_secret(data.password), role=data.role,
                                      merchant_id=data.merchant_id, customer_id=data.customer_id,
                                      driver_id=data.driver_id, pin_hash=auth.hash_secret(data.pin) if data.pin else None)
        account_id = services.execute_sync(accounts.create_account, command)
        return {"id": account_id, "email": data.email.strip().lower(), "role": str(data.role)}


class CustomerController(Controller):
    path = "/customers"
    tags = ["accounts"]

    @get("/me", guards=[roles(Role.CUSTOMER)], sync_to_thread=True)
    def me(self, services: NamedDependency[Services], actor: NamedDependency[Actor]) -> Customer:
        """The signed-in customer's profile."""
        with services.read() as uow:
            customer = uow.catalog.customer(actor.id or "")
        if customer is None:
            raise DomainError(AccountError.NOT_FOUND, "no customer profile")
        return customer

    @get("/{customer_id:str}", guards=[roles(Role.ADMIN)], sync_to_thread=True)
    def get_customer(self, services: NamedDependency[Services], customer_id: FromPath[str]) -> Customer:
        """A customer's profile (admins)."""
        with services.read() as uow:
            customer = uow.catalog.customer(customer_id)
        if customer is None:
            raise DomainError(AccountError.NOT_FOUND, f"no customer {customer_id!r}")
        return customer

    @post("/", guards=[roles(Role.ADMIN, Role.MERCHANT_STAFF, Role.MERCHANT_OWNER)], status_code=201,
          sync_to_thread=True)
    def create(self, services: NamedDependency[Services], actor: NamedDependency[Actor],
               data: JSONBody[Customer]) -> Customer:
        """Staff add a customer taking a phone order (a new customer, under an id the server gives); admins
        import customers under their own ids."""
        return services.execute_sync(accounts.save_customer, accounts.SaveCustomer(data, actor))
