"""Database errors and SQL logs must not carry customers' data (here: a phone number in a unique violation)."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from server.db import tables as t
from server.db.engine import make_engine
from server.db.migrate import upgrade

PHONE = "+436641234567"
IMPOSTOR = "Impostor Name"


def test_unique_violation_text_and_logs_hide_the_phone(database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    upgrade(database_url)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # as with echo=True: statements are logged
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(t.customers).values(id="c1", name="Anna", phone=PHONE, doc="{}"))
        with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
            conn.execute(insert(t.customers).values(id="c2", name=IMPOSTOR, phone=PHONE, doc="{}"))
        logging.getLogger("mealkitz.test").exception("write failed", exc_info=caught.value)
    finally:
        engine.dispose()
    raised = str(caught.value)
    assert "customers" in raised  # still says what failed
    assert PHONE not in raised and PHONE not in str(caught.value.orig)
    assert IMPOSTOR not in raised
    assert "INSERT INTO customers" in caplog.text  # the statement was logged ...
    assert PHONE not in caplog.text and IMPOSTOR not in caplog.text  # ... without its values
