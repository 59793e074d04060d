"""Login throttling: per user and per address, an exponential back-off after 5 failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

FREE_FAILURES = 5
BASE_WAIT_S = 1.0
MAX_WAIT_S = 900.0
FORGET_AFTER_S = 3600.0


@dataclass
class _Record:
    failures: int = 0
    last_failure: float = 0.0
    blocked_until: float = 0.0


class LoginThrottle:
    """Counts failed logins by key ("user:ana", "addr:10.0.0.5"); from the 5th on, each doubles the wait."""

    def __init__(
        self,
        *,
        free_failures: int = FREE_FAILURES,
        base_wait_s: float = BASE_WAIT_S,
        max_wait_s: float = MAX_WAIT_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_failures, self.base_wait_s, self.max_wait_s = free_failures, base_wait_s, max_wait_s
        self._monotonic = monotonic
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def retry_after_s(self, *keys: str) -> float:
        """Seconds until any of the keys may try again (0: now)."""
        now = self._monotonic()
        with self._lock:
            waits = [r.blocked_until - now for k in keys if (r := self._records.get(k)) is not None]
        return max([0.0, *waits])

    def failed(self, *keys: str) -> float:
        """Count a failure for each key; the wait it imposes now (0 within the free failures)."""
        now = self._monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                record = self._records.get(key)
                if record is None or now - record.last_failure > FORGET_AFTER_S:
                    record = self._records[key] = _Record()
                record.failures += 1
                record.last_failure = now
                over = record.failures - self.free_failures + 1  # the 5th failure starts the wait
                if over > 0:
                    delay = min(self.max_wait_s, self.base_wait_s * 2 ** (over - 1))
                    record.blocked_until = now + delay
                    wait = max(wait, delay)
        return wait

    def succeeded(self, user_key: str) -> None:
        """A good password clears that user's count (the address keeps its own)."""
        with self._lock:
            self._records.pop(user_key, None)
