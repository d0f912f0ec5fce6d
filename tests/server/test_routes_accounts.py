"""GET /auth/me and POST /customers: who a token belongs to, and customer profiles staff and admins add."""
from __future__ import annotations

import pytest

from tests.server.conftest import Api
from tests.server.devices import Device
from tests.server.test_fuzz_api import assert_problem


@pytest.mark.parametrize(("who", "role", "subject", "merchant_id"), [
    ("admin", "admin", None, None),
    ("owner", "merchant_owner", None, "pizzeria-donau"),
    ("staff", "merchant_staff", None, "pizzeria-donau"),
    ("anna", "customer", "cust-anna", None),
    ("driver", "driver", "drv-max", None),
])
def test_me_says_who_the_token_belongs_to(api: Api, who: str, role: str, subject: str | None,
                                          merchant_id: str | None) -> None:
    response = api.get("/auth/me", who)
    assert response.status_code == 200, response.text
    me = response.json()
    assert (me["role"], me["merchant_id"]) == (role, merchant_id)
    if subject is not None:  # customers and drivers are known by their own ids, other accounts by the account's
        assert me["id"] == subject
    else:
        assert me["id"] and me["id"] not in ("cust-anna", "drv-max")


def test_me_for_a_pin_session_is_the_kitchen_staff_account(api: Api) -> None:
    session = api.client.post("/auth/pin", json={"merchant_id": "pizzeria-donau", "pin": "1234"}).json()
    me = api.client.get("/auth/me", headers={"Authorization": f"Bearer {session['token']}"}).json()
    assert me == {"role": "merchant_staff", "id": session["id"], "merchant_id": "pizzeria-donau"}
    assert me == api.get("/auth/me", "staff").json()  # the same account as the staff's password sign-in


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic YWRtaW46YWRtaW4="])
def test_me_without_a_valid_session_is_a_401_problem(api: Api, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = api.client.get("/auth/me", headers=headers)
    assert response.status_code == 401
    assert_problem(response)
    assert response.json()["code"] == "not_authenticated"


def test_me_after_sign_out_is_a_401(api: Api) -> None:
    headers = api.as_("anna")
    assert api.client.post("/auth/logout", headers=headers).status_code == 204
    response = api.client.get("/auth/me", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def new_customer(**fields: object) -> dict[str, object]:
    return {"id": "cust-phone-order", "name": "Walk-in Wolfgang", "phone": "+43 664 7654321", "language": "de",
            "addresses": [{"line1": "Obere Landstraße 10", "city": "Krems an der Donau",
                           "location": {"lat": 48.4105, "lon": 15.6016}}], **fields}


@pytest.mark.parametrize("who", ["staff", "owner", "admin"])
def test_staff_and_admins_add_a_customer_who_then_exists(api: Api, who: str) -> None:
    response = api.post("/customers", who, new_customer())
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["name"], created["language"]) == ("Walk-in Wolfgang", "de")
    # Staff create customers under an id the server gives (they never write over an existing one); admins
    # import customers under their own ids.
    assert (created["id"] == "cust-phone-order") is (who == "admin")
    assert created["phone"] == "+436647654321"  # stored in E.164, as every phone
    stored = api.get(f"/customers/{created['id']}", "admin")
    assert stored.status_code == 200 and stored.json() == created


@pytest.mark.parametrize("who", ["staff", "owner"])
def test_staff_cannot_write_over_an_existing_customer(api: Api, who: str) -> None:
    """The audit's hole: a kitchen naming another customer's id (and so their phone, their chats)."""
    before = api.get("/customers/cust-anna", "admin").json()
    response = api.post("/customers", who, new_customer(id="cust-anna", name="Taken Over", phone="+436641111111"))
    assert response.status_code == 201 and response.json()["id"] != "cust-anna"
    assert api.get("/customers/cust-anna", "admin").json() == before


@pytest.mark.parametrize("body", [
    new_customer(phone="not a phone"), new_customer(name=""), {"name": "no id"},
    new_customer(addresses=[{"line1": "x", "location": {"lat": 91, "lon": 0}}]),
])
def test_a_customer_that_cannot_be_stored_is_a_problem(api: Api, body: dict[str, object]) -> None:
    response = api.post("/customers", "staff", body)
    assert 400 <= response.status_code < 500, response.text
    assert_problem(response)
    assert api.get("/customers/cust-phone-order", "admin").status_code == 404


@pytest.mark.parametrize("who", ["anna", "driver"])
def test_customers_and_drivers_cannot_use_the_staff_route(api: Api, who: str) -> None:
    response = api.post("/customers", who, new_customer(id="cust-anna", name="Someone Else"))
    assert response.status_code == 403
    assert_problem(response)
    assert api.get("/customers/me", "anna").json()["name"] == "Anna Huber"


def test_signed_out_nobody_adds_a_customer(api: Api) -> None:
    response = api.client.post("/customers", json=new_customer())
    assert response.status_code == 401
    assert_problem(response)


def test_a_customer_updates_themselves_through_their_own_profile_operations(api: Api) -> None:
    """A customer's own route to change their profile is `profile.set` (the apps' outbox), never POST /customers:
    only their own profile changes, and GET /customers/me shows it."""
    phone = Device(api, "anna", "anna-phone")
    result = phone.push(phone.op("profile", "set", {"fields": {"name": "Anna Maria Huber", "language": "en"}}))[0]
    assert result["status"] == "acked", result
    me = api.get("/customers/me", "anna").json()
    assert (me["id"], me["name"], me["language"]) == ("cust-anna", "Anna Maria Huber", "en")
    assert api.get("/customers/me", "lucia").json()["name"] == "Lucía García"
