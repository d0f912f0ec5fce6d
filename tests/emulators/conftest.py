"""The Graph API emulator fixtures for the emulator's own tests."""
from tests.emulators.fixtures import graph_emulator, graph_emulator_process  # noqa: F401
