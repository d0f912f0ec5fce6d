"""Meta webhooks: the subscription handshake, and deliveries stored durably before they are acknowledged.

A POST is answered 200 only once its messages are committed with a processing job each (one per message
id, so Meta's retries are recognised and add nothing). The conversation runs later in a job worker: a crash
after the 200 loses nothing, and answering fast keeps Meta from retrying at all.
"""
from __future__ import annotations

import json
from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency

from core.errors import ChannelError, DomainError
from server.channels import accounts, instagram, whatsapp
from server.channels import service as channels
from server.channels.signature import HEADER, is_valid, verify_token_matches
from server.channels.whatsapp import EnvelopeError
from server.services import Services

PARSERS = {"whatsapp": whatsapp.parse_delivery, "instagram": instagram.parse_delivery}


def handshake(request: Request, services: Services, channel: str) -> Response[str]:  # type: ignore[type-arg]
    """GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C: echo C when T is ours, else 403."""
    params = request.query_params
    with services.connection() as conn:
        tokens = accounts.verify_tokens(conn, services.settings, channel)
    if not verify_token_matches(params.get("hub.verify_token"), tokens) or params.get("hub.mode") != "subscribe":
        raise DomainError(ChannelError.VERIFY_TOKEN_MISMATCH, "hub.verify_token does not match this server's")
    return Response(str(params.get("hub.challenge", "")), media_type=MediaType.TEXT)


async def receive(request: Request, services: Services,  # type: ignore[type-arg]
                  channel: str) -> Response[dict[str, Any]]:
    """Store a signed delivery. Each business account it names must have signed it with its own app secret,
    so one business cannot speak for another; accounts we do not serve are left out."""
    body = await request.body()
    header = request.headers.get(HEADER)
    with services.connection() as conn:
        everyone = accounts.app_secrets(conn, services.settings, channel)
    if not is_valid(body, header, everyone):  # before reading a byte of it
        raise DomainError(ChannelError.INVALID_SIGNATURE,
                          f"{HEADER} is missing or does not sign this body with an app secret of ours")
    try:
        delivery = PARSERS[channel](json.loads(body))
    except (ValueError, TypeError, AttributeError, KeyError, EnvelopeError) as exc:
        raise DomainError(ChannelError.NOT_A_WEBHOOK, f"not a {channel} webhook delivery: {exc}"[:300]) from None
    with services.connection() as conn:
        served = {a: acc for a in delivery.account_ids
                  if (acc := accounts.account_for(conn, services.settings, channel, a))}
    if not all(is_valid(body, header, [acc.app_secret]) for acc in served.values()):
        raise DomainError(ChannelError.INVALID_SIGNATURE,
                          f"{HEADER} does not sign this body with the app secret of every account it names")
    delivery = delivery.only_for(set(served))
    stored = await services.execute(channels.store_delivery, channels.StoreDelivery(delivery, services.clock()))
    return Response({"received": len(delivery.messages), "new": stored, "statuses": len(delivery.statuses)})


class WebhookController(Controller):
    path = "/webhooks"
    tags = ["channels"]
    security = [{}]  # Meta signs its requests; no bearer token

    @get("/whatsapp", media_type=MediaType.TEXT, sync_to_thread=True)
    def whatsapp_handshake(self, request: Request,  # type: ignore[type-arg]
                           services: NamedDependency[Services]) -> Response[str]:
        """WhatsApp Cloud API subscription check."""
        return handshake(request, services, "whatsapp")

    @post("/whatsapp", status_code=200)
    async def whatsapp_delivery(self, request: Request,  # type: ignore[type-arg]
                                services: NamedDependency[Services]) -> Response[dict[str, Any]]:
        """WhatsApp messages and statuses, signed with X-Hub-Signature-256."""
        return await receive(request, services, "whatsapp")

    @get("/instagram", media_type=MediaType.TEXT, sync_to_thread=True)
    def instagram_handshake(self, request: Request,  # type: ignore[type-arg]
                            services: NamedDependency[Services]) -> Response[str]:
        """Instagram Messaging subscription check."""
        return handshake(request, services, "instagram")

    @post("/instagram", status_code=200)
    async def instagram_delivery(self, request: Request,  # type: ignore[type-arg]
                                 services: NamedDependency[Services]) -> Response[dict[str, Any]]:
        """Instagram messages, postbacks and comments, signed like WhatsApp's."""
        return await receive(request, services, "instagram")
