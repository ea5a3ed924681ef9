"""Requests per token: a token bucket in the process's memory.

Why in-process: the API serves other systems, a handful of tokens; a runaway loop in one of them
must not starve the people using the web pages, and a bucket per token in each worker is enough to
stop it (with N workers a token gets at most N times the rate). No library was worth a dependency
for fifteen lines. ``[web] api_rate_per_minute`` and ``api_burst`` configure it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class Buckets:
    """``take(key)``: None when the request may go, else the seconds until it may (Retry-After)."""

    def __init__(self, per_minute: int, burst: int, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.monotonic = per_minute / 60.0, float(burst), monotonic
        self._state: dict[str, tuple[float, float]] = {}  # key -> (tokens, when)
        self._lock = threading.Lock()

    def take(self, key: str) -> int | None:
        with self._lock:
            now = self.monotonic()
            tokens, then = self._state.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens >= 1.0:
                self._state[key] = (tokens - 1.0, now)
                return None
            self._state[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))
