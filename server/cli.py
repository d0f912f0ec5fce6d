"""The `mealkitz` command: serve, db upgrade/downgrade, demo-data, secrets, scrape, scrape-url."""
from __future__ import annotations

import argparse
import gc
import json
import sys

from server.settings import Settings


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from server.app import create_app

    app = create_app(settings)
    tune_gc_for_serving()
    uvicorn.run(app, host=args.host or settings.host, port=args.port or settings.port,
                log_level=settings.log_level.lower(), access_log=args.access_log)
    return 0


def tune_gc_for_serving() -> None:
    """Keep the cyclic garbage collector off the request path.

    Under load (64 clients placing orders) the default thresholds ran a collection every few requests and
    a full one every few thousand, each walking every object the loaded app holds (modules, Litestar's
    routes and schemas): about a tenth of the CPU per order and the slowest answers. Freezing what start-up built takes
    it out of every collection; a larger first-generation threshold makes the collections rare. Requests
    free their objects by reference counting, so memory stays flat.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 10)


def _db(args: argparse.Namespace, settings: Settings) -> int:
    from server.db.migrate import downgrade, upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if args.action == "upgrade":
        upgrade(settings.database_url, args.revision or "head")
    else:
        downgrade(settings.database_url, args.revision or "base")
    print(f"database {args.action}d: {_redact(settings.database_url)}")
    return 0


def _secrets(args: argparse.Namespace, settings: Settings) -> int:
    from server.channels.accounts import reseal_secrets
    from server.db.engine import make_engine
    from server.secret_box import new_key, secret_box

    if args.action == "new-key":
        print(new_key())
        return 0
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        count = reseal_secrets(conn, secret_box(settings))
    engine.dispose()
    print(f"re-encrypted the secrets of {count} channel account(s) under the first key")
    return 0


def _demo(_args: argparse.Namespace, settings: Settings) -> int:
    from server.db.engine import make_engine
    from server.db.migrate import upgrade
    from server.demo import load_demo

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        counts = load_demo(conn)
    engine.dispose()
    print(json.dumps({"demo_data": counts}))
    return 0


def _scrape_failure(error: Exception) -> int:
    """Exit codes: 1 the page or the fetch failed, 3 no such merchant or no scrape settings."""
    from core.errors import AccountError, DomainError
    from core.menus_import.errors import MenuChangeError

    if isinstance(error, DomainError):
        print(f"error: {error.code}: {error.detail}", file=sys.stderr)
        return 3 if error.code in (AccountError.NOT_FOUND, MenuChangeError.NOT_CONFIGURED) else 1
    print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
    return 1


def _scrape(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio
    from dataclasses import replace

    from core.errors import DomainError
    from server.db.migrate import upgrade
    from server.scraper.menu_sync import run_scrape
    from server.services import Services

    if args.allow_private:
        settings = replace(settings, scraper_allow_private_networks=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    services = Services(settings, writer="thread")  # no server loop here: the writer gets a thread
    services.writer.start()  # only the writer: this command runs one scrape itself, not the job queue
    try:
        summary = asyncio.run(run_scrape(services, args.merchant_id))
    except DomainError as error:
        return _scrape_failure(error)
    finally:
        services.stop()
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


def _scrape_url(args: argparse.Namespace, settings: Settings) -> int:
    from core.errors import DomainError
    from server.scraper import ScraperSettings, scrape_url_to_json

    scraper = ScraperSettings(allow_private_networks=args.allow_private or settings.scraper_allow_private_networks)
    try:
        result = scrape_url_to_json(args.url, scraper, default_currency=args.currency)
    except DomainError as error:
        return _scrape_failure(error)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def _currency(value: str) -> str:
    if len(value) != 3 or not value.isalpha():
        raise argparse.ArgumentTypeError(f"a currency is three letters (EUR, USD), not {value!r}")
    return value.upper()


def _parse(args: argparse.Namespace, _settings: Settings) -> int:
    """`mealkitz parse --menu FILE TEXT`: the order parser's reading of TEXT against a menu, as JSON."""
    from datetime import datetime
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from core.menu import Menu
    from core.menus_import import extract_menu, scraped_to_menu
    from core.parsing import parse_order

    raw = Path(args.menu).read_bytes()
    if raw.lstrip()[:1] in (b"{", b"["):  # the project's own JSON: a bare Menu, or a demo file's merchants[]
        data = json.loads(raw)
        menus = [m["menu"] for m in data.get("merchants", [])] if isinstance(data, dict) and "merchants" in data else [data]
        if args.merchant:
            menus = [m for m in menus if m.get("merchant_id") == args.merchant]
        if not menus:
            print(f"no menu for merchant {args.merchant!r} in {args.menu}", file=sys.stderr)
            return 2
        menu = Menu.model_validate(menus[0])
    else:  # a web page with a schema.org Menu (JSON-LD, microdata or RDFa), read as the scraper reads it
        menu = scraped_to_menu(extract_menu(raw, url=Path(args.menu).resolve().as_uri()), merchant_id=args.merchant)
        if not menu.items:
            print(f"no menu items found in {args.menu}", file=sys.stderr)
            return 2
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(ZoneInfo(args.tz))
    result = parse_order(" ".join(args.text), menu, language=args.lang, now=now, tz=args.tz)
    print(json.dumps(_parse_result_json(result, menu), ensure_ascii=False, indent=2))
    return 0


