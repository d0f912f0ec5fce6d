"""The Graph API emulator itself, driven with plain HTTP: protocol, validation, faults and the control API."""
from __future__ import annotations

import re

import httpx
import pytest

from server.channels.graph_payloads import buttons_payload, ig_text_payload, list_payload, text_payload
from tests.emulators.graph_emulator import GraphEmulator

TO = "4915112345678"


@pytest.fixture
def http(graph_emulator: GraphEmulator):
    with httpx.Client(base_url=graph_emulator.url, timeout=5.0,
                      headers={"Authorization": f"Bearer {graph_emulator.token}"}) as client:
        yield client


def test_any_version_prefix_is_served(http):
    for version in ("v17.0", "v21.0", "v25.0"):
        answer = http.post(f"/{version}/123/messages", json=text_payload(TO, "hi"))
        assert answer.status_code == 200
        assert re.fullmatch(r"wamid\.[A-Za-z0-9+/=]+", answer.json()["messages"][0]["id"])
    assert http.post("/123/messages", json=text_payload(TO, "hi")).status_code == 400


def test_whatsapp_answer_shape(http):
    body = http.post("/v21.0/123/messages", json=text_payload("+49 151 12345678", "hi")).json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": "+49 151 12345678", "wa_id": "4915112345678"}]


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic dGVzdA=="])
def test_bad_or_missing_token_is_oauth_190(graph_emulator, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    answer = httpx.post(f"{graph_emulator.url}/v21.0/123/messages", json=text_payload(TO, "hi"), headers=headers)

    assert answer.status_code == 401
    error = answer.json()["error"]
    assert (error["code"], error["type"]) == (190, "OAuthException")
    assert error["fbtrace_id"]
    assert graph_emulator.sent_whatsapp() == []


def test_access_token_query_parameter_is_accepted_and_redacted(graph_emulator):
    answer = httpx.post(f"{graph_emulator.url}/v21.0/123/messages?access_token={graph_emulator.token}",
                        json=text_payload(TO, "hi"))
    assert answer.status_code == 200
    assert graph_emulator.requests()[0]["query"] == {"access_token": "<redacted>"}


def test_the_limits_builders_allow_are_the_limits_the_emulator_allows(http, graph_emulator):
    widest = [
        text_payload(TO, "x" * 4096),
        buttons_payload(TO, "x" * 1024, [("a" * 256, "t" * 20), ("b", "B"), ("c", "C")], header="h" * 60,
                        footer="f" * 60),
        list_payload(TO, "x" * 4096, "b" * 20,
                     [("s" * 24, [("r" * 200, "t" * 24, "d" * 72)])] + [(f"S{n}", [(f"r{n}", "T", None)])
                                                                         for n in range(9)]),
        ig_text_payload("998877", "x" * 1000, [(f"P{n}", f"T{n}") for n in range(13)]),
    ]
    for payload in widest:
        answer = http.post("/v21.0/123/messages", json=payload)
        assert answer.status_code == 200, answer.text
    assert len(graph_emulator.sent_whatsapp()) == 3 and len(graph_emulator.sent_instagram()) == 1


@pytest.mark.parametrize(("mutate", "detail"), [
    (lambda p: p["interactive"]["action"]["buttons"].append(
        {"type": "reply", "reply": {"id": "z", "title": "Z"}}) or p["interactive"]["action"]["buttons"].append(
        {"type": "reply", "reply": {"id": "y", "title": "Y"}}), "1 to 3 buttons"),
    (lambda p: p["interactive"]["action"]["buttons"][0]["reply"].update(title="x" * 21), "button title is too long"),
    (lambda p: p["interactive"]["action"]["buttons"][0]["reply"].pop("id"), "button id is required"),
    (lambda p: p["interactive"]["action"]["buttons"][1]["reply"].update(title="Yes"), "button titles must be unique"),
    (lambda p: p["interactive"]["body"].update(text="x" * 1025), "interactive.body.text is too long"),
    (lambda p: p["interactive"].pop("body"), "interactive.body.text is required"),
    (lambda p: p.update(messaging_product="whatsap"), "messaging_product"),
    (lambda p: p.update(recipient_type="everyone"), "recipient_type"),
], ids=lambda value: value if isinstance(value, str) else "mutated")
def test_invalid_whatsapp_payloads_get_meta_code_100(http, graph_emulator, mutate, detail):
    payload = buttons_payload(TO, "Confirm?", [("yes", "Yes"), ("no", "No")])
    mutate(payload)

    answer = http.post("/v21.0/123/messages", json=payload)

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["code"], error["message"]) == (100, "(#100) Invalid parameter")
    assert detail in error["error_data"]["details"]
    assert graph_emulator.sent_whatsapp() == []
    assert graph_emulator.requests()[0]["response"]["status"] == 400


def test_list_rows_are_counted_across_sections(http):
    payload = list_payload(TO, "Pick", "Menu", [("A", [(f"a{n}", "A", None) for n in range(6)]),
                                                ("B", [(f"b{n}", "B", None) for n in range(4)])])
    payload["interactive"]["action"]["sections"][1]["rows"].append({"id": "b9", "title": "One too many"})

    answer = http.post("/v21.0/123/messages", json=payload)
    assert answer.status_code == 400
    assert "at most 10 rows" in answer.json()["error"]["error_data"]["details"]


def test_instagram_titles_over_20_are_accepted_because_instagram_truncates(http):
    payload = {"recipient": {"id": "1"}, "message": {"text": "Pick", "quick_replies": [
        {"content_type": "text", "title": "t" * 30, "payload": "P"}]}}
    assert http.post("/v21.0/1789/messages", json=payload).status_code == 200


