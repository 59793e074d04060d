"""Logging set-up: loggers already used keep up with a later configuration (and with capture_logs)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog
from structlog.testing import capture_logs

from lockpilot.logs import configure_logging


@pytest.fixture
def restored_logging() -> Iterator[None]:
    yield
    structlog.reset_defaults()


def test_a_logger_used_before_the_logging_is_configured_again_is_still_captured(
    restored_logging: None,
) -> None:
    """Each CLI call configures logging (CliRunner tests run many in one process). A module logger cached
    on its first use kept the processors of that configuration, so after a second one `capture_logs` saw
    nothing from it: the retention test's partition-dropped log went missing whenever an earlier test of
    the same xdist worker had used the retention logger between two CLI calls."""
    configure_logging("INFO")
    module_log = structlog.get_logger("tests.some_module")
    module_log.info("first_use")
    configure_logging("INFO")
    with capture_logs() as logs:
        module_log.info("history_partition_dropped", partition="tag_history_p20260101")
    assert [e["event"] for e in logs] == ["history_partition_dropped"]
