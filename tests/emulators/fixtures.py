"""Pytest fixtures for the Graph API emulator: one process per test session (per xdist worker), reset per test.

Import both names where they are needed: `from tests.emulators.fixtures import graph_emulator, graph_emulator_process`.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulators.graph_emulator import GraphEmulator

GRAPH_TEST_TOKEN = "test-token"


@pytest.fixture(scope="session")
def graph_emulator_process() -> Iterator[GraphEmulator]:
    emulator = GraphEmulator(GRAPH_TEST_TOKEN)
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def graph_emulator(graph_emulator_process: GraphEmulator) -> GraphEmulator:
    """The session's emulator with no recorded requests, faults, media or containers left from other tests."""
    graph_emulator_process.reset()
    return graph_emulator_process