def test_instagram_recipient_needs_exactly_one_address(http):
    payload = {"recipient": {"id": "1", "comment_id": "2"}, "message": {"text": "hi"}}
    assert http.post("/v21.0/1789/messages", json=payload).json()["error"]["code"] == 100


def test_ids_are_unique(http):
    wamids = {http.post("/v21.0/123/messages", json=text_payload(TO, "hi")).json()["messages"][0]["id"]
              for _ in range(20)}
    mids = {http.post("/v21.0/1789/messages", json=ig_text_payload("1", "hi")).json()["message_id"]
            for _ in range(20)}
    assert len(wamids) == 20 and len(mids) == 20 and all(mid.startswith("mid.") for mid in mids)


def test_faults_are_consumed_in_order_then_normal_handling_resumes(http, graph_emulator):
    graph_emulator.fault(r"/messages$", {"status": 500}, {"status": 429, "headers": {"Retry-After": "3"}},
                         method="POST")

    statuses = [http.post("/v21.0/123/messages", json=text_payload(TO, "hi")) for _ in range(3)]

    assert [answer.status_code for answer in statuses] == [500, 429, 200]
    assert statuses[0].json()["error"]["code"] == 2
    assert statuses[1].headers["Retry-After"] == "3"
    assert [entry["fault"] for entry in graph_emulator.requests()] == [True, True, False]


def test_faults_only_match_their_method_and_path(http, graph_emulator):
    graph_emulator.fault(r"/messages$", {"status": 503}, method="GET")
    assert http.post("/v21.0/123/messages", json=text_payload(TO, "hi")).status_code == 200
    graph_emulator.fault(r"/media_publish$", {"status": 503})
    assert http.post("/v21.0/123/messages", json=text_payload(TO, "hi")).status_code == 200


def test_a_dropped_answer_still_sends(http, graph_emulator):
    graph_emulator.fault(r"/messages$", {"drop": True})
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/v21.0/123/messages", json=text_payload(TO, "hi"))
    [entry] = graph_emulator.requests()
    assert entry["response"]["dropped"] is True
    assert entry["response"]["status"] == 200  # Meta sent it; only the answer was lost
    assert len(graph_emulator.sent_whatsapp()) == 1


def test_a_dropped_fault_with_a_status_is_not_processed(http, graph_emulator):
    graph_emulator.fault(r"/messages$", {"status": 502, "drop": True})
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/v21.0/123/messages", json=text_payload(TO, "hi"))
    assert graph_emulator.requests()[0]["response"] == {"status": None, "dropped": True}
    assert graph_emulator.sent_whatsapp() == []


def test_requests_filter_by_sequence_and_path_and_sequence_survives_reset(http, graph_emulator):
    http.post("/v21.0/123/messages", json=text_payload(TO, "one"))
    http.get("/v21.0/does-not-exist")
    first, second = graph_emulator.requests()
    assert second["seq"] > first["seq"]
    assert graph_emulator.requests(since=first["seq"]) == [second]
    assert [e["path"] for e in graph_emulator.requests(path_regex="messages")] == ["/v21.0/123/messages"]

    graph_emulator.reset()
    assert graph_emulator.requests() == []
    http.post("/v21.0/123/messages", json=text_payload(TO, "two"))
    assert graph_emulator.requests()[0]["seq"] > second["seq"]


def test_unknown_nodes_answer_like_meta(http):
    error = http.get("/v21.0/424242").json()["error"]
    assert (error["code"], error["error_subcode"], error["type"]) == (100, 33, "GraphMethodException")


def test_media_info_points_back_at_the_emulator_and_bytes_need_the_token(http, graph_emulator):
    graph_emulator.add_media("42", b"\x89PNG...", "image/png")

    info = http.get("/v21.0/42").json()
    assert info["url"] == f"{graph_emulator.url}/media-bytes/42"
    assert (info["mime_type"], info["file_size"], info["id"]) == ("image/png", 7, "42")
    assert http.get(info["url"]).content == b"\x89PNG..."
    assert httpx.get(info["url"]).status_code == 401


def test_publishing_an_unfinished_container_is_refused(http, graph_emulator):
    container = http.post("/v21.0/1789/media", json={"image_url": "https://cdn.example/a.jpg"}).json()["id"]

    early = http.post("/v21.0/1789/media_publish", json={"creation_id": container})
    assert (early.status_code, early.json()["error"]["code"]) == (400, 9007)
    statuses = [http.get(f"/v21.0/{container}", params={"fields": "status_code"}).json()["status_code"]
                for _ in range(3)]
    assert statuses == ["IN_PROGRESS", "IN_PROGRESS", "FINISHED"]
    published = http.post("/v21.0/1789/media_publish", json={"creation_id": container})
    assert published.status_code == 200 and published.json()["id"] != container
    again = http.post("/v21.0/1789/media_publish", json={"creation_id": container})
    assert again.status_code == 400  # a container publishes once


def test_containers_need_an_image_url(http):
    assert http.post("/v21.0/1789/media", json={"caption": "no image"}).json()["error"]["code"] == 100


def test_messenger_profile_needs_a_default_locale(http):
    body = {"platform": "instagram", "ice_breakers": [
        {"locale": "en_GB", "call_to_actions": [{"question": "Menu?", "payload": "MENU"}]}]}
    assert http.post("/v21.0/me/messenger_profile", json=body).json()["error"]["code"] == 100
    body["ice_breakers"][0]["locale"] = "default"
    assert http.post("/v21.0/me/messenger_profile", json=body).json() == {"result": "success"}
