"""Rate limits: fixed-window counters (in memory, or in Redis shared by every process) and where they apply."""
