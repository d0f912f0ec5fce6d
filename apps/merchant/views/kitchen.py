"""The kitchen display: alert banner, station filter, all-day counts and four status columns."""
from __future__ import annotations

from dataclasses import replace

import flet as ft

from apps.merchant.session import Snapshot
from apps.merchant.state.tickets import COLUMNS
from apps.merchant.views import theme as th
from apps.merchant.state.timers import whole_minutes
from apps.merchant.views.card import order_card


class AlertBanner:
    """Loud and impossible to miss: full width, blinking red/yellow, until someone taps Acknowledge. One set of
    controls whose colours change, so the blinking never replaces the button under a finger."""

    def __init__(self, t, on_acknowledge) -> None:
        self.language = t.language
        self.icon = ft.Icon(ft.Icons.NOTIFICATIONS_ACTIVE, size=56)
        self.text = ft.Text("", size=th.HUGE, weight=ft.FontWeight.W_900, expand=True)
        self.sound_icon = ft.Icon(ft.Icons.VOLUME_UP)
        self.sounds = ft.Text("0", size=th.TEXT - 4)
        self.button = th.big_button(t("acknowledge"), lambda e: on_acknowledge(), color=ft.Colors.BLACK,
                                    text_color=ft.Colors.WHITE, height=90, width=260, label=t("acknowledge"))
        self.control = ft.Container(ft.Row([self.icon, self.text, self.button, self.sound_icon, self.sounds]),
                                    padding=16, border_radius=12, visible=False)

    def show(self, snap: Snapshot, t, sounds_played: int) -> None:
        self.control.visible = snap.alert_active
        bright = snap.flash
        ink = ft.Colors.BLACK if bright else ft.Colors.WHITE
        self.control.bgcolor = ft.Colors.YELLOW_600 if bright else ft.Colors.RED_700
        self.icon.color = self.text.color = self.sound_icon.color = self.sounds.color = ink
        self.text.value = t("alert_new", count=snap.alert_count)
        self.text.semantics_label = t("sem_alert", count=snap.alert_count)
        self.sounds.value = str(sounds_played)
        self.sounds.semantics_label = f"sounds played {sounds_played}"


def station_bar(snap: Snapshot, t, on_station) -> ft.Control:
    current = snap.board.station
    options = [(None, t("station_all"))] + [(s, s.upper()) for s in snap.board.stations]
    buttons = [th.big_button(label, lambda e, s=s: on_station(s), filled=s == current,
                             label=t("sem_station", station=label), height=52) for s, label in options]
    return ft.Row([ft.Text(t("station"), size=th.TEXT, weight=ft.FontWeight.BOLD), *buttons], wrap=True)


def all_day(snap: Snapshot, t) -> ft.Control:
    counts = [th.chip(f"{n} × {name}", ft.Colors.BLUE_GREY_700, size=th.TEXT - 2) for name, n in snap.board.all_day]
    return ft.Row([ft.Text(t("all_day"), size=th.TEXT, weight=ft.FontWeight.BOLD),
                   *(counts or [ft.Text("—", size=th.TEXT)])], wrap=True, spacing=6)


def card_signature(ticket, panel: dict | None, quick_picks: list[int]) -> str:
    """What a card shows; the timer at whole minutes, its resolution on screen."""
    minutes = whole_minutes(ticket.minutes_left) if ticket.minutes_left is not None else None
    return repr((replace(ticket, minutes_left=minutes, minutes_waited=0.0, priority_score=0.0), panel, quick_picks))


class BoardView:
    """The four columns, with one control per card kept while the card's content is the same: a redraw (a sync
    finishing, another order arriving) replaces only the cards that changed, never the button under a finger."""

    def __init__(self) -> None:
        self.stations = ft.Container()
        self.all_day = ft.Container()
        self.titles = {c: ft.Container(padding=10, border_radius=10, bgcolor=th.COLUMN_COLOR[c]) for c in COLUMNS}
        self.lists = {c: ft.Column(spacing=th.GAP, scroll=ft.ScrollMode.AUTO, expand=True) for c in COLUMNS}
        self.cards: dict[str, tuple[str, ft.Control]] = {}
        self._keys: dict[str, object] = {}
        board = ft.Row([ft.Column([self.titles[c], self.lists[c]], expand=1, spacing=8) for c in COLUMNS],
                       expand=True, spacing=th.GAP, vertical_alignment=ft.CrossAxisAlignment.START)
        self.control = ft.Column([self.stations, self.all_day, board], expand=True, spacing=8)

    def _card(self, ticket, t, actions, panel, quick_picks) -> ft.Control:
        signature = card_signature(ticket, panel, quick_picks) + t.language + th.MODE
        cached = self.cards.get(ticket.id)
        if cached is None or cached[0] != signature:
            cached = (signature, order_card(ticket, t, actions, panel, quick_picks))
            self.cards[ticket.id] = cached
        return cached[1]

    def _set(self, name: str, key: object, slot: ft.Container, build) -> None:
        if self._keys.get(name) != key:
            slot.content = build()
            self._keys[name] = key

    def show(self, snap: Snapshot, t, actions, expanded: dict, quick_picks: list[int]) -> None:
        board = snap.board
        self._set("stations", (t.language, board.stations, board.station), self.stations,
                  lambda: station_bar(snap, t, actions.station))
        self._set("all_day", (t.language, board.all_day), self.all_day, lambda: all_day(snap, t))
        shown = set()
        for column in COLUMNS:
            tickets = board.columns[column]
            self._set(f"title-{column}", (t.language, len(tickets)), self.titles[column],
                      lambda: ft.Text(f"{t('col_' + column)} ({len(tickets)})", size=th.TITLE - 4,
                                      weight=ft.FontWeight.W_900, color=ft.Colors.WHITE))
            cards = [self._card(ticket, t, actions, expanded.get(ticket.id), quick_picks) for ticket in tickets]
            shown.update(ticket.id for ticket in tickets)
            if [id(c) for c in cards] != [id(c) for c in self.lists[column].controls]:
                self.lists[column].controls = cards
        self.cards = {k: v for k, v in self.cards.items() if k in shown}
