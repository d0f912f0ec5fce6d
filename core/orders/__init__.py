"""Orders: carts and quotes, the order aggregate, its lifecycle, and the order manager."""
