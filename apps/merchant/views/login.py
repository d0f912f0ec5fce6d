"""Sign-in: an owner or manager with email and password, or staff with a PIN on the shared tablet."""
from __future__ import annotations

import flet as ft

from apps.merchant.views import theme as th


class LoginView:
    """Keeps its own text fields between frames so typing is never interrupted by a redraw."""

    def __init__(self, t, on_password, on_pin, merchant_id: str = "") -> None:
        self.t = t
        self.on_password, self.on_pin = on_password, on_pin
        self.email = ft.TextField(label=t("email"), text_size=th.TEXT, width=420)
        self.password = ft.TextField(label=t("password"), password=True, can_reveal_password=True,
                                     text_size=th.TEXT, width=420, on_submit=lambda e: self._password())
        self.merchant = ft.TextField(label=t("merchant_id"), value=merchant_id, text_size=th.TEXT, width=420)
        self.pin = ft.TextField(label=t("pin"), password=True, text_size=th.TITLE, width=420, read_only=False,
                                keyboard_type=ft.KeyboardType.NUMBER, on_submit=lambda e: self._pin())
        self.error = ft.Text("", color=ft.Colors.RED_700, size=th.TEXT, weight=ft.FontWeight.BOLD)

    def _password(self) -> None:
        self.on_password(self.email.value or "", self.password.value or "")

    def _pin(self) -> None:
        self.on_pin(self.merchant.value or "", self.pin.value or "")

    def _key(self, digit: str) -> None:
        value = self.pin.value or ""
        self.pin.value = value[:-1] if digit == "DEL" else (value + digit)[:8]
        self.pin.update()

    def control(self) -> ft.Control:
        t = self.t
        keys = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["DEL", "0", "OK"]]
        keypad = ft.Column([ft.Row([th.big_button(k, (lambda e: self._pin()) if k == "OK" else
                                                  (lambda e, k=k: self._key(k)), width=130, height=80,
                                                  filled=k == "OK", label=t("pin_key", key=k))
                                    for k in row]) for row in keys])
        owner = ft.Column([ft.Text(t("owner_sign_in"), size=th.TITLE, weight=ft.FontWeight.BOLD), self.email,
                           self.password, th.big_button(t("sign_in"), lambda e: self._password(), width=420)],
                          spacing=th.GAP)
        staff = ft.Column([ft.Text(t("staff_sign_in"), size=th.TITLE, weight=ft.FontWeight.BOLD), self.merchant,
                           self.pin, keypad], spacing=th.GAP)
        return ft.Column([ft.Text("Mealkitz · " + t("kitchen"), size=th.HUGE, weight=ft.FontWeight.W_900),
                          self.error, ft.Row([owner, ft.VerticalDivider(), staff], spacing=40,
                                             vertical_alignment=ft.CrossAxisAlignment.START)],
                         spacing=20, scroll=ft.ScrollMode.AUTO)
