"""One order card on the kitchen display (dumb: renders a Ticket, forwards taps to the session)."""
from __future__ import annotations

import flet as ft

from apps.merchant.state.board import next_action
from apps.merchant.state.settings import REJECT_REASONS
from apps.merchant.state.tickets import Ticket, TicketLine
from apps.merchant.state.timers import Urgency, whole_minutes
from apps.merchant.views import theme as th

MOD_PREFIX = {"add": "+", "extra": "++", "light": "~", "remove": "NO"}


def _modifier_text(t, kind: str, name: str) -> str:
    return t(f"mod_{kind}", name=name)


def _line(ticket: Ticket, line: TicketLine, t, on_bump_item) -> ft.Control:
    style = ft.TextStyle(decoration=ft.TextDecoration.LINE_THROUGH) if line.bumped else None
    rows: list[ft.Control] = [ft.Text(f"{line.quantity} × {line.label}", size=th.TEXT + 2, weight=ft.FontWeight.BOLD,
                                      style=style, semantics_label=t("sem_line", number=ticket.number,
                                                                     item=line.label, quantity=line.quantity)
                                      + (f", {t('bumped')}" if line.bumped else ""))]
    for mod in line.modifiers:
        color = th.INK["remove"] if mod.kind == "remove" else th.INK["add"]
        rows.append(ft.Text(_modifier_text(t, mod.kind, mod.name), size=th.TEXT, weight=ft.FontWeight.BOLD,
                            color=color, style=style))
    if line.instructions:
        rows.append(ft.Text(f"» {line.instructions}", size=th.TEXT, italic=True, weight=ft.FontWeight.W_600,
                            color=th.INK["note"], style=style))
    if line.allergens:
        rows.append(ft.Text(t("contains", allergens=", ".join(line.allergens)), size=th.TEXT - 4,
                            color=th.INK["allergen"]))
    if line.station:
        rows.append(ft.Text(line.station.upper(), size=th.TEXT - 6, color=ft.Colors.ON_SURFACE_VARIANT))
    tappable = ticket.column == "preparing" and on_bump_item is not None
    return ft.Container(
        ft.Column(rows, spacing=2), padding=ft.Padding.symmetric(horizontal=8, vertical=6), border_radius=8,
        bgcolor=ft.Colors.with_opacity(0.12, ft.Colors.GREEN) if line.bumped else None,
        on_click=(lambda e, i=line.index: on_bump_item(ticket.id, i)) if tappable else None,
        ink=tappable)


def _header(ticket: Ticket, t) -> ft.Control:
    timer = ""
    if ticket.column in ("new", "preparing", "ready") and ticket.minutes_left is not None:
        timer = whole_minutes(ticket.minutes_left)
    kind = t(f"fulfil_{ticket.fulfilment}")
    return ft.Row([
        ft.Text(f"#{ticket.number}", size=th.TITLE + 4, weight=ft.FontWeight.W_900,
                semantics_label=t("sem_order", number=ticket.number, column=t(f"col_{ticket.column}"))),
        ft.Column([ft.Text(kind, size=th.TEXT - 2, weight=ft.FontWeight.BOLD),
                   ft.Text(ticket.channel, size=th.TEXT - 6)], spacing=0),
        ft.Container(expand=True),
        th.chip(timer, th.URGENCY_COLOR[ticket.urgency], size=th.TEXT + 2) if timer else ft.Container(),
    ], vertical_alignment=ft.CrossAxisAlignment.CENTER)


