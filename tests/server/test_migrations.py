"""`alembic upgrade head` works from empty, every migration downgrades, and the models match the migrations."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from server.db.engine import make_engine
from server.db.migrate import downgrade, upgrade
from server.db.tables import metadata


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_downgrade_to_base_and_up_again(database_url: str) -> None:
    upgrade(database_url)
    assert _tables(database_url) == set(metadata.tables)
    downgrade(database_url, "base")
    assert _tables(database_url) == set()
    upgrade(database_url)
    assert _tables(database_url) == set(metadata.tables)


def test_tables_match_migrations(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_dispatch_snapshot_and_kitchen_queue_read_orders_through_an_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Neither the dispatcher's open orders (every merchant) nor one kitchen's open orders scans the table of
    every order ever placed."""
    from sqlalchemy import event

    from core.orders.lifecycle import OrderStatus
    from server.db.catalog_cache import CatalogCache
    from server.db.uow import SqlUnitOfWork
    from server.dispatch.snapshot import DISPATCH_STATUSES

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    seen: list[tuple[str, object]] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, params, _ctx, _many: seen.append((statement, params)))
    with engine.connect() as conn:
        uow = SqlUnitOfWork(conn, CatalogCache())
        uow.orders.list(statuses=list(DISPATCH_STATUSES), limit=5000)
        uow.orders.list(merchant_id="m1", statuses=[OrderStatus.PLACED, OrderStatus.ACCEPTED], limit=50)
        plans = [" | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all())
                 for sql, params in seen if sql.lstrip().startswith("SELECT orders.id")]
    engine.dispose()
    assert len(plans) == 2
    assert all("SCAN orders" not in plan for plan in plans), plans
    assert "ix_orders_status_merchant_placed" in plans[0]  # all merchants: only the status index serves it
