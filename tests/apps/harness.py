"""Browser harness for the Flet apps (reused by customer, merchant and admin tests).

Starts a real `mealkitz serve` (tests/server/live_server.py), the Flet app under test as a web app (no CDN) on a
free port, and Debian's Chromium driven by Playwright. `FletPage` switches on Flutter's semantics tree (the
`flt-semantics-placeholder` trick) and finds controls by role and accessible name.

    def test_something(flet_browser, tmp_path):
        app = FletApp(["-m", "apps.merchant", "--server", url, "--data-dir", str(tmp_path)]).start()
        page = flet_browser.open(app.url)
        page.click_button("Sign in")
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.live_server import _die_with_parent, free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("MEALKITZ_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("MEALKITZ_TEST_ARTIFACTS", ROOT / "test-artifacts"))
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage",
                  # the kitchen alert must sound without a tap first (a real tablet gets one at sign-in)
                  "--autoplay-policy=no-user-gesture-required"]


def require_browser_stack() -> None:
    """Skip (saying why) when Flet, Playwright or Chromium is missing."""
    for module in ("flet", "flet_web", "playwright"):
        try:
            __import__(module)
        except ImportError:
            pytest.skip(f"{module} is not installed (pip install flet==1.0.5 flet-web==1.0.5 playwright==1.65.2)")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")


class FletApp:
    """A Flet app subprocess serving the web client on a free port; restartable on the same arguments."""

    def __init__(self, args: list[str], log_path: Path, port: int | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.args = [*args, "--port", str(self.port)]
        self.log_path = log_path
        self.env = {**os.environ, "FLET_FORCE_WEB_SERVER": "1", "PYTHONUNBUFFERED": "1", **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout: float = 60.0) -> "FletApp":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([sys.executable, *self.args], cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True,
                                            preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(self.url, timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"the app did not serve {self.url} within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class FletPage:
    """A Playwright page showing a Flet app, with its semantics tree switched on."""

    def __init__(self, page: Any, screenshot_dir: Path = SCREENSHOTS) -> None:
        self.page = page
        self.screenshot_dir = screenshot_dir

    def open(self, url: str, timeout: float = 60.0) -> "FletPage":
        self.page.goto(url)
        self.page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=timeout * 1000)
        self.enable_semantics()
        return self

    def enable_semantics(self) -> None:
        """Flutter web builds its accessibility DOM only after this hidden button is activated."""
        placeholder = self.page.locator("flt-semantics-placeholder")
        if placeholder.count():
            placeholder.dispatch_event("click")
        self.page.wait_for_selector("flt-semantics", state="attached", timeout=30_000)

    # -- finding ------------------------------------------------------------------------------------------------

    def named(self, name: str | re.Pattern[str], role: str | None = None) -> Any:
        """Controls whose accessible name (aria-label or text) is `name` (exact, or a regex)."""
        if role is not None:
            return self.page.get_by_role(role, name=name, exact=isinstance(name, str))
        if isinstance(name, str):
            return self.page.locator(f'flt-semantics[aria-label="{name}"]').or_(
                self.page.get_by_text(name, exact=True))
        return self.page.get_by_label(name).or_(self.page.get_by_text(name))

    def button(self, name: str | re.Pattern[str]) -> Any:
        return self.named(name, role="button")

    def click_button(self, name: str | re.Pattern[str], timeout: float = 10.0) -> None:
        locator = self.button(name).first
        locator.wait_for(state="visible", timeout=timeout * 1000)
        locator.click()

    def tap_until(self, name: str | re.Pattern[str], done: Any, what: str, tries: int = 3,
                  settle: float = 6.0) -> None:
        """Tap a button until `done()` holds. On a loaded 2-core machine Flutter can redraw the card between
        Playwright finding the button and the tap, and the tap lands on nothing; a person taps again."""
        for _ in range(tries):
            self.click_button(name)
            deadline = time.monotonic() + settle
            while time.monotonic() < deadline:
                if done():
                    return
                time.sleep(0.1)
            if not self.button(name).first.is_visible():
                break
        raise AssertionError(f"timed out waiting for {what}")

    def open_screen(self, name: str | re.Pattern[str], shows: str | re.Pattern[str], tries: int = 3) -> None:
        """Tap a navigation button until the screen shows `shows` (a lost tap is tapped again)."""
        for attempt in range(tries):
            self.click_button(name)
            try:
                self.named(shows).first.wait_for(state="visible", timeout=5000)
                return
            except Exception:
                if attempt == tries - 1:
                    raise

    def click(self, name: str | re.Pattern[str], timeout: float = 10.0) -> None:
        locator = self.named(name).first
        locator.wait_for(state="visible", timeout=timeout * 1000)
        locator.click()

    def wait_for(self, name: str | re.Pattern[str], timeout: float = 10.0, role: str | None = None) -> Any:
        locator = self.named(name, role).first
        locator.wait_for(state="visible", timeout=timeout * 1000)
        return locator

    def wait_gone(self, name: str | re.Pattern[str], timeout: float = 10.0, role: str | None = None) -> None:
        self.named(name, role).first.wait_for(state="detached", timeout=timeout * 1000)

    def has(self, name: str | re.Pattern[str], role: str | None = None) -> bool:
        return self.named(name, role).count() > 0

    def fill(self, label: str, value: str, clear: bool = True) -> None:
        """Type into a text field found by its label, key by key as a person would (Flutter reads key events,
        not a value set on its hidden <input>)."""
        field = self.page.locator(f'input[aria-label="{label}"], textarea[aria-label="{label}"]').first
        for _ in range(3):
            field.wait_for(state="attached", timeout=10_000)
            field.click(force=True)
            self.page.wait_for_timeout(150)  # Flutter moves focus to its editing element after the tap
            if clear:
                self.page.keyboard.press("Control+A")
                self.page.keyboard.press("Backspace")
            self.page.keyboard.type(value, delay=20)
            self.page.wait_for_timeout(150)
            if field.input_value() == value:
                return
        raise AssertionError(f"could not type into {label!r}: it holds {field.input_value()!r}")

    def texts(self) -> list[str]:
        return [t for t in self.page.locator("flt-semantics").all_inner_texts() if t.strip()]

    def screenshot(self, name: str) -> Path:
        self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        path = self.screenshot_dir / f"{name}.png"
        self.page.wait_for_timeout(400)  # the canvas paints a frame after the semantics tree changes
        self.page.screenshot(path=str(path))
        return path


class Browser:
    """One Chromium for a test module. Playwright launches it with a temporary profile of its own (it refuses
    --user-data-dir in `launch`), and every page gets a fresh context: no cookies or storage carried over."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                        args=CHROMIUM_FLAGS)
        self.contexts: list[Any] = []
        self.pages: list[FletPage] = []

    def open(self, url: str, viewport: tuple[int, int] = (1600, 1000), **kwargs: Any) -> FletPage:
        context = self.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, **kwargs)
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        flet_page = FletPage(page)
        self.pages.append(flet_page)
        return flet_page.open(url)

    def screenshot_all(self, prefix: str) -> None:
        """What every open page showed (called when a test fails)."""
        for i, page in enumerate(self.pages):
            try:
                page.screenshot(f"{prefix}-{i}")
            except Exception:  # the page may be gone already
                pass

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.browser.close()
        self._playwright.stop()


@pytest.fixture(scope="module")
def flet_browser() -> Iterator[Browser]:
    """Debian's Chromium under Playwright (never `playwright install`), headless, closed after the module."""
    require_browser_stack()
    browser = Browser()
    try:
        yield browser
    finally:
        browser.close()
