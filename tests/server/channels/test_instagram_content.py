"""Instagram beyond the inbox, through the API, the job workers and the Graph API emulator process, on both
databases: posts approved by the owner and published, DMs about them, private replies to comments, story
mentions, and the ice breakers. The demo kitchens at Wednesday noon."""
from __future__ import annotations

import json
import time
from itertools import count
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from server.db import channel_tables as ct
from server.db import tables as t
from tests.emulators.graph_emulator import GraphEmulator
from tests.server.channels.chat import IG_ACCOUNT_ID, signed_post, wait_until
from tests.server.conftest import Api

POSTS = "/merchants/pizzeria-donau/instagram/posts"
IMAGE = "https://cdn.example.com/garlic-bread.jpg"
CUSTOMER = "9911223344"
_ids = count(1)


def db_rows(url: str, query: Any) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(query))
    finally:
        engine.dispose()


def published_post(api: Api, url: str, **body: Any) -> dict[str, Any]:
    """Draft a garlic bread post as staff, approve it as the owner, wait for the job to publish it."""
    response = api.post(POSTS, "staff", {"item_ids": ["garlic_bread"], "kind": "post", "image_url": IMAGE, **body})
    assert response.status_code == 201, response.text
    draft = response.json()
    assert draft["status"] == "pending_approval"
    approved = api.post(f"{POSTS}/{draft['id']}/approve", "owner", {})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"

    def done() -> bool:
        return next(p for p in api.get(POSTS, "owner").json() if p["id"] == draft["id"])["status"] == "published"

    wait_until(done, 30, "the post was not published")
    return next(p for p in api.get(POSTS, "owner").json() if p["id"] == draft["id"])


def ig_event(message: dict[str, Any], sender: str = CUSTOMER) -> dict[str, Any]:
    """A DM in Meta's Instagram webhook shape."""
    return {"object": "instagram", "entry": [{"id": IG_ACCOUNT_ID, "time": int(time.time()), "messaging": [{
        "sender": {"id": sender}, "recipient": {"id": IG_ACCOUNT_ID}, "timestamp": int(time.time() * 1000),
        "message": {"mid": f"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOj{next(_ids)}", **message}}]}]}


def comment_event(media_id: str, comment_id: str, text: str, author: str = "4455667788",
                  username: str = "hungry.anna") -> dict[str, Any]:
    return {"object": "instagram", "entry": [{"id": IG_ACCOUNT_ID, "time": int(time.time()), "changes": [{
        "field": "comments", "value": {"from": {"id": author, "username": username},
                                       "media": {"id": media_id, "media_product_type": "FEED"},
                                       "id": comment_id, "text": text}}]}]}


def dm(api: Api, emulator: GraphEmulator, url: str, message: dict[str, Any]) -> list[dict[str, Any]]:
    """Deliver a DM, wait until it is answered and sent, return the messages sent back for it."""
    before = len(emulator.sent_instagram(recipient_id=CUSTOMER))
    body = ig_event(message)
    assert signed_post(api.client, "/webhooks/instagram", body).status_code == 200
    row_id = f"instagram:{body['entry'][0]['messaging'][0]['message']['mid']}"
    m, o = ct.channel_messages.c, ct.outbound_messages.c
    wait_until(lambda: db_rows(url, select(m.processed_at).where(m.id == row_id))[0][0] is not None, 30,
               "the DM was not processed")
    wait_until(lambda: not db_rows(url, select(o.id).where(o.recipient == CUSTOMER,
                                                           o.status.in_(["queued", "sending"]))), 30,
               "the answer was not sent")
    return emulator.sent_instagram(recipient_id=CUSTOMER)[before:]


def job_done(url: str, dedupe_key: str) -> bool:
    rows = db_rows(url, select(t.jobs.c.status).where(t.jobs.c.dedupe_key == dedupe_key))
    return bool(rows) and rows[0][0] in ("done", "dead")


def quick_titles(message: dict[str, Any]) -> list[str]:
    return [q["title"] for q in message["message"].get("quick_replies", [])]


