"""Run the kitchen tablet app: `python -m apps.merchant --server URL --port P --data-dir D`.

As a web app (what tests and a browser-based tablet use) it serves on http://HOST:PORT with the Flutter runtime
from the flet-web package (no CDN). `flet build apk` packages the same code (see build/merchant/).
"""
from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apps.merchant.adapter import ClientAdapter
from apps.merchant.session import KitchenSession
from apps.merchant.sound import alert_wav


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m apps.merchant", description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("MEALKITZ_SERVER", "http://127.0.0.1:8000"),
                        help="the Mealkitz API (default: $MEALKITZ_SERVER or http://127.0.0.1:8000)")
    parser.add_argument("--host", default="127.0.0.1", help="where the web app listens")
    parser.add_argument("--port", type=int, default=8550, help="web app port (0: any free port)")
    parser.add_argument("--data-dir", default=os.environ.get("MEALKITZ_TABLET_DIR", "./data/merchant-tablet"),
                        help="the tablet's local store (orders, outbox, settings)")
    parser.add_argument("--merchant", default="", help="merchant id pre-filled on the staff PIN screen")
    parser.add_argument("--open-browser", action="store_true", help="open the app in this machine's browser")
    parser.add_argument("--no-sound", action="store_true", help="visual alert only")
    return parser.parse_args(argv)


def tablet_main(server: str, data_dir: str | Path, merchant: str = "", sound: bool = True) -> Callable[[Any], None]:
    """The Flet `main` of the tablet: one store, outbox and sync worker per process, however many pages show it.
    Used by the web app below and by the packaged Android app (build/merchant/entry.py)."""
    from apps.merchant.views.app import MerchantApp

    session = KitchenSession(ClientAdapter(server, Path(data_dir), on_change=lambda event: None))
    alert = alert_wav() if sound else None

    def main(page: Any) -> None:
        MerchantApp(page, session, alert, merchant).start()

    return main


def cli(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=os.environ.get("MEALKITZ_LOG_LEVEL", "WARNING"))
    if not args.open_browser:
        os.environ.setdefault("FLET_FORCE_WEB_SERVER", "1")  # serve only; a kiosk browser or the tests connect
    import flet as ft

    main = tablet_main(args.server, args.data_dir, args.merchant, sound=not args.no_sound)
    ft.run(main, view=ft.AppView.WEB_BROWSER, host=args.host, port=args.port, no_cdn=True,
           assets_dir=str(Path(__file__).with_name("assets")))


if __name__ == "__main__":
    cli()
