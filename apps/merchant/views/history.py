"""Today's orders (searchable) and the day's totals; money is shown to owners and managers only."""
from __future__ import annotations

import flet as ft

from apps.merchant.session import Snapshot
from apps.merchant.views import theme as th


def _total(label: str, value: str) -> ft.Control:
    return ft.Container(ft.Column([ft.Text(label, size=th.TEXT - 4), ft.Text(value, size=th.TITLE,
                                                                            weight=ft.FontWeight.W_900,
                                                                            semantics_label=f"{label}: {value}")],
                                  spacing=0), padding=12, border_radius=10, bgcolor=ft.Colors.SURFACE_CONTAINER_HIGH,
                        width=200)


def history_view(snap: Snapshot, t, show_money: bool) -> ft.Control:
    totals = snap.totals
    boxes = [_total(t("tot_orders"), str(totals.orders)), _total(t("tot_completed"), str(totals.completed)),
             _total(t("tot_open"), str(totals.open)), _total(t("tot_lost"), str(totals.lost)),
             _total(t("tot_items"), str(totals.items))]
    if show_money:
        boxes += [_total(t("tot_revenue"), f"{totals.revenue} {totals.currency}"),
                  _total(t("tot_average"), f"{totals.average} {totals.currency}")]
    rows = []
    for ticket in snap.today:
        placed = ticket.placed_at.astimezone().strftime("%H:%M") if ticket.placed_at else "--:--"
        items = ", ".join(f"{line.quantity}× {line.label}" for line in ticket.lines)
        cells = [ft.Text(f"#{ticket.number}", size=th.TEXT + 2, weight=ft.FontWeight.BOLD, width=80),
                 ft.Text(placed, size=th.TEXT, width=80), th.chip(t(f"status_{ticket.status}"), ft.Colors.BLUE_GREY_600),
                 ft.Text(items, size=th.TEXT - 2, expand=True)]
        if show_money:
            cells.append(ft.Text(f"{ticket.total} {ticket.currency}", size=th.TEXT, width=130))
        if ticket.waiting_to_sync:
            cells.append(th.chip(t("waiting_to_sync"), ft.Colors.ORANGE_800))
        rows.append(ft.Container(ft.Row(cells, spacing=th.GAP), padding=8, border_radius=8,
                                 bgcolor=ft.Colors.SURFACE_CONTAINER_LOW))
    return ft.Column([ft.Row(boxes, wrap=True),
                      ft.Column(rows or [ft.Text(t("no_orders"), size=th.TEXT)], spacing=6, scroll=ft.ScrollMode.AUTO,
                                expand=True)], expand=True, spacing=th.GAP)

