"""robots.txt rules per origin, cached; the fetcher asks before every request (each redirect hop too)."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """What one origin's robots.txt allows. `allow_all`/`deny_all` stand for a missing or unreachable file."""

    parser: RobotFileParser | None
    deny_all: bool = False
    reason: str | None = None  # why everything is denied, for the error message

    def allows(self, agent: str, url: str) -> bool:
        if self.deny_all:
            return False
        return self.parser is None or self.parser.can_fetch(agent, url)

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return float(delay) if delay is not None else None


def rules_from_response(status: int | None, text: str) -> RobotsRules:
    """Rules for a robots.txt fetch, per RFC 9309: 2xx parse it; 4xx means no rules; 5xx or no answer
    means 'assume everything is disallowed' (the site may be failing under load)."""
    if status is None or status >= 500:
        reason = "it could not be fetched" if status is None else f"it answered HTTP {status}"
        return RobotsRules(None, deny_all=True, reason=reason)
    if status >= 400:
        return RobotsRules(None)
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return RobotsRules(parser)


class RobotsCache:
    """Rules per origin ('https://host:port') for `ttl` seconds."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._clock = ttl, clock
        self._rules: dict[str, tuple[float, RobotsRules]] = {}

    def get(self, origin: str) -> RobotsRules | None:
        entry = self._rules.get(origin)
        if entry is None or self._clock() - entry[0] > self._ttl:
            return None
        return entry[1]

    def put(self, origin: str, rules: RobotsRules) -> None:
        self._rules[origin] = (self._clock(), rules)
