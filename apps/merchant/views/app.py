"""The tablet's screen: sign-in, then a top bar and one of four tabs, redrawn every second (timers) and at once
after a tap or a sync. All decisions are in KitchenSession; this only lays out its Snapshot."""
from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import flet as ft

from apps.client.api import ApiError
from apps.merchant.i18n import Translator
from apps.merchant.session import KitchenSession, Snapshot
from apps.merchant.state.busy import BusyKind
from apps.merchant.views import theme as th
from apps.merchant.views.history import history_view
from apps.merchant.views.kitchen import AlertBanner, BoardView
from apps.merchant.views.login import LoginView
from apps.merchant.views.settings import settings_view
from apps.merchant.views.stock import stock_view

log = logging.getLogger(__name__)
TABS = ("kitchen", "stock", "history", "settings")
FRAME_SECONDS = 1.0


class Actions:
    """What the views may ask for; each runs the session call, shows any refusal, and redraws."""

    def __init__(self, app: "MerchantApp") -> None:
        self.app, self.s = app, app.session

    def _do(self, call, *args: Any) -> None:
        try:
            call(*args)
        except ApiError as exc:
            self.s.message = f"{exc.code}: {exc.detail}"
        self.app.render()

    def accept(self, order_id: str, minutes: int) -> None:
        self._do(self.s.accept, order_id, minutes)

    def reject(self, order_id: str, reason: str) -> None:
        self._do(self.s.reject, order_id, reason)

    def bump(self, order_id: str) -> None:
        self._do(self.s.bump, order_id)

    def bump_item(self, order_id: str, index: int) -> None:
        self._do(self.s.bump_item, order_id, index)

    def recall(self, order_id: str) -> None:
        self._do(self.s.recall, order_id)

    def expand(self, order_id: str, mode: str | None) -> None:
        self._do(self.s.expand, order_id, mode)

    def nudge(self, order_id: str, delta: int) -> None:
        self._do(self.s.nudge_minutes, order_id, delta)

    def dismiss(self, op_id: str) -> None:
        self._do(self.s.dismiss_rejection, op_id)

    def adjust(self, key: str, delta: int) -> None:
        self._do(self.s.adjust_count, key, delta)

    def set_available(self, key: str, available: bool) -> None:
        self._do(self.s.set_available, key, available)

    def busy(self, kind: BusyKind, minutes: int, extra: int = 0) -> None:
        self._do(self.s.start_busy, kind, minutes, extra)

    def stop_busy(self) -> None:
        self._do(self.s.stop_busy)

    def set_hours(self, target: str, text: str) -> None:
        self._do(self.s.set_hours, target, text)

    def station(self, station: str | None) -> None:
        self._do(self.s.set_station, station)

    def language(self, code: str) -> None:
        self.s.settings.language = code
        self.app.t = Translator(code)
        self._do(self.s.save_settings)

    def theme(self, mode: str) -> None:
        self.s.settings.theme = mode
        th.apply(self.app.page, mode)
        self._do(self.s.save_settings)

    def sound(self, on: bool) -> None:
        self.s.settings.sound = on
        self._do(self.s.save_settings)

    def auto_accept(self, on: bool) -> None:
        self.s.settings.auto_accept = on
        self._do(self.s.save_settings)


