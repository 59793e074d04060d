"""Structured logging set-up (structlog over the standard library)."""

from __future__ import annotations

import logging
import sys

import structlog


def configure_logging(level: str = "INFO", *, json_output: bool = False) -> None:
    """Route structlog and stdlib logging to stderr at `level`."""
    logging.basicConfig(
        stream=sys.stderr, level=getattr(logging, level.upper(), logging.INFO), format="%(message)s"
    )
    for noisy in ("snap7", "pymodbus", "httpx", "asyncio", "pgserver"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    renderer = (
        structlog.processors.JSONRenderer() if json_output else structlog.dev.ConsoleRenderer(colors=False)
    )
    # The configured list is changed in place: loggers cached on first use hold this very list, so a
    # second configuration (every CLI call configures) reaches them too.
    processors = structlog.get_config()["processors"]
    stamp = structlog.processors.TimeStamper(fmt="iso")
    processors[:] = [structlog.processors.add_log_level, stamp, renderer]
    structlog.configure(
        processors=processors,
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
