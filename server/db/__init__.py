"""Persistence: SQLAlchemy Core tables, Alembic migrations, units of work and the batching writer."""
