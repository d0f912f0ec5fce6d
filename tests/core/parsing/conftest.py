"""Shared fixtures for the order parser tests: the demo pizzeria menu and a fixed clock."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.menu import Menu

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parsing"
TZ = "Europe/Madrid"
NOW = datetime(2025, 3, 14, 17, 5, tzinfo=ZoneInfo(TZ))  # a Friday, 17:05 local


@pytest.fixture(scope="session")
def demo_menu() -> Menu:
    """A pizzeria with drinks, names in en/es/fr/pt/hi (tests/fixtures/parsing/demo_menu.json)."""
    return Menu.model_validate_json((FIXTURES / "demo_menu.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def pizza_menu() -> Menu:
    """The menu built from the PIZZA catalogs (assets/menus/pizza, CC BY-NC 4.0)."""
    path = Path(__file__).resolve().parents[3] / "assets" / "menus" / "pizza" / "menu.json"
    return Menu.model_validate_json(path.read_text(encoding="utf-8"))
