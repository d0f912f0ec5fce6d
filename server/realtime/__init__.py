"""Live updates: Litestar Channels (memory backend, or Redis when REDIS_URL is set) and a WebSocket."""
