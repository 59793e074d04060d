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
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            renderer,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
