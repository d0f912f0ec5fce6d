"""A chat against the engine over the memory order core, with the Krems demo merchants."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.conversation import ConversationState, Inbound, InboundKind, Reply, respond
from core.conversation.order_ports import OrderCorePorts
from core.geo import GeoPoint
from core.merchants import Customer
from core.orders.cart import Channel
from core.orders.memory import MemoryState, MemoryUnitOfWork
from core.streets import StreetIndex
from tests.core.orders.conftest import NOW, krems  # noqa: F401  (fixtures below reuse the demo)


class Chat:
    """One customer chatting with one business; `send`/`tap`/`share_location` return the replies."""

    def __init__(self, db: MemoryState, customer: Customer, merchant_ids: list[str], now: datetime,
                 channel: Channel = Channel.WHATSAPP, streets: StreetIndex | None = None) -> None:
        self.db, self.customer, self.merchant_ids, self.now, self.channel = db, customer, merchant_ids, now, channel
        self.streets = streets
        self.state = ConversationState()
        self.received: list[Reply] = []
        self.placed: list[str] = []

    def inbound(self, inbound: Inbound) -> list[Reply]:
        with MemoryUnitOfWork(self.db) as uow:
            ports = OrderCorePorts(uow, self.customer, self.merchant_ids, self.now, key_prefix="chat",
                                   streets=self.streets)
            turn = respond(self.state, inbound, ports, now=self.now, channel=self.channel)
        self.state = turn.state
        self.received.extend(turn.replies)
        if turn.placed_order_id:
            self.placed.append(turn.placed_order_id)
        return turn.replies

    def send(self, text: str, **fields: Any) -> list[Reply]:
        return self.inbound(Inbound(kind=InboundKind.TEXT, text=text, **fields))

    def tap(self, choice_id: str) -> list[Reply]:
        return self.inbound(Inbound(kind=InboundKind.CHOICE, choice_id=choice_id))

    def tap_titled(self, title: str) -> list[Reply]:
        """Tap the choice with this title in the last reply that offered one."""
        for reply in reversed(self.received):
            for choice in reply.choices:
                if choice.title == title:
                    return self.tap(choice.id)
        raise AssertionError(f"no choice titled {title!r}; last: {[c.title for r in self.received[-2:] for c in r.choices]}")

    def share_location(self, lat: float, lon: float, place: str = "") -> list[Reply]:
        return self.inbound(Inbound(kind=InboundKind.LOCATION, location=GeoPoint(lat=lat, lon=lon), place=place))

    @property
    def last_text(self) -> str:
        return self.received[-1].text


@pytest.fixture
def db() -> MemoryState:
    from core.menu import Menu
    from core.merchants import Merchant

    st = MemoryState()
    for entry in krems()["merchants"]:
        merchant = Merchant.model_validate(entry["merchant"])
        st.merchants[merchant.id] = merchant
        st.menus[merchant.id] = Menu.model_validate(entry["menu"])
    return st


@pytest.fixture
def maria() -> Customer:
    return Customer(id="wa:34612000111", name="María López", phone="+34612000111", language="es")


@pytest.fixture
def tom() -> Customer:
    return Customer(id="wa:436641112233", name="Tom Baker", phone="+436641112233", language="en")


@pytest.fixture
def chat(db: MemoryState, tom: Customer) -> Chat:
    return Chat(db, tom, ["pizzeria-donau"], NOW)
