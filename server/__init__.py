"""Mealkitz server: Litestar HTTP API over the core domain."""
