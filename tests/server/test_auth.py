"""Accounts and roles: argon2 sign-in, PIN sign-in, guards on every endpoint, problem details."""
from __future__ import annotations

from sqlalchemy import select

from server.db import tables as t
from tests.server.conftest import Api


def test_passwords_are_stored_as_argon2_hashes(api: Api) -> None:
    with api.services.connection() as conn:
        hashes = [r.password_hash for r in conn.execute(select(t.accounts.c.password_hash))]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)


def test_wrong_password_is_a_401_problem(api: Api) -> None:
    response = api.client.post("/auth/login", json={"email": "anna@example.com", "password": "nope-nope"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_credentials"
    response = api.client.post("/auth/login", json={"email": "nobody@example.com", "password": "nope-nope"})
    assert response.json()["code"] == "invalid_credentials"


def test_no_token_and_wrong_role(api: Api) -> None:
    response = api.client.get("/orders")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    response = api.client.get("/orders", headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401
    response = api.post("/merchants", "anna", {"id": "x", "name": "X", "address": {"line1": "a"},
                                                "location": {"lat": 1, "lon": 1}})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_every_route_but_sign_in_and_health_has_a_guard(api: Api) -> None:
    # Meta's webhooks carry no session: the handler checks X-Hub-Signature-256 or the verify token
    # (tests/server/channels/test_webhooks.py refuses unsigned deliveries and wrong tokens).
    open_paths = {"/health", "/auth/login", "/auth/pin", "/auth/register", "/webhooks/whatsapp", "/webhooks/instagram"}
    for route in api.client.app.routes:
        for handler in getattr(route, "route_handlers", []):
            if route.path in open_paths or route.path.startswith("/schema") or handler.http_methods == {"OPTIONS"}:
                continue
            assert handler.resolve_guards(), f"{sorted(handler.http_methods)} {route.path} has no role guard"


def test_staff_pin_sign_in_and_logout(api: Api) -> None:
    response = api.client.post("/auth/pin", json={"merchant_id": "pizzeria-donau", "pin": "1234"})
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "merchant_staff" and body["merchant_id"] == "pizzeria-donau"
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert api.client.get("/merchants/pizzeria-donau/queue", headers=headers).status_code == 200
    assert api.client.post("/auth/logout", headers=headers).status_code == 204
    assert api.client.get("/merchants/pizzeria-donau/queue", headers=headers).status_code == 401
    wrong = api.client.post("/auth/pin", json={"merchant_id": "pizzeria-donau", "pin": "9999"})
    assert wrong.status_code == 401


def test_register_then_order(api: Api) -> None:
    response = api.client.post("/auth/register", json={
        "name": "Jo", "email": "jo@example.com", "password": "long-enough", "phone": "+43 664 7654321"})
    assert response.status_code == 201
    token = response.json()["token"]
    me = api.client.get("/customers/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["name"] == "Jo" and me["phone"] == "+436647654321"
    again = api.client.post("/auth/register", json={"name": "Jo", "email": "JO@example.com",
                                                    "password": "long-enough"})
    assert again.status_code == 409 and again.json()["code"] == "already_exists"


def test_owner_creates_staff_only_for_own_merchant(api: Api) -> None:
    ok = api.post("/accounts", "owner", {"email": "new@pizzeria-donau.local", "password": "12345678",
                                         "role": "merchant_staff", "merchant_id": "pizzeria-donau", "pin": "4321"})
    assert ok.status_code == 201
    other = api.post("/accounts", "owner", {"email": "x@wachau.local", "password": "12345678",
                                            "role": "merchant_staff", "merchant_id": "wachau-bowls"})
    assert other.status_code == 403
    admin = api.post("/accounts", "owner", {"email": "boss@x.local", "password": "12345678", "role": "admin"})
    assert admin.status_code == 403


def test_openapi_schema_is_served(api: Api) -> None:
    schema = api.client.get("/schema/openapi.json").json()
    assert {"/orders", "/quotes", "/orders/{order_id}/transitions"} <= set(schema["paths"])
