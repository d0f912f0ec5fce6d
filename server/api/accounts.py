"""Sign-in (password or staff PIN), sign-out, registration and account management."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from pydantic import BaseModel, Field, model_validator

from core.errors import AccountError, DomainError
from core.ids import uuid7
from core.merchants import Address, Customer
from core.orders.lifecycle import Role
from server import auth
from server.accounts import service as accounts
from server.api.orders import services_of
from server.auth import ANY_ROLE, actor_of, roles


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


def _session_view(services: Any, token: str) -> dict[str, Any]:
    actor = services.sessions.resolve(token)
    return {"token": token, "role": str(actor.role), "id": actor.id, "merchant_id": actor.merchant_id}


def _sign_in(services: Any, account_id: str) -> dict[str, Any]:
    token = services.execute_sync(accounts.open_session, accounts.OpenSession(account_id, services.settings.session_days))
    return _session_view(services, token)


class AuthController(Controller):
    path = "/auth"
    tags = ["accounts"]

    @post("/login", status_code=200, sync_to_thread=True)
    def login(self, request: Request, data: Login) -> dict[str, Any]:  # type: ignore[type-arg]
        """Email and password for a bearer token (open to everyone, as sign-in must be)."""
        services = services_of(request)
        with services.connection() as conn:
            account_id = auth.check_password(conn, data.email, data.password)
        return _sign_in(services, account_id)

    @post("/pin", status_code=200, sync_to_thread=True)
    def pin_login(self, request: Request, data: PinLogin) -> dict[str, Any]:  # type: ignore[type-arg]
        """Staff PIN on a merchant's shared tablet."""
        services = services_of(request)
        with services.connection() as conn:
            account_id = auth.check_pin(conn, data.merchant_id, data.pin)
        return _sign_in(services, account_id)

    @post("/register", status_code=201, sync_to_thread=True)
    def register(self, request: Request, data: Registration) -> dict[str, Any]:  # type: ignore[type-arg]
        """A customer signs up; answers with a session so the app can order right away."""
        services = services_of(request)
        profile = Customer(id=f"cust-{uuid7()}", name=data.name, phone=data.phone, language=data.language,
                           addresses=data.addresses)
        command = accounts.Register(profile, data.email, auth.hash_secret(data.password), services.settings.session_days)
        return _session_view(services, services.execute_sync(accounts.register, command))

    @post("/logout", guards=[roles(*ANY_ROLE)], status_code=204, sync_to_thread=True)
    def logout(self, request: Request) -> None:  # type: ignore[type-arg]
        """End this session: its token stops working at once."""
        token = auth.bearer_token(request) or ""
        services = services_of(request)
        services.execute_sync(accounts.close_session, token)
        services.sessions.forget(token)

    @get("/me", guards=[roles(*ANY_ROLE)])
    async def me(self, request: Request) -> dict[str, Any]:  # type: ignore[type-arg]
        """Who this session belongs to: role, id and merchant."""
        actor = actor_of(request)
        return {"role": str(actor.role), "id": actor.id, "merchant_id": actor.merchant_id}


class AccountController(Controller):
    path = "/accounts"
    tags = ["accounts"]

    @post("/", guards=[roles(Role.ADMIN, Role.MERCHANT_OWNER)], status_code=201, sync_to_thread=True)
    def create(self, request: Request, data: NewAccount) -> dict[str, Any]:  # type: ignore[type-arg]
        """Admins create any account; owners create staff for their own merchant."""
        actor = actor_of(request)
        if actor.role is Role.MERCHANT_OWNER and (data.role is not Role.MERCHANT_STAFF
                                                  or data.merchant_id != actor.merchant_id):
            raise DomainError(AccountError.FORBIDDEN, "owners create staff accounts for their own merchant")
        command = accounts.NewAccount(email=data.email, password_hash=auth.hash_secret(data.password), role=data.role,
                                      merchant_id=data.merchant_id, customer_id=data.customer_id,
                                      driver_id=data.driver_id, pin_hash=auth.hash_secret(data.pin) if data.pin else None)
        account_id = services_of(request).execute_sync(accounts.create_account, command)
        return {"id": account_id, "email": data.email.strip().lower(), "role": str(data.role)}


class CustomerController(Controller):
    path = "/customers"
    tags = ["accounts"]

    @get("/me", guards=[roles(Role.CUSTOMER)], sync_to_thread=True)
    def me(self, request: Request) -> Customer:  # type: ignore[type-arg]
        with services_of(request).read() as uow:
            customer = uow.catalog.customer(actor_of(request).id or "")
        if customer is None:
            raise DomainError(AccountError.NOT_FOUND, "no customer profile")
        return customer

    @get("/{customer_id:str}", guards=[roles(Role.ADMIN)], sync_to_thread=True)
    def get_customer(self, request: Request, customer_id: str) -> Customer:  # type: ignore[type-arg]
        with services_of(request).read() as uow:
            customer = uow.catalog.customer(customer_id)
        if customer is None:
            raise DomainError(AccountError.NOT_FOUND, f"no customer {customer_id!r}")
        return customer

    @post("/", guards=[roles(Role.ADMIN, Role.MERCHANT_STAFF, Role.MERCHANT_OWNER)], status_code=201,
          sync_to_thread=True)
    def create(self, request: Request, data: Customer) -> Customer:  # type: ignore[type-arg]
        """Staff add a customer taking a phone order (a new customer, with an id the server gives); admins
        import customers by id."""
        command = accounts.SaveCustomer(data, actor_of(request))
        return services_of(request).execute_sync(accounts.save_customer, command)
