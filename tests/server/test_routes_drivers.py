"""GET and POST /drivers: the drivers dispatch can plan with, added by admins."""
from __future__ import annotations

import pytest

from tests.server.conftest import Api
from tests.server.test_fuzz_api import assert_problem

DEMO_DRIVERS = {"drv-max", "drv-sofia", "drv-jan"}


def new_driver(**fields: object) -> dict[str, object]:
    return {"id": "drv-eva", "name": "Eva Berger", "phone": "+43 660 5556677", "vehicle": "car", "capacity": 6,
            "merchant_ids": ["pizzeria-donau"], **fields}


@pytest.mark.parametrize("who", ["admin", "owner", "staff"])
def test_kitchens_and_admins_list_the_drivers(api: Api, who: str) -> None:
    response = api.get("/drivers", who)
    assert response.status_code == 200, response.text
    drivers = {d["id"]: d for d in response.json()}
    assert set(drivers) == DEMO_DRIVERS
    assert (drivers["drv-max"]["name"], drivers["drv-max"]["vehicle"], drivers["drv-max"]["capacity"]) == \
        ("Max Gruber", "scooter", 4)


@pytest.mark.parametrize("who", ["anna", "driver"])
def test_customers_and_drivers_do_not_list_drivers(api: Api, who: str) -> None:
    response = api.get("/drivers", who)
    assert response.status_code == 403
    assert_problem(response)


def test_an_admin_adds_a_driver_who_is_then_listed(api: Api) -> None:
    response = api.post("/drivers", "admin", new_driver())
    assert response.status_code == 201, response.text
    created = response.json()
    assert {k: created[k] for k in ("id", "name", "vehicle", "capacity", "merchant_ids")} == \
        {"id": "drv-eva", "name": "Eva Berger", "vehicle": "car", "capacity": 6, "merchant_ids": ["pizzeria-donau"]}
    listed = {d["id"]: d for d in api.get("/drivers", "admin").json()}
    assert set(listed) == DEMO_DRIVERS | {"drv-eva"} and listed["drv-eva"] == created


def test_a_driver_posted_again_is_updated_not_doubled(api: Api) -> None:
    api.post("/drivers", "admin", new_driver())
    again = api.post("/drivers", "admin", new_driver(vehicle="bike", capacity=2))
    assert again.status_code == 201, again.text
    listed = [d for d in api.get("/drivers", "admin").json() if d["id"] == "drv-eva"]
    assert [(d["vehicle"], d["capacity"]) for d in listed] == [("bike", 2)]


@pytest.mark.parametrize("who", ["owner", "staff", "anna", "driver"])
def test_only_admins_add_drivers(api: Api, who: str) -> None:
    response = api.post("/drivers", who, new_driver())
    assert response.status_code == 403
    assert_problem(response)
    assert "drv-eva" not in {d["id"] for d in api.get("/drivers", "admin").json()}


@pytest.mark.parametrize("body", [
    new_driver(capacity=0), new_driver(capacity=51), new_driver(vehicle="rocket"), new_driver(name=""),
    new_driver(id=""), {"name": "no id"},
])
def test_a_driver_that_cannot_be_stored_is_a_problem(api: Api, body: dict[str, object]) -> None:
    response = api.post("/drivers", "admin", body)
    assert 400 <= response.status_code < 500, response.text
    assert_problem(response)
    assert {d["id"] for d in api.get("/drivers", "admin").json()} == DEMO_DRIVERS
