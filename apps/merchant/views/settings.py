"""Settings: busy mode (pausing orders is for owners and managers), opening hours (owners), theme, language,
sound and auto-accept."""
from __future__ import annotations

import flet as ft

from apps.merchant.i18n import LANGUAGES
from apps.merchant.session import Snapshot
from apps.merchant.state.busy import BusyKind
from apps.merchant.views import theme as th
from apps.merchant.views.stock import hours_editor


def settings_view(snap: Snapshot, t, actions, settings, is_owner: bool) -> ft.Control:
    busy = snap.busy
    if busy.kind is BusyKind.OFF:
        busy_text = t("busy_off")
    elif busy.kind is BusyKind.PAUSED:
        busy_text = t("busy_paused", minutes=busy.minutes_left(snap.now))
    else:
        busy_text = t("busy_extra", extra=busy.extra_minutes, minutes=busy.minutes_left(snap.now))
    busy_buttons = [th.big_button(t("busy_add", extra=extra, minutes=30),
                                  lambda e, x=extra: actions.busy(BusyKind.EXTRA_PREP, 30, x), color=ft.Colors.ORANGE_700)
                    for extra in (10, 20)]
    if is_owner:
        busy_buttons += [th.big_button(t("busy_pause", minutes=m), lambda e, m=m: actions.busy(BusyKind.PAUSED, m),
                                       color=ft.Colors.RED_700) for m in (15, 30)]
    if busy.kind is BusyKind.EXTRA_PREP or (busy.kind is BusyKind.PAUSED and is_owner):
        busy_buttons.append(th.big_button(t("busy_resume"), lambda e: actions.stop_busy(),
                                          color=ft.Colors.GREEN_700))
    languages = [th.big_button(name, lambda e, code=code: actions.language(code), filled=settings.language == code,
                               label=name) for code, name in LANGUAGES.items()]
    themes = [th.big_button(t(f"theme_{mode}"), lambda e, m=mode: actions.theme(m), filled=settings.theme == mode,
                            label=t(f"theme_{mode}")) for mode in ("light", "dark")]
    rows = [
        ft.Text(t("busy_mode"), size=th.TITLE - 4, weight=ft.FontWeight.BOLD),
        ft.Text(busy_text, size=th.TEXT, semantics_label=busy_text),
        ft.Row(busy_buttons, wrap=True),
        ft.Divider(),
    ]
    opening = next((line for line in snap.hours if line.target == "merchant"), None)
    if is_owner and opening is not None:
        rows += [ft.Text(t("opening_hours"), size=th.TITLE - 4, weight=ft.FontWeight.BOLD),
                 hours_editor(opening.target, t("opening_hours"), opening.hours, opening.pending, t, actions),
                 ft.Divider()]
    rows += [
        ft.Row([ft.Text(t("language"), size=th.TEXT, width=200), *languages]),
        ft.Row([ft.Text(t("theme"), size=th.TEXT, width=200), *themes]),
        ft.Row([ft.Text(t("sound"), size=th.TEXT, width=200),
                th.big_button(t("on") if settings.sound else t("off"), lambda e: actions.sound(not settings.sound),
                              filled=settings.sound, label=t("sound"))]),
    ]
    if is_owner:
        rows.append(ft.Row([ft.Text(t("auto_accept"), size=th.TEXT, width=200),
                            th.big_button(t("on") if settings.auto_accept else t("off"),
                                          lambda e: actions.auto_accept(not settings.auto_accept),
                                          filled=settings.auto_accept, label=t("auto_accept"))]))
        rows.append(ft.Text(t("auto_accept_help"), size=th.TEXT - 4))
    return ft.Column(rows, spacing=th.GAP, scroll=ft.ScrollMode.AUTO, expand=True)
