"""Bad input never gives a 500: schemathesis against the OpenAPI schema, and hand-aimed hypothesis payloads.

Every 4xx must be an RFC 9457 problem (application/problem+json with code, status, title and detail).
Every run draws from one seed (tests/suite_rules.py: fixed by default, MEALKITZ_FUZZ_SEED=random for a new one,
=N to replay); each failure found is kept as an explicit example in tests/server/test_fuzz_examples.py.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from server.settings import Rate, RateLimits
from tests.server.conftest import Api, margherita_cart, serve_api
from tests.suite_rules import FUZZ_SEED, FUZZ_SEED_ENV

BASE_URL = "http://testserver.local"
EXAMPLES_PER_OPERATION = 30  # per operation and backend: under a minute for the ~50 operations
# Customers' own endpoints are fuzzed with a customer's token, everything else with the admin's.
CUSTOMER_OPERATIONS = {("POST", "/orders"), ("POST", "/quotes"), ("GET", "/customers/me")}
# Operations that fetch a third party's page while the client waits: 502/504 are their documented answers when
# that site fails (and this sandbox has no internet), not server errors.
UPSTREAM_OPERATIONS = {("POST", "/merchants/{merchant_id}/scrape/preview")}


@pytest.fixture
def api(demo_database_url: str, tmp_path: Path) -> Iterator[Api]:
    """The demo app with its rate limits out of the way: fuzzing signs in from one address far more often than
    the limits allow, on purpose (the limits are tested in tests/server/security/test_rate_limits.py)."""
    unlimited = Rate(10**9, 60)
    limits = RateLimits(**{name: unlimited for name in RateLimits.__dataclass_fields__})
    with serve_api(demo_database_url, tmp_path, limits) as api:
        yield api


def assert_problem(response: httpx.Response, upstream: bool = False) -> None:
    """No 5xx (but an upstream's 502/504 where allowed); every 4xx is a problem document a client can show and
    branch on."""
    allowed = (502, 504) if upstream else ()
    assert response.status_code < 500 or response.status_code in allowed, \
        f"{response.status_code}: {response.text[:2000]}"
    if 400 <= response.status_code:
        assert response.headers["content-type"].startswith("application/problem+json"), response.headers
        body = response.json()
        assert {"code", "status", "title", "detail"} <= body.keys(), body
        assert body["status"] == response.status_code
        assert isinstance(body["code"], str) and body["code"]


# ---------------------------------------------------------------------------------------------------------------
# (a) schemathesis: every operation of /schema/openapi.json, valid and invalid data, with a signed-in token
# ---------------------------------------------------------------------------------------------------------------

def send(api: Api, case: Any, who: str) -> httpx.Response:
    """Send a generated case through the app's own TestClient (its writer thread runs for the test)."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=api.as_(who))
    kwargs.pop("cookies", None)
    data = kwargs.pop("data", None)
    if isinstance(data, (bytes, str)):
        kwargs["content"] = data
    elif data is not None:
        kwargs["data"] = data
    return api.client.request(**kwargs)


def _described(exc: BaseException) -> str:
    """Every failure hypothesis found (it groups distinct ones), with what it was."""
    if isinstance(exc, BaseExceptionGroup):
        return "\n".join(_described(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {exc}"[:3000]


@pytest.mark.slow
def test_generated_requests_never_get_a_server_error(api: Api) -> None:
    """Every operation but sign-out (it would revoke the token the run uses), valid and invalid data.

    schemathesis' pytest loader (`from_fixture(...).parametrize()`) writes `request.node._nodeid`, which
    pytest 9 no longer has, so the operations are driven here with their hypothesis strategies.
    """
    raw = api.client.get("/schema/openapi.json").json()
    schema = schemathesis.openapi.from_dict(raw).exclude(path="/auth/logout")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        label = (operation.method.upper(), operation.path)
        who = "anna" if label in CUSTOMER_OPERATIONS else "admin"
        upstream = label in UPSTREAM_OPERATIONS
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE))

        @seed(FUZZ_SEED)
        @given(case=cases)
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            response = send(api, case, who)
            if not (upstream and response.status_code in (502, 504)):
                case.validate_response(response, checks=[not_a_server_error])
            assert_problem(response, upstream)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{operation.label}: {_described(exc)}")
    assert operations >= 20
    assert not failures, f"fuzz seed {FUZZ_SEED} (replay: {FUZZ_SEED_ENV}={FUZZ_SEED})\n\n" + "\n\n".join(failures)


# ---------------------------------------------------------------------------------------------------------------
# (b) hand-aimed hypothesis payloads against the order intake and the kitchen's writes
# ---------------------------------------------------------------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

huge_numbers = st.sampled_from([10**20, -(10**20), 10**400, 2**63, -(2**63) - 1, 1e308, -1e308, 5e-324, 1e-30])
json_scalars = (st.none() | st.booleans() | st.integers() | huge_numbers
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)
naive_datetimes = st.datetimes().map(lambda d: d.isoformat())
bad_enum_values = st.sampled_from(["", "DELIVERY", "teleport", "pickup ", "accept\x00", "ACCEPT", "null", "🍕"])
# Values that are wrong in a way a careless client produces: the fields' types are right at most by accident.
wrong_values = (json_values | naive_datetimes | bad_enum_values
                | st.sampled_from([-1, 0, -999, 1000, 0.5, 12.345, "12.50", "1e9999", "NaN", "-0", [], {}]))


def set_at(document: Any, path: list[Any], value: Any) -> Any:
    """`document` with the value at `path` replaced (or added); missing containers are created."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        return {**document, head: set_at(document.get(head), rest, value)}
    if isinstance(document, list) and isinstance(head, int) and head < len(document):
        return [set_at(v, rest, value) if i == head else v for i, v in enumerate(document)]
    return {head: set_at(None, rest, value)}


def drop_at(document: Any, path: list[Any]) -> Any:
    if not isinstance(document, (dict, list)) or not path:
        return document
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        if not rest:
            return {k: v for k, v in document.items() if k != head}
        return {k: drop_at(v, rest) if k == head else v for k, v in document.items()}
    return [drop_at(v, rest) if i == head else v for i, v in enumerate(document)]


CART_PATHS = [["merchant_id"], ["lines"], ["lines", 0], ["lines", 0, "item_id"], ["lines", 0, "variant_id"],
              ["lines", 0, "quantity"], ["lines", 0, "modifiers"], ["lines", 0, "modifiers", 0, "option_id"],
              ["lines", 0, "modifiers", 0, "kind"], ["lines", 0, "modifiers", 0, "portion"],
              ["lines", 1, "quantity"], ["lines", 0, "instructions"], ["fulfilment"], ["fulfilment", "type"],
              ["fulfilment", "address"], ["fulfilment", "address", "line1"], ["fulfilment", "address", "location"],
              ["fulfilment", "address", "location", "lat"], ["fulfilment", "address", "location", "lon"],
              ["requested_time"], ["requested_time", "slot_start"], ["requested_time", "slot_end"], ["channel"],
              ["promo_code"], ["tip"], ["instructions"], ["priority"], ["customer_id"], ["surprise"]]


@st.composite
def broken_carts(draw: st.DrawFn) -> Any:
    """A valid cart with a few fields replaced by wrong values, dropped, or joined by extra ones."""
    cart: Any = margherita_cart()
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(CART_PATHS))
        if draw(st.booleans()):
            cart = set_at(cart, path, draw(wrong_values))
        else:
            cart = drop_at(cart, path)
    return cart


def any_body(valid_ish: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return valid_ish | json_values


@pytest.mark.parametrize("path", ["/orders", "/quotes"])
def test_broken_carts_are_problems_not_crashes(api: Api, path: str) -> None:
    headers = api.as_("anna")

    @seed(FUZZ_SEED)
    @FUZZ
    @given(body=any_body(broken_carts()), key=st.none() | st.text(st.characters(min_codepoint=32, max_codepoint=126),
                                                                   max_size=260))
    def check(body: Any, key: str | None) -> None:
        extra = {"Idempotency-Key": key} if key is not None and path == "/orders" else {}
        assert_problem(api.client.post(path, json=body, headers={**headers, **extra}))

    check()


def test_bad_transitions_are_problems_not_crashes(api: Api) -> None:
    order = api.post("/orders", "anna", margherita_cart())
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    bodies = st.fixed_dictionaries({}, optional={
        "action": st.sampled_from(["accept", "reject", "start", "ready", "cancel", "deliver"]) | wrong_values,
        "reason": st.text(max_size=600) | wrong_values,
        "prep_minutes": st.integers(-10, 300) | wrong_values,
        "extra": json_values,
    })
    targets = st.sampled_from([order_id, "no-such-order", "", "%00", "..", "a" * 300, "🍕"])

    @seed(FUZZ_SEED)
    @FUZZ
    @given(body=any_body(bodies), target=targets, who=st.sampled_from(["staff", "anna", "driver", "admin"]))
    def check(body: Any, target: str, who: str) -> None:
        assert_problem(api.client.post(f"/orders/{target}/transitions", json=body, headers=api.as_(who)))

    check()


def test_bad_stock_changes_are_problems_not_crashes(api: Api) -> None:
    bodies = st.fixed_dictionaries({}, optional={
        "key": st.sampled_from(["item:tiramisu", "option:mushrooms", "item:nope", "tiramisu", "item:"]) | wrong_values,
        "count": st.integers(-5, 2_000_000) | wrong_values,
        "set_count": st.booleans() | wrong_values,
        "available": st.booleans() | wrong_values,
        "extra": json_values,
    })
    merchants = st.sampled_from(["pizzeria-donau", "wachau-bowls", "nope", "%00", "🍕"])

    @seed(FUZZ_SEED)
    @FUZZ
    @given(body=any_body(bodies), merchant=merchants, who=st.sampled_from(["staff", "owner", "admin", "anna"]))
    def check(body: Any, merchant: str, who: str) -> None:
        assert_problem(api.client.patch(f"/merchants/{merchant}/stock", json=body, headers=api.as_(who)))

    check()


def test_bad_order_queries_and_tokens_are_problems_not_crashes(api: Api) -> None:
    """The list's filters (naive datetimes, unknown statuses, forged cursors) and garbage Authorization headers."""
    import base64

    cursors = st.text(max_size=60) | st.binary(max_size=60).map(
        lambda b: base64.urlsafe_b64encode(b).decode().rstrip("="))
    queries = st.fixed_dictionaries({}, optional={
        "status": st.lists(st.sampled_from(["placed", "accepted", "teleported", "", "PLACED"]), max_size=3),
        "placed_after": naive_datetimes | st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
        | st.text(max_size=30),
        "limit": st.integers(-10, 10**12).map(str) | st.text(max_size=5),
        "cursor": cursors, "merchant_id": st.text(max_size=90), "customer_id": st.text(max_size=90),
    })
    latin1 = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=80)
    tokens = st.none() | st.builds(lambda scheme, rest: f"{scheme} {rest}",
                                   st.sampled_from(["Bearer", "bearer", "Basic", ""]), latin1)

    @seed(FUZZ_SEED)
    @FUZZ
    @given(query=queries, who=st.sampled_from(["anna", "staff", "admin"]), token=tokens)
    def check(query: dict[str, Any], who: str, token: str | None) -> None:
        assert_problem(api.client.get("/orders", params=query, headers=api.as_(who)))
        headers = {"Authorization": token.encode("latin-1")} if token is not None else {}
        assert_problem(api.client.get("/orders", params=query, headers=headers))

    check()


