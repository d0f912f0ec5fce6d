"""Chat channel tests: the Graph API emulator process, and the app configured with a WhatsApp and an
Instagram business account that send through it."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.services import Services
from server.settings import Settings
from tests.emulators.fixtures import GRAPH_TEST_TOKEN, graph_emulator, graph_emulator_process  # noqa: F401
from tests.emulators.graph_emulator import GraphEmulator
from tests.server.channels.chat import channel_env
from tests.server.conftest import Api, Clock


@pytest.fixture
def chat_api(demo_database_url: str, tmp_path: Path, graph_emulator: GraphEmulator) -> Iterator[Api]:
    """The demo app at Wednesday noon with channels configured, job workers running, dispatch off."""
    settings = replace(Settings.from_env(channel_env(graph_emulator.url, GRAPH_TEST_TOKEN)), data_dir=tmp_path,
                       database_url=demo_database_url, dispatch_enabled=False)
    clock = Clock()
    services = Services(settings, clock=clock)
    app = create_app(settings, services=services, migrate=False)
    with TestClient(app=app) as client:
        yield Api(client=client, services=services, clock=clock, tokens={})
