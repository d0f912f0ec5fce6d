"""Sizes and colours for a kitchen: readable from a metre away, targets big enough for a thumb in a glove."""
from __future__ import annotations

import flet as ft

from apps.merchant.state.timers import Urgency

TEXT = 20          # body text
TITLE = 30         # order numbers, column titles
HUGE = 40          # the alert banner
TARGET = 64        # minimum height of anything tapped
GAP = 12

URGENCY_COLOR = {Urgency.OK: ft.Colors.GREEN_700, Urgency.AMBER: ft.Colors.AMBER_800, Urgency.RED: ft.Colors.RED_700}
URGENCY_BORDER = {Urgency.OK: ft.Colors.OUTLINE_VARIANT, Urgency.AMBER: ft.Colors.AMBER_700,
                  Urgency.RED: ft.Colors.RED_700}
COLUMN_COLOR = {"new": ft.Colors.RED_400, "preparing": ft.Colors.ORANGE_400, "ready": ft.Colors.GREEN_500,
                "handed_over": ft.Colors.BLUE_GREY_400}


# Text colours for what a cook must not miss, readable on the light and on the dark card.
INKS = {
    "light": {"add": ft.Colors.BLUE_800, "remove": ft.Colors.RED_700, "note": ft.Colors.PURPLE_700,
              "allergen": ft.Colors.RED_900, "note_bg": ft.Colors.PURPLE_50, "note_text": ft.Colors.PURPLE_900},
    "dark": {"add": ft.Colors.LIGHT_BLUE_200, "remove": ft.Colors.RED_300, "note": ft.Colors.PURPLE_200,
             "allergen": ft.Colors.ORANGE_200, "note_bg": ft.Colors.PURPLE_900, "note_text": ft.Colors.PURPLE_50},
}
INK = dict(INKS["light"])
MODE = "light"


def apply(page: ft.Page, mode: str) -> None:
    global MODE
    MODE = mode if mode in INKS else "light"
    INK.clear()
    INK.update(INKS[MODE])
    page.theme = ft.Theme(color_scheme_seed=ft.Colors.DEEP_ORANGE)
    page.dark_theme = ft.Theme(color_scheme_seed=ft.Colors.DEEP_ORANGE)
    page.theme_mode = ft.ThemeMode.DARK if mode == "dark" else ft.ThemeMode.LIGHT


def big_button(text: str, on_click, *, label: str | None = None, color: str | None = None,
               text_color: str | None = None, expand: bool | int = False, width: float | None = None,
               filled: bool = True, height: float = TARGET) -> ft.Control:
    """A button with its own accessible name (`label`), so two cards' "Ready" buttons differ for screen readers
    and tests."""
    if filled and color is not None and text_color is None:
        text_color = ft.Colors.WHITE
    content = ft.Text(text, size=TEXT, weight=ft.FontWeight.BOLD, semantics_label=label or text,
                      color=text_color, text_align=ft.TextAlign.CENTER)
    kind = ft.FilledButton if filled else ft.OutlinedButton
    style = ft.ButtonStyle(shape=ft.RoundedRectangleBorder(radius=12), bgcolor=color if filled else None,
                           side=ft.BorderSide(2, text_color or ft.Colors.OUTLINE) if not filled else None,
                           padding=ft.Padding.symmetric(horizontal=16, vertical=8))
    return kind(content=content, on_click=on_click, height=height, width=width, expand=expand or None, style=style)


def chip(text: str, color: str, text_color: str = ft.Colors.WHITE, size: int = TEXT - 4) -> ft.Control:
    return ft.Container(ft.Text(text, size=size, weight=ft.FontWeight.BOLD, color=text_color), bgcolor=color,
                        padding=ft.Padding.symmetric(horizontal=10, vertical=4), border_radius=8)