WRITE_ENDPOINTS = [("POST", "/orders", "anna"), ("POST", "/quotes", "anna"),
                   ("POST", "/orders/no-such-order/transitions", "staff"),
                   ("PATCH", "/merchants/pizzeria-donau/stock", "staff")]
MALFORMED = [
    ("application/json", b"not json"), ("application/json", b"{"), ("application/json", b'{"merchant_id": }'),
    ("application/json", b""), ("application/json", b"null"), ("application/json", b"[]"), ("application/json", b"42"),
    ("application/json", b'"a string"'), ("application/json", b'{"tip": NaN}'),
    ("application/json", b'{"tip": Infinity}'),
    ("application/json", b'{"merchant_id": "\xff\xfe"}'), ("application/json", b"\xef\xbb\xbf{}"),
    ("application/json", b'{"merchant_id": "a\\u0000b", "lines": [{"item_id": "\\u0000"}]}'),
    ("application/json", b'{"merchant_id": "\\ud800"}'),
    ("application/json", b"[" * 100_000 + b"]" * 100_000),
    ("application/json", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    ("application/json", b'{"lines": [' + b",".join([b'{"item_id": "x"}'] * 5000) + b"]}"),
    ("text/plain", b"two pizzas please"), ("application/xml", b"<order><item>pizza</item></order>"),
    ("application/x-www-form-urlencoded", b"merchant_id=pizzeria-donau&lines=1"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n"),
    ("application/octet-stream", bytes(range(256))), ("application/json; charset=latin-1", b'{"merchant_id": "\xe9"}'),
]


def test_non_json_bodies_and_wrong_content_types_are_problems(api: Api) -> None:
    """One test over every body (a fixture per body would cost more than the requests)."""
    wrong = []
    for content_type, body in MALFORMED:
        for method, path, who in WRITE_ENDPOINTS:
            response = api.client.request(method, path, content=body,
                                          headers={**api.as_(who), "Content-Type": content_type})
            try:
                assert response.status_code in (400, 404, 409, 415, 422)
                assert_problem(response)
            except AssertionError:
                wrong.append(f"{method} {path} {content_type} {body[:40]!r}: {response.status_code} "
                             f"{response.headers.get('content-type')} {response.text[:200]}")
    assert not wrong, "\n".join(wrong)


def test_bodies_over_a_megabyte_are_refused_with_413(api: Api) -> None:
    raw = json.dumps(margherita_cart(instructions="x" * 1_100_000)).encode()
    for chunked in (False, True):  # with a Content-Length, and streamed without one
        for method, path, who in WRITE_ENDPOINTS:
            content: Any = iter([raw[:1000], raw[1000:]]) if chunked else raw
            response = api.client.request(method, path, content=content,
                                          headers={**api.as_(who), "Content-Type": "application/json"})
            assert response.status_code == 413, (method, path, chunked, response.status_code, response.text[:300])
            assert_problem(response)
            assert response.json()["code"] == "request_too_large"