def test_approved_post_is_published_and_dms_about_it_order_its_dish(
        chat_api: Api, graph_emulator: GraphEmulator, demo_database_url: str) -> None:
    post = published_post(chat_api, demo_database_url)
    assert post["caption"].splitlines() == ["From Pizzeria Donau:", "• Garlic bread: €4.50",
                                            "Send us a DM to order 📩"]
    assert post["approved_by"].startswith("merchant_owner:") and post["media_id"] and post["published_at"]
    [container] = [r for r in graph_emulator.requests(rf"/{IG_ACCOUNT_ID}/media$") if r["method"] == "POST"]
    assert container["json"] == {"image_url": IMAGE, "caption": post["caption"]}
    [publish] = graph_emulator.requests(rf"/{IG_ACCOUNT_ID}/media_publish$")
    assert publish["json"]["creation_id"] and publish["response"]["status"] == 200

    # a reply to the post in the DMs: no "which kitchen?", the dish's price with Add buttons
    [answer] = dm(chat_api, graph_emulator, demo_database_url,
                  {"text": "is this available?", "reply_to": {"story": {"id": post["media_id"], "url": IMAGE}}})
    assert "Garlic bread: €4.50" in answer["message"]["text"]
    assert quick_titles(answer) == ["Add 1", "Add 2"]

    # sharing the post and asking for two puts two in the cart
    replies = dm(chat_api, graph_emulator, demo_database_url,
                 {"text": "2 of these", "attachments": [{"type": "share", "payload": {"id": post["media_id"]}}]})
    assert any("2× Garlic bread" in r["message"]["text"] for r in replies), replies
    [state] = db_rows(demo_database_url, select(ct.conversations.c.state).where(ct.conversations.c.sender == CUSTOMER))
    lines = json.loads(state[0])["lines"]
    assert [(line["item_id"], line["quantity"]) for line in lines] == [("garlic_bread", 2)]


def test_stories_publish_without_caption_and_drafts_are_checked(
        chat_api: Api, graph_emulator: GraphEmulator, demo_database_url: str) -> None:
    story = published_post(chat_api, demo_database_url, kind="story", caption="Tonight only")
    container = [r for r in graph_emulator.requests(rf"/{IG_ACCOUNT_ID}/media$") if r["method"] == "POST"][-1]
    assert container["json"] == {"image_url": IMAGE, "media_type": "STORIES"}
    assert story["caption"] == "Tonight only"

    unknown = chat_api.post(POSTS, "owner", {"item_ids": ["garlic_bread", "caviar"], "image_url": IMAGE})
    assert unknown.status_code == 422 and unknown.json()["code"] == "instagram_unknown_items"
    no_image = chat_api.post(POSTS, "owner", {"item_ids": ["garlic_bread"]})
    assert no_image.status_code == 422 and no_image.json()["code"] == "instagram_no_image"
    other = chat_api.post("/merchants/wachau-bowls/instagram/posts", "owner",
                          {"item_ids": ["garlic_bread"], "image_url": IMAGE})
    assert other.status_code == 403

    draft = chat_api.post(POSTS, "staff", {"item_ids": ["garlic_bread"], "image_url": IMAGE}).json()
    staff = chat_api.post(f"{POSTS}/{draft['id']}/approve", "staff", {})
    assert staff.status_code == 403
    rejected = chat_api.post(f"{POSTS}/{draft['id']}/reject", "owner", {})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    again = chat_api.post(f"{POSTS}/{draft['id']}/approve", "owner", {})
    assert again.status_code == 409 and again.json()["code"] == "instagram_post_not_pending"
    missing = chat_api.post(f"{POSTS}/nope/approve", "admin", {})
    assert missing.status_code == 404 and missing.json()["code"] == "instagram_post_not_found"


