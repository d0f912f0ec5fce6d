"""Server-side dispatch: driver state, locks, the background planner and its views (issue 7)."""
