"""GraphClient against the Graph API emulator process, over real HTTP on 127.0.0.1 (no mocked transport)."""
from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Iterator

import pytest

from server.channels.graph import GraphClient, GraphError
from server.channels.graph_payloads import (
    buttons_payload,
    ig_text_payload,
    list_payload,
    location_request_payload,
    template_payload,
    text_payload,
)
from tests.emulators.graph_emulator import GraphEmulator

PHONE_ID = "106540352242922"
IG_ID = "17841400000000000"
CUSTOMER = "4915112345678"
MESSAGES = rf"^/v21\.0/{PHONE_ID}/messages$"


class RecordedSleep:
    """Stands in for time.sleep: the waits the client asked for, without waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleep() -> RecordedSleep:
    return RecordedSleep()


@pytest.fixture
def client(graph_emulator: GraphEmulator, sleep: RecordedSleep) -> Iterator[GraphClient]:
    with GraphClient(graph_emulator.url, graph_emulator.token, timeout=2.0, sleep=sleep) as graph:
        yield graph


WHATSAPP_PAYLOADS = {
    "text": text_payload(CUSTOMER, "Your order #42 is on its way", preview_url=True),
    "buttons": buttons_payload(CUSTOMER, "Confirm the order?", [("confirm", "Yes, order"), ("cancel", "Cancel")],
                               header="Pizzeria Donau", footer="Total 18.50 EUR"),
    "list": list_payload(CUSTOMER, "What would you like?", "See the menu",
                         [("Pizza", [("p1", "Margherita", "Tomato, mozzarella"), ("p2", "Diavola", None)]),
                          ("Drinks", [("d1", "Lemonade", "0.33 l")])], header="Menu", footer="Open until 22:00"),
    "template": template_payload(CUSTOMER, "order_ready", "en_US", ["#42", "Pizzeria Donau"]),
    "location_request": location_request_payload(CUSTOMER, "Where should we deliver?"),
}


@pytest.mark.parametrize("kind", WHATSAPP_PAYLOADS)
def test_every_whatsapp_payload_kind_is_accepted_and_recorded(kind, client, graph_emulator):
    payload = WHATSAPP_PAYLOADS[kind]
    wamid = client.send_whatsapp(PHONE_ID, payload)

    assert wamid.startswith("wamid.")
    [request] = graph_emulator.requests(MESSAGES)
    assert request["json"] == payload
    assert request["response"]["body"]["messages"][0]["id"] == wamid
    assert request["headers"]["authorization"] == "Bearer <redacted>"
    assert request["headers"]["content-type"] == "application/json"
    assert graph_emulator.sent_whatsapp(to=CUSTOMER) == [payload]


def test_each_send_gets_its_own_id(client):
    ids = {client.send_whatsapp(PHONE_ID, text_payload(CUSTOMER, f"message {n}")) for n in range(5)}
    assert len(ids) == 5


def test_instagram_dm_with_quick_replies(client, graph_emulator):
    payload = ig_text_payload("998877", "Pickup or delivery?", [("PICKUP", "Pickup"), ("DELIVERY", "Delivery")])
    message_id = client.send_instagram(IG_ID, payload)

    assert message_id.startswith("mid.")
    assert graph_emulator.sent_instagram(recipient_id="998877") == [payload]
    [request] = graph_emulator.requests(rf"^/v21\.0/{IG_ID}/messages$")
    assert request["response"]["body"] == {"recipient_id": "998877", "message_id": message_id}


def test_private_reply_addresses_the_comment(client, graph_emulator):
    message_id = client.private_reply(IG_ID, "17900000000000001", "Thanks! Our menu is in your DMs.")

    assert message_id.startswith("mid.")
    assert graph_emulator.sent_instagram(comment_id="17900000000000001") == [
        {"recipient": {"comment_id": "17900000000000001"}, "message": {"text": "Thanks! Our menu is in your DMs."}}]


def test_messenger_profile_sets_ice_breakers_and_menu(client, graph_emulator):
    client.set_messenger_profile(
        IG_ID,
        ice_breakers=[{"question": "What's on the menu today?", "payload": "MENU"}],
        persistent_menu=[{"type": "postback", "title": "Order food", "payload": "ORDER"},
                         {"type": "web_url", "title": "Opening hours", "url": "https://mealkitz.example/hours"}],
    )

    [request] = graph_emulator.requests("messenger_profile$")
    assert request["path"] == f"/v21.0/{IG_ID}/messenger_profile"
    assert request["response"] == {"status": 200, "body": {"result": "success"}, "dropped": False}
    assert request["json"] == {
        "platform": "instagram",
        "ice_breakers": [{"locale": "default",
                          "call_to_actions": [{"question": "What's on the menu today?", "payload": "MENU"}]}],
        "persistent_menu": [{"locale": "default", "call_to_actions": [
            {"type": "postback", "title": "Order food", "payload": "ORDER"},
            {"type": "web_url", "title": "Opening hours", "url": "https://mealkitz.example/hours"}]}],
    }


# -- what Meta refuses --------------------------------------------------------------------------------------------

FORCED_VIOLATIONS = {
    "four buttons": {**WHATSAPP_PAYLOADS["buttons"], "interactive": {
        "type": "button", "body": {"text": "Pick"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": f"b{n}", "title": f"B{n}"}} for n in range(4)]}}},
    "button title of 21": {**WHATSAPP_PAYLOADS["buttons"], "interactive": {
        "type": "button", "body": {"text": "Pick"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "b", "title": "x" * 21}}]}}},
    "eleven rows": {**WHATSAPP_PAYLOADS["list"], "interactive": {
        "type": "list", "body": {"text": "Pick"},
        "action": {"button": "Menu", "sections": [
            {"title": "All", "rows": [{"id": f"r{n}", "title": f"Row {n}"} for n in range(11)]}]}}},
    "wrong messaging_product": {**WHATSAPP_PAYLOADS["text"], "messaging_product": "instagram"},
    "no recipient": {key: value for key, value in WHATSAPP_PAYLOADS["text"].items() if key != "to"},
    "fourteen quick replies": {"recipient": {"id": "998877"}, "message": {"text": "Pick", "quick_replies": [
        {"content_type": "text", "title": f"Q{n}", "payload": f"Q{n}"} for n in range(14)]}},
}


@pytest.mark.parametrize("violation", FORCED_VIOLATIONS)
def test_payloads_meta_would_refuse_are_refused_by_the_emulator(violation, client, graph_emulator, sleep):
    with pytest.raises(GraphError) as refused:
        client.post(f"/{PHONE_ID}/messages", FORCED_VIOLATIONS[violation])

    assert (refused.value.status, refused.value.code) == (400, 100)
    assert refused.value.retryable is False and refused.value.ambiguous is False
    assert len(graph_emulator.requests(MESSAGES)) == 1  # a 400 is never retried
    assert sleep.waits == []
    assert graph_emulator.sent_whatsapp() == [] and graph_emulator.sent_instagram() == []


def test_bad_token_is_oauth_error_190_and_not_retried(graph_emulator, sleep):
    with GraphClient(graph_emulator.url, "not-the-token", sleep=sleep) as client:
        with pytest.raises(GraphError) as refused:
            client.send_whatsapp(PHONE_ID, WHATSAPP_PAYLOADS["text"])

    assert (refused.value.status, refused.value.code, refused.value.error_type) == (401, 190, "OAuthException")
    assert refused.value.retryable is False
    assert len(graph_emulator.requests(MESSAGES)) == 1
    assert sleep.waits == []
    assert "not-the-token" not in str(graph_emulator.requests())


# -- retries --------------------------------------------------------------------------------------------------------

def test_500_then_200_sends_once_and_returns_the_second_answer(client, graph_emulator, sleep):
    graph_emulator.fault(MESSAGES, {"status": 500})

    wamid = client.send_whatsapp(PHONE_ID, WHATSAPP_PAYLOADS["text"])

    first, second = graph_emulator.requests(MESSAGES)
    assert first["fault"] and first["response"]["status"] == 500
    assert second["response"]["status"] == 200
    assert second["response"]["body"]["messages"][0]["id"] == wamid
    assert len(graph_emulator.sent_whatsapp()) == 1
    assert len(sleep.waits) == 1 and 0 <= sleep.waits[0] <= 0.5  # full jitter under backoff_base


def test_429_waits_as_long_as_retry_after_says(client, graph_emulator, sleep):
    graph_emulator.fault(MESSAGES, {"status": 429, "headers": {"Retry-After": "7"}},
                         {"status": 429, "headers": {"Retry-After": "2"}})

    client.send_whatsapp(PHONE_ID, WHATSAPP_PAYLOADS["text"])

    assert sleep.waits == [7.0, 2.0]
    assert [r["response"]["status"] for r in graph_emulator.requests(MESSAGES)] == [429, 429, 200]


def test_a_retry_after_too_long_to_wait_goes_back_to_the_caller(client, graph_emulator, sleep):
    graph_emulator.fault(MESSAGES, {"status": 429, "headers": {"Retry-After": "120"}})

    with pytest.raises(GraphError) as later:
        client.send_whatsapp(PHONE_ID, WHATSAPP_PAYLOADS["text"])

    assert (later.value.retryable, later.value.retry_after, later.value.code) == (True, 120.0, 4)
    assert sleep.waits == []  # a worker does not sleep for two minutes; the job queue reschedules
    assert len(graph_emulator.requests(MESSAGES)) == 1


class MidpointRandom(random.Random):
    """A fixed random source: every draw is 0.5, so a full-jitter wait is half its ceiling."""

    def random(self) -> float:
        return 0.5


def test_retries_stop_after_max_attempts_with_growing_backoff(graph_emulator, sleep):
    graph_emulator.fault(MESSAGES, *[{"status": 503}] * 5)
    with GraphClient(graph_emulator.url, graph_emulator.token, max_attempts=4, backoff_base=1.0, backoff_max=3.0,
                     sleep=sleep, rng=MidpointRandom()) as client, pytest.raises(GraphError) as gave_up:
        client.send_whatsapp(PHONE_ID, WHATSAPP_PAYLOADS["text"])

    assert gave_up.value.status == 503 and gave_up.value.retryable is True
    assert len(graph_emulator.requests(MESSAGES)) == 4
    assert sleep.waits == [0.5, 1.0, 1.5]  # ceilings 1, 2, then capped at 3


def test_the_backoff_jitter_spreads_retries_over_the_whole_window(graph_emulator, sleep):
    """Production draws from a real random source: waits differ between clients and stay under the ceiling."""
    graph_emulator.fault(MESSAGES, *[{"status": 503}] * 40)
    for _ in range(10):
        with GraphClient(graph_emulator.url, graph_emulator.token, max_attempts=2, backoff_base=1.0,
                         sleep=sleep) as client, pytest.raises(GraphError):
            client.send_whatsapp(PHONE_ID, WHATSAPP_PAYLOADS["text"])
    assert len(sleep.waits) == 10 and all(0 <= wait <= 1.0 for wait in sleep.waits)
    assert len(set(sleep.waits)) > 1


def test_a_timed_out_send_is_ambiguous_and_never_resent(graph_emulator, sleep):
    graph_emulator.fault(MESSAGES, {"delay_seconds": 1.5})  # Meta sends it, but answers after our timeout
    with GraphClient(graph_emulator.url, graph_emulator.token, timeout=0.5, sleep=sleep) as client:
        with pytest.raises(GraphError) as unsure:
            client.send_whatsapp(PHONE_ID, WHATSAPP_PAYLOADS["text"])

    assert unsure.value.ambiguous is True and unsure.value.retryable is False
    assert sleep.waits == []
    assert len(graph_emulator.requests(MESSAGES)) == 1


def test_a_dropped_connection_after_sending_is_ambiguous(client, graph_emulator, sleep):
    graph_emulator.fault(MESSAGES, {"drop": True})

    with pytest.raises(GraphError) as unsure:
        client.send_whatsapp(PHONE_ID, WHATSAPP_PAYLOADS["text"])

    assert unsure.value.ambiguous is True and unsure.value.retryable is False
    [request] = graph_emulator.requests(MESSAGES)
    assert request["response"]["dropped"] is True
    assert len(graph_emulator.sent_whatsapp()) == 1  # it did go out: resending would send it twice


def test_connect_failures_are_retried_and_never_ambiguous(sleep):
    from tests.server.live_server import free_port

    with GraphClient(f"http://127.0.0.1:{free_port()}", "t", max_attempts=3, sleep=sleep) as client:
        with pytest.raises(GraphError) as unreachable:
            client.send_whatsapp(PHONE_ID, WHATSAPP_PAYLOADS["text"])

    assert unreachable.value.retryable is True and unreachable.value.ambiguous is False
    assert len(sleep.waits) == 2


def test_reads_are_retried_even_when_the_answer_was_lost(client, graph_emulator):
    graph_emulator.add_media("555", b"x", "image/jpeg")
    graph_emulator.fault(r"/555$", {"drop": True}, method="GET")

    assert client.media_info("555")["id"] == "555"
    assert len(graph_emulator.requests(r"/555$")) == 2


# -- media ------------------------------------------------------------------------------------------------------------

def test_media_download_round_trip_checks_sha256(client, graph_emulator):
    voice_note = bytes(range(256)) * 40
    graph_emulator.add_media("1013859600285441", voice_note, "audio/ogg; codecs=opus")

    data, mime = client.download_media("1013859600285441")

    assert data == voice_note and mime == "audio/ogg; codecs=opus"
    info, download = graph_emulator.requests()
    assert info["path"] == "/v21.0/1013859600285441"
    assert info["response"]["body"]["sha256"] == base64.b64encode(hashlib.sha256(voice_note).digest()).decode()
    assert download["path"] == "/media-bytes/1013859600285441"
    assert download["headers"]["authorization"] == "Bearer <redacted>"  # Meta's media URL needs the token


def test_media_with_a_wrong_sha256_is_refused(client, graph_emulator):
    graph_emulator.add_media("777", b"the real bytes", "image/jpeg",
                             sha256=base64.b64encode(hashlib.sha256(b"other bytes").digest()).decode())

    with pytest.raises(GraphError, match="sha256"):
        client.download_media("777")


def test_media_over_the_size_limit_is_refused_before_download(client, graph_emulator):
    graph_emulator.add_media("888", b"x" * 2000, "image/jpeg")

    with pytest.raises(GraphError, match="limit"):
        client.download_media("888", max_bytes=1000)
    assert [r["path"] for r in graph_emulator.requests()] == ["/v21.0/888"]


# -- Instagram publishing ---------------------------------------------------------------------------------------------

def test_publish_polls_the_container_until_finished(client, graph_emulator, sleep):
    graph_emulator.configure(container_polls=3)

    media_id = client.publish_instagram(IG_ID, image_url="https://cdn.example/lunch.jpg", caption="Today: risotto",
                                        poll_seconds=2.0)

    create, *polls, publish = graph_emulator.requests()
    assert create["path"] == f"/v21.0/{IG_ID}/media"
    assert create["json"] == {"image_url": "https://cdn.example/lunch.jpg", "caption": "Today: risotto"}
    container_id = create["response"]["body"]["id"]
    assert [p["response"]["body"]["status_code"] for p in polls] == ["IN_PROGRESS"] * 3 + ["FINISHED"]
    assert all(p["query"] == {"fields": "status_code"} and p["path"].endswith(container_id) for p in polls)
    assert sleep.waits == [2.0] * 3
    assert publish["json"] == {"creation_id": container_id}
    assert publish["response"]["body"] == {"id": media_id}


def test_story_containers_say_stories_and_carry_no_caption(client, graph_emulator):
    client.publish_instagram(IG_ID, image_url="https://cdn.example/s.jpg", caption="ignored", story=True,
                             poll_seconds=0)

    create = graph_emulator.requests(r"/media$")[0]
    assert create["json"] == {"image_url": "https://cdn.example/s.jpg", "media_type": "STORIES"}


def test_a_container_in_error_is_not_published(client, graph_emulator):
    graph_emulator.configure(container_polls=0, container_outcome="ERROR")

    with pytest.raises(GraphError, match="ERROR"):
        client.publish_instagram(IG_ID, image_url="https://cdn.example/broken.jpg", poll_seconds=0)
    assert graph_emulator.requests(r"/media_publish$") == []


def test_a_container_never_ready_gives_up_after_max_polls(client, graph_emulator, sleep):
    graph_emulator.configure(container_polls=100)

    with pytest.raises(GraphError, match="not ready"):
        client.publish_instagram(IG_ID, image_url="https://cdn.example/slow.jpg", poll_seconds=1.0, max_polls=5)
    assert len(graph_emulator.requests(r"^/v21\.0/\d+$")) == 5
    assert graph_emulator.requests(r"/media_publish$") == []


def test_the_access_token_never_reaches_the_logs(graph_emulator, sleep, caplog):
    graph_emulator.fault(MESSAGES, {"status": 500}, {"status": 400})
    caplog.set_level("DEBUG")
    with GraphClient(graph_emulator.url, graph_emulator.token, sleep=sleep) as client, pytest.raises(GraphError):
        client.send_whatsapp(PHONE_ID, WHATSAPP_PAYLOADS["text"])

    assert any("retrying" in record.getMessage() for record in caplog.records)
    assert graph_emulator.token not in caplog.text
