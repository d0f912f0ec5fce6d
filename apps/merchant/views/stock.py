"""Stock and menu: warnings first, then every item and modifier with its count, 86 toggle and hours; owners edit
the hours of items and categories here."""
from __future__ import annotations

import flet as ft

from apps.merchant.session import Snapshot
from apps.merchant.state.stock import HoursLine, StockLine, warnings
from apps.merchant.views import theme as th


def hours_editor(target: str, name: str, hours: str, pending: int, t, actions) -> ft.Control:
    """A field with the hours as text ('mon-fri 11:00-14:30; sat 12:00-22:00', empty: always) and a save button."""
    field = ft.TextField(value=hours, label=t("hours_of", name=name), hint_text=t("hours_hint"),
                         text_size=th.TEXT - 2, expand=True, dense=True)
    save = th.big_button(t("save_hours"), lambda e: actions.set_hours(target, field.value or ""), filled=False,
                         height=52, label=t("sem_save_hours", name=name))
    bits: list[ft.Control] = [field, save]
    if pending:
        bits.append(ft.Text(t("waiting_to_sync"), color=ft.Colors.ORANGE_800, size=th.TEXT - 4,
                            weight=ft.FontWeight.BOLD, semantics_label=t("sem_hours_waiting", name=name)))
    return ft.Row(bits, spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER)


def _row(line: StockLine, t, actions, is_owner: bool) -> ft.Control:
    if not line.available:
        state = th.chip(t("eighty_sixed"), ft.Colors.RED_700)
    elif line.count == 0:
        state = th.chip(t("sold_out"), ft.Colors.RED_700)
    elif line.low:
        state = th.chip(t("low_stock", count=line.count), ft.Colors.AMBER_800)
    else:
        state = th.chip(t("available"), ft.Colors.GREEN_700)
    count = ft.Row([
        th.big_button("-1", lambda e: actions.adjust(line.key, -1), filled=False, height=56,
                      label=t("sem_minus", name=line.name)),
        ft.Text("-" if line.count is None else str(line.count), size=th.TITLE, weight=ft.FontWeight.BOLD, width=70,
                text_align=ft.TextAlign.CENTER, semantics_label=t("sem_count", name=line.name,
                                                                  count="-" if line.count is None else line.count)),
        th.big_button("+1", lambda e: actions.adjust(line.key, 1), filled=False, height=56,
                      label=t("sem_plus", name=line.name)),
    ]) if line.count is not None else ft.Text(t("not_counted"), size=th.TEXT - 4)
    toggle = th.big_button(t("bring_back") if not line.available else t("eighty_six"),
                           lambda e: actions.set_available(line.key, not line.available),
                           color=ft.Colors.GREEN_700 if not line.available else ft.Colors.RED_700,
                           label=t("sem_bring_back" if not line.available else "sem_86", name=line.name), width=190)
    info = [ft.Text(line.name, size=th.TEXT + 2, weight=ft.FontWeight.BOLD),
            ft.Text(f"{t('kind_' + line.kind)} · {line.group}" + (f" · {t('hours')}: {line.hours}" if line.hours
                                                                   else ""), size=th.TEXT - 4)]
    if line.sync_error:
        info.append(ft.Text(t("not_synced", detail=line.sync_error.get("detail")), color=ft.Colors.RED_700,
                            size=th.TEXT - 4, weight=ft.FontWeight.BOLD))
    elif line.pending:
        info.append(ft.Text(t("waiting_to_sync"), color=ft.Colors.ORANGE_800, size=th.TEXT - 4,
                            weight=ft.FontWeight.BOLD, semantics_label=t("sem_stock_waiting", name=line.name)))
    body: list[ft.Control] = [ft.Row([ft.Column(info, expand=True, spacing=2), state, count, toggle],
                                     vertical_alignment=ft.CrossAxisAlignment.CENTER, spacing=th.GAP)]
    if is_owner and line.has_hours:
        body.append(hours_editor(line.key, line.name, line.hours, line.hours_pending, t, actions))
    return ft.Container(ft.Column(body, spacing=6), padding=10, border_radius=10,
                        bgcolor=ft.Colors.SURFACE_CONTAINER_HIGH)


def _category(line: HoursLine, t, actions) -> ft.Control:
    return ft.Container(hours_editor(line.target, line.name, line.hours, line.pending, t, actions), padding=10,
                        border_radius=10, bgcolor=ft.Colors.SURFACE_CONTAINER_HIGH)


def stock_view(snap: Snapshot, t, actions, is_owner: bool = False) -> ft.Control:
    attention = warnings(snap.stock)
    rows: list[ft.Control] = []
    if attention:
        rows.append(ft.Text(t("needs_attention", count=len(attention)), size=th.TITLE - 6, weight=ft.FontWeight.BOLD,
                            color=ft.Colors.RED_700))
        rows += [_row(line, t, actions, is_owner) for line in attention]
        rows.append(ft.Divider())
    rows += [_row(line, t, actions, is_owner) for line in snap.stock if line not in attention]
    categories = [line for line in snap.hours if line.target.startswith("category:")]
    if is_owner and categories:
        rows += [ft.Divider(), ft.Text(t("category_hours"), size=th.TITLE - 6, weight=ft.FontWeight.BOLD)]
        rows += [_category(line, t, actions) for line in categories]
    return ft.Column(rows, spacing=8, scroll=ft.ScrollMode.AUTO, expand=True)
