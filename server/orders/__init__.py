"""Orders on the server: placing and moving orders (service.py) for every way in: REST, chat, sync."""
