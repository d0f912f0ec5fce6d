"""Voice notes from a chat: the audio fetched from the channel, transcribed against the kitchen's menu."""
from __future__ import annotations

import threading
from typing import Any

from core.errors import DomainError
from server.channels import accounts, instagram, store, whatsapp
from server.channels.graph import GraphClient, GraphError
from server.channels.media_fetch import MediaFetcher
from server.jobs import JobFailed
from server.services import Services
from server.settings import Settings
from server.voice import VoiceConfig, build_engines, transcribe_order

_engines_lock = threading.Lock()
_engines: dict[int, list[Any]] = {}


def voice_engines(services: Services) -> list[Any]:
    """Built once per process (the models take a while to load)."""
    with _engines_lock:
        if id(services) not in _engines:
            config = VoiceConfig(cache_dir=services.settings.data_dir / "voice",
                                 whisper_models=[(m, None) for m in services.settings.whisper_models])
            _engines[id(services)] = build_engines(config)
        return _engines[id(services)]


def _fetch(client: GraphClient, settings: Settings, msg: store.StoredMessage) -> tuple[bytes, str | None]:
    """The audio bytes: WhatsApp by media id (with the token, from the URL the Graph API gives), Instagram
    from the attachment URL the webhook names: untrusted, so only from Meta's media hosts (media_fetch)."""
    if msg.channel == "whatsapp":
        found = whatsapp.media_id(msg.payload)
        return client.download_media(found[0]) if found else (b"", None)
    url = instagram.attachment_url(msg.payload)
    if not url:
        return b"", None
    with MediaFetcher(settings.media_hosts, allow_private_networks=settings.media_allow_private_networks) as media:
        return media.fetch(url), None


def transcribe(services: Services, msg: store.StoredMessage, account: accounts.Account,
               language: str | None, merchant_id: str | None) -> tuple[str, str | None]:
    """(transcript, error code) of a voice message; media the channel cannot give us is an error, not a retry."""
    try:
        with GraphClient(services.settings.graph_api_base_url, account.access_token) as client:
            audio, mime = _fetch(client, services.settings, msg)
    except GraphError as exc:
        if exc.retryable:
            raise JobFailed(f"media download: {exc}") from exc
        return "", "media_unavailable"
    if not audio:
        return "", "undecodable_audio"
    with services.read() as uow:
        ids = accounts.merchant_ids(uow.conn, account)
        merchant = uow.catalog.merchant(merchant_id or ids[0]) if ids else None
        menu = uow.catalog.menu(merchant.id) if merchant else None
    if merchant is None or menu is None:
        return "", "undecodable_audio"
    try:
        transcript, _ = transcribe_order(audio, mime, menu, language, voice_engines(services), now=services.clock(),
                                         tz=merchant.timezone)
    except DomainError as exc:
        return "", str(exc.code)
    return transcript.text, None
