"""Accounts, sessions and customer profiles: the use cases (service.py); hashing and guards live in server.auth."""
