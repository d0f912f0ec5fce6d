"""Pure state of the kitchen tablet: no Flet, no HTTP, no SQLite (those live in views/ and adapter.py)."""
