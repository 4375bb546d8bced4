"""Per-key rate limits: at most `limit` events per sliding window, in this process.

Used for bursts (bargain helps); a limit that must hold across server processes belongs in Redis.
"""

from __future__ import annotations

from collections import deque


class SlidingWindow:
    def __init__(self, limit: int, window_ms: int, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window_ms = window_ms
        self.max_keys = max_keys
        self._events: dict[str, deque[int]] = {}

    def allow(self, key: str, now_ms: int) -> bool:
        """Record an event for `key` at `now_ms` unless `limit` already happened within the window."""
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._events.clear()  # bounded memory; forgetting old windows only ever allows more
            events = self._events[key] = deque()
        while events and events[0] <= now_ms - self.window_ms:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now_ms)
        return True
