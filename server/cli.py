"""The `mealkitz` command: serve, db upgrade/downgrade, demo-data."""
from __future__ import annotations

import argparse
import json
import sys

from server.settings import Settings


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from server.app import create_app

    app = create_app(settings)
    uvicorn.run(app, host=args.host or settings.host, port=args.port or settings.port,
                log_level=settings.log_level.lower(), access_log=args.access_log)
    return 0


def _db(args: argparse.Namespace, settings: Settings) -> int:
    from server.db.migrate import downgrade, upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if args.action == "upgrade":
        upgrade(settings.database_url, args.revision or "head")
    else:
        downgrade(settings.database_url, args.revision or "base")
    print(f"database {args.action}d: {_redact(settings.database_url)}")
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
    demo = sub.add_parser("demo-data", help="load demo merchants, menus, customers and drivers")
    demo.set_defaults(run=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args, Settings.from_env())


if __name__ == "__main__":
    sys.exit(main())
