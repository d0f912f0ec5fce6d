"""`GET /live` WebSocket: each signed-in device receives the events that concern it.

Topics: `merchant:<id>` (queue and stock changes), `customer:<id>` (their orders' status),
`driver:<id>` (tasks and location), `dispatch` (everything, for admins and dispatchers).
"""
from __future__ import annotations

import asyncio
import threading
from typing import Any

from litestar import WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromQuery

from core.orders.lifecycle import Role
from core.orders.model import Actor
from server.services import Services
from server.settings import Settings


def make_channels(settings: Settings) -> ChannelsPlugin:
    """Memory by default; Redis pub/sub when several server processes must share events."""
    if settings.redis_url:
        from redis.asyncio import Redis

        backend: Any = RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url))
    else:
        backend = MemoryChannelsBackend()
    # Slow consumers lose old events rather than stall everyone; clients re-pull after a gap.
    return ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True, subscriber_max_backlog=1000,
                          subscriber_backlog_strategy="dropleft")


def topics_for(actor: Actor) -> list[str]:
    if actor.role in (Role.ADMIN, Role.SYSTEM, Role.DISPATCHER):
        return ["dispatch"]
    if actor.role in (Role.MERCHANT_STAFF, Role.MERCHANT_OWNER):
        return [f"merchant:{actor.merchant_id}"]
    if actor.role is Role.CUSTOMER:
        return [f"customer:{actor.id}"]
    return [f"driver:{actor.id}", "drivers"]


class Publisher:
    """Publishes from any thread (on PostgreSQL the writer's after-commit hooks run off the event loop).

    Events are queued and handed to the channels once per loop iteration: a placed order tells three
    topics about one event, and a batch commits dozens of orders. Consecutive calls with the same event
    become one publish to all their topics (one encoding, one backend call), and a burst from another
    thread wakes the loop once instead of once per call.
    """

    def __init__(self, channels: ChannelsPlugin) -> None:
        self.channels = channels
        self.loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._pending: list[tuple[str, dict[str, object]]] = []
        self._flush_scheduled = False

    def bind(self) -> None:
        self.loop = asyncio.get_running_loop()

    def __call__(self, topic: str, event: dict[str, object]) -> None:
        loop = self.loop
        if loop is None:
            return
        with self._lock:
            self._pending.append((topic, event))
            if self._flush_scheduled:
                return
            self._flush_scheduled = True
        if _running_loop() is loop:
            loop.call_soon(self._flush)
        else:
            loop.call_soon_threadsafe(self._flush)

    def _flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
            self._flush_scheduled = False
        for event, topics in _grouped_by_event(pending):
            self.channels.publish(event, topics)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _grouped_by_event(pending: list[tuple[str, dict[str, object]]]) -> list[tuple[dict[str, object], list[str]]]:
    """Runs of the same event object become one (event, topics); the order of events is kept."""
    groups: list[tuple[dict[str, object], list[str]]] = []
    for topic, event in pending:
        if groups and groups[-1][0] is event:
            groups[-1][1].append(topic)
        else:
            groups.append((event, [topic]))
    return groups


@websocket("/live")
async def live(socket: WebSocket, channels: NamedDependency[ChannelsPlugin],  # type: ignore[type-arg]
               services: NamedDependency[Services], token: FromQuery[str | None] = None) -> None:
    """Sign in with `?token=` (browsers cannot set headers on WebSockets) or a bearer header."""
    header = socket.headers.get("authorization", "")
    bearer = header.partition(" ")[2].strip() if header.lower().startswith("bearer ") else None
    actor = services.sessions.resolve(token or bearer) if (token or bearer) else None
    if actor is None:
        await socket.close(code=4401, reason="sign in first")
        return
    await socket.accept()
    topics = topics_for(actor)
    async with channels.start_subscription(topics) as subscriber, subscriber.run_in_background(socket.send_data):
        await socket.send_json({"type": "subscribed", "topics": topics})
        try:
            while True:
                message = await socket.receive_text()
                if message == "ping":
                    await socket.send_json({"type": "pong"})
        except WebSocketDisconnect:
            return
