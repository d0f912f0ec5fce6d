"""Scrape settings per merchant, stored change sets with their changes and evidence, and the audit trail."""
from __future__ import annotations

import ipaddress
import json
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field
from selectolax.lexbor import LexborHTMLParser
from sqlalchemy import Connection, delete, func, insert, select, update

from core.errors import DomainError
from core.menus_import import ApplyPolicy, Change, ChangeSet, SiteMapping
from core.menus_import.errors import MenuChangeError, ScrapeError, scrape_error
from core.orders.model import Actor
from server.db import tables as t
from server.scraper.address_guard import is_public_address


class ChangeStatus:
    PENDING = "pending"
    APPLIED = "applied"
    REJECTED = "rejected"
    STALE = "stale"  # its item left the menu before anyone decided
    SUPERSEDED = "superseded"  # a newer scrape proposed the changes again


class SetStatus:
    PENDING = "pending"
    CLOSED = "closed"
    NO_CHANGES = "no_changes"
    SUPERSEDED = "superseded"


class ScrapeConfig(BaseModel):
    """Where a merchant's menu is published and what may go live without a person."""

    urls: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(
        min_length=1, max_length=10, description="menu pages, scraped together as one menu")
    site_mapping: SiteMapping | None = Field(default=None, description="CSS selectors for sites heuristics misread")
    interval_minutes: int | None = Field(default=None, ge=15, le=7 * 24 * 60,
                                         description="scrape every N minutes; null: only on request")
    policy: ApplyPolicy = ApplyPolicy.NEEDS_APPROVAL
    enabled: bool = True


