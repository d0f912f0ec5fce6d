"""Channel tests talk to the Graph API emulator process over real HTTP."""
from tests.emulators.fixtures import graph_emulator, graph_emulator_process  # noqa: F401
