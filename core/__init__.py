"""Mealkitz domain: pure Python, no IO frameworks (see ../shared/CONVENTIONS.md)."""