def test_a_price_comment_gets_one_private_reply_however_often_it_is_delivered(
        chat_api: Api, graph_emulator: GraphEmulator, demo_database_url: str) -> None:
    post = published_post(chat_api, demo_database_url)
    price = comment_event(post["media_id"], "17890000000000001", "How much is this? 😍")
    for _ in range(3):
        assert signed_post(chat_api.client, "/webhooks/instagram", price).status_code == 200
    unrelated = comment_event(post["media_id"], "17890000000000002", "Looks great!!")
    ours = comment_event(post["media_id"], "17890000000000003", "Order in the DM!", author=IG_ACCOUNT_ID)
    elsewhere = comment_event("999999", "17890000000000004", "precio?")
    for body in (unrelated, ours, elsewhere):
        assert signed_post(chat_api.client, "/webhooks/instagram", body).status_code == 200

    for n in range(1, 5):
        wait_until(lambda n=n: job_done(demo_database_url, f"comment:1789000000000000{n}"), 30,
                   f"comment {n} was not handled")
    o = ct.outbound_messages.c
    wait_until(lambda: not db_rows(demo_database_url, select(o.id).where(o.status.in_(["queued", "sending"]))), 30,
               "the private reply was not sent")
    [reply] = graph_emulator.sent_instagram(comment_id="17890000000000001")
    assert reply["message"]["text"].startswith("Hi hungry.anna! From Pizzeria Donau: Garlic bread €4.50.")
    for n in (2, 3, 4):
        assert graph_emulator.sent_instagram(comment_id=f"1789000000000000{n}") == []
    assert len(db_rows(demo_database_url, select(o.id).where(o.kind == "private_reply"))) == 1


def test_spanish_comment_is_answered_in_spanish(chat_api: Api, graph_emulator: GraphEmulator,
                                                demo_database_url: str) -> None:
    post = published_post(chat_api, demo_database_url)
    body = comment_event(post["media_id"], "17890000000000009", "¿Cuánto cuesta? Quiero pedir")
    assert signed_post(chat_api.client, "/webhooks/instagram", body).status_code == 200
    wait_until(lambda: bool(graph_emulator.sent_instagram(comment_id="17890000000000009")), 30, "no reply")
    [reply] = graph_emulator.sent_instagram(comment_id="17890000000000009")
    assert reply["message"]["text"].startswith("¡Hola hungry.anna! De Pizzeria Donau: Pan de ajo")


def test_a_story_mention_is_thanked(chat_api: Api, graph_emulator: GraphEmulator, demo_database_url: str) -> None:
    mention = {"attachments": [
        {"type": "story_mention", "payload": {"url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1"}}]}
    # the demo account sells for three kitchens: a first-time customer chooses one first
    [which] = dm(chat_api, graph_emulator, demo_database_url, mention)
    assert "Which kitchen" in which["message"]["text"] and "Pizzeria Donau" in quick_titles(which)
    dm(chat_api, graph_emulator, demo_database_url,
       {"text": "Pizzeria Donau", "quick_reply": {"payload": "merchant:pizzeria-donau"}})
    [thanks] = dm(chat_api, graph_emulator, demo_database_url, mention)
    assert thanks["message"]["text"].startswith("Thanks for the mention")
    assert quick_titles(thanks) == ["Menu"]


def test_profile_sets_ice_breakers_and_menu(chat_api: Api, graph_emulator: GraphEmulator) -> None:
    assert chat_api.post("/channels/instagram/profile", "owner", {}).status_code == 403
    response = chat_api.post("/channels/instagram/profile", "admin", {})
    assert response.status_code == 200, response.text
    [sent] = graph_emulator.requests(rf"/{IG_ACCOUNT_ID}/messenger_profile$")
    assert sent["response"]["status"] == 200
    assert sent["json"] == {
        "platform": "instagram",
        "ice_breakers": [{"locale": "default", "call_to_actions": [
            {"question": "See the menu", "payload": "menu"}, {"question": "My last order", "payload": "repeat"},
            {"question": "Order status", "payload": "status"}]}],
        "persistent_menu": [{"locale": "default", "call_to_actions": [
            {"type": "postback", "title": "See the menu", "payload": "menu"},
            {"type": "postback", "title": "My last order", "payload": "repeat"},
            {"type": "postback", "title": "Order status", "payload": "status"}]}]}


@pytest.mark.parametrize("language,first", [("es", "Ver el menú")])
def test_profile_in_another_language(chat_api: Api, graph_emulator: GraphEmulator, language: str,
                                     first: str) -> None:
    response = chat_api.post("/channels/instagram/profile", "admin", {"language": language})
    assert response.status_code == 200, response.text
    assert response.json()["ice_breakers"][0] == {"question": first, "payload": "menu"}