class MerchantApp:
    def __init__(self, page: ft.Page, session: KitchenSession, alert_sound: bytes | None,
                 default_merchant: str = "") -> None:
        self.page, self.session = page, session
        self.t = Translator(session.settings.language)
        self.actions = Actions(self)
        self.tab = "kitchen"
        self.sounds_played = 0
        self._lock = threading.RLock()
        # Stable slots: redraws replace slot contents, never the text fields, so typing is not interrupted.
        self.top_slot, self.message_slot, self.alert_slot, self.body_slot = (ft.Container() for _ in range(4))
        self.body_slot.expand = True
        self.main = ft.Column([self.top_slot, self.message_slot, self.alert_slot, self.body_slot], expand=True,
                              spacing=10)
        self.root = ft.Container(expand=True, padding=12)
        self.banner = AlertBanner(self.t, self._acknowledge)
        self.alert_slot.content = self.banner.control
        self.board = BoardView()
        self._drawn: dict[str, object] = {}  # slot -> what it shows now (redraw only what changed)
        self.history_search = ft.TextField(label=self.t("search_orders"), text_size=th.TEXT,
                                           prefix_icon=ft.Icons.SEARCH, on_change=lambda e: self.render())
        self.stock_search = ft.TextField(label=self.t("search_menu"), text_size=th.TEXT, prefix_icon=ft.Icons.SEARCH,
                                         on_change=lambda e: self.render())
        self.history_list, self.stock_list = ft.Container(expand=True), ft.Container(expand=True)
        self.history_tab = ft.Column([self.history_search, self.history_list], expand=True)
        self.stock_tab = ft.Column([self.stock_search, self.stock_list], expand=True)
        self.login = LoginView(self.t, self._password, self._pin, default_merchant)
        self.login_control: ft.Control | None = None
        self.audio = None
        if alert_sound is not None:
            try:
                import flet_audio

                self.audio = flet_audio.Audio(src=alert_sound, volume=1.0, on_state_change=self._audio_state)
            except ImportError:  # the visual alert still works; see README (sound)
                log.warning("flet-audio is not installed: the new-order alert is visual only")
        page.title = "Mealkitz Kitchen"
        page.padding = 0
        th.apply(page, session.settings.theme)
        page.add(self.root)

    # -- sound --------------------------------------------------------------------------------------------------

    def _audio_state(self, event: Any) -> None:
        if str(getattr(event, "state", "")).lower().endswith("completed"):
            self.sounds_played += 1

    async def _beep(self) -> None:
        if self.audio is not None:
            try:
                await self.audio.play()
            except Exception:  # a browser that blocks audio must not stop the visual alert
                log.exception("alert sound failed")

    # -- sign-in ------------------------------------------------------------------------------------------------

    def _signed_in(self, call, *args: str) -> None:
        self.login.error.value = ""
        try:
            call(*args)
        except ApiError as exc:
            self.login.error.value = self.t("sign_in_failed", detail=exc.detail)
        self.render()

    def _password(self, email: str, password: str) -> None:
        self._signed_in(self.session.sign_in, email, password)

    def _pin(self, merchant_id: str, pin: str) -> None:
        self._signed_in(self.session.pin_sign_in, merchant_id, pin)

    def _sign_out(self) -> None:
        self.session.sign_out()
        self.login = LoginView(self.t, self._password, self._pin, self.login.merchant.value or "")
        self.login_control = None
        self.render()

    # -- frames -------------------------------------------------------------------------------------------------

    def start(self) -> None:
        self.session.resume()
        self.render()
        self.page.run_task(self._frames)

    async def _frames(self) -> None:
        """Redraw every second for the timers, sooner when the session says something changed."""
        loop_time = asyncio.get_running_loop().time
        last = 0.0
        while True:
            await asyncio.sleep(0.2)
            if self.session.changed.is_set() or loop_time() - last >= FRAME_SECONDS:
                last = loop_time()
                snap = self.render(sound_tick=True)
                if snap is not None and snap.beep:
                    await self._beep()

    def render(self, sound_tick: bool = False) -> Snapshot | None:
        with self._lock:
            self.session.changed.clear()
            try:
                if self.session.account is None:
                    if self.login_control is None or self.root.content is not self.login_control:
                        self.login_control = self.login.control()
                        self.root.content = self.login_control
                    self.page.update()
                    return None
                snap = self.session.snapshot(history_query=self.history_search.value or "",
                                             stock_query=self.stock_search.value or "", sound_tick=sound_tick)
                self._swap(self.top_slot, "top", (self.tab, self.t.language, snap.online, snap.waiting_to_sync,
                                                  snap.busy.kind, snap.merchant.get("name")),
                           lambda: self._top_bar(snap))
                self._swap(self.message_slot, "messages", (repr(snap.rejected), self.session.message),
                           lambda: ft.Column(self._messages(snap), spacing=6))
                if self.banner.language != self.t.language:
                    self.banner = AlertBanner(self.t, self._acknowledge)
                    self.alert_slot.content = self.banner.control
                self.banner.show(snap, self.t, self.sounds_played)
                self._fill_body(snap)
                self.root.content = self.main
                self.page.update()
                return snap
            except Exception:
                log.exception("render failed")
                return None

    def _acknowledge(self) -> None:
        self.session.acknowledge()
        self.render()

    def _set_tab(self, tab: str) -> None:
        self.tab = tab
        self.render()

    def _top_bar(self, snap: Snapshot) -> ft.Control:
        t = self.t
        online = th.chip(t("online") if snap.online else t("offline"),
                         ft.Colors.GREEN_700 if snap.online else ft.Colors.GREY_700)
        bits: list[ft.Control] = [
            ft.Text(snap.merchant.get("name") or self.session.merchant_id, size=th.TITLE - 4,
                    weight=ft.FontWeight.W_900),
            th.chip(t(f"role_{self.session.role}"), ft.Colors.INDIGO_400), online]
        if snap.waiting_to_sync:
            bits.append(ft.Container(
                ft.Text(t("n_waiting", count=snap.waiting_to_sync), size=th.TEXT - 2, weight=ft.FontWeight.BOLD,
                        color=ft.Colors.WHITE, semantics_label=t("sem_n_waiting", count=snap.waiting_to_sync)),
                bgcolor=ft.Colors.ORANGE_800, padding=ft.Padding.symmetric(horizontal=10, vertical=4),
                border_radius=8))
        if snap.busy.kind is not BusyKind.OFF:
            bits.append(th.chip(t("busy_chip"), ft.Colors.DEEP_ORANGE_700))
        bits.append(ft.Container(expand=True))
        for tab in TABS:
            bits.append(th.big_button(t(f"tab_{tab}"), lambda e, tab=tab: self._set_tab(tab), filled=self.tab == tab,
                                      label=t(f"tab_{tab}"), height=56))
        bits.append(th.big_button(t("sign_out"), lambda e: self._sign_out(), filled=False, height=56,
                                  label=t("sign_out")))
        return ft.Row(bits, spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER)

    def _messages(self, snap: Snapshot) -> list[ft.Control]:
        t, out = self.t, []
        for rejected in snap.rejected[:3]:
            out.append(ft.Container(ft.Row([
                ft.Icon(ft.Icons.SYNC_PROBLEM, color=ft.Colors.WHITE, size=32),
                ft.Text(t("conflict", op=rejected["op"], detail=rejected["detail"] or rejected["code"]),
                        size=th.TEXT, weight=ft.FontWeight.BOLD, color=ft.Colors.WHITE, expand=True,
                        semantics_label=t("sem_conflict", detail=rejected["detail"] or rejected["code"])),
                th.big_button(t("dismiss"), lambda e, op=rejected["op_id"]: self.actions.dismiss(op), filled=False,
                              text_color=ft.Colors.WHITE, height=52, label=t("sem_dismiss_conflict"))]),
                bgcolor=ft.Colors.RED_900, padding=10, border_radius=10))
        if self.session.message and not snap.rejected:
            message = self.session.message
            out.append(ft.Container(ft.Row([ft.Text(message, size=th.TEXT, color=ft.Colors.WHITE, expand=True),
                                             th.big_button(t("dismiss"), lambda e: self._clear_message(),
                                                           filled=False, text_color=ft.Colors.WHITE, height=52)]),
                                    bgcolor=ft.Colors.BLUE_GREY_800, padding=10, border_radius=10))
        return out

    def _clear_message(self) -> None:
        self.session.message = None
        self.render()

    def _swap(self, slot: ft.Container, name: str, key: object, build) -> None:
        """Replace a slot's controls only when what it shows changed: a control replaced under a finger loses the
        tap, and the kitchen taps all the time."""
        if self._drawn.get(name) != key or slot.content is None:
            slot.content = build()
            self._drawn[name] = key

    def _fill_body(self, snap: Snapshot) -> None:
        common = (self.tab, self.t.language, self.session.settings.theme)
        if self.tab == "stock":
            self._swap(self.stock_list, "stock", (common, repr(snap.stock), repr(snap.hours)),
                       lambda: stock_view(snap, self.t, self.actions, self.session.is_owner))
            self.body_slot.content, self._drawn["body"] = self.stock_tab, None
        elif self.tab == "history":
            self._swap(self.history_list, "history", (common, repr(snap.totals), repr(snap.today)),
                       lambda: history_view(snap, self.t, self.session.is_owner))
            self.body_slot.content, self._drawn["body"] = self.history_tab, None
        elif self.tab == "settings":
            self._swap(self.body_slot, "body", (common, repr(self.session.settings), repr(snap.busy),
                                                snap.busy.minutes_left(snap.now), repr(snap.hours)),
                       lambda: settings_view(snap, self.t, self.actions, self.session.settings, self.session.is_owner))
        else:
            self.board.show(snap, self.t, self.actions, self.session.expanded, self.session.quick_picks())
            self.body_slot.content, self._drawn["body"] = self.board.control, None
