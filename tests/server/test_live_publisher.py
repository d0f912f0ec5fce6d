"""The live-update publisher: one publish per event to all its topics, from the loop or any thread."""
from __future__ import annotations

import asyncio
import threading
from typing import Any

from server.realtime.live import Publisher


class FakeChannels:
    def __init__(self) -> None:
        self.published: list[tuple[Any, list[str]]] = []

    def publish(self, data: Any, channels: list[str]) -> None:
        self.published.append((data, list(channels)))


def test_one_publish_per_event_with_all_its_topics_in_order() -> None:
    channels = FakeChannels()
    publisher = Publisher(channels)  # type: ignore[arg-type]
    placed, accepted = {"type": "order.placed"}, {"type": "order.status"}

    async def scenario() -> None:
        publisher.bind()
        for topic in ("merchant:m", "dispatch", "customer:c"):
            publisher(topic, placed)
        publisher("merchant:m", accepted)
        assert channels.published == []  # handed over on the next loop iteration
        await asyncio.sleep(0)

    asyncio.run(scenario())
    assert channels.published == [(placed, ["merchant:m", "dispatch", "customer:c"]), (accepted, ["merchant:m"])]


def test_events_from_other_threads_arrive() -> None:
    channels = FakeChannels()
    publisher = Publisher(channels)  # type: ignore[arg-type]
    events = [{"n": i} for i in range(200)]

    async def scenario() -> None:
        publisher.bind()

        def writer_thread() -> None:
            for event in events:
                publisher("dispatch", event)

        thread = threading.Thread(target=writer_thread)
        thread.start()
        await asyncio.to_thread(thread.join)
        for _ in range(10):
            await asyncio.sleep(0)

    asyncio.run(scenario())
    assert channels.published == [(event, ["dispatch"]) for event in events]


def test_nothing_is_published_before_the_loop_is_bound() -> None:
    channels = FakeChannels()
    Publisher(channels)("dispatch", {"type": "x"})  # type: ignore[arg-type]
    assert channels.published == []
