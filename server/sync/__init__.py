"""Offline sync on the server: a pushed batch of device operations applied once each (service.py)."""