def _actions(ticket: Ticket, t, actions, panel: dict | None, quick_picks: list[int]) -> list[ft.Control]:
    n = ticket.number
    if ticket.provisional:
        return []
    if ticket.column == "new":
        if panel and panel.get("mode") == "custom":
            minutes = panel["minutes"]
            return [ft.Row([th.big_button("-5", lambda e: actions.nudge(ticket.id, -5), label=t("sem_less", number=n),
                                          filled=False),
                            ft.Text(t("minutes", minutes=minutes), size=th.TITLE, weight=ft.FontWeight.BOLD),
                            th.big_button("+5", lambda e: actions.nudge(ticket.id, 5), label=t("sem_more", number=n),
                                          filled=False)], alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
                    ft.Row([th.big_button(t("accept_minutes", minutes=minutes),
                                          lambda e: actions.accept(ticket.id, minutes), expand=True,
                                          label=t("sem_accept", number=n, minutes=minutes), color=ft.Colors.GREEN_700),
                            th.big_button(t("back"), lambda e: actions.expand(ticket.id, None), filled=False,
                                          label=t("sem_back", number=n))])]
        if panel and panel.get("mode") == "reject":
            reasons = [th.big_button(t(f"reason_{r}"), lambda e, r=r: actions.reject(ticket.id, t(f"reason_{r}")),
                                     label=t("sem_reject_reason", number=n, reason=t(f"reason_{r}")),
                                     color=ft.Colors.RED_700, expand=True) for r in REJECT_REASONS]
            return [ft.Text(t("reject_why"), size=th.TEXT, weight=ft.FontWeight.BOLD),
                    ft.Row(reasons[:2]), ft.Row(reasons[2:]),
                    th.big_button(t("back"), lambda e: actions.expand(ticket.id, None), filled=False,
                                  label=t("sem_back", number=n))]
        picks = [th.big_button(str(m), lambda e, m=m: actions.accept(ticket.id, m),
                               label=t("sem_accept", number=n, minutes=m), color=ft.Colors.GREEN_700, expand=True)
                 for m in quick_picks]
        return [ft.Text(t("accept_in"), size=th.TEXT - 2, weight=ft.FontWeight.BOLD),
                ft.Row(picks, spacing=6),
                ft.Row([th.big_button(t("custom"), lambda e: actions.expand(ticket.id, "custom"), filled=False,
                                      expand=True, label=t("sem_custom", number=n)),
                        th.big_button(t("reject"), lambda e: actions.expand(ticket.id, "reject"),
                                      color=ft.Colors.RED_700, expand=True, label=t("sem_reject", number=n))])]
    buttons: list[ft.Control] = []
    action = next_action(ticket)
    if action is not None:
        buttons.append(th.big_button(t(f"act_{action}"), lambda e: actions.bump(ticket.id), expand=True,
                                     label=t(f"sem_{action}", number=n), color=th.COLUMN_COLOR["ready"]
                                     if action == "ready" else ft.Colors.BLUE_700))
    if "recall" in ticket.allowed_actions:
        buttons.append(th.big_button(t("act_recall"), lambda e: actions.recall(ticket.id), filled=False,
                                     label=t("sem_recall", number=n)))
    return [ft.Row(buttons)] if buttons else []


def order_card(ticket: Ticket, t, actions, panel: dict | None = None, quick_picks: list[int] = ()) -> ft.Control:
    body: list[ft.Control] = [_header(ticket, t)]
    if ticket.vip or (ticket.priority_reasons and ticket.urgency is not Urgency.OK):
        body.append(ft.Text(" · ".join((["VIP"] if ticket.vip and "VIP" not in ticket.priority_reasons else [])
                                       + list(ticket.priority_reasons)), size=th.TEXT - 4,
                            weight=ft.FontWeight.BOLD, color=th.URGENCY_COLOR[ticket.urgency]))
    if ticket.allergy_notes or ticket.allergens:
        text = "  ".join(ticket.allergy_notes) or ", ".join(ticket.allergens)
        body.append(ft.Container(
            ft.Row([ft.Icon(ft.Icons.WARNING_AMBER_ROUNDED, color=ft.Colors.WHITE, size=32),
                    ft.Text(t("allergy", text=text) if ticket.allergy_notes else t("contains", allergens=text),
                            size=th.TEXT + 2, weight=ft.FontWeight.W_900, color=ft.Colors.WHITE, expand=True,
                            semantics_label=t("sem_allergy", number=ticket.number, text=text))]),
            bgcolor=ft.Colors.RED_800 if ticket.allergy_notes else ft.Colors.DEEP_ORANGE_700, padding=10,
            border_radius=8))
    body += [_line(ticket, line, t, getattr(actions, "bump_item", None)) for line in ticket.lines]
    if ticket.instructions and ticket.instructions not in ticket.allergy_notes:
        body.append(ft.Container(ft.Text(f"» {ticket.instructions}", size=th.TEXT, weight=ft.FontWeight.BOLD,
                                         color=th.INK["note_text"]), bgcolor=th.INK["note_bg"], padding=8,
                                 border_radius=8))
    if ticket.sync_error:
        error = ticket.sync_error
        body.append(ft.Container(ft.Column([
            ft.Text(t("not_synced", detail=error.get("detail") or error.get("code")), size=th.TEXT - 2,
                    weight=ft.FontWeight.BOLD, color=ft.Colors.WHITE,
                    semantics_label=t("sem_not_synced", number=ticket.number, detail=error.get("detail"))),
            th.big_button(t("dismiss"), lambda e: actions.dismiss(error.get("op_id")), filled=False,
                          text_color=ft.Colors.WHITE, label=t("sem_dismiss", number=ticket.number), height=48)]),
            bgcolor=ft.Colors.RED_900, padding=8, border_radius=8))
    elif ticket.waiting_to_sync:
        body.append(ft.Row([ft.Icon(ft.Icons.CLOUD_UPLOAD_OUTLINED, size=24, color=ft.Colors.ORANGE_800),
                            ft.Text(t("waiting_to_sync"), size=th.TEXT - 2, weight=ft.FontWeight.BOLD,
                                    color=ft.Colors.ORANGE_800,
                                    semantics_label=t("sem_waiting", number=ticket.number))]))
    body += _actions(ticket, t, actions, panel, list(quick_picks))
    late = ticket.urgency is not Urgency.OK
    return ft.Container(
        ft.Column(body, spacing=6), padding=12, border_radius=14, bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
        border=ft.Border.all(5 if late else 2, th.URGENCY_BORDER[ticket.urgency]),
        opacity=0.7 if ticket.column == "handed_over" else 1.0)
