"""Connection health for collectors: backoff between retries and quiet, once-only failure logging."""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog


@dataclass
class Backoff:
    """Exponential backoff: first_s, doubling up to max_s; reset after a success."""

    first_s: float = 0.5
    max_s: float = 2.0
    _next_s: float = field(default=0.0, init=False)

    def next_delay_s(self) -> float:
        self._next_s = self.first_s if self._next_s == 0 else min(self._next_s * 2, self.max_s)
        return self._next_s

    def reset(self) -> None:
        self._next_s = 0.0


class FailureLog:
    """Log the first failure at error, repeats at debug, and the recovery at info."""

    def __init__(self, logger: structlog.typing.FilteringBoundLogger, **context: object) -> None:
        self._log = logger.bind(**context)
        self.failing = False
        self.failures = 0

    def failed(self, event: str, error: BaseException) -> None:
        self.failures += 1
        if self.failing:
            self._log.debug(event, error=str(error), failures=self.failures)
            return
        self.failing = True
        self._log.error(event, error=str(error) or type(error).__name__)

    def recovered(self, event: str) -> None:
        if self.failing:
            self._log.info(event, after_failures=self.failures)
        self.failing = False
        self.failures = 0
