"""Offline-first sync: the operation log, hybrid logical clocks and the merge rules (pure, no IO).

Merge rules, per entity (the server applies them; clients only propose):

| entity  | operations                 | rule |
| ------- | -------------------------- | ---- |
| order   | place                      | priced by the server against the live menu; the op id is the idempotency key |
| order   | transition                 | only along the lifecycle: a late "accept" after a "cancel" is rejected with the reason |
| stock   | adjust (delta)             | deltas, so two tablets decrementing offline add up; never below zero |
| stock   | set_available (86 / back)  | last writer wins by hybrid logical clock |
| profile | set (fields)               | last writer wins per field by hybrid logical clock |
| bumps   | set_line (one order line)  | last writer wins per line by hybrid logical clock; only while the order is in the kitchen (accepted, preparing); cleared when it is ready |
| busy    | set (pause / extra prep)   | last writer wins per merchant by hybrid logical clock; ends by itself at `until` |
| hours   | set (availability windows) | last writer wins per target (the merchant's opening hours, an item, a category) by hybrid logical clock |

Every operation is applied at most once: its client-generated UUIDv7 id keys the stored result, and
re-sending an acknowledged id returns that same result.
"""