def check_url(url: str, allow_private: bool) -> str:
    """A URL the fetcher will accept (http/https with a host; no private literal address unless allowed)."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise scrape_error(ScrapeError.INVALID_URL, f"not a valid URL: {url[:200]!r}", url=url[:200]) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise scrape_error(ScrapeError.UNSUPPORTED_SCHEME,
                           f"only http and https pages are scraped, not {parts.scheme[:20] or 'none'!r}", url=url[:200])
    if not parts.hostname or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise scrape_error(ScrapeError.INVALID_URL, f"not a valid URL: {url[:200]!r}", url=url[:200])
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        literal = None
    if literal is not None and not allow_private and not is_public_address(literal):
        raise scrape_error(ScrapeError.PRIVATE_ADDRESS, "the URL names a private address")
    return url.strip()


def check_site_mapping(mapping: SiteMapping) -> None:
    """Every selector must parse; found now, not at 3 a.m. in a scheduled scrape."""
    tree = LexborHTMLParser("<html><body><div></div></body></html>")
    for name in ("item", "name", "section", "section_title", "description", "price", "sold_out"):
        selector = getattr(mapping, name)
        if selector is None:
            continue
        try:
            tree.css(selector)
        except Exception as error:  # noqa: BLE001 - selectolax raises several types for bad selectors
            raise scrape_error(ScrapeError.INVALID_SITE_MAPPING,
                               f"site_mapping.{name} is not a CSS selector lexbor understands: {error}") from None


def validate_config(config: ScrapeConfig, allow_private: bool) -> ScrapeConfig:
    urls = list(dict.fromkeys(check_url(u, allow_private) for u in config.urls))
    if config.site_mapping is not None:
        check_site_mapping(config.site_mapping)
    return config.model_copy(update={"urls": urls})


def get_config(conn: Connection, merchant_id: str) -> tuple[ScrapeConfig, dict[str, Any]] | None:
    row = conn.execute(select(t.scrape_configs).where(t.scrape_configs.c.merchant_id == merchant_id)).first()
    if row is None:
        return None
    config = ScrapeConfig(urls=json.loads(row.urls), interval_minutes=row.interval_minutes, policy=row.policy,
                          enabled=row.enabled,
                          site_mapping=SiteMapping.model_validate_json(row.site_mapping) if row.site_mapping else None)
    return config, {"updated_at": row.updated_at.isoformat(), "updated_by": row.updated_by}


def require_config(conn: Connection, merchant_id: str) -> ScrapeConfig:
    found = get_config(conn, merchant_id)
    if found is None:
        raise DomainError(MenuChangeError.NOT_CONFIGURED,
                          f"{merchant_id} has no scrape settings (set them with PUT /merchants/{merchant_id}/scrape)")
    return found[0]


def put_config(conn: Connection, merchant_id: str, config: ScrapeConfig, *, now: datetime, by: str | None) -> None:
    values = {"urls": json.dumps(config.urls), "interval_minutes": config.interval_minutes,
              "site_mapping": config.site_mapping.model_dump_json() if config.site_mapping else None,
              "policy": str(config.policy), "enabled": config.enabled, "updated_at": now, "updated_by": by}
    c = t.scrape_configs.c
    if conn.execute(update(t.scrape_configs).where(c.merchant_id == merchant_id).values(**values)).rowcount == 0:
        conn.execute(insert(t.scrape_configs).values(merchant_id=merchant_id, **values))


def delete_config(conn: Connection, merchant_id: str) -> bool:
    return conn.execute(delete(t.scrape_configs).where(t.scrape_configs.c.merchant_id == merchant_id)).rowcount > 0


# -- change sets -------------------------------------------------------------------------------------------------

def insert_change_set(conn: Connection, set_id: str, change_set: ChangeSet, *, urls: list[str], item_count: int,
                      job_id: str | None, now: datetime) -> None:
    conn.execute(insert(t.menu_change_sets).values(
        id=set_id, merchant_id=change_set.merchant_id, job_id=job_id,
        status=SetStatus.PENDING if change_set.changes else SetStatus.NO_CHANGES,
        menu_version=change_set.menu_version, urls=json.dumps(urls), item_count=item_count,
        warnings=json.dumps(change_set.warnings), fetched_at=change_set.fetched_at, created_at=now))
    if change_set.changes:
        conn.execute(insert(t.menu_changes), [{
            "change_set_id": set_id, "change_id": c.id, "position": n, "kind": str(c.kind),
            "status": ChangeStatus.PENDING, "item_id": c.item_id, "item_name": c.item_name,
            "old_price": c.old_price, "new_price": c.new_price, "evidence_url": c.evidence.url,
            "evidence_at": c.evidence.fetched_at, "evidence_snippet": c.evidence.snippet,
            "doc": c.model_dump_json()} for n, c in enumerate(change_set.changes)])


def supersede_pending(conn: Connection, merchant_id: str, *, keep: str, now: datetime) -> None:
    """Older pending sets are replaced by a newer scrape (which proposes what still applies, again)."""
    s, m = t.menu_change_sets.c, t.menu_changes.c
    older = [r.id for r in conn.execute(select(s.id).where(s.merchant_id == merchant_id, s.id != keep,
                                                           s.status == SetStatus.PENDING))]
    if not older:
        return
    conn.execute(update(t.menu_changes).where(m.change_set_id.in_(older), m.status == ChangeStatus.PENDING)
                 .values(status=ChangeStatus.SUPERSEDED, decided_at=now))
    conn.execute(update(t.menu_change_sets).where(s.id.in_(older)).values(status=SetStatus.SUPERSEDED))


def change_set_row(conn: Connection, merchant_id: str, set_id: str) -> Any:
    s = t.menu_change_sets.c
    return conn.execute(select(t.menu_change_sets).where(s.id == set_id, s.merchant_id == merchant_id)).first()


def changes_of(conn: Connection, set_id: str) -> list[Any]:
    m = t.menu_changes.c
    return conn.execute(select(t.menu_changes).where(m.change_set_id == set_id).order_by(m.position)).all()


def decide(conn: Connection, set_id: str, change_ids: list[str], status: str, *, now: datetime,
           by: str | None) -> None:
    if change_ids:
        m = t.menu_changes.c
        conn.execute(update(t.menu_changes).where(m.change_set_id == set_id, m.change_id.in_(change_ids))
                     .values(status=status, decided_at=now, decided_by=by))


def refresh_set_status(conn: Connection, set_id: str) -> str:
    m, s = t.menu_changes.c, t.menu_change_sets.c
    pending = conn.execute(select(func.count()).where(m.change_set_id == set_id,
                                                      m.status == ChangeStatus.PENDING)).scalar_one()
    current = conn.execute(select(s.status).where(s.id == set_id)).scalar_one()
    status = current if current in (SetStatus.NO_CHANGES, SetStatus.SUPERSEDED) else \
        SetStatus.PENDING if pending else SetStatus.CLOSED
    conn.execute(update(t.menu_change_sets).where(s.id == set_id).values(status=status))
    return status


def change_view(row: Any) -> dict[str, Any]:
    change = Change.model_validate_json(row.doc)
    scraped = change.scraped
    return {
        "id": row.change_id, "kind": row.kind, "status": row.status, "item_id": row.item_id,
        "item_name": row.item_name, "variant_id": change.variant_id, "category_id": change.category_id,
        "section_path": list(change.section_path),
        "old_price": None if change.old_price is None else format(change.old_price, "f"),
        "new_price": None if change.new_price is None else format(change.new_price, "f"),
        "confidence": round(change.confidence, 2),
        "evidence": {"url": row.evidence_url, "fetched_at": row.evidence_at.isoformat(),
                     "snippet": row.evidence_snippet},
        "scraped": None if scraped is None else {
            "name": scraped.name, "description": scraped.description,
            "price": None if scraped.price is None else format(scraped.price, "f"), "diets": scraped.diets,
            "availability": str(scraped.availability)},
        "decided_at": row.decided_at.isoformat() if row.decided_at else None, "decided_by": row.decided_by,
    }


def set_view(row: Any, changes: list[Any] | None = None, counts: dict[str, int] | None = None) -> dict[str, Any]:
    view = {"id": row.id, "merchant_id": row.merchant_id, "status": row.status, "menu_version": row.menu_version,
            "urls": json.loads(row.urls), "item_count": row.item_count, "warnings": json.loads(row.warnings),
            "fetched_at": row.fetched_at.isoformat(), "created_at": row.created_at.isoformat(),
            "job_id": row.job_id}
    if changes is not None:
        counts = {}
        for c in changes:
            counts[c.status] = counts.get(c.status, 0) + 1
        view["changes"] = [change_view(c) for c in changes]
    view["counts"] = counts or {}
    return view


def list_change_sets(conn: Connection, merchant_id: str, *, status: str | None = None,
                     limit: int = 20) -> list[dict[str, Any]]:
    s, m = t.menu_change_sets.c, t.menu_changes.c
    query = select(t.menu_change_sets).where(s.merchant_id == merchant_id) \
        .order_by(s.created_at.desc(), s.id.desc()).limit(limit)
    if status is not None:
        query = query.where(s.status == status)
    rows = conn.execute(query).all()
    counts: dict[str, dict[str, int]] = {r.id: {} for r in rows}
    if rows:
        for set_id, status_, n in conn.execute(
                select(m.change_set_id, m.status, func.count()).where(m.change_set_id.in_(list(counts)))
                .group_by(m.change_set_id, m.status)):
            counts[set_id][status_] = n
    return [set_view(r, counts=counts[r.id]) for r in rows]


# -- audit -------------------------------------------------------------------------------------------------------

def audit(conn: Connection, *, merchant_id: str, set_id: str | None, change: Change, action: str, actor: Actor,
          now: datetime, old: dict[str, Any] | None, new: dict[str, Any] | None, menu_version: int | None) -> None:
    conn.execute(insert(t.menu_change_audit).values(
        merchant_id=merchant_id, change_set_id=set_id, change_id=change.id, action=action, kind=str(change.kind),
        item_id=(new or {}).get("item_id") or change.item_id, item_name=change.item_name,
        old_value=None if old is None else json.dumps(old, default=str),
        new_value=None if new is None else json.dumps(new, default=str), menu_version=menu_version,
        actor_role=str(actor.role), actor_id=actor.id, at=now))


def list_audit(conn: Connection, merchant_id: str, limit: int = 100) -> list[dict[str, Any]]:
    a = t.menu_change_audit.c
    rows = conn.execute(select(t.menu_change_audit).where(a.merchant_id == merchant_id)
                        .order_by(a.id.desc()).limit(limit))
    return [{"at": r.at.isoformat(), "action": r.action, "kind": r.kind, "item_id": r.item_id,
             "item_name": r.item_name, "change_set_id": r.change_set_id, "change_id": r.change_id,
             "old": json.loads(r.old_value) if r.old_value else None,
             "new": json.loads(r.new_value) if r.new_value else None, "menu_version": r.menu_version,
             "actor": {"role": r.actor_role, "id": r.actor_id}} for r in rows]
