"""Outage logging: the first failure at error, repeats at debug, the recovery at info."""

from __future__ import annotations

import structlog


class OutageLog:
    """Tracks whether a dependency is down and logs its transitions once."""

    def __init__(self, what: str) -> None:
        self._log = structlog.get_logger(__name__).bind(dependency=what)
        self.down = False
        self.failures = 0

    def failed(self, exc: BaseException, **context: object) -> None:
        """Record a failed attempt."""
        self.failures += 1
        if not self.down:
            self.down = True
            self._log.error("dependency_down", error=str(exc).strip(), **context)
        else:
            self._log.debug("dependency_still_down", error=str(exc).strip(), attempt=self.failures, **context)

    def recovered(self, **context: object) -> None:
        """Record a success; logs the recovery if the dependency was down."""
        if self.down:
            self._log.info("dependency_recovered", failed_attempts=self.failures, **context)
        self.down = False
        self.failures = 0
