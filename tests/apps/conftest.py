"""Fixtures for the app tests: the browser harness (tests/apps/harness.py) is shared by every Flet app."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.apps.harness import flet_browser  # noqa: F401  (a fixture, used by name)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failed browser test leaves a screenshot of every page it had open: failed-<test>-<n>.png."""
    outcome = yield
    report = outcome.get_result()
    browser = getattr(item, "funcargs", {}).get("flet_browser")
    if report.when == "call" and report.failed and browser is not None:
        browser.screenshot_all(f"failed-{item.name}")
