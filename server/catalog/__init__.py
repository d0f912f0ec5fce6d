"""Merchants, menus, promos, drivers and customers: stored documents (store.py) and their use cases (service.py)."""