def _parse_result_json(result, menu) -> dict:  # type: ignore[no-untyped-def]
    """A ParseResult with the menu's names beside its ids (what a person checking the parser wants to read)."""
    lines = []
    for line in result.lines:
        item = menu.item(line.item_id)
        variant = item.variant(line.variant_id) if item is not None and line.variant_id else None

        def modifier(m):  # type: ignore[no-untyped-def]
            found = menu.find_option(item, m.option_id) if item is not None else None
            return {"option_id": m.option_id, "name": found[1].name if found else m.option_id,
                    "kind": m.kind.value, "portion": m.portion.value}

        lines.append({
            "item_id": line.item_id, "item": item.name if item is not None else line.display_name,
            "quantity": line.quantity, "variant": {"id": variant.id, "name": variant.name} if variant else None,
            "modifiers": [modifier(m) for m in line.modifiers], "declined": [modifier(m) for m in line.declined],
            "instructions": line.instructions, "confidence": line.confidence, "matched_text": line.matched_text,
        })
    out = result.model_dump(mode="json", include={
        "language", "intent", "instructions", "requested_time", "requested_time_text", "fulfilment",
        "fulfilment_text", "address_text", "location", "merchant_text", "removed_item_ids", "change_last_line",
        "unknown", "questions"})
    return {"language": out.pop("language"), "intent": out.pop("intent"), "lines": lines, **out}


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mealkitz", description="Mealkitz server and tools")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the API server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--access-log", action="store_true")
    serve.set_defaults(run=_serve)
    db = sub.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade", "downgrade"])
    db.add_argument("revision", nargs="?")
    db.set_defaults(run=_db)
    secrets = sub.add_parser("secrets", help="keys for secrets at rest: new-key prints one, rotate re-encrypts",
                             description="Rotation: put a new key first in MEALKITZ_SECRET_KEYS (keep the old one "
                             "after it), run `mealkitz secrets rotate`, then drop the old key.")
    secrets.add_argument("action", choices=["new-key", "rotate"])
    secrets.set_defaults(run=_secrets)
    demo = sub.add_parser("demo-data", help="load demo merchants, menus, customers and drivers")
    demo.set_defaults(run=_demo)
    parse = sub.add_parser("parse", help="parse an order message against a menu and print the result as JSON")
    parse.add_argument("--menu", required=True,
                       help="a menu JSON (core Menu, or a demo file with merchants[]) or a web page with a schema.org Menu")
    parse.add_argument("--merchant", help="which merchant of a demo file (default: the first); the id of a page's menu")
    parse.add_argument("--lang", help="the message's language (default: detected)")
    parse.add_argument("--tz", default="UTC", help="the merchant's time zone, e.g. Europe/Vienna")
    parse.add_argument("--now", help="ISO date-time that relative times count from (default: now)")
    parse.add_argument("text", nargs="+", help="the customer's message")
    parse.set_defaults(run=_parse)
    scrape = sub.add_parser("scrape", help="scrape one merchant's menu pages now and print the change set summary",
                            description="Runs one scrape by hand with the merchant's scrape settings: fetch, diff "
                            "against the live menu, store the change set, auto-apply what the policy allows. "
                            "Exit codes: 0 done, 1 the page or fetch failed, 3 no such merchant or settings.")
    scrape.add_argument("merchant_id")
    scrape.add_argument("--allow-private", action="store_true",
                        help="fetch from private and loopback addresses (intranet sites, tests)")
    scrape.set_defaults(run=_scrape)
    scrape_url = sub.add_parser("scrape-url", help="print what one menu page yields, as JSON (touches no merchant)",
                                description="Exit codes: 0 a menu was read, 1 the page or fetch failed.")
    scrape_url.add_argument("url")
    scrape_url.add_argument("--currency", type=_currency, help="for '$' and unmarked prices, e.g. EUR")
    scrape_url.add_argument("--allow-private", action="store_true",
                            help="fetch from private and loopback addresses (intranet sites, tests)")
    scrape_url.set_defaults(run=_scrape_url)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args, Settings.from_env())


if __name__ == "__main__":
    sys.exit(main())
